import { describe, expect, it } from 'vitest'
import { buildContext } from './context.js'

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
