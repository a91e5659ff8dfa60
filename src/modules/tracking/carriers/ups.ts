import { mod10CheckDigit } from './check-digits.js'
import { defineCarrier } from './define.js'
import { ENGLISH_STATUS_WORDS } from './status-words.js'

/** UPS: 1Z + 6-char shipper + 2-char service + 7-char package + mod-10 check digit (jkeen ups.json). */
export const ups = defineCarrier({
  code: 'ups',
  name: { ja: 'UPS', en: 'UPS' },
  services: [{ code: 'standard', name: { ja: 'UPS', en: 'UPS' } }],
  timeSlots: [],
  formats: [
    {
      describe: '1Z + 16 letters or digits',
      pattern: /^1Z[A-Z0-9]{15}\d$/,
      check: (n) => mod10CheckDigit(n.slice(2, 17), 2) === Number(n[17]),
    },
  ],
  statusWords: ENGLISH_STATUS_WORDS,
  url: (n) => `https://www.ups.com/track?tracknum=${n}`,
})
