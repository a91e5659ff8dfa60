import { parse } from 'csv-parse/sync'
import { AppError } from '../../platform/errors.js'
import type { TenantDb } from '../../platform/tenancy.js'
import { decodeCarrierFile } from '../tracking/index.js'
import type { InventoryService, SyncResult } from './service.js'

export interface StockImportResult extends SyncResult {
  rows: number
  errors: Array<{ line: number; message: string }>
}

const HEADERS: Record<string, string> = {
  location: 'location', location_id: 'location', locationid: 'location', 拠点: 'location', 倉庫: 'location', 倉庫コード: 'location',
  sku: 'sku', 商品コード: 'sku', 品番: 'sku',
  on_hand: 'on_hand', onhand: 'on_hand', quantity: 'on_hand', qty: 'on_hand', 在庫数: 'on_hand', 数量: 'on_hand',
}

/**
 * Imports a WMS stock file (UTF-8 or Shift_JIS): one row per location and SKU with the on-hand count,
 * applied as one snapshot per location at sequence `seq`, in chunks so a large file shows progress.
 * Bad rows are reported by line; the good ones apply. Importing the same file again is stale (same seq).
 */
export async function importStockCsv(inventory: InventoryService, scope: TenantDb, bytes: Buffer, opts: { seq: number; onProgress?: (done: number, total: number) => void }): Promise<StockImportResult> {
  if (!bytes || bytes.length === 0) throw new AppError('IMPORT_EMPTY', 'bad_request', 'The file is empty.')
  const records: Array<{ record: Record<string, string>; info: { lines: number } }> = parse(decodeCarrierFile(bytes), {
    columns: (header: string[]) => header.map((h) => HEADERS[h.trim().toLowerCase().replace(/\s+/g, '_')] ?? h.trim()),
    skip_empty_lines: true, trim: true, relax_column_count: true, info: true, bom: true,
  })
  const first = records[0]?.record
  const missing = ['location', 'sku', 'on_hand'].filter((c) => first && !(c in first))
  if (!first || missing.length > 0) {
    throw new AppError('IMPORT_COLUMNS', 'invalid_data', `The header needs columns location, sku and on_hand (or 倉庫コード, 商品コード, 在庫数); missing: ${missing.join(', ') || 'all'}.`)
  }
  const errors: StockImportResult['errors'] = []
  const byLocation = new Map<string, Array<{ sku: string; onHand: number }>>()
  const seen = new Set<string>()
  const known = new Set((await inventory.listLocations()).map((l) => l.id))
  for (const { record, info } of records) {
    const line = info.lines
    const onHand = Number(record.on_hand?.replace(/,/g, ''))
    if (!record.location || !known.has(record.location)) errors.push({ line, message: `unknown location "${record.location ?? ''}"` })
    else if (!record.sku) errors.push({ line, message: 'sku is empty' })
    else if (!Number.isInteger(onHand) || onHand < 0) errors.push({ line, message: `on_hand "${record.on_hand ?? ''}" is not a whole number ≥ 0` })
    else if (seen.has(`${record.location}\u0000${record.sku}`)) errors.push({ line, message: `${record.sku} at ${record.location} appears twice` })
    else {
      seen.add(`${record.location}\u0000${record.sku}`)
      byLocation.set(record.location, [...(byLocation.get(record.location) ?? []), { sku: record.sku, onHand }])
    }
  }
  const total = [...byLocation.values()].reduce((s, l) => s + l.length, 0)
  const out: StockImportResult = { rows: records.length, applied: 0, stale: 0, overReserved: [], errors }
  let done = 0
  for (const [locationId, items] of byLocation) {
    for (let i = 0; i < items.length; i += 1000) {
      const chunk = items.slice(i, i + 1000)
      const r = await inventory.applySnapshot(scope, { locationId, seq: opts.seq, items: chunk }, 'import')
      out.applied += r.applied
      out.stale += r.stale
      out.overReserved.push(...r.overReserved)
      done += chunk.length
      opts.onProgress?.(done, total)
    }
  }
  return out
}
