import { mod7, s10CheckDigit } from './check-digits.js'
import type { NumberFormat } from './define.js'
import { groupsOfFour } from './normalize.js'

/**
 * The 12-digit domestic number ("7DR"): the last digit is the first 11 digits mod 7, so it is always 0–6.
 * Sources: nanoappli.com/blog/archives/369, gyomu.org/faq/view/7dr, nayutaya/packtrack, and 568 real
 * numbers from packtrack's fixtures that all pass (see /work/shared/research/carriers.md §1).
 */
export function sevenDr(services?: readonly string[]): NumberFormat {
  return {
    describe: '12 digits (mod 7 check digit)',
    pattern: /^\d{12}$/,
    ...(services ? { services } : {}),
    check: (n) => mod7(n.slice(0, 11)) === Number(n[11]),
    display: groupsOfFour,
  }
}

/**
 * UPU S10: 2 letters + 8-digit serial + check digit + ISO country, e.g. EE123456785JP.
 * `servicePrefix` narrows the first letter (E = EMS); `country` fixes the issuing post.
 */
export function s10(country: string, services?: readonly string[], servicePrefix = '[A-Z]'): NumberFormat {
  return {
    describe: `S10 (2 letters, 9 digits, ${country})`,
    pattern: new RegExp(`^${servicePrefix}[A-Z]\\d{9}${country}$`),
    ...(services ? { services } : {}),
    check: (n) => s10CheckDigit(n.slice(2, 10)) === Number(n[10]),
  }
}
