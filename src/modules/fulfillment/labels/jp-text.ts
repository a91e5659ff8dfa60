/**
 * Text rules shared by the carrier label files: CP932 (Windows-31J) only, widths counted the way
 * the carriers' layouts count them (全角 = 2, 半角 = 1, which is also the CP932 byte length),
 * fields cut or spread by width without ever splitting a code point, and every change reported.
 *
 * CP932, not strict Shift_JIS: B2クラウド and e飛伝 are Windows tools and read Windows-31J, which
 * adds NEC/IBM characters such as 髙 and ① to JIS X 0208. Those still get an 'extended-char'
 * warning, because Yamato's B2 FAQ (answer 406, quoted in github.com/labocho/yamato_b2_cloud
 * lib/yamato_b2_cloud/writer.rb) says external-data import takes only JIS level 1 and 2 kanji.
 */
import iconv from 'iconv-lite'
import type { LabelWarning } from './types.js'

export const ENCODING = 'CP932'
/** 〓 (geta): the customary mark for a character that cannot be printed. */
export const GETA = '\u3013'

/** Where warnings go while one parcel's row is written. */
export interface FieldContext {
  parcelId: string | null
  warnings: LabelWarning[]
}

// Characters that look the same but that CP932 only has under another code point
// (the Unicode/CP932 "wave dash" family), or has only in the IBM extension.
const LOOK_ALIKES: Record<string, string> = {
  '\u301c': '\uff5e', // 〜 → ～
  '\u2212': '\uff0d', // − → －
  '\u2016': '\u2225', // ‖ → ∥
  '\u00a2': '\uffe0', // ¢ → ￠
  '\u00a3': '\uffe1', // £ → ￡
  '\u00ac': '\uffe2', // ¬ → ￢
  '\u2014': '\u2015', // — → ―
  '\u2013': '\u2010', // – → ‐
  '\u2011': '\u2010', // non-breaking hyphen → ‐
  '\u00b7': '\u30fb', // · → ・
  '\u00a0': ' ',
  '\uff02': '\u201d', // ＂ is IBM-only (FA57): use ”
  '\uff07': '\u2019', // ＇ is IBM-only (FA56): use ’
}

/**
 * Makes text printable on one label line: CR, LF and other control characters become a space,
 * half-width katakana become full-width (ﾔﾏﾀﾞ → ヤマダ; legacy, and counted differently by the
 * layouts), CP932 look-alikes are swapped in, and runs of spaces collapse.
 */
export function normalizeText(raw: string | null | undefined): string {
  if (raw == null) return ''
  let s = String(raw).replace(/[\u0000-\u001f\u007f\u2028\u2029]/g, ' ')
  s = s.replace(/[\uff61-\uff9f]+/g, (run) => run.normalize('NFKC'))
  s = s.replace(/[\u301c\u2212\u2016\u00a2\u00a3\u00ac\u2014\u2013\u2011\u00b7\u00a0\uff02\uff07]/g, (ch) => LOOK_ALIKES[ch] ?? ch)
  return s.replace(/ {2,}/g, ' ').replace(/\u3000{2,}/g, '\u3000').trim()
}

/** ASCII to full-width (A → Ａ, 1 → １, space → 全角スペース), for fields a layout requires in 全角. */
export function toFullWidth(s: string): string {
  let out = ''
  for (const ch of s) {
    const c = ch.codePointAt(0)!
    if (ch === ' ') out += '\u3000'
    else if (ch === '"') out += '\u201d'
    else if (ch === "'") out += '\u2019'
    else if (c >= 0x21 && c <= 0x7e) out += String.fromCodePoint(c + 0xfee0)
    else out += ch
  }
  return out
}

/** Width in the layouts' unit: half-width (ASCII, half-width katakana) 1, everything else 2. */
export function charWidth(ch: string): 1 | 2 {
  const c = ch.codePointAt(0)!
  return c < 0x80 || (c >= 0xff61 && c <= 0xff9f) ? 1 : 2
}

export function displayWidth(s: string): number {
  let w = 0
  for (const ch of s) w += charWidth(ch)
  return w
}

type Cp932Class = 'ok' | 'extended' | 'unencodable'
const classCache = new Map<string, Cp932Class>()

/** Whether CP932 has the character, and whether only as an NEC/IBM extension (rows 0x87, 0xED–0xEE, 0xFA–0xFC). */
export function cp932Class(ch: string): Cp932Class {
  let k = classCache.get(ch)
  if (k) return k
  const bytes = iconv.encode(ch, ENCODING)
  const lead = bytes[0]!
  if ((bytes.length === 1 && lead === 0x3f && ch !== '?') || (lead >= 0xf0 && lead <= 0xf9)) k = 'unencodable' // F0–F9: user-defined 外字
  else if (bytes.length === 2 && (lead === 0x87 || lead === 0xed || lead === 0xee || lead >= 0xfa)) k = 'extended'
  else k = 'ok'
  classCache.set(ch, k)
  return k
}

/** Replaces what CP932 cannot encode (𠮷, emoji) with 〓 and reports it; reports NEC/IBM extension characters. */
export function sanitizeCp932(ctx: FieldContext, field: string, s: string): string {
  let out = ''
  const bad: string[] = []
  const ext: string[] = []
  for (const ch of s) {
    const k = cp932Class(ch)
    if (k === 'unencodable') {
      bad.push(ch)
      out += GETA
    } else {
      if (k === 'extended') ext.push(ch)
      out += ch
    }
  }
  if (bad.length) {
    ctx.warnings.push({ parcelId: ctx.parcelId, field, code: 'unencodable-char', message: `not in CP932, replaced by ${GETA}: ${[...new Set(bad)].join(' ')}` })
  }
  if (ext.length) {
    ctx.warnings.push({
      parcelId: ctx.parcelId, field, code: 'extended-char',
      message: `NEC/IBM extension character(s) outside JIS X 0208, which the carrier may not print: ${[...new Set(ext)].join(' ')}`,
    })
  }
  return out
}

/** Splits s into a head of at most `width` and the rest, at a code-point boundary. */
export function cutToWidth(s: string, width: number): [string, string] {
  let w = 0
  let i = 0
  for (const ch of s) {
    const cw = charWidth(ch)
    if (w + cw > width) break
    w += cw
    i += ch.length
  }
  return [s.slice(0, i), s.slice(i)]
}

const BREAK_AFTER = new Set([...'都道府県市区町村郡 \u3000、,'])
const isDigit = (ch: string | undefined): boolean => ch !== undefined && /[0-9０-９]/.test(ch)

/** Cuts at a readable place (after 市/区/町…, a space, or before a number) when one is close to the hard cut. */
function softCut(s: string, width: number): [string, string] {
  const [head, rest] = cutToWidth(s, width)
  if (!rest) return [head, rest]
  const chars = [...head]
  const next = [...rest][0]
  for (let back = 0; back <= 6 && chars.length - back > chars.length / 2; back++) {
    const prev = chars[chars.length - back - 1]!
    const after = back === 0 ? next : chars[chars.length - back]
    if (BREAK_AFTER.has(prev) || (isDigit(after) && !isDigit(prev) && !/[-－‐]/.test(prev))) {
      const h = chars.slice(0, chars.length - back).join('')
      return [h, s.slice(h.length)]
    }
  }
  return [head, rest]
}

const trimSpaces = (s: string): string => s.replace(/^[ \u3000]+|[ \u3000]+$/g, '')

/** Spreads text over consecutive fields of the given widths. Unused fields are ''; what did not fit is `overflow`. */
export function fillFields(s: string, widths: number[]): { parts: string[]; overflow: string } {
  const parts: string[] = []
  let rest = trimSpaces(s)
  for (const w of widths) {
    const [head, tail] = softCut(rest, w)
    parts.push(trimSpaces(head))
    rest = trimSpaces(tail)
  }
  return { parts, overflow: rest }
}

/**
 * Lays segments (e.g. street address, then building) over fields: each segment starts a new field
 * when all segments fit that way, otherwise they run on, joined by `joiner`.
 */
export function spreadSegments(segments: string[], widths: number[], joiner: string): { parts: string[]; overflow: string } {
  const segs = segments.map(trimSpaces).filter(Boolean)
  const parts: string[] = []
  for (const seg of segs) {
    const r = fillFields(seg, widths.slice(parts.length))
    const used = r.parts.reduce((n, p, i) => (p ? i + 1 : n), 0)
    if (r.overflow || used === 0) return fillFields(segs.join(joiner), widths)
    parts.push(...r.parts.slice(0, used))
  }
  while (parts.length < widths.length) parts.push('')
  return { parts, overflow: '' }
}

/** Reports text cut off the end of a field group. */
export function warnOverflow(ctx: FieldContext, field: string, overflow: string, width: number): void {
  if (overflow) {
    ctx.warnings.push({ parcelId: ctx.parcelId, field, code: 'truncated', message: `longer than ${width} half-width units; cut: "${overflow}"` })
  }
}

/** One field: normalised, CP932-safe, cut to width with a warning. */
export function fitField(ctx: FieldContext, field: string, raw: string | null | undefined, width: number, opts: { fullWidth?: boolean } = {}): string {
  let s = normalizeText(raw)
  if (opts.fullWidth) s = toFullWidth(s)
  s = sanitizeCp932(ctx, field, s)
  const { parts, overflow } = fillFields(s, [width])
  warnOverflow(ctx, field, overflow, width)
  return parts[0]!
}

/**
 * A Japanese phone number for a label: digits and hyphens only, +81 turned into the leading 0,
 * full-width digits made half-width. Hyphens are dropped when the number would not fit otherwise.
 */
export function formatPhone(ctx: FieldContext, field: string, raw: string, maxLength: number): string {
  let s = String(raw ?? '').normalize('NFKC').replace(/[ー－‐―−–—]/g, '-').trim()
  s = s.replace(/^\+81[\s-]*\(?0?\)?/, '0')
  s = s.replace(/[^0-9-]/g, '').replace(/-{2,}/g, '-').replace(/^-|-$/g, '')
  const digits = s.replace(/-/g, '')
  if (s.length > maxLength) s = digits
  if (!/^0\d{9,10}$/.test(digits) || s.length > maxLength) {
    ctx.warnings.push({ parcelId: ctx.parcelId, field, code: 'invalid-phone', message: `"${raw}" is not a 10–11 digit Japanese number of at most ${maxLength} characters` })
  }
  return s.slice(0, maxLength)
}

/** 'NNN-NNNN' from any spelling of a 7-digit postcode; anything else is passed on as digits with a warning. */
export function formatPostalCode(ctx: FieldContext, field: string, raw: string): string {
  const digits = String(raw ?? '').normalize('NFKC').replace(/[^0-9]/g, '')
  if (digits.length !== 7) {
    ctx.warnings.push({ parcelId: ctx.parcelId, field, code: 'invalid-postal-code', message: `"${raw}" is not a 7-digit postcode` })
    return digits.slice(0, 8)
  }
  return `${digits.slice(0, 3)}-${digits.slice(3)}`
}

/** Checks a 'YYYY-MM-DD' calendar date and returns its parts; a RangeError names the parcel and field. */
export function parseIsoDate(parcelId: string, field: string, s: string): { y: string; m: string; d: string } {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s)
  const date = m ? new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))) : null
  if (!m || !date || date.getUTCDate() !== Number(m[3]) || date.getUTCMonth() !== Number(m[2]) - 1) {
    throw new RangeError(`parcel ${parcelId}: ${field} must be a YYYY-MM-DD date, got "${s}"`)
  }
  return { y: m[1]!, m: m[2]!, d: m[3]! }
}

/** Refuses an id the carrier cannot store whole: it is how the carrier's records find the parcel again. */
export function checkParcelId(parcelId: string, field: string, maxLength: number): string {
  if (!/^[\x21-\x7e]+$/.test(parcelId)) throw new RangeError(`parcel id "${parcelId}" must be printable half-width ASCII for ${field}`)
  if (parcelId.length > maxLength) throw new RangeError(`parcel id "${parcelId}" is ${parcelId.length} characters; ${field} holds at most ${maxLength}`)
  return parcelId
}

/** Yen to collect: a whole number from 1 to `max`. */
export function checkCodAmount(parcelId: string, amount: number, max: number): number {
  if (!Number.isInteger(amount) || amount < 1 || amount > max) {
    throw new RangeError(`parcel ${parcelId}: codAmount must be a whole number of yen from 1 to ${max}, got ${amount}`)
  }
  return amount
}

/** Consumption tax contained in a tax-inclusive amount, rounded down. */
export function includedTax(amount: number, ratePercent: number): number {
  return Math.floor((amount * ratePercent) / (100 + ratePercent))
}

/**
 * Item lines for `slots` fields of `width`: "name ×qty" each; when there are more items than
 * fields, the last field ends with "他N点" and a warning says so.
 */
export function itemLines(ctx: FieldContext, field: string, items: Array<{ name: string; quantity: number }>, slots: number, width: number): string[] {
  const lines = items.map((it) => {
    const name = sanitizeCp932(ctx, field, normalizeText(it.name))
    return it.quantity > 1 ? `${name} ×${it.quantity}` : name
  })
  const out: string[] = []
  for (let i = 0; i < slots; i++) {
    const line = lines[i]
    if (line === undefined) {
      out.push('')
      continue
    }
    const more = i === slots - 1 ? lines.length - slots : 0
    const suffix = more > 0 ? ` 他${more}点` : ''
    const [head, cut] = cutToWidth(line, width - displayWidth(suffix))
    if (cut) warnOverflow(ctx, field, cut, width)
    if (more > 0) ctx.warnings.push({ parcelId: ctx.parcelId, field, code: 'truncated', message: `${lines.length} items, ${slots} fields: the last ${more} summarised as "他${more}点"` })
    out.push(head.trimEnd() + suffix)
  }
  return out
}

/** One CSV field: quoted when it holds a comma or a double quote, which is then doubled. */
export function csvField(s: string): string {
  return /[",]/.test(s) || /^\s|\s$/.test(s) ? `"${s.replace(/"/g, '""')}"` : s
}

/** Rows as CRLF-terminated CSV, encoded in CP932. Fields must already be CP932-safe (see sanitizeCp932). */
export function encodeCsv(rows: string[][]): Buffer {
  const text = rows.map((r) => r.map(csvField).join(',') + '\r\n').join('')
  return iconv.encode(text, ENCODING)
}

/** A row of '' with a setter by column name, so a misspelt name fails loudly instead of shifting a column. */
export function rowFor(columns: readonly string[]): { row: string[]; set: (column: string, value: string) => void } {
  const row = columns.map(() => '')
  return {
    row,
    set(column, value) {
      const i = columns.indexOf(column)
      if (i < 0) throw new Error(`no column ${column} in this layout`)
      row[i] = value
    },
  }
}
