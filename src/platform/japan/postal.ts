/**
 * Postal codes. Japanese codes (郵便番号) are 7 digits written `123-4567`;
 * people and shops also write `1234567`, `〒123-4567`, full-width digits and
 * with whatever dash their input method produced (`－`, `ー`, `‐`, `−`).
 */

/** Spaces, dashes and the postal mark 〒, after NFKC has folded full-width forms (〶 becomes 〒). */
const JP_NOISE = /[\s\-‐‑‒–—―−ー〒]/g

/**
 * Normalise a postal code. For `JP` this returns `123-4567`, or undefined when
 * the text is not 7 digits once the postal mark and separators are removed.
 * For other countries the code is returned trimmed as written (undefined when
 * empty).
 */
export function normalizePostalCode(raw: string | null | undefined, country: string | null | undefined): string | undefined {
  if (typeof raw !== 'string') return undefined
  if (typeof country === 'string' && country.trim().toUpperCase() === 'JP') {
    const digits = raw.normalize('NFKC').replace(JP_NOISE, '')
    return /^\d{7}$/.test(digits) ? `${digits.slice(0, 3)}-${digits.slice(3)}` : undefined
  }
  const trimmed = raw.trim()
  return trimmed === '' ? undefined : trimmed
}
