/** Remainder of a decimal digit string divided by 7, digit by digit so any length stays exact. */
export function mod7(digits: string): number {
  let r = 0
  for (const c of digits) r = (r * 10 + Number(c)) % 7
  return r
}

/** UPU S10 check digit of the 8-digit serial: weights 8,6,4,2,3,5,9,7, mod 11; 11−r, but r=1→0 and r=0→5. */
export function s10CheckDigit(serial: string): number {
  const weights = [8, 6, 4, 2, 3, 5, 9, 7]
  let sum = 0
  for (let i = 0; i < 8; i++) sum += Number(serial[i]) * weights[i]!
  const r = sum % 11
  return r === 0 ? 5 : r === 1 ? 0 : 11 - r
}

/** FedEx Express 12-digit check digit: weights 3,1,7 repeated over the 11-digit body, sum mod 11 mod 10 (jkeen fedex.json). */
export function fedexExpressCheckDigit(body: string): number {
  const weights = [3, 1, 7]
  let sum = 0
  for (let i = 0; i < body.length; i++) sum += Number(body[i]) * weights[i % 3]!
  return (sum % 11) % 10
}

/**
 * jkeen's `mod10`: letters count as (char code − 3) mod 10, characters at odd 0-based positions are
 * multiplied by `oddMultiplier`, and the check digit brings the sum up to a multiple of 10.
 * UPS 1Z uses multiplier 2, FedEx Ground (15 digits) 3.
 */
export function mod10CheckDigit(sequence: string, oddMultiplier: number): number {
  let sum = 0
  for (let i = 0; i < sequence.length; i++) {
    const c = sequence[i]!
    const x = /[0-9]/.test(c) ? Number(c) : (c.charCodeAt(0) - 3) % 10
    sum += i % 2 === 1 ? x * oddMultiplier : x
  }
  return (10 - (sum % 10)) % 10
}
