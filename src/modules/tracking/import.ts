import { isUtf8 } from 'node:buffer'
import { parse } from 'csv-parse/sync'
import iconv from 'iconv-lite'
import { AppError } from '../../platform/errors.js'
import type { TenantDb } from '../../platform/tenancy.js'
import type { TrackingEventInput } from './schemas.js'
import type { TrackingService } from './service.js'
import { SHIPMENT_STATUSES, type ShipmentStatus } from './status.js'

export interface ImportOptions {
  /** Carrier of every row, when the file has no carrier column. */
  carrier?: string
  source: string
  actor: string
  /** Zone of dates without an offset (carrier files are in Japan time). */
  timeZone?: string
  onProgress?: (done: number, total: number) => void
}

export interface ImportResult {
  rows: number
  accepted: number
  duplicates: number
  shipments: number
  errors: Array<{ line: number; message: string }>
}

// Column names seen in Yamato/Sagawa/Japan Post status exports and WMS files, and plain English ones.
const COLUMNS: Record<string, string[]> = {
  trackingNumber: ['伝票番号', '送り状番号', 'お問い合わせ番号', 'お問合せ番号', '問い合わせ番号', '追跡番号', 'trackingnumber', 'tracking_number', 'tracking'],
  carrier: ['運送会社', '配送業者', '配送会社', 'carrier'],
  status: ['荷物状況', '状況', '配送状況', 'ステータス', '状態', '最新状態', '詳細', 'status', 'rawstatus', 'raw_status', 'event'],
  code: ['ステータスコード', '状況コード', 'code', 'statuscode', 'status_code'],
  datetime: ['日時', '発生日時', '更新日時', 'occurredat', 'occurred_at', 'datetime', 'timestamp'],
  date: ['日付', '発生日', 'date'],
  time: ['時刻', '時間', 'time'],
  location: ['担当店名', '取扱店名', '取扱店', '店名', '営業所', '作業店', 'location', 'place'],
  eventId: ['イベントid', 'eventid', 'event_id', 'id'],
}

/** Text of a carrier/WMS file: UTF-8 (with or without BOM) when it is valid UTF-8, else Shift_JIS (CP932). */
export function decodeCarrierFile(bytes: Buffer): string {
  if (bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return bytes.subarray(3).toString('utf8')
  return isUtf8(bytes) ? bytes.toString('utf8') : iconv.decode(bytes, 'cp932')
}

/**
 * Imports a status file: each row is one event (tracking number, status words, date and time,
 * place). Rows for unknown parcels or with unreadable words are reported by line; the rest apply,
 * and importing the same file twice changes nothing the second time.
 */
export async function importTrackingCsv(tracking: TrackingService, scope: TenantDb, bytes: Buffer, opts: ImportOptions): Promise<ImportResult> {
  if (!bytes || bytes.length === 0) throw new AppError('IMPORT_EMPTY', 'bad_request', 'The file is empty.')
  const records: Array<{ record: Record<string, string>; info: { lines: number } }> = parse(decodeCarrierFile(bytes), {
    columns: (header: string[]) => header.map(columnKey), skip_empty_lines: true, trim: true, relax_column_count: true, info: true, bom: true,
  })
  const first = records[0]?.record
  if (!first || !('trackingNumber' in first)) {
    throw new AppError('IMPORT_HEADER_INVALID', 'bad_request', 'The first row must name the columns; a tracking number column (伝票番号, お問い合わせ番号 or tracking_number) is required.')
  }
  if (!('carrier' in first) && !opts.carrier) throw new AppError('IMPORT_CARRIER_REQUIRED', 'bad_request', 'The file has no carrier column: name the carrier (?carrier=yamato).')
  const zone = opts.timeZone ?? 'Asia/Tokyo'
  const total: ImportResult = { rows: records.length, accepted: 0, duplicates: 0, shipments: 0, errors: [] }
  const rows: Array<TrackingEventInput & { carrier: string; trackingNumber: string; line: number }> = []
  for (const { record: r, info } of records) {
    const line = info.lines
    const occurredAt = r.datetime ? toInstant(r.datetime, undefined, zone) : r.date ? toInstant(r.date, r.time, zone) : undefined
    if (!r.trackingNumber) total.errors.push({ line, message: 'no tracking number' })
    else if (!r.status) total.errors.push({ line, message: 'no status' })
    else if (!occurredAt) total.errors.push({ line, message: `cannot read the date "${r.datetime ?? r.date ?? ''} ${r.time ?? ''}"`.trim() })
    else {
      const normalised = (SHIPMENT_STATUSES as readonly string[]).includes(r.status) ? (r.status as ShipmentStatus) : undefined
      rows.push({
        line, carrier: r.carrier || opts.carrier!, trackingNumber: r.trackingNumber, occurredAt,
        ...(normalised ? { status: normalised } : { rawStatus: r.status }),
        ...(r.code ? { rawCode: r.code } : {}), ...(r.location ? { location: r.location } : {}), ...(r.eventId ? { eventId: r.eventId } : {}),
      })
    }
  }
  const chunk = 500
  for (let i = 0; i < rows.length; i += chunk) {
    const r = await tracking.addEventsByNumber(scope, rows.slice(i, i + chunk), { source: opts.source, actor: opts.actor })
    total.accepted += r.accepted
    total.duplicates += r.duplicates
    total.shipments += r.shipments
    total.errors.push(...r.errors)
    opts.onProgress?.(Math.min(i + chunk, rows.length), rows.length)
  }
  total.errors.sort((a, b) => a.line - b.line)
  return total
}

function columnKey(name: string): string {
  const n = name.normalize('NFKC').replace(/\s+/g, '').toLowerCase()
  for (const [key, aliases] of Object.entries(COLUMNS)) if (aliases.includes(n)) return key
  return `_${n}`
}

/**
 * An instant from a carrier's date and time: ISO with an offset as it is; otherwise
 * `2026/11/25`, `2026-11-25`, `2026年11月25日` with an optional `14:05` read in `zone`.
 */
export function toInstant(date: string, time: string | undefined, zone: string): string | undefined {
  const d = date.normalize('NFKC').trim()
  if (/^\d{4}-\d{2}-\d{2}T.*(Z|[+-]\d{2}:?\d{2})$/.test(d) && !time) {
    const t = Date.parse(d)
    return Number.isNaN(t) ? undefined : new Date(t).toISOString()
  }
  const m = /^(\d{4})[/\-年.](\d{1,2})[/\-月.](\d{1,2})日?(?:[ T]+(\d{1,2}):(\d{2})(?::(\d{2}))?)?$/.exec(d)
  if (!m) return undefined
  const tm = time ? /^(\d{1,2})[:時](\d{2})分?(?::(\d{2}))?$/.exec(time.normalize('NFKC').trim()) : null
  if (time && !tm) return undefined
  const [y, mo, da] = [Number(m[1]), Number(m[2]), Number(m[3])]
  const [h, mi, s] = tm ? [Number(tm[1]), Number(tm[2]), Number(tm[3] ?? 0)] : [Number(m[4] ?? 0), Number(m[5] ?? 0), Number(m[6] ?? 0)]
  if (mo < 1 || mo > 12 || da < 1 || da > 31 || h > 23 || mi > 59 || s > 59) return undefined
  const asUtc = Date.UTC(y, mo - 1, da, h, mi, s)
  if (new Date(asUtc).getUTCDate() !== da) return undefined // 2月30日
  return new Date(asUtc - zoneOffsetMs(asUtc, zone)).toISOString()
}

/** The zone's offset from UTC at (about) that moment, in ms. */
function zoneOffsetMs(at: number, zone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' }).formatToParts(new Date(at))
  const get = (t: string) => Number(parts.find((p) => p.type === t)!.value)
  return Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second')) - at
}
