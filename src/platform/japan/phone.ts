/**
 * Phone numbers to E.164 (`+819012345678`).
 *
 * Japanese numbers are understood in every common shape: national with a
 * trunk 0 (`090-1234-5678`, `(03) 1234-5678`), international (`+81 90 1234 5678`,
 * `+81 (0)90-…`, `81-90-…`), full-width digits and the dashes Japanese input
 * methods produce (`－`, `ー`, `‐`, `−`). Numbers of other countries are only
 * accepted in international form with a leading `+`, because their national
 * formats are not checked here.
 */

/** Separators people put inside phone numbers, after NFKC has folded full-width forms. */
const SEPARATORS = /[\s\-‐‑‒–—―−ー.()/]/g

/**
 * Japanese national significant number (without the trunk 0):
 * - 10 digits for the non-geographic 0A0 ranges: mobile 070/080/090, IP 050, 020, 060 and 0800 free dial;
 * - 9 digits for geographic numbers (03-xxxx-xxxx, 0467-xx-xxxx …) and 0120 / 0570.
 */
function isJapaneseNsn(nsn: string): boolean {
  return /^[2-9]0\d{8}$/.test(nsn) || /^[1-9][1-9]\d{7}$/.test(nsn)
}

/**
 * Convert a phone number to E.164, or return undefined when it is not a
 * plausible number (too short or long, letters, an extension, an unknown
 * national format). `defaultCountry` is the country to assume for numbers
 * written without a country code; only `JP` national numbers are understood.
 */
export function toE164(raw: string | null | undefined, defaultCountry: string = 'JP'): string | undefined {
  if (typeof raw !== 'string') return undefined
  const text = raw.normalize('NFKC').trim()
  if (text === '' || text.length > 40) return undefined

  const compact = text.replace(SEPARATORS, '')
  const match = /^(\+?)(\d+)$/.exec(compact)
  if (!match) return undefined
  const plus = match[1] === '+'
  const digits = match[2] ?? ''

  const country = defaultCountry.trim().toUpperCase()

  if (plus || (country === 'JP' && digits.startsWith('81'))) {
    if (digits.startsWith('81')) {
      // `+81 (0)90…` and `+81090…` repeat the trunk 0; drop it.
      let nsn = digits.slice(2)
      if (nsn.startsWith('0')) nsn = nsn.slice(1)
      return isJapaneseNsn(nsn) ? `+81${nsn}` : undefined
    }
    if (!plus) return undefined
    // Other countries: E.164 allows at most 15 digits; country codes never start with 0.
    return /^[1-9]\d{6,14}$/.test(digits) ? `+${digits}` : undefined
  }

  if (country !== 'JP') return undefined
  if (!digits.startsWith('0') || digits.startsWith('00')) return undefined
  const nsn = digits.slice(1)
  return isJapaneseNsn(nsn) ? `+81${nsn}` : undefined
}
