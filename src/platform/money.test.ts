import { describe, expect, it } from 'vitest'
import { currencyExponent, toMinorUnits } from './money.js'

describe('currencyExponent', () => {
  it('knows the minor-unit digits of common currencies', () => {
    expect(currencyExponent('JPY')).toBe(0)
    expect(currencyExponent('USD')).toBe(2)
    expect(currencyExponent('EUR')).toBe(2)
    expect(currencyExponent('KWD')).toBe(3)
  })

  it('accepts lower-case codes', () => {
    expect(currencyExponent('jpy')).toBe(0)
  })

  it('rejects malformed codes', () => {
    expect(() => currencyExponent('YEN!')).toThrow(/currency code/)
    expect(() => currencyExponent('')).toThrow(/currency code/)
    expect(() => currencyExponent('US')).toThrow(/currency code/)
  })
})

describe('toMinorUnits', () => {
  it('converts yen amounts, with or without a zero fraction', () => {
    expect(toMinorUnits('1980', 'JPY')).toBe(1980)
    expect(toMinorUnits('1980.00', 'JPY')).toBe(1980)
    expect(toMinorUnits('5980.0', 'JPY')).toBe(5980)
    expect(toMinorUnits(5980, 'JPY')).toBe(5980)
    expect(toMinorUnits('0', 'JPY')).toBe(0)
  })

  it('converts two- and three-digit currencies exactly', () => {
    expect(toMinorUnits('19.99', 'USD')).toBe(1999)
    expect(toMinorUnits('0.29', 'USD')).toBe(29) // 0.29 * 100 is 28.999999999999996 in floating point
    expect(toMinorUnits('10', 'USD')).toBe(1000)
    expect(toMinorUnits('10.5', 'USD')).toBe(1050)
    expect(toMinorUnits('414.95', 'USD')).toBe(41495)
    expect(toMinorUnits('1.234', 'KWD')).toBe(1234)
    expect(toMinorUnits('0.001', 'KWD')).toBe(1)
    expect(toMinorUnits(89.99, 'USD')).toBe(8999)
    expect(toMinorUnits('007.50', 'USD')).toBe(750)
    expect(toMinorUnits('  12.00 ', 'USD')).toBe(1200)
  })

  it('accepts extra fraction digits only when they are zeros', () => {
    expect(toMinorUnits('19.9900', 'USD')).toBe(1999)
    expect(() => toMinorUnits('1980.5', 'JPY')).toThrow(/JPY has 0 fraction digits/)
    expect(() => toMinorUnits('19.999', 'USD')).toThrow(/USD has 2 fraction digits, got 3/)
    expect(() => toMinorUnits(0.1 + 0.2, 'USD')).toThrow(/fraction digits/)
  })

  it('rejects negatives and garbage with a clear message', () => {
    expect(() => toMinorUnits('-5.00', 'USD')).toThrow(/must not be negative/)
    expect(() => toMinorUnits(-1, 'JPY')).toThrow(/must not be negative/)
    expect(() => toMinorUnits('abc', 'JPY')).toThrow(/Invalid JPY amount "abc"/)
    expect(() => toMinorUnits('1,980', 'JPY')).toThrow(/plain decimal/)
    expect(() => toMinorUnits('¥1980', 'JPY')).toThrow(/plain decimal/)
    expect(() => toMinorUnits('', 'JPY')).toThrow(/plain decimal/)
    expect(() => toMinorUnits('.5', 'USD')).toThrow(/plain decimal/)
    expect(() => toMinorUnits('5.', 'USD')).toThrow(/plain decimal/)
    expect(() => toMinorUnits('1e3', 'USD')).toThrow(/plain decimal/)
    expect(() => toMinorUnits(Number.NaN, 'USD')).toThrow(/finite/)
    expect(() => toMinorUnits(Infinity, 'USD')).toThrow(/finite/)
    expect(() => toMinorUnits(null as unknown as string, 'USD')).toThrow(/got null/)
  })

  it('rejects amounts that do not fit a safe integer', () => {
    expect(() => toMinorUnits('99999999999999999', 'JPY')).toThrow(/too large/)
    expect(toMinorUnits('9007199254740991', 'JPY')).toBe(Number.MAX_SAFE_INTEGER)
  })

  it('rejects an unknown currency format', () => {
    expect(() => toMinorUnits('1', '¥')).toThrow(/currency code/)
  })
})
