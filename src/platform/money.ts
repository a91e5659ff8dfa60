/**
 * Money helpers. Kando keeps every amount as an integer in the currency's
 * minor unit (JPY has none, so ¥1,980 is 1980; $19.99 is 1999).
 *
 * Decimal strings are converted by string manipulation only: no floating-point
 * arithmetic touches an amount, so "0.29" never becomes 28.999999.
 */

const exponentCache = new Map<string, number>()

function normaliseCurrency(code: string): string {
  if (typeof code !== 'string' || !/^[A-Za-z]{3}$/.test(code.trim())) {
    throw new Error(`Invalid currency code ${JSON.stringify(code)}: expected a 3-letter ISO 4217 code such as JPY`)
  }
  return code.trim().toUpperCase()
}

/**
 * Number of fraction digits of a currency's minor unit (JPY 0, USD 2, KWD 3),
 * as the runtime's ICU data knows it.
 */
export function currencyExponent(code: string): number {
  const currency = normaliseCurrency(code)
  const cached = exponentCache.get(currency)
  if (cached !== undefined) return cached
  let digits: number
  try {
    digits = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2
  } catch (cause) {
    throw new Error(`Unknown currency code ${currency}`, { cause })
  }
  exponentCache.set(currency, digits)
  return digits
}

const DECIMAL = /^(\d+)(?:\.(\d+))?$/

/**
 * Convert a decimal amount ("1980.00", "19.99", 5980) to integer minor units of
 * `currency`. Throws an Error for negatives, garbage, more fraction digits than
 * the currency has (unless the extra digits are zeros) and amounts beyond
 * Number.MAX_SAFE_INTEGER.
 */
export function toMinorUnits(decimal: string | number, currency: string): number {
  const exponent = currencyExponent(currency)
  const code = normaliseCurrency(currency)

  let text: string
  if (typeof decimal === 'number') {
    if (!Number.isFinite(decimal)) throw new Error(`Invalid ${code} amount ${decimal}: not a finite number`)
    if (decimal < 0) throw new Error(`Invalid ${code} amount ${decimal}: amounts must not be negative`)
    // String() gives the shortest decimal that round-trips, e.g. 89.99 -> "89.99".
    text = String(decimal)
  } else if (typeof decimal === 'string') {
    text = decimal.trim()
  } else {
    throw new Error(`Invalid ${code} amount: expected a decimal string or number, got ${decimal === null ? 'null' : typeof decimal}`)
  }

  if (text.startsWith('-')) throw new Error(`Invalid ${code} amount ${JSON.stringify(text)}: amounts must not be negative`)
  const match = DECIMAL.exec(text)
  if (!match) {
    throw new Error(`Invalid ${code} amount ${JSON.stringify(text)}: expected a plain decimal such as "1980" or "19.99"`)
  }
  const whole = match[1] ?? '0'
  const fraction = match[2] ?? ''

  if (fraction.length > exponent && !/^0+$/.test(fraction.slice(exponent))) {
    throw new Error(
      `Invalid ${code} amount ${JSON.stringify(text)}: ${code} has ${exponent} fraction digit${exponent === 1 ? '' : 's'}, got ${fraction.length}`,
    )
  }
  const digits = (whole + fraction.slice(0, exponent).padEnd(exponent, '0')).replace(/^0+(?=\d)/, '')
  const value = Number(digits)
  if (!Number.isSafeInteger(value)) {
    throw new Error(`Invalid ${code} amount ${JSON.stringify(text)}: too large`)
  }
  return value
}
