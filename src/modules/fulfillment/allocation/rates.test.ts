import { describe, expect, it } from 'vitest'
import { REGIONS } from '../../tracking/delivery-estimate/index.js'
import { DEFAULT_RATES, SIZE_BANDS, shippingCost, sizeBandOf } from './rates.js'

describe('default rate table', () => {
  it('is symmetric between regions and rises with size', () => {
    for (const o of REGIONS) for (const d of REGIONS) expect(DEFAULT_RATES.lanes[o][d]).toBe(DEFAULT_RATES.lanes[d][o])
    for (const tier of Object.values(DEFAULT_RATES.tiers)) {
      expect(tier).toHaveLength(SIZE_BANDS.length)
      for (let i = 1; i < tier.length; i++) expect(tier[i]!).toBeGreaterThan(tier[i - 1]!)
    }
  })
  it('prices lanes, cool and COD', () => {
    expect(shippingCost(DEFAULT_RATES, '11', '13', 60)).toBe(940)
    expect(shippingCost(DEFAULT_RATES, '13', '1', 60)).toBe(1460)
    expect(shippingCost(DEFAULT_RATES, '40', '13', 80, { cool: true, cod: true })).toBe(1590 + 330 + 330)
    expect(shippingCost(DEFAULT_RATES, '13', '47', 160)).toBe(4130)
    expect(shippingCost(DEFAULT_RATES, '13', '13', 140, { cool: true })).toBeUndefined()
    expect(shippingCost(DEFAULT_RATES, '13', '48', 60)).toBeUndefined()
  })
  it('derives a size band from dimensions and weight', () => {
    expect(sizeBandOf({ lengthCm: 25, widthCm: 20, heightCm: 10, weightKg: 1 })).toBe(60)
    expect(sizeBandOf({ lengthCm: 25, widthCm: 20, heightCm: 10, weightKg: 3 })).toBe(80)
    expect(sizeBandOf({ lengthCm: 60, widthCm: 50, heightCm: 45, weightKg: 20 })).toBe(160)
    expect(sizeBandOf({ lengthCm: 80, widthCm: 50, heightCm: 45, weightKg: 5 })).toBeUndefined()
  })
})
