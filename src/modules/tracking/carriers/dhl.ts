import { mod7 } from './check-digits.js'
import { defineCarrier } from './define.js'
import { ENGLISH_STATUS_WORDS } from './status-words.js'

/** DHL Express waybill: 9–10 digit serial + a mod-7 check digit, so 10 or 11 digits (jkeen dhl.json). */
export const dhl = defineCarrier({
  code: 'dhl',
  name: { ja: 'DHL', en: 'DHL Express' },
  services: [{ code: 'express', name: { ja: 'DHLエクスプレス', en: 'DHL Express' } }],
  timeSlots: [],
  formats: [
    {
      describe: '10 or 11 digits (mod 7 check digit)',
      pattern: /^\d{10,11}$/,
      check: (n) => mod7(n.slice(0, -1)) === Number(n.slice(-1)),
    },
  ],
  statusWords: { ...ENGLISH_STATUS_WORDS, 'With delivery courier': 'out_for_delivery' },
  url: (n) => `https://www.dhl.com/jp-ja/home/tracking.html?tracking-id=${n}`,
})
