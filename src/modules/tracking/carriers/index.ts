import type { ShipmentStatus } from '../status.js'
import { dhl } from './dhl.js'
import { fedex } from './fedex.js'
import { fukuyama } from './fukuyama.js'
import { japanPost } from './japan-post.js'
import { other } from './other.js'
import { sagawa } from './sagawa.js'
import { seino } from './seino.js'
import { normalizeTrackingNumber } from './normalize.js'
import { mapStatusByKeyword } from './status-words.js'
import { CARRIER_CODES, type Carrier, type CarrierCode, type NumberValidation } from './types.js'
import { ups } from './ups.js'
import { yamato } from './yamato.js'

export { CARRIER_CODES, type Carrier, type CarrierCode, type CarrierService, type LocalName, type NumberValidation } from './types.js'
export { mapStatusByKeyword } from './status-words.js'
export { normalizeTrackingNumber } from './normalize.js'

/**
 * Every carrier, in the order detection prefers them when nothing else tells them apart: Japanese
 * parcel carriers by share of 宅配便 volume, then the international expresses, then the carriers
 * whose numbers can only be format-checked, then `other`.
 */
export const CARRIERS: readonly Carrier[] = [yamato, sagawa, japanPost, dhl, fedex, ups, seino, fukuyama, other]

const BY_CODE = new Map<CarrierCode, Carrier>(CARRIERS.map((c) => [c.code, c]))

/** The adapter for a carrier code. */
export function getCarrier(code: CarrierCode): Carrier {
  return BY_CODE.get(code)!
}

/** Whether a string is one of the carrier codes. */
export function isCarrierCode(s: unknown): s is CarrierCode {
  return typeof s === 'string' && (CARRIER_CODES as readonly string[]).includes(s)
}

/** Validates a number for one carrier (and optionally one of its services). */
export function validateTrackingNumber(code: CarrierCode, raw: string, service?: string | null): NumberValidation {
  return getCarrier(code).validateNumber(raw, service)
}

// Prefixes seen in real numbers (packtrack, 2009: Sagawa 6000… 97 of 101, Japan Post 3174… 26 of 26).
// Old and small samples, so they only move a carrier up among those whose check digit already passed.
const PREFIX_HINTS: readonly (readonly [string, CarrierCode])[] = [
  ['6000', 'sagawa'],
  ['3174', 'japan_post'],
]

/**
 * Carriers whose format and check digit accept the number, most likely first. A 12-digit mod-7 number
 * fits Yamato, Sagawa and Japan Post alike, so all are returned: carriers with a real check digit come
 * before format-only ones, a known prefix moves its carrier up, then CARRIERS order. `other` is never
 * returned (it accepts anything, so it is no evidence).
 */
export function detectCarriers(rawNumber: string): CarrierCode[] {
  const hinted = PREFIX_HINTS.filter(([prefix]) => normalizeTrackingNumber(rawNumber).startsWith(prefix)).map(([, code]) => code)
  const rank = (c: Carrier) => (c.hasCheckDigit ? 0 : 2) + (hinted.includes(c.code) ? 0 : 1)
  return CARRIERS.filter((c) => c.code !== 'other' && c.validateNumber(rawNumber).ok)
    .map((c, i) => ({ c, i }))
    .sort((a, b) => rank(a.c) - rank(b.c) || a.i - b.i)
    .map(({ c }) => c.code)
}

/** The carrier's own word table first, then the shared Japanese/English keyword table; undefined if neither knows it. */
export function mapCarrierStatus(code: CarrierCode, rawText: string): ShipmentStatus | undefined {
  return getCarrier(code).mapStatus(rawText) ?? mapStatusByKeyword(rawText)
}

const URL_HOSTS: readonly (readonly [string, CarrierCode])[] = [
  ['kuronekoyamato.co.jp', 'yamato'],
  ['sagawa-exp.co.jp', 'sagawa'],
  ['japanpost.jp', 'japan_post'],
  ['seino.co.jp', 'seino'],
  ['fukutsu.co.jp', 'fukuyama'],
  ['dhl.com', 'dhl'],
  ['dhl.co.jp', 'dhl'],
  ['dhl', 'dhl'], // DHL's own top-level domain, e.g. mydhl.express.dhl
  ['fedex.com', 'fedex'],
  ['ups.com', 'ups'],
]

/** The carrier a tracking-page URL belongs to, by host name; 'other' for unknown hosts or unparsable URLs. */
export function guessCarrierFromUrl(url: string): CarrierCode {
  let host: string
  try {
    host = new URL(url).hostname.toLowerCase()
  } catch {
    return 'other'
  }
  const hit = URL_HOSTS.find(([domain]) => host === domain || host.endsWith(`.${domain}`))
  return hit ? hit[1] : 'other'
}
