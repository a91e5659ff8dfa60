import { describe, expect, it } from 'vitest'
import { buildContext, pickupSlotLabel } from './context.js'

const brand = { name: '木漏れ日珈琲', timezone: 'Asia/Tokyo' }

describe('buildContext extras', () => {
  it('adds a flow\'s coupon and products, and merges its links over the computed ones', () => {
    const ctx = buildContext({
      locale: 'ja',
      brand,
      links: { tracking: 'https://kando.test/t/abc', unsubscribe: 'https://kando.test/p/u1' },
      extras: {
        coupon: { code: 'WELCOMEBACK10', expiresAt: '12月31日(水)', description: '全商品10%オフ' },
        products: [{ title: 'ドリップバッグ 10個入り', url: 'https://shop.test/p/1', price: '¥2,600' }],
        links: { review: 'https://kando.test/r/abc', shop: 'https://shop.test/', tracking: 'https://kando.test/t/override' },
      },
    })
    expect(ctx.coupon).toEqual({ code: 'WELCOMEBACK10', expiresAt: '12月31日(水)', description: '全商品10%オフ' })
    expect(ctx.products).toEqual([{ title: 'ドリップバッグ 10個入り', url: 'https://shop.test/p/1', price: '¥2,600' }])
    expect(ctx.links).toEqual({
      tracking: 'https://kando.test/t/override',
      unsubscribe: 'https://kando.test/p/u1',
      review: 'https://kando.test/r/abc',
      shop: 'https://shop.test/',
    })
  })

  it('leaves out empty values, so templates see them as absent', () => {
    const links = { tracking: 'https://kando.test/t/abc' }
    const ctx = buildContext({
      locale: 'en',
      brand,
      links,
      extras: { coupon: { code: '  ', description: 'nothing' }, products: [{ title: '' }, { title: 'Beans', url: '', imageUrl: '' }], links: { tracking: '', nps: undefined } },
    })
    expect(ctx).not.toHaveProperty('coupon')
    expect(ctx.products).toEqual([{ title: 'Beans' }])
    expect(ctx.links).toEqual({ tracking: 'https://kando.test/t/abc' })
    expect(links).toEqual({ tracking: 'https://kando.test/t/abc' }) // the caller's object is not changed
  })

  it('without extras the context has no coupon, products or extra links', () => {
    const ctx = buildContext({ locale: 'ja', brand, links: { tracking: 'https://kando.test/t/abc' } })
    expect(ctx).not.toHaveProperty('coupon')
    expect(ctx).not.toHaveProperty('products')
    expect(ctx.links).toEqual({ tracking: 'https://kando.test/t/abc' })
  })
})

describe('buildContext return', () => {
  const approved = { number: 'R-1042-1', method: 'pickup', pickupDate: '2026-11-28', pickupSlot: '14-16', shippingPaidBy: 'brand', instant: true }

  it('formats the pickup day and slot in the locale and keeps the known words', () => {
    const ja = buildContext({ locale: 'ja', brand, links: {}, return: approved })
    expect(ja.return).toEqual({ number: 'R-1042-1', method: 'pickup', pickupDate: '11月28日(土)', pickupSlot: '14〜16時', shippingPaidBy: 'brand', instant: true })
    const en = buildContext({ locale: 'en', brand, links: {}, return: approved })
    expect(en.return).toMatchObject({ pickupDate: 'Sat, Nov 28', pickupSlot: '2-4 pm' })
  })

  it('every carrier slot has a label in both languages', () => {
    expect(['am', '14-16', '16-18', '18-20', '19-21'].map((s) => pickupSlotLabel(s, 'ja'))).toEqual(['午前中', '14〜16時', '16〜18時', '18〜20時', '19〜21時'])
    expect(['am', '14-16', '16-18', '18-20', '19-21'].map((s) => pickupSlotLabel(s, 'en'))).toEqual(['morning', '2-4 pm', '4-6 pm', '6-8 pm', '7-9 pm'])
  })

  it('an instant is shown as its day in the brand\'s zone', () => {
    const ctx = buildContext({ locale: 'ja', brand, links: {}, return: { ...approved, pickupDate: '2026-11-27T15:30:00Z' } })
    expect(ctx.return?.pickupDate).toBe('11月28日(土)')
  })

  it('formats credit and refund amounts in the order\'s currency, and leaves out unknown words and empty values', () => {
    const ctx = buildContext({
      locale: 'ja', brand, links: {},
      return: { number: 'R-1042-1', method: 'teleport', shippingPaidBy: 'nobody', resolution: 'store_credit', creditCode: 'KC-ABC', creditAmount: 3560, refundAmount: 0, pickupDate: '2026-11-28', instant: null },
    })
    expect(ctx.return).toEqual({ number: 'R-1042-1', resolution: 'store_credit', creditCode: 'KC-ABC', creditAmount: '￥3,560' })
    const usd = buildContext({ locale: 'en', brand, links: {}, return: { resolution: 'refund', refundAmount: 3560, currency: 'USD' } })
    expect(usd.return).toEqual({ resolution: 'refund', refundAmount: '$35.60' })
  })

  it('dropoff and keep carry no pickup day', () => {
    const ctx = buildContext({ locale: 'ja', brand, links: {}, return: { ...approved, method: 'dropoff' } })
    expect(ctx.return).not.toHaveProperty('pickupDate')
    expect(ctx.return).not.toHaveProperty('pickupSlot')
  })
})
