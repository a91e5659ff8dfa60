import { fedexExpressCheckDigit, mod10CheckDigit } from './check-digits.js'
import { defineCarrier } from './define.js'
import { ENGLISH_STATUS_WORDS } from './status-words.js'

/**
 * FedEx: Express 12 digits and Ground 15 digits, check digits from jkeen fedex.json. The longer
 * barcode forms (22-digit 96…, 34-digit) are not accepted: customers are given the 12/15-digit number.
 */
export const fedex = defineCarrier({
  code: 'fedex',
  name: { ja: 'フェデックス', en: 'FedEx' },
  services: [
    { code: 'express', name: { ja: 'フェデックス・エクスプレス', en: 'FedEx Express' } },
    { code: 'ground', name: { ja: 'フェデックス・グラウンド', en: 'FedEx Ground' } },
  ],
  timeSlots: [],
  formats: [
    {
      describe: '12 digits (FedEx Express)',
      pattern: /^\d{12}$/,
      services: ['express'],
      check: (n) => fedexExpressCheckDigit(n.slice(0, 11)) === Number(n[11]),
      display: (n) => `${n.slice(0, 4)} ${n.slice(4, 8)} ${n.slice(8)}`,
    },
    {
      describe: '15 digits (FedEx Ground)',
      pattern: /^\d{15}$/,
      services: ['ground'],
      check: (n) => mod10CheckDigit(n.slice(0, 14), 3) === Number(n[14]),
    },
  ],
  statusWords: { ...ENGLISH_STATUS_WORDS, 'On FedEx vehicle for delivery': 'out_for_delivery' },
  url: (n) => `https://www.fedex.com/fedextrack/?trknbr=${n}`,
})
