import { describe, expect, it } from 'vitest'
import { normalizePostalCode } from './postal.js'

describe('normalizePostalCode: Japan', () => {
  it('formats the usual shapes as 123-4567', () => {
    expect(normalizePostalCode('150-0002', 'JP')).toBe('150-0002')
    expect(normalizePostalCode('1500002', 'JP')).toBe('150-0002')
    expect(normalizePostalCode('〒150-0002', 'JP')).toBe('150-0002')
    expect(normalizePostalCode('〒 150-0002', 'JP')).toBe('150-0002')
    expect(normalizePostalCode(' 150 0002 ', 'JP')).toBe('150-0002')
  })

  it('reads full-width digits and the various dashes', () => {
    expect(normalizePostalCode('１５０－０００２', 'JP')).toBe('150-0002')
    expect(normalizePostalCode('〒１５０ー０００２', 'JP')).toBe('150-0002')
    expect(normalizePostalCode('150ー0002', 'JP')).toBe('150-0002') // katakana long-vowel mark
    expect(normalizePostalCode('150ｰ0002', 'JP')).toBe('150-0002') // half-width long-vowel mark
    expect(normalizePostalCode('150‐0002', 'JP')).toBe('150-0002') // U+2010
    expect(normalizePostalCode('150−0002', 'JP')).toBe('150-0002') // U+2212
    expect(normalizePostalCode('150–0002', 'JP')).toBe('150-0002') // en dash
    expect(normalizePostalCode('〶1500002', 'JP')).toBe('150-0002')
    expect(normalizePostalCode('１５００００２', 'jp')).toBe('150-0002')
  })

  it('rejects codes that are not 7 digits', () => {
    expect(normalizePostalCode('150-002', 'JP')).toBeUndefined()
    expect(normalizePostalCode('150-00021', 'JP')).toBeUndefined()
    expect(normalizePostalCode('40003', 'JP')).toBeUndefined()
    expect(normalizePostalCode('150-000A', 'JP')).toBeUndefined()
    expect(normalizePostalCode('', 'JP')).toBeUndefined()
    expect(normalizePostalCode('〒', 'JP')).toBeUndefined()
    expect(normalizePostalCode(null, 'JP')).toBeUndefined()
    expect(normalizePostalCode(undefined, 'JP')).toBeUndefined()
  })
})

describe('normalizePostalCode: other countries', () => {
  it('returns the code trimmed, as written', () => {
    expect(normalizePostalCode(' 40003 ', 'US')).toBe('40003')
    expect(normalizePostalCode('K2P 0B0', 'CA')).toBe('K2P 0B0')
    expect(normalizePostalCode('3941 LG', 'NL')).toBe('3941 LG')
    expect(normalizePostalCode('1500002', 'US')).toBe('1500002')
    expect(normalizePostalCode('SW1A 1AA', undefined)).toBe('SW1A 1AA')
  })

  it('returns undefined for empty input', () => {
    expect(normalizePostalCode('   ', 'US')).toBeUndefined()
    expect(normalizePostalCode(null, 'US')).toBeUndefined()
  })
})
