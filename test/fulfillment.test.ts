import { parse } from 'csv-parse/sync'
import iconv from 'iconv-lite'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DIALECTS } from './databases.js'
import { sampleOrder, startTestServer, type TestServer } from './harness.js'

/** Thursday 2026-11-26 10:00 in Japan (before every demo centre's cut-off), moving on in real time. */
const START = Date.parse('2026-11-26T01:00:00Z')
const began = Date.now()
const clock = { now: () => new Date(START + (Date.now() - began)) }
const OPERATOR_KEY = 'operator-key-for-tests-0123456789abcdef'

for (const dialect of DIALECTS) {
  describe(`${dialect}: inventory and allocation across fulfilment centres`, () => {
    let s: TestServer
    let key: string
    let keyB: string
    let n = 0

    const call = (method: string, path: string, body?: unknown, k = key) => s.call(method, path, { key: k, body })
    const snapshot = async (locationId: string, seq: number, items: Array<{ sku: string; onHand: number }>, k = key) => {
      const res = await call('POST', '/api/v1/stock/snapshots', { locationId, seq, items }, k)
      expect(res.status).toBe(200)
      return res.body
    }
    const level = async (sku: string, locationId: string, k = key) =>
      (await call('GET', `/api/v1/stock?sku=${encodeURIComponent(sku)}&locationId=${locationId}`, undefined, k)).body.items[0]
    const order = async (lines: Array<{ sku: string; quantity: number }>, extra: Record<string, unknown> = {}, k = key) => {
      const res = await call('POST', '/api/v1/orders', sampleOrder(`ful-${dialect}-${++n}`, {
        status: 'confirmed', lines: lines.map((l) => ({ ...l, title: `商品 ${l.sku}`, unitPrice: 1000 })), total: 1000, ...extra,
      }), k)
      expect(res.status).toBe(201)
      return res.body as { id: string }
    }
    const allocation = async (orderId: string, k = key) => (await call('GET', `/api/v1/orders/${orderId}/allocation`, undefined, k)).body
    const waitFor = async <T>(fn: () => Promise<T | undefined | null | false>, what: string): Promise<T> => {
      for (let i = 0; i < 300; i++) {
        const v = await fn()
        if (v) return v
        await new Promise((r) => setTimeout(r, 30))
      }
      throw new Error(`timed out waiting for ${what}`)
    }
    const settings = (body: Record<string, unknown>, k = key) => call('PUT', '/api/v1/fulfillment/settings', body, k)

    beforeAll(async () => {
      s = await startTestServer(dialect, { operatorKey: OPERATOR_KEY, webhooksAllowPrivate: true }, { clock })
      expect(await s.kando.inventory.seedDemoNetwork()).toBe(11)
      key = (await s.kando.tenants.create({ slug: 'ful-a', name: '感動ストア' })).apiKey.key
      keyB = (await s.kando.tenants.create({ slug: 'ful-b', name: 'Other brand' })).apiKey.key
    })
    afterAll(async () => s?.close())

    it('locations: brands read them; only the operator key changes them', async () => {
      const list = await call('GET', '/api/v1/locations')
      expect(list.status).toBe(200)
      expect(list.body.items.map((l: { prefectureCode: string }) => l.prefectureCode)).toContain('01')
      expect(list.body.items).toHaveLength(11)
      const body = { name: '静岡富士FC', prefectureCode: '22', lat: 35.16, lon: 138.68, carriers: ['yamato'], cutoff: '16:00', dailyCapacity: 3000, capabilities: ['cool'], closedWeekdays: [0] }
      expect((await call('PUT', '/api/v1/operator/locations/loc_shizuoka_fuji', body)).status).toBe(401) // a brand's key is not the operator's
      const bad = await s.call('PUT', '/api/v1/operator/locations/loc_shizuoka_fuji', { key: OPERATOR_KEY, body: { ...body, prefectureCode: '48', cutoff: '25:00' } })
      expect(bad.status).toBe(422)
      expect(bad.body.errors.map((e: { pointer: string }) => e.pointer).sort()).toEqual(['/body/cutoff', '/body/prefectureCode'])
      const created = await s.call('PUT', '/api/v1/operator/locations/loc_shizuoka_fuji', { key: OPERATOR_KEY, body: { ...body, active: false } })
      expect(created.status).toBe(201)
      expect(created.body).toMatchObject({ id: 'loc_shizuoka_fuji', closedWeekdays: [0], active: false })
      // Inactive: not offered to brands, never allocated.
      expect((await call('GET', '/api/v1/locations')).body.items).toHaveLength(11)
    })

    it('WMS snapshots and deltas in any order: an old snapshot never overwrites a newer one, a delta applies once', async () => {
      const loc = 'loc_sendai'
      expect((await snapshot(loc, 10, [{ sku: 'WMS-1', onHand: 5 }])).applied).toBe(1)
      expect((await call('POST', '/api/v1/stock/deltas', { locationId: loc, seq: 12, items: [{ sku: 'WMS-1', delta: 3 }] })).body.applied).toBe(1)
      expect((await level('WMS-1', loc)).onHand).toBe(8)
      // Seq 9 is older than snapshot 10, which already counts it.
      expect((await call('POST', '/api/v1/stock/deltas', { locationId: loc, seq: 9, items: [{ sku: 'WMS-1', delta: -2 }] })).body).toMatchObject({ applied: 0, stale: 1 })
      expect((await level('WMS-1', loc)).onHand).toBe(8)
      // Snapshot 11 arrives after delta 12: 6 as of 11, plus the newer delta.
      expect((await snapshot(loc, 11, [{ sku: 'WMS-1', onHand: 6 }])).applied).toBe(1)
      expect((await level('WMS-1', loc))).toMatchObject({ onHand: 9, snapshotSeq: 11 })
      // Snapshot 10 again, and delta 12 again: both ignored.
      expect(await snapshot(loc, 10, [{ sku: 'WMS-1', onHand: 100 }])).toMatchObject({ applied: 0, stale: 1 })
      expect((await call('POST', '/api/v1/stock/deltas', { locationId: loc, seq: 12, items: [{ sku: 'WMS-1', delta: 3 }] })).body).toMatchObject({ applied: 0, stale: 1 })
      expect((await level('WMS-1', loc)).onHand).toBe(9)
      const ledger = (await call('GET', '/api/v1/stock/WMS-1/movements')).body.items
      expect(ledger.map((m: { kind: string }) => m.kind).sort()).toEqual(['delta', 'delta_superseded', 'snapshot', 'snapshot'])
      // Bad input: unknown location, duplicate SKU; nothing written.
      const bad = await call('POST', '/api/v1/stock/snapshots', { locationId: 'loc_nowhere', seq: 1, items: [{ sku: 'WMS-2', onHand: 1 }] })
      expect(bad.status).toBe(422)
      expect(bad.headers.get('content-type')).toContain('application/problem+json')
      const dup = await call('POST', '/api/v1/stock/snapshots', { locationId: loc, seq: 20, items: [{ sku: 'WMS-2', onHand: 1 }, { sku: 'WMS-2', onHand: 2 }] })
      expect(dup.status).toBe(422)
      expect(dup.body.errors[0].pointer).toBe('/body/items/1/sku')
      expect(await level('WMS-2', loc)).toBeUndefined()
    })

    it('one parcel from the centre holding everything; a split only when no centre holds it all', async () => {
      await settings({ autoAllocate: false })
      // Tokyo customer. Kuki (Saitama) holds both SKUs: one parcel from there.
      await snapshot('loc_saitama_kuki', 1, [{ sku: 'ONE-A', onHand: 5 }, { sku: 'ONE-B', onHand: 5 }])
      await snapshot('loc_osaka_ibaraki', 1, [{ sku: 'ONE-A', onHand: 5 }])
      const o1 = await order([{ sku: 'ONE-A', quantity: 1 }, { sku: 'ONE-B', quantity: 1 }])
      const a1 = (await call('POST', `/api/v1/orders/${o1.id}/allocation`, {})).body
      expect(a1.allocation.status).toBe('allocated')
      expect(a1.parcels).toHaveLength(1)
      expect(a1.parcels[0]).toMatchObject({ locationId: 'loc_saitama_kuki', status: 'pending', shipDate: '2026-11-26' })
      // Explainable: every location weighed, with a cost or the reason it could not ship.
      const singles = a1.allocation.candidates.filter((c: { kind: string }) => c.kind === 'single')
      expect(singles).toHaveLength(11)
      const chosen = a1.allocation.candidates.find((c: { chosen: boolean }) => c.chosen)
      expect(chosen.locations).toEqual(['loc_saitama_kuki'])
      expect(singles.find((c: { locations: string[] }) => c.locations[0] === 'loc_osaka_ibaraki').infeasible).toMatch(/ONE-B/)
      expect(a1.allocation.cost.total).toBe(a1.allocation.cost.shipping + a1.allocation.cost.split + a1.allocation.cost.lateness + a1.allocation.cost.backorder)
      expect(await level('ONE-A', 'loc_saitama_kuki')).toMatchObject({ onHand: 5, reserved: 1, available: 4 })
      expect((await call('GET', `/api/v1/orders/${o1.id}`)).body.status).toBe('allocated')

      // No centre holds both: Sapporo has one, Fukuoka the other → two parcels, split penalty priced.
      await snapshot('loc_sapporo_ebetsu', 1, [{ sku: 'SPLIT-A', onHand: 2 }])
      await snapshot('loc_fukuoka_kasuya', 1, [{ sku: 'SPLIT-B', onHand: 2 }])
      const o2 = await order([{ sku: 'SPLIT-A', quantity: 1 }, { sku: 'SPLIT-B', quantity: 1 }])
      const a2 = (await call('POST', `/api/v1/orders/${o2.id}/allocation`, {})).body
      expect(a2.parcels.map((p: { locationId: string }) => p.locationId).sort()).toEqual(['loc_fukuoka_kasuya', 'loc_sapporo_ebetsu'])
      expect(a2.allocation.cost.split).toBe(300)

      // maxParcels 1 turns the same order into a backorder in ship_complete.
      await settings({ autoAllocate: false, maxParcels: 1 })
      const o3 = await order([{ sku: 'SPLIT-A', quantity: 1 }, { sku: 'SPLIT-B', quantity: 1 }])
      const a3 = (await call('POST', `/api/v1/orders/${o3.id}/allocation`, {})).body
      expect(a3.parcels).toHaveLength(0)
      expect(a3.allocation.status).toMatch(/backordered|infeasible/)
      expect(a3.backorderedUnits).toBe(2)
      expect((await call('GET', `/api/v1/orders/${o3.id}`)).body.status).toBe('confirmed')
      await settings({ autoAllocate: false })
    })

    it('capacity and cut-off: a full centre is skipped; after its cut-off a centre ships tomorrow', async () => {
      await s.call('PUT', '/api/v1/operator/locations/loc_tiny', { key: OPERATOR_KEY, body: { name: '東京小型拠点', prefectureCode: '13', lat: 35.68, lon: 139.76, carriers: ['yamato'], cutoff: '09:00', dailyCapacity: 1 } })
      await snapshot('loc_tiny', 1, [{ sku: 'CAP-1', onHand: 10 }])
      await snapshot('loc_hiroshima', 1, [{ sku: 'CAP-1', onHand: 10 }])
      const first = (await call('POST', `/api/v1/orders/${(await order([{ sku: 'CAP-1', quantity: 1 }])).id}/allocation`, {})).body
      // Tokyo centre, same prefecture: cheapest. Its 09:00 cut-off has passed (it is 10:00): ships tomorrow.
      expect(first.parcels[0]).toMatchObject({ locationId: 'loc_tiny', shipDate: '2026-11-27' })
      const second = (await call('POST', `/api/v1/orders/${(await order([{ sku: 'CAP-1', quantity: 1 }])).id}/allocation`, {})).body
      expect(second.parcels[0].locationId).toBe('loc_hiroshima')
      const tiny = second.allocation.candidates.find((c: { kind: string; locations: string[] }) => c.kind === 'single' && c.locations[0] === 'loc_tiny')
      expect(tiny.infeasible).toMatch(/capacity/)
      await s.call('PUT', '/api/v1/operator/locations/loc_tiny', { key: OPERATOR_KEY, body: { name: '東京小型拠点', prefectureCode: '13', lat: 35.68, lon: 139.76, carriers: ['yamato'], cutoff: '09:00', dailyCapacity: 1, active: false } })
    })

    it('capabilities: frozen goods only from a centre that can ship frozen, in their own parcel', async () => {
      const items = await call('PUT', '/api/v1/inventory/items', { items: [{ sku: 'ICE-1', temperature: 'frozen', sizeBand: 80 }, { sku: 'DRY-1' }] })
      expect(items.body.items.find((i: { sku: string }) => i.sku === 'ICE-1')).toMatchObject({ temperature: 'frozen', sizeBand: 80 })
      expect((await call('PUT', '/api/v1/inventory/items', { items: [{ sku: 'X', sizeBand: 70 }] })).status).toBe(422)
      // Chiba has both but no freezer; Kuki has a freezer.
      await snapshot('loc_chiba_ichikawa', 70, [{ sku: 'ICE-1', onHand: 5 }, { sku: 'DRY-1', onHand: 5 }])
      await snapshot('loc_saitama_kuki', 70, [{ sku: 'ICE-1', onHand: 5 }, { sku: 'DRY-1', onHand: 5 }])
      const a = (await call('POST', `/api/v1/orders/${(await order([{ sku: 'ICE-1', quantity: 1 }, { sku: 'DRY-1', quantity: 1 }])).id}/allocation`, {})).body
      expect(a.allocation.candidates.find((c: { kind: string; locations: string[] }) => c.kind === 'single' && c.locations[0] === 'loc_chiba_ichikawa').infeasible).toBe('ICE-1: no frozen capability')
      const frozen = a.parcels.find((p: { temperature: string }) => p.temperature === 'frozen')
      expect(frozen).toMatchObject({ locationId: 'loc_saitama_kuki', sizeBand: 80, lines: [expect.objectContaining({ sku: 'ICE-1' })] })
      expect(a.parcels).toHaveLength(2) // frozen and ambient never share a box
    })

    it('allocates on order.confirmed; cancellation releases the stock exactly once', async () => {
      await settings({ autoAllocate: true })
      await snapshot('loc_chiba_ichikawa', 1, [{ sku: 'AUTO-1', onHand: 3 }])
      const o = await order([{ sku: 'AUTO-1', quantity: 2 }])
      const a = await waitFor(async () => ((await allocation(o.id)).parcels.length ? allocation(o.id) : undefined), 'the allocation')
      expect(a.allocation.trigger).toBe('order.confirmed')
      expect(await level('AUTO-1', 'loc_chiba_ichikawa')).toMatchObject({ reserved: 2, available: 1 })
      expect((await call('POST', `/api/v1/orders/${o.id}/cancel`, { reason: 'customer' })).status).toBe(200)
      await waitFor(async () => (await allocation(o.id)).parcels[0].status === 'cancelled', 'the release')
      // A second release (manual, after the event) finds nothing left to give back.
      await call('POST', `/api/v1/orders/${o.id}/allocation/release`, { reason: 'again' })
      expect(await level('AUTO-1', 'loc_chiba_ichikawa')).toMatchObject({ onHand: 3, reserved: 0, available: 3 })
      const ledger = (await call('GET', '/api/v1/stock/AUTO-1/movements')).body.items
      expect(ledger.filter((m: { kind: string }) => m.kind === 'reserve')).toHaveLength(1)
      expect(ledger.filter((m: { kind: string }) => m.kind === 'release')).toHaveLength(1)
      await settings({ autoAllocate: false })
    })

    it('warehouse: pull list, acknowledge, shipped → shipment with origin; a short pick is allocated again elsewhere', async () => {
      await snapshot('loc_kanagawa_atsugi', 1, [{ sku: 'WH-1', onHand: 2 }, { sku: 'WH-2', onHand: 1 }])
      await snapshot('loc_nagoya_komaki', 1, [{ sku: 'WH-1', onHand: 5 }])
      const o = await order([{ sku: 'WH-1', quantity: 2 }, { sku: 'WH-2', quantity: 1 }])
      const a = (await call('POST', `/api/v1/orders/${o.id}/allocation`, {})).body
      expect(a.parcels).toHaveLength(1)
      const parcel = a.parcels[0]
      expect(parcel.locationId).toBe('loc_kanagawa_atsugi')
      const pull = (await call('GET', '/api/v1/fulfillment/parcels?locationId=loc_kanagawa_atsugi&status=pending')).body.items
      expect(pull.map((p: { id: string }) => p.id)).toContain(parcel.id)
      const ack = (await call('POST', '/api/v1/fulfillment/parcels/acknowledge', { parcelIds: [parcel.id, parcel.id, 'fpl_nope'] })).body
      expect(ack).toMatchObject({ acknowledged: [parcel.id], already: [], refused: [{ id: 'fpl_nope', status: 'not_found' }] })
      expect((await call('POST', '/api/v1/fulfillment/parcels/acknowledge', { parcelIds: [parcel.id] })).body.already).toEqual([parcel.id])
      // Over-picking is refused with the field.
      const over = await call('POST', `/api/v1/fulfillment/parcels/${parcel.id}/shipped`, { picked: [{ sku: 'WH-1', quantity: 3 }] })
      expect(over.status).toBe(422)
      expect(over.body.errors[0].pointer).toBe('/picked/0/quantity')
      // Only one WH-1 was found.
      const shipped = await call('POST', `/api/v1/fulfillment/parcels/${parcel.id}/shipped`, { trackingNumber: '444413758703', picked: [{ sku: 'WH-1', quantity: 1 }, { sku: 'WH-2', quantity: 1 }] })
      expect(shipped.status).toBe(200)
      expect(shipped.body.reallocated).toBe(true)
      expect(shipped.body.parcel.shortLines).toEqual([expect.objectContaining({ sku: 'WH-1', quantity: 1 })])
      const shipment = (await call('GET', `/api/v1/shipments/${shipped.body.shipmentId}`)).body
      expect(shipment).toMatchObject({ source: 'allocation', externalId: parcel.id, carrier: 'yamato', trackingNumber: '444413758703', origin: { location: 'loc_kanagawa_atsugi', prefectureCode: '14' } })
      expect(shipment.lines.reduce((t: number, l: { quantity: number }) => t + l.quantity, 0)).toBe(2)
      // Atsugi's stock: 2 WH-1 were reserved; 1 shipped, 1 not there → 0 on hand. The missing one comes from Nagoya.
      expect(await level('WH-1', 'loc_kanagawa_atsugi')).toMatchObject({ onHand: 0, reserved: 0 })
      const after = await allocation(o.id)
      expect(after.allocation.trigger).toBe('short_pick')
      const again = after.parcels.filter((p: { status: string }) => p.status === 'pending')
      expect(again).toHaveLength(1)
      expect(again[0]).toMatchObject({ locationId: 'loc_nagoya_komaki', lines: [expect.objectContaining({ sku: 'WH-1', quantity: 1 })] })
      // Shipping the same parcel again returns the same shipment.
      const repeat = await call('POST', `/api/v1/fulfillment/parcels/${parcel.id}/shipped`, { trackingNumber: '444413758703' })
      expect(repeat.body.shipmentId).toBe(shipped.body.shipmentId)
      expect((await call('GET', `/api/v1/orders/${o.id}`)).body.status).toBe('partially_shipped')
    })

    it('a stock correction below what is reserved moves the waiting parcel to another centre', async () => {
      await snapshot('loc_osaka_ibaraki', 5, [{ sku: 'FIX-1', onHand: 1 }])
      await snapshot('loc_sendai', 5, [{ sku: 'FIX-1', onHand: 4 }])
      const o = await order([{ sku: 'FIX-1', quantity: 1 }], { shippingAddress: { name: '大阪 太郎', postalCode: '530-0001', prefectureCode: '27', city: '大阪市北区', address1: '梅田1-1', country: 'JP' } })
      const a = (await call('POST', `/api/v1/orders/${o.id}/allocation`, {})).body
      expect(a.parcels[0].locationId).toBe('loc_osaka_ibaraki')
      const sync = await snapshot('loc_osaka_ibaraki', 6, [{ sku: 'FIX-1', onHand: 0 }])
      expect(sync.overReserved).toEqual([{ sku: 'FIX-1', locationId: 'loc_osaka_ibaraki', quantity: 1 }])
      const moved = await waitFor(async () => {
        const x = await allocation(o.id)
        return x.allocation.trigger === 'stock_correction' ? x : undefined
      }, 'the re-allocation')
      expect(moved.parcels.find((p: { status: string }) => p.status === 'pending').locationId).toBe('loc_sendai')
      expect(await level('FIX-1', 'loc_osaka_ibaraki')).toMatchObject({ onHand: 0, reserved: 0 })
      expect(await level('FIX-1', 'loc_sendai')).toMatchObject({ reserved: 1 })
    })

    it('ship available backorders the rest; a wave allocates the backorders when stock arrives', async () => {
      await settings({ autoAllocate: false, mode: 'ship_available' })
      await snapshot('loc_hiroshima', 7, [{ sku: 'BO-1', onHand: 1 }])
      const o = await order([{ sku: 'BO-1', quantity: 3 }])
      const a = (await call('POST', `/api/v1/orders/${o.id}/allocation`, {})).body
      expect(a.allocation.status).toBe('partial')
      expect(a.backorderedUnits).toBe(2)
      expect(a.parcels[0].lines[0].quantity).toBe(1)
      await snapshot('loc_sendai', 30, [{ sku: 'BO-1', onHand: 5 }])
      const wave = (await call('POST', '/api/v1/fulfillment/waves', {})).body
      expect(wave.orders).toBeGreaterThanOrEqual(1)
      const after = await allocation(o.id)
      expect(after.allocation.mode).toBe('wave')
      expect(after.backorderedUnits).toBe(0)
      const units = after.parcels.filter((p: { status: string }) => p.status !== 'cancelled').flatMap((p: { lines: Array<{ quantity: number }> }) => p.lines).reduce((t: number, l: { quantity: number }) => t + l.quantity, 0)
      expect(units).toBe(3)
      await settings({ autoAllocate: false })
    })

    it('label files: Yamato B2クラウド and Sagawa e飛伝 for a centre\'s parcels, Shift_JIS with 全角 names intact', async () => {
      const missing = await call('GET', '/api/v1/fulfillment/labels/yamato-b2?locationId=loc_saitama_kuki')
      expect(missing.status).toBe(422)
      expect(missing.body.code).toBe('LABEL_SENDER_MISSING')
      await settings({ autoAllocate: false, labelSender: { name: '感動ストア', phone: '03-1234-5678', postalCode: '150-0001', address: '東京都渋谷区神宮前1-1-1' } })
      await snapshot('loc_saitama_kuki', 40, [{ sku: 'LBL-1', onHand: 3 }])
      const o = await order([{ sku: 'LBL-1', quantity: 1 }], { shippingAddress: { name: '髙橋 花子', postalCode: '150-0001', prefectureCode: '13', city: '渋谷区', address1: '神宮前1-2-3', address2: 'ﾊﾟｰｸﾋﾙｽﾞ101', phone: '090-1234-5678', country: 'JP' } })
      const a = (await call('POST', `/api/v1/orders/${o.id}/allocation`, {})).body
      const ref = a.parcels[0].labelRef
      expect(ref).toMatch(/^[0-9A-Z]{16}$/)
      const res = await fetch(`${s.url}/api/v1/fulfillment/labels/yamato-b2?locationId=loc_saitama_kuki&shipDate=${a.parcels[0].shipDate}`, { headers: { authorization: `Bearer ${key}` } })
      expect(res.status).toBe(200)
      expect(res.headers.get('content-type')).toContain('Windows-31J')
      const bytes = Buffer.from(await res.arrayBuffer())
      const text = iconv.decode(bytes, 'cp932')
      expect(text).toContain('\r\n')
      const rows = parse(text, { relax_column_count: true }) as string[][]
      const header = rows[0]!
      const row = rows.find((r) => r.includes(ref))!
      expect(row).toBeDefined()
      const col = (name: string) => row[header.indexOf(name)]
      expect(col('お客様管理番号')).toBe(ref)
      expect(col('お届け先名')).toBe('髙橋 花子')
      expect(col('お届け先郵便番号')).toMatch(/150-?0001/)
      expect(col('ご依頼主名')).toBe('感動ストア')
      expect(Number(res.headers.get('kando-label-parcels'))).toBeGreaterThanOrEqual(1)
      const sagawa = await fetch(`${s.url}/api/v1/fulfillment/labels/sagawa-ehiden?locationId=loc_saitama_kuki`, { headers: { authorization: `Bearer ${key}` } })
      expect(sagawa.status).toBe(200)
      const sText = iconv.decode(Buffer.from(await sagawa.arrayBuffer()), 'cp932')
      expect(sText).toContain(ref)
      expect(sText).toContain('髙橋')
      // e飛伝 wants 全角: the half-width ﾊﾟｰｸﾋﾙｽﾞ arrives full-width.
      expect(sText).toContain('パークヒルズ')
      // Another brand's key gets its own (empty) file, never this brand's parcels.
      const other = await fetch(`${s.url}/api/v1/fulfillment/labels/sagawa-ehiden?locationId=loc_saitama_kuki`, { headers: { authorization: `Bearer ${keyB}` } })
      expect(other.status).toBe(422)
    })

    it('rate tables are data: the 3PL sets its contract with the operator key, a brand may use its own', async () => {
      const regions = ['北海道', '北東北', '南東北', '関東', '信越', '北陸', '中部', '関西', '中国', '四国', '九州', '沖縄']
      const table = (special: string) => ({
        carrier: 'yamato',
        tiers: { flat: [500, 600, 700, 800, 900, 1000], dear: [5000, 6000, 7000, 8000, 9000, 10000] },
        lanes: Object.fromEntries(regions.map((o) => [o, Object.fromEntries(regions.map((d) => [d, o === special && d === '関東' ? 'dear' : 'flat']))])),
        coolSurcharge: { '60': 300 },
        codFee: 330,
      })
      expect((await call('GET', '/api/v1/fulfillment/rates')).body.tiers.t1).toEqual([940, 1220, 1530, 1850, 2170, 2500])
      const broken = table('関東') as any
      delete broken.lanes['沖縄']['沖縄']
      const bad = await s.call('PUT', '/api/v1/operator/rates', { key: OPERATOR_KEY, body: broken })
      expect(bad.status).toBe(422)
      expect(bad.body.errors[0].pointer).toBe('/body/lanes/沖縄/沖縄')
      expect((await call('PUT', '/api/v1/operator/rates', table('関東'))).status).toBe(401)
      // The 3PL's contract: shipping within 関東 is dear, so a Tokyo order ships from Osaka.
      expect((await s.call('PUT', '/api/v1/operator/rates', { key: OPERATOR_KEY, body: table('関東') })).status).toBe(200)
      await snapshot('loc_saitama_kuki', 50, [{ sku: 'RATE-1', onHand: 5 }])
      await snapshot('loc_osaka_ibaraki', 50, [{ sku: 'RATE-1', onHand: 5 }])
      const a = (await call('POST', `/api/v1/orders/${(await order([{ sku: 'RATE-1', quantity: 1 }])).id}/allocation`, {})).body
      expect(a.parcels[0].locationId).toBe('loc_osaka_ibaraki')
      expect(a.allocation.cost.shipping).toBe(500)
      // A brand's own table wins over the 3PL's: here 関西 → 関東 is the dear lane.
      expect((await settings({ autoAllocate: false, rates: table('関西') })).status).toBe(200)
      expect((await call('GET', '/api/v1/fulfillment/rates')).body.tiers.dear[0]).toBe(5000)
      const b = (await call('POST', `/api/v1/orders/${(await order([{ sku: 'RATE-1', quantity: 1 }])).id}/allocation`, {})).body
      expect(b.parcels[0].locationId).toBe('loc_saitama_kuki')
      expect(b.allocation.cost.shipping).toBe(500)
      // Another brand still prices with the 3PL's table.
      expect((await call('GET', '/api/v1/fulfillment/rates', undefined, keyB)).body.lanes['関東']['関東']).toBe('dear')
      await settings({ autoAllocate: false })
      await s.call('PUT', '/api/v1/operator/rates', { key: OPERATOR_KEY, body: { ...table('関東'), lanes: Object.fromEntries(regions.map((o) => [o, Object.fromEntries(regions.map((d) => [d, 'flat']))])) } })
    })

    it('the warehouse can follow by webhook: allocation.created carries each parcel with its centre and lines', async () => {
      const got: Array<{ body: string }> = []
      const receiver = createServer((req, res) => {
        let body = ''
        req.on('data', (c) => (body += c))
        req.on('end', () => {
          got.push({ body })
          res.writeHead(204).end()
        })
      })
      await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r))
      try {
        const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/wms`
        expect((await call('POST', '/api/v1/webhook-endpoints', { url, eventTypes: ['allocation.created', 'parcel.*'] })).status).toBe(201)
        await new Promise((r) => setTimeout(r, 5_100)) // the endpoint cache holds 5 s
        await snapshot('loc_fukuoka_kasuya', 60, [{ sku: 'HOOK-1', onHand: 4 }])
        const o = await order([{ sku: 'HOOK-1', quantity: 2 }])
        const a = (await call('POST', `/api/v1/orders/${o.id}/allocation`, {})).body
        const created = await waitFor(async () => got.map((g) => JSON.parse(g.body)).find((e) => e.type === 'allocation.created' && e.data.orderId === o.id), 'the webhook')
        expect(created.data.parcels).toEqual([{ id: a.parcels[0].id, locationId: 'loc_fukuoka_kasuya', shipDate: a.parcels[0].shipDate, lines: [expect.objectContaining({ sku: 'HOOK-1', quantity: 2 })] }])
        await call('POST', `/api/v1/orders/${o.id}/cancel`, { reason: 'customer' })
        const cancelled = await waitFor(async () => got.map((g) => JSON.parse(g.body)).find((e) => e.type === 'parcel.cancelled' && e.data.orderId === o.id), 'the cancellation webhook')
        expect(cancelled.data).toMatchObject({ parcelId: a.parcels[0].id, locationId: 'loc_fukuoka_kasuya', reason: 'order_cancelled' })
      } finally {
        await new Promise((r) => receiver.close(r))
      }
    }, 60_000)

    it('brands are isolated: another brand sees none of this stock, parcels or allocations', async () => {
      expect((await call('GET', '/api/v1/stock?sku=ONE-A', undefined, keyB)).body.items).toEqual([])
      expect((await call('GET', '/api/v1/fulfillment/parcels?status=pending', undefined, keyB)).body.items).toEqual([])
      const mine = (await call('GET', '/api/v1/fulfillment/parcels?status=pending')).body.items[0]
      expect((await call('GET', `/api/v1/fulfillment/parcels/${mine.id}`, undefined, keyB)).status).toBe(404)
      expect((await call('POST', `/api/v1/fulfillment/parcels/${mine.id}/shipped`, {}, keyB)).status).toBe(404)
      expect((await call('GET', `/api/v1/orders/${mine.orderId}/allocation`, undefined, keyB)).body.allocation).toBeNull()
    })
  })
}
