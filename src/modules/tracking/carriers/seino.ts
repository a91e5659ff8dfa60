import { defineCarrier } from './define.js'

/**
 * 西濃運輸 (カンガルー便). Numbers are 10 digits (stated in a public tracker's code comment). We found no
 * published check-digit rule, so only the format is checked; do not add one without a source.
 */
export const seino = defineCarrier({
  code: 'seino',
  name: { ja: '西濃運輸', en: 'Seino Transportation' },
  services: [{ code: 'kangaroo', name: { ja: 'カンガルー便', en: 'Kangaroo Express' } }],
  // No source found for Seino's time-slot choices to private homes, so none are offered.
  timeSlots: [],
  formats: [{ describe: '10 digits', pattern: /^\d{10}$/ }],
  statusWords: {
    // The delivered label public scrapers read from the tracking page; other words go to the keyword table.
    '配達済み': 'delivered',
  },
  url: (n) => `https://track.seino.co.jp/cgi-bin/gnpquery.pgm?GNPNO1=${n}`,
})
