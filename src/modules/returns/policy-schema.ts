/**
 * A brand's return policy, as stored and as edited. `ReturnPolicy.parse({})` is the statutory
 * default of 特定商取引法15条の3: no return terms shown (返品特約なし), 8 days from delivery, any
 * reason, the customer pays return shipping unless the shop is at fault.
 *
 * Amounts are integers in the minor unit of the brand's currency (JPY: yen), as everywhere in Kando.
 * Nested objects use `.prefault({})` so a partial policy gets the inner defaults too (zod 4's
 * `.default()` would hand back the default object unparsed).
 */
import { z } from 'zod'

/** Text in both languages of the shop front. */
export const Bilingual = z.object({ ja: z.string().trim().min(1).max(2000), en: z.string().trim().min(1).max(2000) }).strict()
export type Bilingual = z.output<typeof Bilingual>

/** `size_fit`, `changed_mind`, …: what the customer picks; the engine refuses codes the policy lacks. */
export const ReasonCode = z.string().regex(/^[a-z][a-z0-9_]{0,39}$/, 'lower-case letters, digits and _, at most 40')

export const ReturnReason = z
  .object({
    code: ReasonCode,
    label: Bilingual,
    /** 'brand': the shop's fault (defect, damage, wrong item): always returnable, the brand pays shipping. */
    fault: z.enum(['brand', 'customer']),
    photosRequired: z.boolean().default(false),
  })
  .strict()
export type ReturnReason = z.output<typeof ReturnReason>

/** The reasons a Japanese D2C shop usually offers; a brand may reword, add or drop them. */
export const DEFAULT_RETURN_REASONS: ReturnReason[] = [
  { code: 'size_fit', label: { ja: 'サイズが合わない', en: 'Size or fit' }, fault: 'customer', photosRequired: false },
  { code: 'changed_mind', label: { ja: 'イメージと違った・気が変わった', en: 'Not as expected / changed my mind' }, fault: 'customer', photosRequired: false },
  { code: 'defective', label: { ja: '不良品', en: 'Defective item' }, fault: 'brand', photosRequired: true },
  { code: 'damaged', label: { ja: '配送中の破損', en: 'Damaged in transit' }, fault: 'brand', photosRequired: true },
  { code: 'wrong_item', label: { ja: '注文と違う商品が届いた', en: 'Wrong item received' }, fault: 'brand', photosRequired: true },
  { code: 'other', label: { ja: 'その他', en: 'Other' }, fault: 'customer', photosRequired: false },
]

const Ids = z.array(z.string().trim().min(1).max(255)).min(1).max(10_000)

/** Which items a rule covers: an item matches when ANY listed criterion does (tags and product types ignore case). */
export const RuleMatch = z
  .object({ skus: Ids.optional(), productIds: Ids.optional(), tags: Ids.optional(), productTypes: Ids.optional() })
  .strict()
  // An empty match would silently cover the whole catalogue: a brand-wide window is `windowDays`.
  .refine((m) => Boolean(m.skus || m.productIds || m.tags || m.productTypes), { message: 'a rule must match at least one SKU, product, tag or product type' })

export const ReturnRule = z
  .object({
    id: z.string().trim().min(1).max(100),
    match: RuleMatch,
    /**
     * final_sale: セール品・返品不可; hygiene: 衛生用品, returnable unopened only; made_to_order: 受注生産,
     * not returnable; window: its own `windowDays`. A shop's own faults are returnable whatever the rule.
     */
    kind: z.enum(['final_sale', 'hygiene', 'made_to_order', 'window']),
    windowDays: z.number().int().min(1).max(365).optional(),
    /** Applies to orders PLACED on or after this date (brand's zone): older orders keep the terms they bought under. */
    since: z.iso.date().optional(),
    label: Bilingual.optional(),
  })
  .strict()
  .superRefine((r, ctx) => {
    if (r.kind === 'window' && r.windowDays === undefined) ctx.addIssue({ code: 'custom', path: ['windowDays'], message: "a 'window' rule needs windowDays" })
    if (r.kind !== 'window' && r.windowDays !== undefined) ctx.addIssue({ code: 'custom', path: ['windowDays'], message: "only a 'window' rule has windowDays" })
  })
export type ReturnRule = z.output<typeof ReturnRule>

const Amount = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER)

export const ReturnPolicy = z
  .object({
    /** The brand's 返品特約 shown before the customer commits; null = none shown ⇒ the statutory right. */
    terms: Bilingual.nullable().default(null),
    /** Days from delivery, the day of delivery counting as day 1 (初日算入). */
    windowDays: z.number().int().min(1).max(365).default(8),
    /** Days from delivery for defects, damage and wrong items (never shorter than the item's own window). */
    defectWindowDays: z.number().int().min(1).max(365).default(30),
    reasons: z.array(ReturnReason).min(1).max(50).default(() => DEFAULT_RETURN_REASONS.map((r) => ({ ...r, label: { ...r.label } }))),
    /** First matching rule of each kind applies. */
    rules: z.array(ReturnRule).max(1000).default(() => []),
    limits: z
      .object({ maxReturnsPer90Days: z.number().int().min(1).max(1000).nullable().default(5) })
      .strict()
      .prefault({}),
    approval: z
      .object({
        /** Requests worth up to this much (minor units) are approved without a person. */
        autoApproveUpTo: Amount.default(20_000),
        reviewIfFlagged: z.boolean().default(true),
      })
      .strict()
      .prefault({}),
    /** Thresholds of the fraud flags; null turns a flag off. */
    fraud: z
      .object({
        manyReturnsIn90Days: z.number().int().min(1).max(1000).nullable().default(3),
        highValue: Amount.nullable().default(50_000),
        addressMismatch: z.boolean().default(true),
      })
      .strict()
      .prefault({}),
    /** Refund without taking the item back when it is cheap and the reason is one of these. */
    keepItem: z
      .object({
        maxUnitValue: Amount.nullable().default(null),
        reasons: z.array(ReasonCode).max(50).default(() => ['defective', 'damaged', 'wrong_item']),
      })
      .strict()
      .prefault({}),
    resolutions: z
      .object({
        exchange: z.boolean().default(true),
        storeCredit: z
          .object({ enabled: z.boolean().default(true), bonusPercent: z.number().min(0).max(100).default(10) })
          .strict()
          .prefault({}),
        refund: z.boolean().default(true),
      })
      .strict()
      .prefault({}),
    /** Send the replacement before the return arrives; configuration only, the engine does not read it yet. */
    instantExchange: z
      .object({
        enabled: z.boolean().default(false),
        returnWithinDays: z.number().int().min(1).max(365).default(14),
        onMissing: z.enum(['charge', 'close']).default('charge'),
      })
      .strict()
      .prefault({}),
  })
  .strict()
  .superRefine((p, ctx) => {
    const codes = new Set<string>()
    p.reasons.forEach((r, i) => {
      if (codes.has(r.code)) ctx.addIssue({ code: 'custom', path: ['reasons', i, 'code'], message: `duplicate reason code ${r.code}` })
      codes.add(r.code)
    })
    const ids = new Set<string>()
    p.rules.forEach((r, i) => {
      if (ids.has(r.id)) ctx.addIssue({ code: 'custom', path: ['rules', i, 'id'], message: `duplicate rule id ${r.id}` })
      ids.add(r.id)
    })
    p.keepItem.reasons.forEach((c, i) => {
      if (!codes.has(c)) ctx.addIssue({ code: 'custom', path: ['keepItem', 'reasons', i], message: `no reason with code ${c}` })
    })
    const r = p.resolutions
    // A returnable item with nothing to resolve it would be a dead end for the customer.
    if (!r.exchange && !r.storeCredit.enabled && !r.refund) ctx.addIssue({ code: 'custom', path: ['resolutions'], message: 'enable at least one of exchange, store credit and refund' })
  })

/** A parsed policy (every default filled in): what the engine reads. */
export type ReturnPolicy = z.output<typeof ReturnPolicy>
/** A policy as written by a brand: every field optional. */
export type ReturnPolicyInput = z.input<typeof ReturnPolicy>
