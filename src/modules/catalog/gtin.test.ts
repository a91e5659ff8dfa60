import { describe, expect, it } from 'vitest'
import { isValidGtin } from './gtin.js'

describe('isValidGtin', () => {
  it('accepts real JAN-13, JAN-8, UPC-A and GTIN-14 codes', () => {
    for (const code of ['4901234567894', '4902102072618', '49123456', '036000291452', '10012345678902']) expect(isValidGtin(code)).toBe(true)
  })
  it('rejects a wrong check digit, wrong lengths and non-digits', () => {
    for (const code of ['4901234567895', '490123456789', '4901234567894X', '４９０１２３４５６７８９４', '']) expect(isValidGtin(code)).toBe(false)
  })
})
