import { describe, expect, it } from 'vitest'
import { allocateBatch, allocateSequential } from './batch.js'
import type { AllocationOrder } from './cost.js'
import { DEMO_LOCATIONS } from './network.js'
import { createAllocator, type StockView } from './solve.js'

const alloc = createAllocator({ locations: DEMO_LOCATIONS, now: { date: '2026-11-26', time: '10:00' } })
const KUKI = 'loc_saitama_kuki'
const OSAKA = 'loc_osaka_ibaraki'

describe('wave allocation over scarce stock (hand-checked)', () => {
  // One unit of A at Kuki, one at Osaka. The Saitama order barely cares (940 vs 1,060); the Aomori
  // order promised tomorrow cares a lot (Kuki 1,060 on time vs Osaka 1,170 + a day late ¥500).
  const orders: AllocationOrder[] = [
    { id: 'saitama', destinationPrefecture: '11', lines: [{ sku: 'A', quantity: 1, sizeBand: 60 }] },
    { id: 'aomori', destinationPrefecture: '02', promisedDate: '2026-11-27', lines: [{ sku: 'A', quantity: 1, sizeBand: 60 }] },
  ]
  const stock: StockView = { available: new Map([['A', new Map([[KUKI, 1], [OSAKA, 1]])]]) }

  it('greedy in arrival order gives Kuki to Saitama: 940 + 1,670 = 2,610', () => {
    const g = allocateSequential(alloc, orders, stock)
    expect(g.totalCost).toBe(2610)
  })
  it('the wave gives Kuki to Aomori: 1,060 + 1,060 = 2,120, and leaves no stock behind', () => {
    const b = allocateBatch(alloc, orders, stock)
    expect(b.totalCost).toBe(2120)
    expect(b.decisions.map((d) => d.parcels[0]?.locationId)).toEqual([OSAKA, KUKI])
    expect(b.remaining.available.get('A')?.get(KUKI)).toBe(0)
    expect(b.remaining.available.get('A')?.get(OSAKA)).toBe(0)
  })
  it('holds an order it cannot serve and counts it at the backorder penalty', () => {
    const three = [...orders, { id: 'third', destinationPrefecture: '13', lines: [{ sku: 'A', quantity: 1, sizeBand: 60 }] } satisfies AllocationOrder]
    const b = allocateBatch(alloc, three, stock)
    expect(b.decisions.filter((d) => d.status === 'infeasible')).toHaveLength(1)
    expect(b.totalCost).toBeGreaterThanOrEqual(20_000)
  })
})
