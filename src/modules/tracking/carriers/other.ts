import { defineCarrier } from './define.js'

/** Any other carrier: no rule to check beyond "looks like a tracking number", no URL, words via keywords. */
export const other = defineCarrier({
  code: 'other',
  name: { ja: 'その他', en: 'Other' },
  services: [],
  timeSlots: [],
  formats: [{ describe: '4–40 letters or digits', pattern: /^[A-Z0-9]{4,40}$/ }],
  statusWords: {},
})
