/**
 * The returns policy engine: which lines of a return request may come back, until when, who pays
 * the shipping, whether a person must look at it, and what the customer may choose. Pure: the
 * caller passes the policy, the request and `now`; nothing is read from the clock or a database.
 *
 * The law it follows (特定商取引法15条の3): a mail-order buyer may return within 8 days of receipt,
 * paying the return shipping, UNLESS the shop showed its own return terms (返品特約), which then
 * apply. The day of receipt is day 1 (初日算入), so day N ends at 23:59:59.999 of delivery + N − 1
 * in the brand's zone. Windows always run from the line's DELIVERY, never from the order date. A
 * shop cannot exclude its own faults: defects, damage in transit and wrong items are returnable
 * whatever the item rules, within the defect window, at the brand's cost.
 */
import { AppError } from '../../platform/errors.js'
import { currencyExponent } from '../../platform/money.js'
import type { Bilingual, ReturnPolicy, ReturnReason, ReturnRule } from './policy-schema.js'

export type ItemCondition = 'unopened' | 'opened' | 'used' | 'damaged'

export interface ReturnLineInput {
  lineId: string
  sku: string | null
  productId: string
  tags: readonly string[]
  productType: string | null
  /** Minor units of the order's currency. */
  unitPrice: number
  /** Units the customer asks to return. */
  quantity: number
  purchased: number
  alreadyReturned: number
  /** ISO instant with an offset, or a date 'YYYY-MM-DD' in the brand's zone; null = not delivered yet. */
  deliveredAt: string | null
  condition: ItemCondition
}

export interface ReturnInput {
  /** `placedAt`: ISO instant with an offset (or a date in the brand's zone); `total` in minor units. */
  order: { placedAt: string; currency: string; total: number }
  /** A reason code of the policy; any other code throws `UnknownReturnReason`. */
  reason: string
  lines: readonly ReturnLineInput[]
  customer: { returnsLast90Days: number; returnValueLast90Days?: number }
  /** False when the address given for the return is not the order's. */
  addressMatches: boolean
}

export interface ReturnLineDecision {
  lineId: string
  returnable: boolean
  /** Units that may come back (0 when not returnable). */
  quantity: number
  /** UTC ISO instant of the last millisecond of the window; null when no window applies (not delivered, refused by a rule). */
  windowEndsAt: string | null
  /** The brand rule that shaped this line (refused it, set its window, or was set aside), or null. */
  rule: string | null
  why: Bilingual
}

export type ReturnFlagKind = 'many_returns' | 'high_value' | 'address_mismatch' | 'limit_reached'
export interface ReturnFlag {
  kind: ReturnFlagKind
  detail: Bilingual
}

export type Resolution = 'exchange' | 'store_credit' | 'refund'

export interface ReturnDecision {
  /** True when at least one line is returnable. */
  eligible: boolean
  lines: ReturnLineDecision[]
  reason: { code: string; fault: 'brand' | 'customer'; photosRequired: boolean }
  shippingPaidBy: 'brand' | 'customer'
  /** 'auto' also for a request with nothing returnable: the refusal needs nobody. */
  approval: 'auto' | 'review'
  flags: ReturnFlag[]
  /** Refund without taking the item back. */
  keepItem: boolean
  resolutions: Resolution[]
  /** The store-credit bonus offered; 0 when store credit is not offered. */
  storeCreditBonusPercent: number
  explanation: { en: string[]; ja: string[] }
}

/** The request names a reason the brand's policy does not have. */
export class UnknownReturnReason extends AppError {
  constructor(readonly reasonCode: string, known: readonly string[]) {
    super('RETURN_REASON_UNKNOWN', 'invalid_data', `Unknown return reason ${JSON.stringify(reasonCode)}; this policy has ${known.join(', ')}.`, {
      extra: { reason: reasonCode, known },
    })
    this.name = 'UnknownReturnReason'
  }
}

/** The statutory right's length (特定商取引法15条の3). */
export const STATUTORY_WINDOW_DAYS = 8

type RuleKind = ReturnRule['kind']

interface CompiledRule {
  id: string
  kind: RuleKind
  windowDays: number
  since: string | undefined
  /** `since` as a day number (days since 1970-01-01 of the brand's calendar); −Infinity without one. */
  sinceDay: number
  label: Bilingual | undefined
  skus: ReadonlySet<string> | null
  productIds: ReadonlySet<string> | null
  tags: ReadonlySet<string> | null
  productTypes: ReadonlySet<string> | null
}

/** A policy prepared for many evaluations: reason table, rules by kind with their lists as sets. */
export class CompiledReturnPolicy {
  readonly reasons: ReadonlyMap<string, ReturnReason>
  readonly finalSale: readonly CompiledRule[]
  readonly hygiene: readonly CompiledRule[]
  readonly madeToOrder: readonly CompiledRule[]
  readonly window: readonly CompiledRule[]
  readonly keepReasons: ReadonlySet<string>
  readonly hasRules: boolean
  readonly foldsCase: boolean

  constructor(readonly policy: ReturnPolicy) {
    this.reasons = new Map(policy.reasons.map((r) => [r.code, r]))
    const rules = policy.rules.map(compileRule)
    this.finalSale = rules.filter((r) => r.kind === 'final_sale')
    this.hygiene = rules.filter((r) => r.kind === 'hygiene')
    this.madeToOrder = rules.filter((r) => r.kind === 'made_to_order')
    this.window = rules.filter((r) => r.kind === 'window')
    this.keepReasons = new Set(policy.keepItem.reasons)
    this.hasRules = rules.length > 0
    this.foldsCase = rules.some((r) => r.tags !== null || r.productTypes !== null)
  }
}

const fold = (s: string) => s.trim().toLowerCase()

function compileRule(r: ReturnRule): CompiledRule {
  return {
    id: r.id,
    kind: r.kind,
    windowDays: r.windowDays ?? 0,
    since: r.since,
    sinceDay: r.since === undefined ? -Infinity : dateDay(r.since),
    label: r.label,
    skus: r.match.skus ? new Set(r.match.skus) : null,
    productIds: r.match.productIds ? new Set(r.match.productIds) : null,
    // Shopify treats tags and product types without regard to case; so do brands typing them.
    tags: r.match.tags ? new Set(r.match.tags.map(fold)) : null,
    productTypes: r.match.productTypes ? new Set(r.match.productTypes.map(fold)) : null,
  }
}

// Callers that pass the plain policy again and again still compile it once.
const compiledCache = new WeakMap<ReturnPolicy, CompiledReturnPolicy>()

/** Prepares a parsed policy for repeated `evaluateReturn` calls. */
export function compilePolicy(policy: ReturnPolicy): CompiledReturnPolicy {
  let c = compiledCache.get(policy)
  if (!c) {
    c = new CompiledReturnPolicy(policy)
    compiledCache.set(policy, c)
  }
  return c
}

// ------------------------------------------------------------------------------------ time zone

const DAY_MS = 86_400_000
const HOUR_MS = 3_600_000

interface Zone {
  fmt: Intl.DateTimeFormat
  /** hour bucket → UTC offset in ms over the whole hour, or NaN when it changes within it. */
  offsets: Map<number, number>
  /** local day number → first instant of that local day. */
  dayStarts: Map<number, number>
}

const zones = new Map<string, Zone>()

function zoneOf(name: string): Zone {
  let z = zones.get(name)
  if (!z) {
    // Throws RangeError for a zone ICU does not know: a configuration error, not a decision.
    const fmt = new Intl.DateTimeFormat('en-US', {
      timeZone: name, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric',
    })
    z = { fmt, offsets: new Map(), dayStarts: new Map() }
    zones.set(name, z)
  }
  return z
}

/** Wall clock minus UTC at `ms`, from ICU (whole seconds: ICU formats no milliseconds). */
function exactOffset(z: Zone, ms: number): number {
  let y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0
  for (const p of z.fmt.formatToParts(ms)) {
    if (p.type === 'year') y = Number(p.value)
    else if (p.type === 'month') mo = Number(p.value)
    else if (p.type === 'day') d = Number(p.value)
    else if (p.type === 'hour') h = Number(p.value)
    else if (p.type === 'minute') mi = Number(p.value)
    else if (p.type === 'second') s = Number(p.value)
  }
  return Date.UTC(y, mo - 1, d, h, mi, s) - (ms - (((ms % 1000) + 1000) % 1000))
}

/** UTC offset at `ms`. ICU is slow, so offsets are cached per hour when constant over it (DST moves fall inside an hour bucket and are computed exactly). */
function offsetAt(z: Zone, ms: number): number {
  const bucket = Math.floor(ms / HOUR_MS)
  let o = z.offsets.get(bucket)
  if (o === undefined) {
    const a = exactOffset(z, bucket * HOUR_MS)
    const b = exactOffset(z, bucket * HOUR_MS + HOUR_MS - 1)
    o = a === b ? a : NaN
    if (z.offsets.size > 100_000) z.offsets.clear()
    z.offsets.set(bucket, o)
  }
  return Number.isNaN(o) ? exactOffset(z, ms) : o
}

/** The brand-calendar day (days since 1970-01-01) an instant falls on. */
function localDay(z: Zone, ms: number): number {
  return Math.floor((ms + offsetAt(z, ms)) / DAY_MS)
}

/** The first instant of a local day (midnight, or the first instant after a DST gap at midnight). */
function dayStart(z: Zone, day: number): number {
  const cached = z.dayStarts.get(day)
  if (cached !== undefined) return cached
  const u = day * DAY_MS
  let t = u - offsetAt(z, u - offsetAt(z, u))
  if (!(localDay(z, t) >= day && localDay(z, t - 1) < day)) {
    // Midnight falls in a DST gap or fold: search the boundary (offsets stay within ±26 h).
    let lo = u - 30 * HOUR_MS
    let hi = u + 30 * HOUR_MS
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2)
      if (localDay(z, mid) >= day) hi = mid
      else lo = mid
    }
    t = hi
  }
  if (z.dayStarts.size > 100_000) z.dayStarts.clear()
  z.dayStarts.set(day, t)
  return t
}

const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/
const HAS_OFFSET = /T.*(?:Z|[+-]\d{2}(?::?\d{2})?)$/i

function dateDay(date: string): number {
  const m = DATE_ONLY.exec(date)
  if (!m) throw new RangeError(`not a YYYY-MM-DD date: ${date}`)
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) / DAY_MS
}

/** The local day of an ISO instant, or of a plain date taken as a date of the brand's calendar. */
function dayOf(z: Zone, iso: string, what: string): number {
  if (DATE_ONLY.test(iso)) return dateDay(iso)
  // Without an offset, Date.parse would read the machine's own zone.
  const ms = HAS_OFFSET.test(iso) ? Date.parse(iso) : NaN
  if (Number.isNaN(ms)) throw new RangeError(`${what} is not an ISO instant with an offset or a YYYY-MM-DD date: ${JSON.stringify(iso)}`)
  return localDay(z, ms)
}

// Day labels repeat across requests (deliveries cluster on a few days): build each once.
const dayLabels = new Map<number, Bilingual>()

function dayLabel(day: number): Bilingual {
  let l = dayLabels.get(day)
  if (!l) {
    const d = new Date(day * DAY_MS)
    l = { en: d.toISOString().slice(0, 10), ja: `${d.getUTCFullYear()}年${d.getUTCMonth() + 1}月${d.getUTCDate()}日` }
    if (dayLabels.size > 20_000) dayLabels.clear()
    dayLabels.set(day, l)
  }
  return l
}

// ------------------------------------------------------------------------------------ money

const moneyFormats = new Map<string, { en: Intl.NumberFormat; ja: Intl.NumberFormat; scale: number }>()

function money(minor: number, currency: string): Bilingual {
  let f = moneyFormats.get(currency)
  if (!f) {
    const code = currency.trim().toUpperCase()
    f = {
      en: new Intl.NumberFormat('en-US', { style: 'currency', currency: code }),
      ja: new Intl.NumberFormat('ja-JP', { style: 'currency', currency: code }),
      scale: 10 ** currencyExponent(code),
    }
    moneyFormats.set(currency, f)
  }
  return { en: f.en.format(minor / f.scale), ja: f.ja.format(minor / f.scale) }
}

// ------------------------------------------------------------------------------------ wording

const KIND: Record<Exclude<RuleKind, 'window'>, Bilingual> = {
  final_sale: { en: 'final sale', ja: 'セール品' },
  hygiene: { en: 'hygiene item', ja: '衛生用品' },
  made_to_order: { en: 'made to order', ja: '受注生産品' },
}

const CONDITION: Record<ItemCondition, Bilingual> = {
  unopened: { en: 'unopened', ja: '未開封' },
  opened: { en: 'opened', ja: '開封済み' },
  used: { en: 'used', ja: '使用済み' },
  damaged: { en: 'damaged', ja: '破損あり' },
}

const FLAG_JA: Record<ReturnFlagKind, string> = {
  limit_reached: '返品回数の上限',
  many_returns: '返品回数が多い',
  high_value: '高額の返品',
  address_mismatch: '住所の不一致',
}

const STATUTORY: Bilingual = {
  en: 'no return terms shown: the statutory 8-day right applies (特定商取引法15条の3)',
  ja: '返品特約が表示されていないため、特定商取引法15条の3による8日間の返品権が適用されます',
}

function kindName(r: CompiledRule): Bilingual {
  const k = KIND[r.kind as Exclude<RuleKind, 'window'>]
  return r.label ? { en: `${k.en} (${r.label.en})`, ja: `${r.label.ja}（${k.ja}）` } : k
}

/** "since 2026-11-01" / "2026年11月1日以降のご注文は", empty without a date. */
function sinceText(r: CompiledRule): Bilingual {
  if (r.since === undefined) return { en: '', ja: '' }
  const d = dayLabel(r.sinceDay)
  return { en: ` since ${d.en}`, ja: `${d.ja}以降のご注文は` }
}

function refusedByRule(r: CompiledRule, condition: ItemCondition): Bilingual {
  const k = kindName(r)
  const s = sinceText(r)
  if (r.kind === 'final_sale') return { en: `not returnable: ${k.en}${s.en}`, ja: `返品できません：${s.ja}${k.ja}のため返品不可です` }
  if (r.kind === 'made_to_order') {
    return {
      en: `not returnable: ${k.en}${s.en}; only a defect, damage in transit or a wrong item can be returned`,
      ja: `返品できません：${s.ja}${k.ja}のため、不良品・配送中の破損・誤配送の場合のみ返品をお受けします`,
    }
  }
  const c = CONDITION[condition]
  return {
    en: `not returnable: ${k.en}${s.en}, returnable only unopened (this one is ${c.en})`,
    ja: `返品できません：${s.ja}${k.ja}のため、未開封の場合のみ返品をお受けします（商品の状態：${c.ja}）`,
  }
}

// ------------------------------------------------------------------------------------ engine

function firstMatch(rules: readonly CompiledRule[], line: ReturnLineInput, tags: readonly string[], type: string | null, placedDay: number): CompiledRule | null {
  for (const r of rules) {
    if (placedDay < r.sinceDay) continue
    if (r.skus !== null && line.sku !== null && r.skus.has(line.sku)) return r
    if (r.productIds !== null && r.productIds.has(line.productId)) return r
    if (r.productTypes !== null && type !== null && r.productTypes.has(type)) return r
    if (r.tags !== null) for (const t of tags) if (r.tags.has(t)) return r
  }
  return null
}

const NO_TAGS: readonly string[] = []

interface LineOutcome {
  decision: ReturnLineDecision
  value: number
  unitPrice: number
}

function evaluateLine(c: CompiledReturnPolicy, z: Zone, line: ReturnLineInput, reason: ReturnReason, placedDay: number, nowMs: number): LineOutcome {
  const p = c.policy
  const brandFault = reason.fault === 'brand'
  const statutory = p.terms === null
  const refuse = (why: Bilingual, windowEndsAt: string | null, rule: string | null): LineOutcome => ({
    decision: { lineId: line.lineId, returnable: false, quantity: 0, windowEndsAt, rule, why },
    value: 0,
    unitPrice: line.unitPrice,
  })

  if (line.deliveredAt === null) {
    return refuse({ en: 'not returnable: not delivered yet (the return window starts on delivery)', ja: '返品できません：まだお届けが完了していません（返品期間はお届け日から始まります）' }, null, null)
  }
  const deliveredDay = dayOf(z, line.deliveredAt, `deliveredAt of line ${line.lineId}`)

  let finalSale: CompiledRule | null = null
  let madeToOrder: CompiledRule | null = null
  let hygiene: CompiledRule | null = null
  let windowRule: CompiledRule | null = null
  if (c.hasRules) {
    const tags = c.foldsCase && line.tags.length > 0 ? line.tags.map(fold) : NO_TAGS
    const type = c.foldsCase && line.productType !== null ? fold(line.productType) : line.productType
    finalSale = firstMatch(c.finalSale, line, tags, type, placedDay)
    madeToOrder = firstMatch(c.madeToOrder, line, tags, type, placedDay)
    hygiene = firstMatch(c.hygiene, line, tags, type, placedDay)
    windowRule = firstMatch(c.window, line, tags, type, placedDay)
  }
  const restriction = finalSale ?? madeToOrder ?? (hygiene !== null && line.condition !== 'unopened' ? hygiene : null)

  let days = windowRule ? windowRule.windowDays : p.windowDays
  // Without terms shown the brand may be more generous than the law, never stricter.
  if (statutory) days = Math.max(STATUTORY_WINDOW_DAYS, days)
  let setAside: Bilingual | null = null
  if (brandFault) {
    days = Math.max(days, p.defectWindowDays)
    if (restriction) {
      const k = kindName(restriction)
      setAside = { en: `${k.en}, but a defect, damage in transit or a wrong item is always returnable`, ja: `${k.ja}ですが、不良品・配送中の破損・誤配送の場合は返品をお受けします` }
    }
  } else if (restriction) {
    if (!statutory) return refuse(refusedByRule(restriction, line.condition), null, restriction.id)
    const k = kindName(restriction)
    setAside = { en: `${STATUTORY.en}, so the ${k.en} rule does not restrict it`, ja: `${STATUTORY.ja}（${k.ja}の設定は適用されません）` }
  }
  const rule = restriction?.id ?? windowRule?.id ?? (hygiene && !statutory && !brandFault ? hygiene.id : null)

  const endMs = dayStart(z, deliveredDay + days) - 1
  const windowEndsAt = new Date(endMs).toISOString()
  const end = dayLabel(deliveredDay + days - 1)
  const from = dayLabel(deliveredDay)
  const span: Bilingual = brandFault
    ? { en: `${days} days from delivery on ${from.en}, the window for defects, damage and wrong items`, ja: `不良品・破損・誤配送はお届け日${from.ja}から${days}日間` }
    : { en: `${days} days from delivery on ${from.en}`, ja: `お届け日${from.ja}から${days}日間` }
  if (windowRule?.label && !brandFault) {
    span.en += `: ${windowRule.label.en}`
    span.ja += `・${windowRule.label.ja}`
  }
  if (nowMs > endMs) return refuse({ en: `not returnable: the return window ended on ${end.en} (${span.en})`, ja: `返品できません：返品期限の${end.ja}を過ぎています（${span.ja}）` }, windowEndsAt, rule)

  const available = Math.max(0, line.purchased - line.alreadyReturned)
  const requested = Math.max(0, line.quantity)
  const allowed = Math.min(requested, available)
  if (allowed === 0) {
    return refuse(
      requested === 0
        ? { en: 'not returnable: no quantity requested', ja: '返品できません：返品数量が指定されていません' }
        : { en: `not returnable: all ${line.purchased} already returned`, ja: `返品できません：ご購入の${line.purchased}点はすべて返品済みです` },
      windowEndsAt,
      rule,
    )
  }

  let en = `returnable until ${end.en} (${span.en})`
  let ja = `${end.ja}まで返品できます（${span.ja}）`
  if (setAside) {
    en += `; ${setAside.en}`
    ja += `。${setAside.ja}`
  } else if (hygiene && line.condition === 'unopened') {
    en += `; ${kindName(hygiene).en}: returnable because unopened`
    ja += `。${kindName(hygiene).ja}のため、未開封の場合のみ返品をお受けします`
  }
  if (requested > available) {
    en += `; ${requested} requested, only ${allowed} can be returned (${line.purchased} bought, ${line.alreadyReturned} already returned)`
    ja += `。ご希望の${requested}点のうち、返品できるのは${allowed}点です（ご購入${line.purchased}点、返品済み${line.alreadyReturned}点）`
  }
  return {
    decision: { lineId: line.lineId, returnable: true, quantity: allowed, windowEndsAt, rule, why: { en, ja } },
    value: line.unitPrice * allowed,
    unitPrice: line.unitPrice,
  }
}

/**
 * Decides a return request under a brand's policy at `now`, dates in the brand's zone.
 * @example evaluateReturn(ReturnPolicy.parse({}), request, new Date('2026-11-05T03:00:00Z')).lines[0].returnable
 */
export function evaluateReturn(policy: ReturnPolicy | CompiledReturnPolicy, input: ReturnInput, now: Date, zone = 'Asia/Tokyo'): ReturnDecision {
  const c = policy instanceof CompiledReturnPolicy ? policy : compilePolicy(policy)
  const p = c.policy
  const reason = c.reasons.get(input.reason)
  if (!reason) throw new UnknownReturnReason(input.reason, [...c.reasons.keys()])
  const z = zoneOf(zone)
  const nowMs = now.getTime()
  const brandFault = reason.fault === 'brand'
  const statutory = p.terms === null
  const placedDay = c.hasRules ? dayOf(z, input.order.placedAt, 'order.placedAt') : 0

  const en: string[] = [!statutory ? "the shop's return terms apply (返品特約)" : c.hasRules ? `${STATUTORY.en}, whatever the brand's item rules` : STATUTORY.en]
  const ja: string[] = [!statutory ? 'ショップの返品特約が適用されます' : c.hasRules ? `${STATUTORY.ja}（商品ごとの返品不可の設定は適用されません）` : STATUTORY.ja]
  en.push(
    `reason: ${reason.label.en}: ${brandFault ? "the shop's fault, so the shop pays return shipping" : 'return shipping is paid by the customer'}${reason.photosRequired ? '; photos required' : ''}`,
  )
  ja.push(
    `返品理由：${reason.label.ja}（${brandFault ? 'ショップ側の理由のため、返送料はショップが負担します' : '返送料はお客様のご負担となります'}${reason.photosRequired ? '。写真の添付が必要です' : ''}）`,
  )

  const lines: ReturnLineDecision[] = []
  let eligible = false
  let value = 0
  let maxUnit = 0
  for (const line of input.lines) {
    const o = evaluateLine(c, z, line, reason, placedDay, nowMs)
    lines.push(o.decision)
    en.push(`${line.lineId}: ${o.decision.why.en}`)
    ja.push(`${line.lineId}：${o.decision.why.ja}`)
    if (o.decision.returnable) {
      eligible = true
      value += o.value
      if (o.unitPrice > maxUnit) maxUnit = o.unitPrice
    }
  }

  const currency = input.order.currency
  const flags: ReturnFlag[] = []
  const n = input.customer.returnsLast90Days
  const limit = p.limits.maxReturnsPer90Days
  const limitReached = limit !== null && n >= limit
  if (limitReached) {
    flags.push({ kind: 'limit_reached', detail: { en: `${n} returns in the last 90 days, the limit is ${limit}: a person decides`, ja: `過去90日間の返品が${n}回で、上限の${limit}回に達しています（担当者が判断します）` } })
  }
  const many = p.fraud.manyReturnsIn90Days
  if (many !== null && n >= many) {
    const worth = input.customer.returnValueLast90Days
    const w = worth !== undefined ? money(worth, currency) : null
    flags.push({
      kind: 'many_returns',
      detail: { en: `${n} returns in the last 90 days${w ? ` worth ${w.en}` : ''} (flagged from ${many})`, ja: `過去90日間に${n}回${w ? `（合計${w.ja}）` : ''}の返品があります（${many}回以上で要確認）` },
    })
  }
  const high = p.fraud.highValue
  if (high !== null && eligible && value >= high) {
    const v = money(value, currency)
    const h = money(high, currency)
    flags.push({ kind: 'high_value', detail: { en: `this return is worth ${v.en}, at or above ${h.en}`, ja: `返品金額${v.ja}が${h.ja}以上です` } })
  }
  if (p.fraud.addressMismatch && !input.addressMatches) {
    flags.push({ kind: 'address_mismatch', detail: { en: "the address given does not match the order's", ja: 'ご申告の住所がご注文時の住所と一致しません' } })
  }
  for (const f of flags) {
    en.push(`flag ${f.kind}: ${f.detail.en}`)
    ja.push(`要確認（${FLAG_JA[f.kind]}）：${f.detail.ja}`)
  }

  let approval: 'auto' | 'review' = 'auto'
  let keepItem = false
  const resolutions: Resolution[] = []
  let bonus = 0
  if (!eligible) {
    en.push('nothing in this request can be returned')
    ja.push('このお申し込みで返品できる商品はありません')
  } else {
    const overAmount = value > p.approval.autoApproveUpTo
    const flagged = p.approval.reviewIfFlagged && flags.length > 0
    const v = money(value, currency)
    if (overAmount || limitReached || flagged) {
      approval = 'review'
      const why: string[] = []
      if (overAmount) why.push(`above the auto-approval amount ${money(p.approval.autoApproveUpTo, currency).en}`)
      if (limitReached || flagged) why.push('flagged')
      en.push(`value ${v.en}: a person reviews it (${why.join(', ')})`)
      ja.push(`返品金額${v.ja}：担当者が確認のうえご連絡します`)
    } else {
      en.push(`value ${v.en}: approved automatically`)
      ja.push(`返品金額${v.ja}：自動で承認されます`)
    }

    const maxKeep = p.keepItem.maxUnitValue
    if (maxKeep !== null && c.keepReasons.has(reason.code) && maxUnit <= maxKeep) {
      keepItem = true
      en.push(`keep the item: refunded without sending it back (${reason.label.en}, ${money(maxKeep, currency).en} or less a unit)`)
      ja.push('商品のご返送は不要です（返送なしで対応いたします）')
    }

    const r = p.resolutions
    if (r.exchange) resolutions.push('exchange')
    if (r.storeCredit.enabled) {
      resolutions.push('store_credit')
      bonus = r.storeCredit.bonusPercent
    }
    // A fault of the shop, and the statutory right (a cancellation), both entitle the buyer to money back.
    if (r.refund || brandFault || statutory) resolutions.push('refund')
    const names = resolutions.map((x) => (x === 'exchange' ? { en: 'exchange', ja: '交換' } : x === 'refund' ? { en: 'refund', ja: '返金' } : { en: `store credit${bonus > 0 ? ` (+${bonus} %)` : ''}`, ja: `ストアクレジット${bonus > 0 ? `（${bonus}%上乗せ）` : ''}` }))
    en.push(`offered: ${names.map((x) => x.en).join(', ')}`)
    ja.push(`お選びいただけます：${names.map((x) => x.ja).join('、')}`)
  }

  return {
    eligible,
    lines,
    reason: { code: reason.code, fault: reason.fault, photosRequired: reason.photosRequired },
    shippingPaidBy: brandFault ? 'brand' : 'customer',
    approval,
    flags,
    keepItem,
    resolutions,
    storeCreditBonusPercent: bonus,
    explanation: { en, ja },
  }
}
