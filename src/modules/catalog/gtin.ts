/**
 * Whether `code` is a valid GTIN (JAN/EAN-8, UPC-A 12, JAN/EAN-13, GTIN-14): digits only and
 * the mod-10 check digit right. A mistyped JAN is caught here rather than at the warehouse.
 */
export function isValidGtin(code: string): boolean {
  if (!/^(\d{8}|\d{12}|\d{13}|\d{14})$/.test(code)) return false
  const digits = [...code].map(Number)
  const check = digits.pop()!
  let sum = 0
  // From the right, excluding the check digit, weights alternate 3, 1, 3, …
  for (let i = digits.length - 1, w = 3; i >= 0; i--, w = w === 3 ? 1 : 3) sum += digits[i]! * w
  return (10 - (sum % 10)) % 10 === check
}
