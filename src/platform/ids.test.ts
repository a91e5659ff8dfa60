import { describe, expect, it } from 'vitest'
import { newId, newToken } from './ids.js'

describe('ids', () => {
  it('prefixed ids sort by creation time', () => {
    const a = newId('ord', new Date('2026-01-01T00:00:00Z'))
    const b = newId('ord', new Date('2026-01-01T00:00:00.001Z'))
    const c = newId('ord', new Date('2030-06-01T00:00:00Z'))
    expect(a).toMatch(/^ord_[0-9a-z]{26}$/)
    expect([c, b, a].sort()).toEqual([a, b, c])
  })
  it('tokens carry at least 128 random bits and do not repeat', () => {
    const tokens = new Set(Array.from({ length: 1000 }, () => newToken()))
    expect(tokens.size).toBe(1000)
    expect(Buffer.from([...tokens][0]!, 'base64url').length * 8).toBeGreaterThanOrEqual(128)
  })
})

describe('ids made in one millisecond', () => {
  it('still sort in the order they were made', () => {
    const at = new Date('2026-11-26T00:00:00Z')
    const ids = Array.from({ length: 500 }, () => newId('ohs', at))
    expect([...ids].sort()).toEqual(ids)
  })
})
