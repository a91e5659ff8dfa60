import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { compilePolicy, evaluateReturn, UnknownReturnReason, type ReturnInput, type ReturnLineInput } from './policy.js'
import { ReturnPolicy, type ReturnPolicyInput } from './policy-schema.js'

// Every test passes its own `now`; nothing here reads the real clock.
const TERMS = { ja: '当店の返品特約：お届けから8日以内、未使用品に限ります。', en: 'Our return terms: within 8 days of delivery, unused items only.' }
const withTerms = (p: ReturnPolicyInput = {}) => ReturnPolicy.parse({ terms: TERMS, ...p })
const jst = (local: string) => new Date(`${local}+09:00`)

function line(over: Partial<ReturnLineInput> = {}): ReturnLineInput {
  return {
    lineId: 'L1', sku: 'TEE-M-NAVY', productId: 'prod_tee', tags: ['cotton'], productType: 'Tシャツ', unitPrice: 4_980,
    quantity: 1, purchased: 1, alreadyReturned: 0, deliveredAt: '2026-11-01T10:00:00+09:00', condition: 'unopened', ...over,
  }
}

function request(over: Partial<ReturnInput> = {}, lines: ReturnLineInput[] = [line()]): ReturnInput {
  return {
    order: { placedAt: '2026-10-20T12:00:00+09:00', currency: 'JPY', total: 9_960 },
    reason: 'size_fit', lines, customer: { returnsLast90Days: 0 }, addressMatches: true, ...over,
  }
}

describe('the window runs from delivery, the day of delivery counting as day 1', () => {
  const policy = withTerms()

  it('is open until 23:59:59.999 JST on day 8 after DELIVERY and shut at 00:00 on day 9', () => {
    const open = evaluateReturn(policy, request(), jst('2026-11-08T23:59:00'))
    expect(open.eligible).toBe(true)
    expect(open.lines[0]).toMatchObject({ returnable: true, quantity: 1, windowEndsAt: '2026-11-08T14:59:59.999Z', rule: null })
    expect(open.lines[0]!.why.en).toBe('returnable until 2026-11-08 (8 days from delivery on 2026-11-01)')
    expect(open.lines[0]!.why.ja).toBe('2026年11月8日まで返品できます（お届け日2026年11月1日から8日間）')
    expect(evaluateReturn(policy, request(), new Date('2026-11-08T14:59:59.999Z')).lines[0]!.returnable).toBe(true)

    const shut = evaluateReturn(policy, request(), jst('2026-11-09T00:00:00'))
    expect(shut.eligible).toBe(false)
    expect(shut.lines[0]).toMatchObject({ returnable: false, quantity: 0, windowEndsAt: '2026-11-08T14:59:59.999Z' })
    expect(shut.lines[0]!.why.en).toBe('not returnable: the return window ended on 2026-11-08 (8 days from delivery on 2026-11-01)')
    expect(shut.lines[0]!.why.ja).toBe('返品できません：返品期限の2026年11月8日を過ぎています（お届け日2026年11月1日から8日間）')
    expect(shut.resolutions).toEqual([])
  })

  it('stays open when day 8 after the ORDER has passed but day 8 after delivery has not', () => {
    // Placed 2026-10-20: day 8 after ordering was 2026-10-27. Delivered 2026-11-01.
    const d = evaluateReturn(policy, request(), jst('2026-11-05T09:00:00'))
    expect(d.lines[0]!.returnable).toBe(true)
  })

  it('counts day 1 in Tokyo for a parcel delivered at 23:30 JST (14:30 UTC)', () => {
    const late = request({}, [line({ deliveredAt: '2026-11-01T14:30:00Z' })])
    const d = evaluateReturn(policy, late, jst('2026-11-08T23:59:59'))
    expect(d.lines[0]).toMatchObject({ returnable: true, windowEndsAt: '2026-11-08T14:59:59.999Z' })
    expect(d.lines[0]!.why.en).toContain('delivery on 2026-11-01')
    expect(evaluateReturn(policy, late, jst('2026-11-09T00:00:00')).lines[0]!.returnable).toBe(false)
    // One hour later it is 00:30 on 2 November in Tokyo: day 1 is the 2nd.
    const next = evaluateReturn(policy, request({}, [line({ deliveredAt: '2026-11-01T15:30:00Z' })]), jst('2026-11-09T12:00:00'))
    expect(next.lines[0]).toMatchObject({ returnable: true, windowEndsAt: '2026-11-09T14:59:59.999Z' })
  })

  it("uses the brand's zone, DST included, and accepts a plain delivery date", () => {
    // 14:30 UTC on 1 Nov 2026 is 07:30 in Los Angeles, the morning DST ends: day 8 ends at 23:59:59.999 PST.
    const d = evaluateReturn(policy, request({}, [line({ deliveredAt: '2026-11-01T14:30:00Z' })]), new Date('2026-11-09T07:00:00Z'), 'America/Los_Angeles')
    expect(d.lines[0]).toMatchObject({ returnable: true, windowEndsAt: '2026-11-09T07:59:59.999Z' })
    const plain = evaluateReturn(policy, request({}, [line({ deliveredAt: '2026-11-01' })]), jst('2026-11-08T23:00:00'))
    expect(plain.lines[0]).toMatchObject({ returnable: true, windowEndsAt: '2026-11-08T14:59:59.999Z' })
  })

  it('refuses an instant without an offset (it would be read in the machine zone)', () => {
    expect(() => evaluateReturn(policy, request({}, [line({ deliveredAt: '2026-11-01T10:00:00' })]), jst('2026-11-02T00:00:00'))).toThrow(RangeError)
  })

  it('refuses a line not delivered yet', () => {
    const d = evaluateReturn(policy, request({}, [line({ deliveredAt: null })]), jst('2026-11-02T00:00:00'))
    expect(d.lines[0]).toMatchObject({ returnable: false, quantity: 0, windowEndsAt: null })
    expect(d.lines[0]!.why.en).toContain('not delivered yet')
    expect(d.lines[0]!.why.ja).toContain('まだお届けが完了していません')
    expect(d.eligible).toBe(false)
  })

  it("gives a 'window' rule's items their own window", () => {
    const p = withTerms({ rules: [{ id: 'shoes-30', kind: 'window', windowDays: 30, match: { productTypes: ['shoes'] }, label: { ja: '靴は30日間', en: 'shoes: 30 days' } }] })
    const d = evaluateReturn(p, request({}, [line({ productType: 'Shoes' }), line({ lineId: 'L2' })]), jst('2026-11-20T12:00:00'))
    expect(d.lines[0]).toMatchObject({ returnable: true, rule: 'shoes-30', windowEndsAt: '2026-11-30T14:59:59.999Z' })
    expect(d.lines[0]!.why.ja).toContain('靴は30日間')
    expect(d.lines[1]).toMatchObject({ returnable: false, rule: null })
  })
})

describe('brand rules under return terms (返品特約)', () => {
  const sale = withTerms({ rules: [{ id: 'sale-2026-11', kind: 'final_sale', match: { tags: ['SALE'] }, since: '2026-11-01' }] })
  const saleLine = line({ tags: ['sale', 'cotton'], deliveredAt: '2026-11-05T10:00:00+09:00' })

  it('final sale since a date: older orders keep the terms they bought under', () => {
    const before = evaluateReturn(sale, request({ order: { placedAt: '2026-10-31T23:59:00+09:00', currency: 'JPY', total: 4_980 } }, [saleLine]), jst('2026-11-06T12:00:00'))
    expect(before.lines[0]).toMatchObject({ returnable: true, rule: null })

    // 15:00 UTC on 31 October is midnight on 1 November in Tokyo: the rule applies.
    const after = evaluateReturn(sale, request({ order: { placedAt: '2026-10-31T15:00:00Z', currency: 'JPY', total: 4_980 } }, [saleLine]), jst('2026-11-06T12:00:00'))
    expect(after.lines[0]).toMatchObject({ returnable: false, quantity: 0, rule: 'sale-2026-11', windowEndsAt: null })
    expect(after.lines[0]!.why.en).toBe('not returnable: final sale since 2026-11-01')
    expect(after.lines[0]!.why.ja).toBe('返品できません：2026年11月1日以降のご注文はセール品のため返品不可です')
    expect(after.explanation.en.join('\n')).toContain('2026-11-01')
    expect(after.explanation.ja.join('\n')).toContain('2026年11月1日')
  })

  it('hygiene items come back only unopened', () => {
    const p = withTerms({ rules: [{ id: 'hygiene', kind: 'hygiene', match: { productTypes: ['下着', 'コスメ'] } }] })
    const d = evaluateReturn(p, request({}, [line({ productType: 'コスメ', condition: 'unopened' }), line({ lineId: 'L2', productType: 'コスメ', condition: 'opened' }), line({ lineId: 'L3', productType: '下着', condition: 'used' })]), jst('2026-11-03T12:00:00'))
    expect(d.lines.map((l) => l.returnable)).toEqual([true, false, false])
    expect(d.lines.map((l) => l.rule)).toEqual(['hygiene', 'hygiene', 'hygiene'])
    expect(d.lines[0]!.why.en).toContain('returnable because unopened')
    expect(d.lines[1]!.why.en).toBe('not returnable: hygiene item, returnable only unopened (this one is opened)')
    expect(d.lines[1]!.why.ja).toBe('返品できません：衛生用品のため、未開封の場合のみ返品をお受けします（商品の状態：開封済み）')
    // A defect is the shop's fault: opened or not, it comes back.
    expect(evaluateReturn(p, request({ reason: 'defective' }, [line({ productType: 'コスメ', condition: 'opened' })]), jst('2026-11-03T12:00:00')).lines[0]!.returnable).toBe(true)
  })

  it('made to order: refused for the customer’s reasons, returnable for the shop’s faults', () => {
    const p = withTerms({ rules: [{ id: 'mto', kind: 'made_to_order', match: { skus: ['SOFA-CUSTOM'] }, label: { ja: 'オーダーソファ', en: 'custom sofa' } }] })
    const sofa = [line({ sku: 'SOFA-CUSTOM', unitPrice: 180_000 })]
    const at = jst('2026-11-03T12:00:00')
    for (const reason of ['size_fit', 'changed_mind', 'other']) {
      const d = evaluateReturn(p, request({ reason }, sofa), at)
      expect(d.lines[0]).toMatchObject({ returnable: false, rule: 'mto' })
      expect(d.lines[0]!.why.en).toBe('not returnable: made to order (custom sofa); only a defect, damage in transit or a wrong item can be returned')
      expect(d.lines[0]!.why.ja).toBe('返品できません：オーダーソファ（受注生産品）のため、不良品・配送中の破損・誤配送の場合のみ返品をお受けします')
    }
    for (const reason of ['defective', 'damaged', 'wrong_item']) {
      const d = evaluateReturn(p, request({ reason }, sofa), at)
      expect(d.lines[0]).toMatchObject({ returnable: true, rule: 'mto' })
      expect(d.shippingPaidBy).toBe('brand')
      expect(d.lines[0]!.why.en).toContain('always returnable')
    }
  })

  it('a defect found after 8 days is returnable within the defect window, at the brand’s cost', () => {
    const at = jst('2026-11-20T12:00:00')
    const customer = evaluateReturn(sale, request(), at)
    expect(customer.lines[0]!.returnable).toBe(false)
    expect(customer.shippingPaidBy).toBe('customer')

    const defect = evaluateReturn(sale, request({ reason: 'defective' }), at)
    expect(defect.lines[0]).toMatchObject({ returnable: true, windowEndsAt: '2026-11-30T14:59:59.999Z' })
    expect(defect.shippingPaidBy).toBe('brand')
    expect(defect.reason).toEqual({ code: 'defective', fault: 'brand', photosRequired: true })
    expect(defect.lines[0]!.why.en).toBe('returnable until 2026-11-30 (30 days from delivery on 2026-11-01, the window for defects, damage and wrong items)')
    expect(defect.lines[0]!.why.ja).toBe('2026年11月30日まで返品できます（不良品・破損・誤配送はお届け日2026年11月1日から30日間）')
    expect(defect.explanation.en[1]).toContain('the shop pays return shipping; photos required')
    expect(evaluateReturn(sale, request({ reason: 'defective' }), jst('2026-12-01T00:00:00')).lines[0]!.returnable).toBe(false)
  })

  it('a final-sale item damaged in transit comes back despite the rule', () => {
    const d = evaluateReturn(sale, request({ reason: 'damaged', order: { placedAt: '2026-11-02T10:00:00+09:00', currency: 'JPY', total: 4_980 } }, [saleLine]), jst('2026-11-06T12:00:00'))
    expect(d.lines[0]).toMatchObject({ returnable: true, rule: 'sale-2026-11' })
    expect(d.lines[0]!.why.ja).toContain('セール品ですが、不良品・配送中の破損・誤配送の場合は返品をお受けします')
  })
})

describe('no return terms shown: the statutory 8-day right', () => {
  const rules: ReturnPolicyInput['rules'] = [
    { id: 'sale', kind: 'final_sale', match: { tags: ['sale'] } },
    { id: 'short', kind: 'window', windowDays: 3, match: { tags: ['sale'] } },
  ]
  const statutory = ReturnPolicy.parse({ rules, resolutions: { refund: false } })

  it('is what an empty policy means', () => {
    const p = ReturnPolicy.parse({})
    expect(p.terms).toBeNull()
    expect(p.windowDays).toBe(8)
    expect(p.reasons.map((r) => `${r.code}:${r.fault}`)).toEqual(['size_fit:customer', 'changed_mind:customer', 'defective:brand', 'damaged:brand', 'wrong_item:brand', 'other:customer'])
    const d = evaluateReturn(p, request({ reason: 'changed_mind' }), jst('2026-11-08T20:00:00'))
    expect(d.lines[0]!.returnable).toBe(true)
    expect(d.shippingPaidBy).toBe('customer')
    expect(d.explanation.en[0]).toBe('no return terms shown: the statutory 8-day right applies (特定商取引法15条の3)')
  })

  it('overrides a brand rule that would refuse (and a shorter window), and says why', () => {
    const d = evaluateReturn(statutory, request({}, [line({ tags: ['sale'] })]), jst('2026-11-07T12:00:00'))
    expect(d.lines[0]).toMatchObject({ returnable: true, rule: 'sale', windowEndsAt: '2026-11-08T14:59:59.999Z' })
    expect(d.lines[0]!.why.en).toContain('no return terms shown: the statutory 8-day right applies (特定商取引法15条の3)')
    expect(d.lines[0]!.why.en).toContain('the final sale rule does not restrict it')
    expect(d.lines[0]!.why.ja).toContain('特定商取引法15条の3による8日間の返品権が適用されます（セール品の設定は適用されません）')
    expect(d.explanation.en[0]).toContain('特定商取引法15条の3')
    // The same rules under terms refuse it.
    expect(evaluateReturn(ReturnPolicy.parse({ terms: TERMS, rules }), request({}, [line({ tags: ['sale'] })]), jst('2026-11-07T12:00:00')).lines[0]!.returnable).toBe(false)
  })

  it('offers a refund even when the brand turned refunds off (the statutory right is a refund)', () => {
    const d = evaluateReturn(statutory, request(), jst('2026-11-03T12:00:00'))
    expect(d.resolutions).toEqual(['exchange', 'store_credit', 'refund'])
    const underTerms = evaluateReturn(ReturnPolicy.parse({ terms: TERMS, resolutions: { refund: false } }), request(), jst('2026-11-03T12:00:00'))
    expect(underTerms.resolutions).toEqual(['exchange', 'store_credit'])
  })
})

describe('quantities, limits, flags and resolutions', () => {
  const policy = withTerms()
  const at = jst('2026-11-03T12:00:00')

  it('clamps the quantity to what is left and says so', () => {
    const d = evaluateReturn(policy, request({}, [line({ quantity: 5, purchased: 3, alreadyReturned: 1 })]), at)
    expect(d.lines[0]).toMatchObject({ returnable: true, quantity: 2 })
    expect(d.lines[0]!.why.en).toContain('5 requested, only 2 can be returned (3 bought, 1 already returned)')
    expect(d.lines[0]!.why.ja).toContain('ご希望の5点のうち、返品できるのは2点です（ご購入3点、返品済み1点）')
    const none = evaluateReturn(policy, request({}, [line({ quantity: 1, purchased: 2, alreadyReturned: 2 })]), at)
    expect(none.lines[0]).toMatchObject({ returnable: false, quantity: 0 })
    expect(none.lines[0]!.why.en).toBe('not returnable: all 2 already returned')
  })

  it('sends a customer at the return limit to a person, with a flag, without refusing', () => {
    const d = evaluateReturn(policy, request({ customer: { returnsLast90Days: 5 } }), at)
    expect(d.eligible).toBe(true)
    expect(d.approval).toBe('review')
    expect(d.flags.map((f) => f.kind)).toEqual(['limit_reached', 'many_returns'])
    // Without reviewIfFlagged the limit still goes to a person.
    const lax = withTerms({ approval: { reviewIfFlagged: false } })
    expect(evaluateReturn(lax, request({ customer: { returnsLast90Days: 5 } }), at).approval).toBe('review')
    expect(evaluateReturn(lax, request({ customer: { returnsLast90Days: 4 } }), at).approval).toBe('auto')
    expect(evaluateReturn(policy, request({ customer: { returnsLast90Days: 2 } }), at)).toMatchObject({ approval: 'auto', flags: [] })
  })

  it('reviews above the auto-approval amount, and flags high value', () => {
    expect(evaluateReturn(policy, request({}, [line({ unitPrice: 20_000 })]), at)).toMatchObject({ approval: 'auto', flags: [] })
    expect(evaluateReturn(policy, request({}, [line({ unitPrice: 20_001 })]), at)).toMatchObject({ approval: 'review', flags: [] })
    const big = evaluateReturn(policy, request({}, [line({ unitPrice: 30_000, quantity: 2, purchased: 2 })]), at)
    expect(big.approval).toBe('review')
    expect(big.flags).toEqual([{ kind: 'high_value', detail: { en: 'this return is worth ¥60,000, at or above ¥50,000', ja: '返品金額￥60,000が￥50,000以上です' } }])
    // Lines that cannot come back add nothing to the value.
    const mixed = evaluateReturn(policy, request({}, [line({ unitPrice: 1_000 }), line({ lineId: 'L2', unitPrice: 90_000, deliveredAt: null })]), at)
    expect(mixed).toMatchObject({ approval: 'auto', flags: [] })
  })

  it('flags an address mismatch', () => {
    const d = evaluateReturn(policy, request({ addressMatches: false }), at)
    expect(d.flags.map((f) => f.kind)).toEqual(['address_mismatch'])
    expect(d.approval).toBe('review')
    expect(d.flags[0]!.detail.ja).toContain('住所')
    expect(evaluateReturn(withTerms({ fraud: { addressMismatch: false } }), request({ addressMatches: false }), at).flags).toEqual([])
  })

  it('lets the customer keep a cheap item damaged in transit', () => {
    const p = withTerms({ keepItem: { maxUnitValue: 1_500 } })
    const cheap = evaluateReturn(p, request({ reason: 'damaged' }, [line({ unitPrice: 1_200 })]), at)
    expect(cheap.keepItem).toBe(true)
    expect(cheap.explanation.ja.join('')).toContain('ご返送は不要です')
    expect(evaluateReturn(p, request({ reason: 'damaged' }, [line({ unitPrice: 1_200 }), line({ lineId: 'L2', unitPrice: 2_000 })]), at).keepItem).toBe(false)
    expect(evaluateReturn(p, request({ reason: 'size_fit' }, [line({ unitPrice: 1_200 })]), at).keepItem).toBe(false)
    expect(evaluateReturn(withTerms(), request({ reason: 'damaged' }, [line({ unitPrice: 1_200 })]), at).keepItem).toBe(false)
  })

  it('offers only the enabled resolutions, and always a refund for the shop’s faults', () => {
    const p = withTerms({ resolutions: { exchange: false, storeCredit: { enabled: false }, refund: true } })
    expect(evaluateReturn(p, request(), at)).toMatchObject({ resolutions: ['refund'], storeCreditBonusPercent: 0 })
    const credit = withTerms({ resolutions: { refund: false, storeCredit: { bonusPercent: 15 } } })
    expect(evaluateReturn(credit, request(), at)).toMatchObject({ resolutions: ['exchange', 'store_credit'], storeCreditBonusPercent: 15 })
    expect(evaluateReturn(credit, request({ reason: 'wrong_item' }), at).resolutions).toEqual(['exchange', 'store_credit', 'refund'])
  })

  it('throws UnknownReturnReason for a code the policy lacks', () => {
    const run = () => evaluateReturn(policy, request({ reason: 'too_expensive' }), at)
    expect(run).toThrow(UnknownReturnReason)
    expect(run).toThrow(expect.objectContaining({ code: 'RETURN_REASON_UNKNOWN', kind: 'invalid_data', reasonCode: 'too_expensive' }))
  })

  it('explains every line in Japanese as well as English', () => {
    const p = withTerms({ rules: [{ id: 'sale', kind: 'final_sale', match: { tags: ['sale'] } }, { id: 'hyg', kind: 'hygiene', match: { tags: ['cosme'] } }] })
    const lines = [
      line(), line({ lineId: 'L2', tags: ['sale'] }), line({ lineId: 'L3', tags: ['cosme'], condition: 'opened' }), line({ lineId: 'L4', deliveredAt: null }),
      line({ lineId: 'L5', quantity: 3, purchased: 2 }), line({ lineId: 'L6', deliveredAt: '2026-10-01T10:00:00+09:00' }),
    ]
    const d = evaluateReturn(p, request({ addressMatches: false, customer: { returnsLast90Days: 6 } }, lines), at)
    expect(d.explanation.ja).toHaveLength(d.explanation.en.length)
    for (const l of d.lines) {
      expect(l.why.ja).toMatch(/[\u3040-\u30ff\u4e00-\u9fff]/)
      expect(l.why.en).toMatch(/^(not )?returnable/)
      expect(d.explanation.ja).toContain(`${l.lineId}：${l.why.ja}`)
    }
    for (const s of d.explanation.ja) expect(s).toMatch(/[\u3040-\u30ff\u4e00-\u9fff]/)
  })
})

describe('the policy schema', () => {
  it('refuses rules that would be ambiguous', () => {
    expect(ReturnPolicy.safeParse({ rules: [{ id: 'a', kind: 'final_sale', match: {} }] }).success).toBe(false)
    expect(ReturnPolicy.safeParse({ rules: [{ id: 'a', kind: 'window', match: { skus: ['X'] } }] }).success).toBe(false)
    expect(ReturnPolicy.safeParse({ rules: [{ id: 'a', kind: 'final_sale', windowDays: 3, match: { skus: ['X'] } }] }).success).toBe(false)
    expect(ReturnPolicy.safeParse({ rules: [{ id: 'a', kind: 'final_sale', match: { skus: ['X'] }, since: '2026-13-01' }] }).success).toBe(false)
    expect(ReturnPolicy.safeParse({ keepItem: { reasons: ['nope'] } }).success).toBe(false)
    expect(ReturnPolicy.safeParse({ resolutions: { exchange: false, refund: false, storeCredit: { enabled: false } } }).success).toBe(false)
    expect(ReturnPolicy.safeParse({ windowDays: 0 }).success).toBe(false)
    expect(ReturnPolicy.safeParse({ surprise: true }).success).toBe(false)
  })
})

// ------------------------------------------------------------------------------------ properties

const NOW_MIN = Date.UTC(2026, 9, 1)
const NOW_MAX = Date.UTC(2027, 2, 1)
const DAY = 86_400_000
const REASONS = ['size_fit', 'changed_mind', 'defective', 'damaged', 'wrong_item', 'other'] as const
const SKUS = ['A', 'B', 'C', 'D']
const TAGS = ['sale', 'cosme', 'custom', 'shoes', 'gift']

const ruleArb = fc.record({
  kind: fc.constantFrom('final_sale' as const, 'hygiene' as const, 'made_to_order' as const, 'window' as const),
  skus: fc.option(fc.subarray(SKUS, { minLength: 1 }), { nil: undefined }),
  tags: fc.subarray(TAGS, { minLength: 1 }),
  windowDays: fc.integer({ min: 1, max: 60 }),
  since: fc.option(fc.integer({ min: NOW_MIN - 60 * DAY, max: NOW_MAX }).map((ms) => new Date(ms).toISOString().slice(0, 10)), { nil: undefined }),
})

const policyArb = fc
  .record({
    terms: fc.boolean(),
    windowDays: fc.integer({ min: 1, max: 60 }),
    defectWindowDays: fc.integer({ min: 1, max: 90 }),
    rules: fc.array(ruleArb, { maxLength: 5 }),
    maxReturns: fc.option(fc.integer({ min: 1, max: 8 }), { nil: null }),
    keep: fc.option(fc.integer({ min: 0, max: 5_000 }), { nil: null }),
    refund: fc.boolean(),
  })
  .map((r) =>
    ReturnPolicy.parse({
      terms: r.terms ? TERMS : null,
      windowDays: r.windowDays,
      defectWindowDays: r.defectWindowDays,
      rules: r.rules.map((x, i) => ({ id: `r${i}`, kind: x.kind, match: { tags: x.tags, ...(x.skus ? { skus: x.skus } : {}) }, ...(x.kind === 'window' ? { windowDays: x.windowDays } : {}), ...(x.since ? { since: x.since } : {}) })),
      limits: { maxReturnsPer90Days: r.maxReturns },
      keepItem: { maxUnitValue: r.keep },
      resolutions: { refund: r.refund },
    }),
  )

/** A request around `now`: deliveries from 120 days before to a day after, many near the window edges. */
const caseArb = fc
  .record({
    now: fc.integer({ min: NOW_MIN, max: NOW_MAX }),
    placedBefore: fc.integer({ min: 0, max: 30 * DAY }),
    reason: fc.constantFrom(...REASONS),
    lines: fc.array(
      fc.record({
        sku: fc.constantFrom(...SKUS),
        tags: fc.subarray(TAGS),
        deliveredAgo: fc.option(fc.oneof(fc.integer({ min: -DAY, max: 120 * DAY }), fc.integer({ min: 6 * DAY, max: 9 * DAY }), fc.integer({ min: 28 * DAY, max: 31 * DAY })), { nil: null }),
        unitPrice: fc.integer({ min: 0, max: 60_000 }),
        quantity: fc.integer({ min: 0, max: 5 }),
        purchased: fc.integer({ min: 1, max: 5 }),
        alreadyReturned: fc.integer({ min: 0, max: 5 }),
        condition: fc.constantFrom('unopened' as const, 'opened' as const, 'used' as const, 'damaged' as const),
      }),
      { minLength: 1, maxLength: 5 },
    ),
    returns: fc.integer({ min: 0, max: 10 }),
    addressMatches: fc.boolean(),
  })
  .map((c) => {
    const input: ReturnInput = {
      order: { placedAt: new Date(c.now - (c.lines[0]!.deliveredAgo ?? 0) - c.placedBefore).toISOString(), currency: 'JPY', total: 0 },
      reason: c.reason,
      lines: c.lines.map((l, i) => line({
        lineId: `L${i}`, sku: l.sku, productId: `p_${l.sku}`, tags: l.tags, unitPrice: l.unitPrice, quantity: l.quantity,
        purchased: l.purchased, alreadyReturned: l.alreadyReturned, condition: l.condition,
        deliveredAt: l.deliveredAgo === null ? null : new Date(c.now - l.deliveredAgo).toISOString(),
      })),
      customer: { returnsLast90Days: c.returns },
      addressMatches: c.addressMatches,
    }
    return { input, now: new Date(c.now) }
  })

/** Tokyo has no DST since 1951: the last millisecond of day `days` from a delivery, computed independently. */
function tokyoDayEnd(deliveredAt: string, days: number): number {
  const nine = 9 * 3_600_000
  const localDay = Math.floor((Date.parse(deliveredAt) + nine) / DAY)
  return (localDay + days) * DAY - nine - 1
}

describe('properties', () => {
  it('a decision is a pure function of its inputs (and compiled = plain policy)', () => {
    fc.assert(
      fc.property(policyArb, caseArb, (policy, { input, now }) => {
        const inputCopy = structuredClone(input)
        const a = evaluateReturn(policy, input, now)
        const b = evaluateReturn(structuredClone(policy), structuredClone(input), new Date(now.getTime()))
        const c = evaluateReturn(compilePolicy(policy), input, now)
        expect(b).toEqual(a)
        expect(c).toEqual(a)
        expect(input).toEqual(inputCopy)
      }),
      { numRuns: 300 },
    )
  })

  it('returnable ⇒ now ≤ windowEndsAt; allowed quantity ≤ purchased − alreadyReturned', () => {
    fc.assert(
      fc.property(policyArb, caseArb, (policy, { input, now }) => {
        const d = evaluateReturn(policy, input, now)
        d.lines.forEach((l, i) => {
          const src = input.lines[i]!
          if (l.returnable) {
            expect(l.windowEndsAt).not.toBeNull()
            expect(now.getTime()).toBeLessThanOrEqual(Date.parse(l.windowEndsAt!))
            expect(l.quantity).toBeGreaterThan(0)
          } else expect(l.quantity).toBe(0)
          expect(l.quantity).toBeLessThanOrEqual(Math.max(0, src.purchased - src.alreadyReturned))
          expect(l.quantity).toBeLessThanOrEqual(src.quantity)
        })
        expect(d.eligible).toBe(d.lines.some((l) => l.returnable))
      }),
      { numRuns: 1000 },
    )
  })

  it("the shop's faults are never refused for a delivered line within defectWindowDays with quantity left", () => {
    fc.assert(
      fc.property(policyArb, caseArb, fc.constantFrom('defective', 'damaged', 'wrong_item'), (policy, { input, now }, reason) => {
        const d = evaluateReturn(policy, { ...input, reason }, now)
        expect(d.shippingPaidBy).toBe('brand')
        d.lines.forEach((l, i) => {
          const src = input.lines[i]!
          const within = src.deliveredAt !== null && now.getTime() <= tokyoDayEnd(src.deliveredAt, policy.defectWindowDays)
          if (within && src.quantity > 0 && src.purchased - src.alreadyReturned > 0) expect(l.returnable).toBe(true)
        })
        if (d.eligible) expect(d.resolutions).toContain('refund')
      }),
      { numRuns: 1000 },
    )
  })
})
