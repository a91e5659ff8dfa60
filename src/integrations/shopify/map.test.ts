import { readFileSync, readdirSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { isSafeNumber, parse } from 'lossless-json'
import { AppError } from '../../platform/errors.js'
import { OrderInput } from '../../modules/orders/schemas.js'
import { ShopifyPayloadError, mapShopifyFulfillment, mapShopifyOrder, mapShopifyRefund, parseShopifyJson } from './map.js'

const fixtureDir = new URL('./fixtures/', import.meta.url)
const raw = (name: string) => readFileSync(new URL(name, fixtureDir))
const fixture = (name: string) => parseShopifyJson(raw(name)) as Record<string, unknown>
/** A deep copy of a fixture with some top-level fields replaced. */
const variant = (name: string, changes: Record<string, unknown>) => ({ ...structuredClone(fixture(name)), ...changes })

const ORDER_FIXTURES = readdirSync(fixtureDir).filter((f) => f.startsWith('orders-') || f.startsWith('jp-order-'))

function payloadError(fn: () => unknown): ShopifyPayloadError {
  try {
    fn()
  } catch (err) {
    expect(err).toBeInstanceOf(ShopifyPayloadError)
    return err as ShopifyPayloadError
  }
  throw new Error('expected a ShopifyPayloadError')
}

describe('parseShopifyJson', () => {
  it('keeps 64-bit ids exact as decimal strings and safe numbers as numbers', () => {
    const body = '{"id":820982911946154508,"number":234,"total_weight":0,"subtotal":89.99,"tax":0.0,"neg":-5,"ok":true,"n":null}'
    expect(JSON.parse(body).id).toBe(820982911946154500) // what plain JSON.parse does to the id
    expect(parseShopifyJson(body)).toEqual({
      id: '820982911946154508',
      number: 234,
      total_weight: 0,
      subtotal: 89.99,
      tax: 0,
      neg: -5,
      ok: true,
      n: null,
    })
  })

  it('treats the edge of the safe range correctly', () => {
    expect(parseShopifyJson('[9007199254740991, 9007199254740992, 9007199254740993]')).toEqual([
      9007199254740991,
      '9007199254740992',
      '9007199254740993',
    ])
  })

  it('reads Buffers, with or without a byte-order mark, and Japanese text', () => {
    expect(parseShopifyJson(Buffer.from('{"province":"東京都","id":115310627314723954}'))).toEqual({
      province: '東京都',
      id: '115310627314723954',
    })
    expect(parseShopifyJson(Buffer.from('\ufeff{"a":1}'))).toEqual({ a: 1 })
  })

  it('keeps the big ids of the documented orders/create sample exact', () => {
    const order = fixture('orders-create.sample.json')
    expect(order.id).toBe('820982911946154508')
    expect((order.customer as Record<string, unknown>).id).toBe('115310627314723954')
    expect((order.line_items as Array<Record<string, unknown>>).map((l) => l.id)).toEqual([
      '487817672276298554',
      '789012345678901234',
      '890123456789012345',
      '976318377106520349',
      '315789986012684393',
    ])
    expect(order.number).toBe(234)
  })

  it('throws SyntaxError on bad JSON', () => {
    expect(() => parseShopifyJson('{"id": 1,')).toThrow(SyntaxError)
    expect(() => parseShopifyJson('')).toThrow(SyntaxError)
    expect(() => parseShopifyJson("{'id': 1}")).toThrow(SyntaxError)
  })

  it('does not let a __proto__ key change the prototype', () => {
    const parsed = parseShopifyJson('{"__proto__":{"polluted":true},"id":1}') as Record<string, unknown>
    expect(Object.getPrototypeOf(parsed)).toBe(Object.prototype)
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
  })

  it('resolves duplicate keys like JSON.parse (last wins)', () => {
    expect(parseShopifyJson('{"a":1,"a":2}')).toEqual({ a: 2 })
  })
})

describe('fixtures', () => {
  it('write big ids as bare JSON numbers, as Shopify sends them', () => {
    expect(raw('orders-create.sample.json').toString()).toMatch(/"id": 820982911946154508,/)
    expect(raw('orders-create.sample.json').toString()).toMatch(/"id": 115310627314723954,/)
    expect(raw('fulfillments-create.sample.json').toString()).toMatch(/"order_id": 820982911946154508,/)
    expect(raw('refunds-create.sample.json').toString()).toMatch(/"id": 890088186047892319,/)
  })

  it.each(ORDER_FIXTURES)('%s maps to a valid OrderInput', (name) => {
    const { input } = mapShopifyOrder(fixture(name))
    const parsed = OrderInput.parse(input)
    expect(parsed.source).toBe('shopify')
    expect(parsed.lines.length).toBeGreaterThan(0)
    // Nothing optional is sent as null.
    expect(JSON.stringify(input)).not.toContain('null')
  })

  it('include the ones this suite depends on', () => {
    expect(ORDER_FIXTURES).toEqual(
      expect.arrayContaining(['orders-create.sample.json', 'jp-order-paid-tokyo.json', 'jp-order-cod-partial.json', 'jp-order-cancelled-osaka.json']),
    )
  })
})

describe('mapShopifyOrder: the documented orders/create sample', () => {
  const result = mapShopifyOrder(fixture('orders-create.sample.json'))
  const { input } = result

  it('maps ids, number, dates and currency', () => {
    expect(input.externalId).toBe('820982911946154508')
    expect(input.source).toBe('shopify')
    expect(input.number).toBe('#9999')
    expect(input.placedAt).toBe('2021-12-31T19:00:00-05:00')
    expect(input.currency).toBe('USD')
    expect(result.sourceUpdatedAt).toBe('2021-12-31T19:00:00-05:00')
  })

  it('maps totals from the current_* fields, in cents', () => {
    expect(input.total).toBe(41495)
    expect(input.subtotal).toBe(41495)
    expect(input.shippingTotal).toBe(1000)
    expect(input.taxTotal).toBe(0)
    expect(input.discountTotal).toBe(0)
  })

  it('maps the five lines with exact ids', () => {
    expect(input.lines).toEqual([
      { externalId: '487817672276298554', sku: 'SKU2006-001', externalProductId: '788032119674292922', title: 'Aviator sunglasses', quantity: 1, unitPrice: 8999, discount: 0, requiresShipping: true, shippedQuantity: 0 },
      { externalId: '789012345678901234', sku: 'LENS-PROTECT-2YR', title: 'Lens Protection Plan (2 Year)', quantity: 1, unitPrice: 1999, discount: 0, requiresShipping: true, shippedQuantity: 0 },
      { externalId: '890123456789012345', sku: 'CASE-LEATHER-PREM', title: 'Premium Leather Case', quantity: 1, unitPrice: 2499, discount: 0, requiresShipping: true, shippedQuantity: 0 },
      { externalId: '976318377106520349', sku: 'SKU2006-020', externalProductId: '788032119674292922', title: 'Mid-century lounger', quantity: 1, unitPrice: 15999, discount: 0, requiresShipping: true, shippedQuantity: 0 },
      { externalId: '315789986012684393', sku: 'SKU2006-035', externalProductId: '788032119674292922', title: 'Coffee table', quantity: 1, unitPrice: 11999, discount: 0, requiresShipping: true, shippedQuantity: 0 },
    ])
  })

  it('maps the customer and addresses', () => {
    expect(input.customer).toEqual({
      externalId: '115310627314723954',
      email: 'john@example.com',
      firstName: 'John',
      lastName: 'Smith',
      locale: 'en',
      acceptsMarketing: true, // buyer_accepts_marketing: the customer object carries no consent
    })
    expect(input.shippingAddress).toEqual({
      name: 'Steve Shipper',
      company: 'Shipping Company',
      postalCode: '40003',
      region: 'Kentucky',
      city: 'Shippington',
      address1: '123 Shipping Street',
      phone: '555-555-SHIP',
      country: 'US',
    })
    expect(result.warnings).toEqual(['no usable phone number among ["555-555-SHIP"]'])
  })

  it('maps tags, status and target: a voided, cancelled order', () => {
    expect(input.tags).toEqual(['tag1', 'tag2'])
    expect(input.attributes).toEqual({})
    expect(input.status).toBe('placed')
    expect(result.target).toBe('cancelled')
  })

  it('refuses the sample when parsed with plain JSON.parse, which rounds the id', () => {
    const lossy = JSON.parse(raw('orders-create.sample.json').toString())
    const err = payloadError(() => mapShopifyOrder(lossy))
    expect(err.field).toBe('id')
    expect(err.message).toMatch(/820982911946154500.*not an exact id/)
  })
})

describe('mapShopifyOrder: Japanese orders', () => {
  it('maps a paid card order to Tokyo', () => {
    const { input, target, sourceUpdatedAt, warnings } = mapShopifyOrder(fixture('jp-order-paid-tokyo.json'))
    expect(input).toMatchObject({
      externalId: '6123456789012',
      number: '#1001',
      placedAt: '2025-03-14T10:21:33+09:00',
      currency: 'JPY',
      total: 5980,
      subtotal: 5500,
      shippingTotal: 480,
      taxTotal: 451,
      discountTotal: 0,
      landingSite: '/products/coffee-beans?utm_source=instagram&utm_medium=social&utm_campaign=spring_2025',
      referringSite: 'https://www.instagram.com/',
      tags: ['定期便', 'VIP'],
      attributes: { 配送希望日: '2025-03-18', 配送時間帯: '14-16時' },
      status: 'confirmed',
    })
    expect(input.note).toBeUndefined()
    expect(input.customer).toEqual({
      externalId: '7012345678901',
      email: 'hanako.sato@example.jp',
      phone: '+819012345678', // from shipping_address.phone: customer.phone and order.phone are null
      firstName: '花子',
      lastName: '佐藤',
      locale: 'ja',
      acceptsMarketing: true,
    })
    expect(input.shippingAddress).toEqual({
      name: '佐藤 花子',
      postalCode: '150-0002',
      prefectureCode: '13',
      region: '東京都',
      city: '渋谷区',
      address1: '渋谷2-21-1',
      address2: '渋谷ヒカリエ 11F',
      phone: '+819012345678',
      country: 'JP',
    })
    expect(input.lines).toEqual([
      {
        externalId: '14234567890123',
        sku: 'COF-BEAN-200-M',
        externalProductId: '8123456789012',
        externalVariantId: '44123456789012',
        title: '定期便 スペシャルティコーヒー豆',
        variantTitle: '200g / 中挽き',
        quantity: 2,
        unitPrice: 1980,
        discount: 0,
        requiresShipping: true,
        shippedQuantity: 0,
      },
      {
        // sku "" and variant_title "Default Title" are left out
        externalId: '14234567890124',
        externalProductId: '8123456789013',
        externalVariantId: '44123456789013',
        title: 'ドリップバッグ 10袋入り',
        quantity: 1,
        unitPrice: 1540,
        discount: 0,
        requiresShipping: true,
        shippedQuantity: 0,
      },
    ])
    expect(target).toBe('confirmed')
    expect(sourceUpdatedAt).toBe('2025-03-14T10:22:05+09:00')
    expect(warnings).toEqual([])
  })

  it('maps a cash-on-delivery order typed in full-width characters, partly shipped', () => {
    const { input, target, warnings } = mapShopifyOrder(fixture('jp-order-cod-partial.json'))
    expect(input.status).toBe('confirmed') // financial_status is pending, but 代金引換 counts as confirmed
    expect(target).toBe('partially_shipped')
    expect(input).toMatchObject({ total: 5980, subtotal: 5190, shippingTotal: 790, taxTotal: 544, discountTotal: 300 })
    expect(input.customer).toEqual({
      externalId: '7012345678902',
      email: 'taro.yamada@example.com',
      phone: '+819012345678', // from the full-width order.phone ０９０－１２３４－５６７８
      firstName: '太郎',
      lastName: '山田',
      locale: 'ja', // customer_locale ja-JP
      acceptsMarketing: false,
    })
    expect(input.shippingAddress).toEqual({
      name: '山田 太郎',
      company: '株式会社ＡＢＣ',
      postalCode: '150-0002', // zip 1500002
      prefectureCode: '13', // province 東京都, no province_code
      region: '東京都',
      city: '渋谷区',
      address1: '渋谷２丁目２１－１',
      address2: 'ＡＢＣビル３Ｆ', // kept as written
      phone: '+819012345678',
      country: 'JP',
    })
    expect(input.billingAddress).toMatchObject({ postalCode: '150-0002', prefectureCode: '13', region: '東京都', city: '東京都渋谷区' })
    expect(input.lines).toEqual([
      expect.objectContaining({ sku: 'SET-DRIP-START', quantity: 1, unitPrice: 4280, discount: 300, requiresShipping: true, shippedQuantity: 1 }),
      expect.objectContaining({ sku: 'FLT-100', quantity: 2, unitPrice: 440, discount: 0 }),
      expect.objectContaining({ title: '代引手数料', unitPrice: 330, requiresShipping: false }),
    ])
    expect(input.lines[0]).not.toHaveProperty('variantTitle') // null
    expect(input.lines[1]).not.toHaveProperty('variantTitle') // Default Title
    expect(input.lines[2]).not.toHaveProperty('sku') // null
    expect(input.tags).toEqual(['ギフト', '代引き']) // "ギフト,  代引き , "
    expect(input.note).toBe('不在時は宅配ボックスへお願いします。')
    expect(input.attributes).toEqual({ 配送希望日: '2025-03-20', 配送時間帯: '14-16時', のし: '不要' })
    expect(input.landingSite).toBe('/?utm_source=line&utm_medium=message&utm_campaign=welcome')
    expect(input).not.toHaveProperty('referringSite') // ""
    expect(warnings).toEqual([])
  })

  it('maps a cancelled and refunded order to Osaka', () => {
    const { input, target } = mapShopifyOrder(fixture('jp-order-cancelled-osaka.json'))
    expect(target).toBe('cancelled')
    expect(input.status).toBe('confirmed') // financial_status refunded: it had been paid
    expect(input.total).toBe(0) // current_total_price after the cancellation
    expect(input.lines[0]).toMatchObject({ quantity: 2, unitPrice: 1410, variantTitle: '200g / Whole bean' }) // current_quantity is 0
    expect(input.shippingAddress).toMatchObject({
      name: 'Emily Clark', // Latin names keep Shopify's order
      postalCode: '530-0001',
      prefectureCode: '27',
      region: '大阪府',
      city: '大阪市北区',
      phone: '+81661234567',
    })
    expect(input.customer).toMatchObject({ phone: '+818098765432', locale: 'en', acceptsMarketing: true })
    expect(input.tags).toEqual([])
  })
})

describe('mapShopifyOrder: rules', () => {
  const paid = 'jp-order-paid-tokyo.json'

  it('derives the target from fulfillment_status unless cancelled', () => {
    expect(mapShopifyOrder(variant(paid, { fulfillment_status: 'fulfilled' })).target).toBe('shipped')
    expect(mapShopifyOrder(variant(paid, { fulfillment_status: 'partial' })).target).toBe('partially_shipped')
    expect(mapShopifyOrder(variant(paid, { fulfillment_status: 'restocked' })).target).toBe('confirmed')
    expect(mapShopifyOrder(variant(paid, { fulfillment_status: 'fulfilled', cancelled_at: '2025-03-15T10:00:00+09:00' })).target).toBe('cancelled')
    expect(mapShopifyOrder(variant(paid, { financial_status: 'pending' })).target).toBe('placed')
  })

  it('confirms paid, authorized and refunded orders and cash on delivery, not pending ones', () => {
    const status = (changes: Record<string, unknown>) => mapShopifyOrder(variant(paid, changes)).input.status
    for (const financial of ['paid', 'partially_paid', 'authorized', 'partially_refunded', 'refunded']) {
      expect(status({ financial_status: financial })).toBe('confirmed')
    }
    for (const financial of ['pending', 'voided', 'expired', null]) {
      expect(status({ financial_status: financial })).toBe('placed')
    }
    expect(status({ financial_status: 'pending', payment_gateway_names: ['Cash on Delivery (COD)'] })).toBe('confirmed')
    expect(status({ financial_status: 'pending', payment_gateway_names: ['代金引換'] })).toBe('confirmed')
    expect(status({ financial_status: 'pending', payment_gateway_names: [], gateway: '代引き' })).toBe('confirmed')
    expect(status({ financial_status: 'pending', payment_gateway_names: ['bank_transfer', 'コンビニ決済'] })).toBe('placed')
  })

  it('falls back to total_price, subtotal_price, shipping_lines and created_at', () => {
    const order = variant(paid, {
      current_total_price: undefined,
      current_subtotal_price: undefined,
      current_total_tax: undefined,
      current_total_discounts: undefined,
      total_price: '5980.00',
      subtotal_price: '5500.00',
      total_tax: '451',
      total_discounts: '0',
      total_shipping_price_set: undefined,
      processed_at: null,
    })
    const { input } = mapShopifyOrder(order)
    expect(input).toMatchObject({ total: 5980, subtotal: 5500, shippingTotal: 480, taxTotal: 451, discountTotal: 0 })
    expect(input.placedAt).toBe('2025-03-14T10:21:33+09:00')
  })

  it('reads the prefecture from a romaji province when there is no province_code', () => {
    const order = variant(paid, {
      shipping_address: { ...(fixture(paid).shipping_address as object), province: 'Ōsaka', province_code: null, zip: '〒５３０ー０００１' },
    })
    expect(mapShopifyOrder(order).input.shippingAddress).toMatchObject({ prefectureCode: '27', region: '大阪府', postalCode: '530-0001' })
  })

  it('leaves out a Japanese postal code that is not 7 digits, with a warning', () => {
    const order = variant(paid, { shipping_address: { ...(fixture(paid).shipping_address as object), zip: '150-002' } })
    const { input, warnings } = mapShopifyOrder(order)
    expect(input.shippingAddress).not.toHaveProperty('postalCode')
    expect(warnings).toEqual(['shipping_address.zip "150-002" is not a 7-digit Japanese postal code; left out'])
    expect(() => OrderInput.parse(input)).not.toThrow()
  })

  it('builds the customer from the order email when there is no customer object', () => {
    const { input } = mapShopifyOrder(variant(paid, { customer: null, email: 'Guest@Example.COM', customer_locale: 'fr' }))
    expect(input.customer).toEqual({ email: 'guest@example.com', phone: '+819012345678', acceptsMarketing: true })
  })

  it('omits empty optional fields instead of sending null', () => {
    const { input } = mapShopifyOrder(
      variant(paid, {
        name: null,
        note: '   ',
        landing_site: '',
        referring_site: null,
        tags: '',
        note_attributes: null,
        customer: null,
        email: null,
        contact_email: null,
        shipping_address: null,
        billing_address: null,
        buyer_accepts_marketing: null,
        phone: null,
      }),
    )
    expect(Object.keys(input).sort()).toEqual(
      ['attributes', 'currency', 'discountTotal', 'externalId', 'lines', 'placedAt', 'shippingTotal', 'source', 'status', 'subtotal', 'tags', 'taxTotal', 'total'].sort(),
    )
    expect(() => OrderInput.parse(input)).not.toThrow()
  })

  it('stringifies non-string note attribute values and skips nameless ones', () => {
    const { input } = mapShopifyOrder(
      variant(paid, { note_attributes: [{ name: 'ギフト', value: true }, { name: '個数', value: 3 }, { name: '', value: 'x' }, { name: 'empty', value: null }] }),
    )
    expect(input.attributes).toEqual({ ギフト: 'true', 個数: '3' })
  })
})

describe('mapShopifyOrder: unusable payloads', () => {
  const paid = 'jp-order-paid-tokyo.json'

  it('rejects non-objects', () => {
    expect(payloadError(() => mapShopifyOrder(null)).message).toMatch(/is missing/)
    expect(payloadError(() => mapShopifyOrder([1, 2])).message).toMatch(/must be a JSON object/)
    expect(payloadError(() => mapShopifyOrder('{"id":1}')).message).toMatch(/must be a JSON object/)
  })

  it('names the missing or bad field', () => {
    const cases: Array<[Record<string, unknown>, string, RegExp]> = [
      [{ id: undefined }, 'id', /is missing/],
      [{ id: 'order-1' }, 'id', /not a Shopify id/],
      [{ line_items: undefined }, 'line_items', /is missing/],
      [{ line_items: [] }, 'line_items', /is empty/],
      [{ line_items: {} }, 'line_items', /must be an array/],
      [{ currency: null }, 'currency', /is missing/],
      [{ currency: '円' }, 'currency', /ISO 4217/],
      [{ processed_at: null, created_at: null }, 'created_at', /is missing/],
      [{ processed_at: '2025/03/14 10:21' }, 'processed_at', /ISO 8601/],
      [{ current_total_price: null, total_price: null }, 'total_price', /is missing/],
      [{ current_total_price: '5980.5' }, 'current_total_price', /JPY has 0 fraction digits/],
      [{ current_total_price: '-1' }, 'current_total_price', /must not be negative/],
    ]
    for (const [changes, field, message] of cases) {
      const err = payloadError(() => mapShopifyOrder(variant(paid, changes)))
      expect(err.field).toBe(field)
      expect(err.message).toMatch(message)
      expect(err.message).toContain(field)
    }
  })

  it('names the bad line field', () => {
    const lines = (fixture(paid).line_items as Array<Record<string, unknown>>).map((l) => ({ ...l }))
    const broken = (i: number, changes: Record<string, unknown>) => {
      const copy = structuredClone(lines)
      Object.assign(copy[i] as object, changes)
      return variant(paid, { line_items: copy })
    }
    expect(payloadError(() => mapShopifyOrder(broken(1, { price: 'abc', price_set: null }))).field).toBe('line_items[1].price')
    expect(payloadError(() => mapShopifyOrder(broken(0, { quantity: 0 }))).field).toBe('line_items[0].quantity')
    expect(payloadError(() => mapShopifyOrder(broken(0, { title: '', name: null }))).field).toBe('line_items[0].title')
    expect(payloadError(() => mapShopifyOrder(broken(0, { product_id: 1.5 }))).field).toBe('line_items[0].product_id')
  })

  it('is an AppError the HTTP layer maps to 422, with a JSON pointer', () => {
    const lines = structuredClone(fixture(paid).line_items) as Array<Record<string, unknown>>
    Object.assign(lines[0] as object, { price: '19.999', price_set: null })
    const err = payloadError(() => mapShopifyOrder(variant(paid, { line_items: lines })))
    expect(err).toBeInstanceOf(AppError)
    expect(err).toBeInstanceOf(Error)
    expect(err.name).toBe('ShopifyPayloadError')
    expect(err.kind).toBe('invalid_data')
    expect(err.code).toBe('SHOPIFY_PAYLOAD_INVALID')
    expect(err.fields?.[0]?.pointer).toBe('/line_items/0/price')
  })
})

describe('mapShopifyFulfillment', () => {
  it('maps the documented fulfillments/create sample', () => {
    expect(mapShopifyFulfillment(fixture('fulfillments-create.sample.json'))).toEqual({
      orderExternalId: '820982911946154508',
      fulfillmentId: '123456',
      status: 'pending',
      shipmentStatus: undefined,
      trackingCompany: 'UPS',
      trackingNumbers: ['1z827wk74630'],
      trackingUrls: ['https://www.ups.com/WebTracking?loc=en_US&requester=ST&trackNums=1z827wk74630'],
      lines: [
        { externalLineId: '487817672276298554', sku: 'SKU2006-001', quantity: 1 },
        { externalLineId: '789012345678901234', sku: 'LENS-PROTECT-2YR', quantity: 1 },
        { externalLineId: '890123456789012345', sku: 'CASE-LEATHER-PREM', quantity: 1 },
        { externalLineId: '976318377106520349', sku: 'SKU2006-020', quantity: 1 },
        { externalLineId: '315789986012684393', sku: 'SKU2006-035', quantity: 1 },
      ],
      updatedAt: '2021-12-31T19:00:00-05:00',
    })
  })

  it('maps a Yamato shipment of a Japanese order', () => {
    expect(mapShopifyFulfillment(fixture('jp-fulfillment-yamato.json'))).toEqual({
      orderExternalId: '6123456789013',
      fulfillmentId: '5212345678901',
      status: 'success',
      shipmentStatus: 'confirmed',
      trackingCompany: 'ヤマト運輸',
      trackingNumbers: ['412345678901'],
      trackingUrls: ['https://jizen.kuronekoyamato.co.jp/jizen/servlet/crjz.b.NQ0010?id=412345678901'],
      lines: [{ externalLineId: '14234567890201', sku: 'SET-DRIP-START', quantity: 1 }],
      updatedAt: '2025-03-16T15:40:12+09:00',
    })
  })

  it('merges tracking_number into tracking_numbers and drops empty values', () => {
    const f = { ...fixture('jp-fulfillment-yamato.json'), tracking_numbers: ['412345678901', '', '412345678902'], tracking_number: '412345678901', tracking_urls: null, tracking_url: null, tracking_company: '' }
    const mapped = mapShopifyFulfillment(f)
    expect(mapped.trackingNumbers).toEqual(['412345678901', '412345678902'])
    expect(mapped.trackingUrls).toEqual([])
    expect(mapped.trackingCompany).toBeUndefined()
  })

  it('leaves out an empty sku and a missing updated_at', () => {
    const f = fixture('jp-fulfillment-yamato.json')
    const lines = structuredClone(f.line_items) as Array<Record<string, unknown>>
    Object.assign(lines[0] as object, { sku: '' })
    const mapped = mapShopifyFulfillment({ ...f, line_items: lines, updated_at: null })
    expect(mapped.lines).toEqual([{ externalLineId: '14234567890201', quantity: 1 }])
    expect(mapped).not.toHaveProperty('updatedAt')
  })

  it('rejects unusable fulfillments, naming the field', () => {
    const f = fixture('fulfillments-create.sample.json')
    expect(payloadError(() => mapShopifyFulfillment({ ...f, order_id: null })).field).toBe('order_id')
    expect(payloadError(() => mapShopifyFulfillment({ ...f, id: undefined })).field).toBe('id')
    expect(payloadError(() => mapShopifyFulfillment({ ...f, status: '' })).field).toBe('status')
    expect(payloadError(() => mapShopifyFulfillment({ ...f, line_items: undefined })).field).toBe('line_items')
    expect(payloadError(() => mapShopifyFulfillment({ ...f, line_items: [] })).field).toBe('line_items')
    expect(payloadError(() => mapShopifyFulfillment({ ...f, line_items: [{ quantity: 1 }] })).field).toBe('line_items[0].id')
    expect(payloadError(() => mapShopifyFulfillment(JSON.parse(raw('fulfillments-create.sample.json').toString()))).field).toBe('order_id')
  })
})

describe('mapShopifyRefund', () => {
  it('maps the documented refunds/create sample: successful refund transactions', () => {
    expect(mapShopifyRefund(fixture('refunds-create.sample.json'))).toEqual({
      orderExternalId: '820982911946154508',
      refundId: '890088186047892319',
      currency: 'USD', // the payload has no currency field; from subtotal_set.shop_money
      amount: 8500, // 75.00 + 10.00
      lines: [
        { externalLineId: '487817672276298554', quantity: 1 },
        { externalLineId: '789012345678901234', quantity: 1 },
        { externalLineId: '890123456789012345', quantity: 1 },
        { externalLineId: '976318377106520349', quantity: 1 },
        { externalLineId: '315789986012684393', quantity: 1 },
      ],
      note: 'Things were damaged',
      createdAt: '2021-12-31T19:00:00-05:00',
    })
  })

  it('falls back to the refund line subtotals when there are no refund transactions', () => {
    const r = { ...fixture('refunds-create.sample.json'), transactions: [] }
    expect(mapShopifyRefund(r).amount).toBe(8999 + 1999 + 2499 + 15999 + 11999)
  })

  it('counts only successful refund transactions', () => {
    const r = fixture('refunds-create.sample.json')
    const txns = structuredClone(r.transactions) as Array<Record<string, unknown>>
    Object.assign(txns[1] as object, { status: 'failure' })
    expect(mapShopifyRefund({ ...r, transactions: txns }).amount).toBe(7500)
    Object.assign(txns[0] as object, { status: 'pending' })
    expect(mapShopifyRefund({ ...r, transactions: txns }).amount).toBe(0) // no money moved yet
  })

  it('maps a yen refund of a Japanese order', () => {
    const order = fixture('jp-order-cancelled-osaka.json')
    const refund = (order.refunds as unknown[])[0]
    expect(mapShopifyRefund(refund)).toEqual({
      orderExternalId: '6123456789014',
      refundId: '9912345678901',
      currency: 'JPY',
      amount: 3300,
      lines: [{ externalLineId: '14234567890301', quantity: 2 }],
      note: 'お客様都合によるキャンセル',
      createdAt: '2025-03-16T09:12:01+09:00',
    })
  })

  it('takes the currency from options when the payload has none', () => {
    const r = { id: 1, order_id: 2, created_at: '2025-03-16T09:12:01+09:00', refund_line_items: [], transactions: [{ kind: 'refund', status: 'success', amount: '1980', currency: null }] }
    expect(mapShopifyRefund(r, { currency: 'JPY' })).toMatchObject({ currency: 'JPY', amount: 1980, lines: [] })
    expect(payloadError(() => mapShopifyRefund(r)).field).toBe('currency')
  })

  it('rejects unusable refunds, naming the field', () => {
    const r = fixture('refunds-create.sample.json')
    expect(payloadError(() => mapShopifyRefund({ ...r, order_id: undefined })).field).toBe('order_id')
    expect(payloadError(() => mapShopifyRefund({ ...r, id: null })).field).toBe('id')
    expect(payloadError(() => mapShopifyRefund({ ...r, created_at: null, processed_at: null })).field).toBe('created_at')
    expect(payloadError(() => mapShopifyRefund({ ...r, refund_line_items: 'x' })).field).toBe('refund_line_items')
    const txns = structuredClone(r.transactions) as Array<Record<string, unknown>>
    Object.assign(txns[0] as object, { amount: 'lots' })
    expect(payloadError(() => mapShopifyRefund({ ...r, transactions: txns })).field).toBe('transactions[0].amount')
  })
})

describe('parseShopifyJson: fast and lossless paths agree', () => {
  it('gives the same result as the lossless parser on every fixture and on short-number bodies', () => {
    const dir = new URL('./fixtures/', import.meta.url)
    const bodies = readdirSync(dir).map((f) => readFileSync(new URL(f, dir), 'utf8'))
    bodies.push('{"id": 5512345678901, "price": "19.99", "n": 1.5, "q": [1, 2, 3e2], "t": "2026-11-26T10:00:00+09:00"}')
    bodies.push('{"x": 1234567.890123456, "y": 12345678901234567890}')
    for (const body of bodies) {
      const lossless = parse(body, null, { parseNumber: (v: string) => (isSafeNumber(v) ? Number(v) : v) })
      expect(parseShopifyJson(body)).toEqual(lossless)
    }
    expect((parseShopifyJson('{"x": 1234567.890123456, "y": 12345678901234567890}') as any).y).toBe('12345678901234567890')
  })
})
