import type { ShipmentStatus, TimeSlot } from '../status.js'

export const CARRIER_CODES = ['yamato', 'sagawa', 'japan_post', 'seino', 'fukuyama', 'dhl', 'fedex', 'ups', 'other'] as const
export type CarrierCode = (typeof CARRIER_CODES)[number]

export interface LocalName {
  ja: string
  en: string
}

/** A product of one carrier (宅急便コンパクト, ゆうパケット, EMS…); `code` is what callers pass as `service`. */
export interface CarrierService {
  code: string
  name: LocalName
}

export type NumberValidation =
  | { ok: true; number: string }
  | { ok: false; reason: 'format' | 'check_digit'; detail: string }

export interface Carrier {
  code: CarrierCode
  name: LocalName
  services: readonly CarrierService[]
  /** Slots the customer may choose; empty when the carrier sells none we could establish. */
  timeSlots: readonly TimeSlot[]
  /** False when only the format can be checked (no published check-digit rule): detection ranks it last. */
  hasCheckDigit: boolean
  /** The carrier's own status words; `○○` in a word stands for a store or place name. */
  statusWords: Readonly<Record<string, ShipmentStatus>>
  /** Strip spaces/hyphens/full-width digits (０-９, －, ー) and upper-case; returns the canonical form. */
  normalizeNumber(raw: string): string
  /** Validate format + check digit. */
  validateNumber(raw: string, service?: string | null): NumberValidation
  /** Display form, e.g. 4444-1375-8703 for 12-digit domestic. */
  formatNumber(number: string): string
  /** Public tracking URL for a (valid) number, or null. */
  trackingUrl(number: string): string | null
  /** Map the carrier's status words to the normalised status; undefined when the word is unknown. */
  mapStatus(rawText: string): ShipmentStatus | undefined
}
