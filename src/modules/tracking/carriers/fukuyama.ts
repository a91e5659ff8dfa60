import { defineCarrier } from './define.js'

/**
 * 福山通運. Numbers are 10 or 12 digits (brief; not confirmed by a source we could read). No published
 * check-digit rule was found, so only the format is checked; do not add one without a source.
 */
export const fukuyama = defineCarrier({
  code: 'fukuyama',
  name: { ja: '福山通運', en: 'Fukuyama Transporting' },
  services: [{ code: 'rosen', name: { ja: '路線便', en: 'Less-than-truckload' } }],
  // No source found for Fukuyama's time-slot choices, so none are offered.
  timeSlots: [],
  formats: [{ describe: '10 or 12 digits', pattern: /^(\d{10}|\d{12})$/ }],
  statusWords: {
    // 「配達完了です」 is what public scrapers read from the tracking page.
    '配達完了です': 'delivered',
    '配達完了': 'delivered',
  },
  url: (n) => `https://corp.fukutsu.co.jp/situation/tracking_no_hunt/${n}`,
})
