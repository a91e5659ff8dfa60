import type { ShipmentStatus, TimeSlot } from '../status.js'
import { normalizeTrackingNumber } from './normalize.js'
import { statusLookup } from './status-words.js'
import type { Carrier, CarrierCode, CarrierService, LocalName, NumberValidation } from './types.js'

/** One number format a carrier issues, tested on the canonical (normalised) number. */
export interface NumberFormat {
  /** Human description for error details, e.g. "12 digits (mod 7)". */
  describe: string
  pattern: RegExp
  /** Service codes that use this format; absent = every service of the carrier. */
  services?: readonly string[]
  /** The check-digit test; absent when only the format is known. */
  check?: (n: string) => boolean
  /** Display form; absent = the canonical number. */
  display?: (n: string) => string
}

export interface CarrierSpec {
  code: CarrierCode
  name: LocalName
  services: readonly CarrierService[]
  timeSlots: readonly TimeSlot[]
  formats: readonly NumberFormat[]
  statusWords: Readonly<Record<string, ShipmentStatus>>
  /** URL for a number already known to be valid; absent when the carrier has no public page we know. */
  url?: (n: string) => string
}

/** Builds a Carrier from its formats, words and URL, so each carrier file holds only facts. */
export function defineCarrier(spec: CarrierSpec): Carrier {
  const formatsFor = (service?: string | null) =>
    spec.formats.filter((f) => !service || !f.services || f.services.includes(service))

  function validateNumber(raw: string, service?: string | null): NumberValidation {
    const number = normalizeTrackingNumber(raw)
    if (service && !spec.services.some((s) => s.code === service)) {
      return { ok: false, reason: 'format', detail: `${spec.name.en} has no service "${service}"` }
    }
    const formats = formatsFor(service)
    const matching = formats.filter((f) => f.pattern.test(number))
    if (matching.length === 0) {
      return { ok: false, reason: 'format', detail: `expected ${formats.map((f) => f.describe).join(' or ')}, got "${number}"` }
    }
    if (matching.some((f) => !f.check || f.check(number))) return { ok: true, number }
    return { ok: false, reason: 'check_digit', detail: `check digit of ${number} is wrong (${matching.map((f) => f.describe).join(' or ')})` }
  }

  return {
    code: spec.code,
    name: spec.name,
    services: spec.services,
    timeSlots: spec.timeSlots,
    hasCheckDigit: spec.formats.every((f) => f.check !== undefined),
    statusWords: spec.statusWords,
    normalizeNumber: normalizeTrackingNumber,
    validateNumber,
    formatNumber(number) {
      const n = normalizeTrackingNumber(number)
      const format = spec.formats.find((f) => f.pattern.test(n))
      return format?.display ? format.display(n) : n
    },
    trackingUrl(number) {
      const v = validateNumber(number)
      return v.ok && spec.url ? spec.url(encodeURIComponent(v.number)) : null
    },
    mapStatus: statusLookup(spec.statusWords),
  }
}
