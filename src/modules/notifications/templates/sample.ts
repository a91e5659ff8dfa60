/** Realistic sample data for template previews (and for the template tests). */
import { MESSAGE_TYPES, type Locale, type MessageContext, type MessageType } from '../types.js'

const BRAND: Record<Locale, MessageContext['brand']> = {
  ja: {
    name: '木漏れ日珈琲',
    address: '〒150-0001 東京都渋谷区神宮前1-2-3 コモレビビル4F',
    supportEmail: 'support@komorebi-coffee.example',
    color: '#8a5a2b',
  },
  en: {
    name: 'Komorebi Coffee',
    address: 'Komorebi Bldg. 4F, 1-2-3 Jingumae, Shibuya-ku, Tokyo 150-0001, Japan',
    supportEmail: 'support@komorebi-coffee.example',
    color: '#8a5a2b',
  },
}

const CUSTOMER: Record<Locale, MessageContext['customer']> = {
  ja: { lastName: '山田', firstName: '花子', email: 'hanako.yamada@example.jp' },
  en: { firstName: 'Emma', lastName: 'Wilson', email: 'emma.wilson@example.com' },
}

const ORDER: Record<Locale, NonNullable<MessageContext['order']>> = {
  ja: {
    number: '#1042',
    placedAt: '2025年11月25日',
    total: '¥6,820',
    lines: [
      { title: 'シングルオリジン エチオピア 200g', variant: '中挽き', sku: 'ETH-200-M', quantity: 2, price: '¥3,560' },
      { title: 'ドリップバッグ 10個入り', sku: 'DB-10', quantity: 1, price: '¥2,600' },
    ],
  },
  en: {
    number: '#1042',
    placedAt: 'Nov 25, 2025',
    total: '¥6,820',
    lines: [
      { title: 'Single Origin Ethiopia 200g', variant: 'Medium grind', sku: 'ETH-200-M', quantity: 2, price: '¥3,560' },
      { title: 'Drip bags, box of 10', sku: 'DB-10', quantity: 1, price: '¥2,600' },
    ],
  },
}

/** Types whose message is about a parcel (the flow messages after delivery or about a delay too). */
const PARCEL_TYPES: ReadonlySet<MessageType> = new Set(['thank_you', 'review_request', 'delay_apology'])
const SHIPMENT_STATUS: Partial<Record<MessageType, string>> = { thank_you: 'delivered', review_request: 'delivered', delay_apology: 'delayed' }

function shipment(locale: Locale, type: MessageType): NonNullable<MessageContext['shipment']> {
  const ja = locale === 'ja'
  const late = type === 'shipment_delayed' || type === 'delay_apology'
  return {
    carrier: 'yamato',
    carrierName: ja ? 'ヤマト運輸' : 'Yamato Transport',
    trackingNumber: '4912-3456-7890',
    carrierUrl: 'https://toi.kuronekoyamato.co.jp/cgi-bin/tneko',
    timeSlot: ja ? '14時〜16時' : '2-4 pm',
    estimatedDelivery: late ? (ja ? '11月30日(月)' : 'Mon, Nov 30') : ja ? '11月28日(土)' : 'Sat, Nov 28',
    status: SHIPMENT_STATUS[type] ?? type.replace('shipment_', ''),
    lines: ORDER[locale].lines.map((l) => ({ title: l.title, quantity: l.quantity })),
  }
}

const PRODUCT_IMAGES = 'https://example.test/images'
/** What the sample customer bought last time (to reorder). */
const LAST_ORDER_PRODUCTS: Record<Locale, NonNullable<MessageContext['products']>> = {
  ja: [
    { title: 'シングルオリジン エチオピア 200g', url: 'https://example.test/products/ethiopia-200', imageUrl: `${PRODUCT_IMAGES}/ethiopia-200.jpg`, price: '¥1,780' },
    { title: 'ドリップバッグ 10個入り', url: 'https://example.test/products/drip-bags-10', imageUrl: `${PRODUCT_IMAGES}/drip-bags-10.jpg`, price: '¥2,600' },
  ],
  en: [
    { title: 'Single Origin Ethiopia 200g', url: 'https://example.test/products/ethiopia-200', imageUrl: `${PRODUCT_IMAGES}/ethiopia-200.jpg`, price: '¥1,780' },
    { title: 'Drip bags, box of 10', url: 'https://example.test/products/drip-bags-10', imageUrl: `${PRODUCT_IMAGES}/drip-bags-10.jpg`, price: '¥2,600' },
  ],
}
/** What goes with coffee beans. */
const RECOMMENDED_PRODUCTS: Record<Locale, NonNullable<MessageContext['products']>> = {
  ja: [
    { title: 'ハンドドリップ用ケトル 0.9L', url: 'https://example.test/products/kettle', imageUrl: `${PRODUCT_IMAGES}/kettle.jpg`, price: '¥6,600' },
    { title: '有田焼ドリッパー（2〜4杯用）', url: 'https://example.test/products/dripper', imageUrl: `${PRODUCT_IMAGES}/dripper.jpg`, price: '¥3,300' },
    { title: 'コーヒーフィルター 100枚入り', url: 'https://example.test/products/filters', imageUrl: `${PRODUCT_IMAGES}/filters.jpg`, price: '¥440' },
  ],
  en: [
    { title: 'Pour-over kettle 0.9L', url: 'https://example.test/products/kettle', imageUrl: `${PRODUCT_IMAGES}/kettle.jpg`, price: '¥6,600' },
    { title: 'Arita porcelain dripper (2-4 cups)', url: 'https://example.test/products/dripper', imageUrl: `${PRODUCT_IMAGES}/dripper.jpg`, price: '¥3,300' },
    { title: 'Paper filters, pack of 100', url: 'https://example.test/products/filters', imageUrl: `${PRODUCT_IMAGES}/filters.jpg`, price: '¥440' },
  ],
}

const COUPONS: Partial<Record<MessageType, Record<Locale, NonNullable<MessageContext['coupon']>>>> = {
  delay_apology: {
    ja: { code: 'SORRY500', description: '次回のお買い物で使える500円引きクーポン', expiresAt: '2026年1月31日(土)' },
    en: { code: 'SORRY500', description: '¥500 off your next order', expiresAt: 'Sat, Jan 31, 2026' },
  },
  win_back: {
    ja: { code: 'WELCOMEBACK10', description: '全商品10%オフ（お一人様1回限り）', expiresAt: '2025年12月31日(水)' },
    en: { code: 'WELCOMEBACK10', description: '10% off everything (one use per customer)', expiresAt: 'Wed, Dec 31' },
  },
  second_purchase: {
    ja: { code: 'NEXT300', description: '2回目のご注文で300円引き', expiresAt: '2025年12月25日(木)' },
    en: { code: 'NEXT300', description: '¥300 off your second order', expiresAt: 'Thu, Dec 25' },
  },
}

const SAMPLE_LINKS = {
  tracking: 'https://example.test/t/7Hq2kLm9xZ',
  review: 'https://example.test/r/7Hq2kLm9xZ',
  nps: 'https://example.test/s/nps/Zx81Qp',
  csat: 'https://example.test/s/nps/Cs47Rt',
  shop: 'https://example.test/shop',
  unsubscribe: 'https://example.test/p/unsubscribe/Qw3rTy',
  returnStatus: 'https://example.test/returns/Rk4vN8',
}

/** A complete, realistic context for previewing `type` in `locale`. */
export function sampleContext(type: MessageType, locale: Locale): MessageContext {
  const ja = locale === 'ja'
  const ctx: MessageContext = {
    locale,
    brand: { ...BRAND[locale] },
    customer: { ...CUSTOMER[locale] },
    order: { ...ORDER[locale], lines: ORDER[locale].lines.map((l) => ({ ...l })) },
    links: { tracking: SAMPLE_LINKS.tracking },
  }
  if (type.startsWith('shipment_') || PARCEL_TYPES.has(type)) ctx.shipment = shipment(locale, type)
  if (type === 'return_approved') {
    ctx.return = { number: 'R-1042-1', method: 'pickup', pickupDate: ja ? '11月28日(土)' : 'Sat, Nov 28', pickupSlot: ja ? '14〜16時' : '2-4 pm', shippingPaidBy: 'brand', instant: false }
  }
  if (type === 'return_received') ctx.return = { number: 'R-1042-1' }
  if (type === 'return_resolved') ctx.return = { number: 'R-1042-1', resolution: 'store_credit', creditCode: 'KC-7QX2M9KD4T', creditAmount: '¥3,560' }
  if (type === 'refund_issued') {
    ctx.return = { number: 'R-1042-1' }
    ctx.refund = { amount: '¥3,560', reason: ja ? 'イメージ違いによる返品' : 'Returned: not as expected' }
  }
  // The return's status page takes the place of the tracking page's button (which stays the fallback).
  if (ctx.return) ctx.links = { returnStatus: SAMPLE_LINKS.returnStatus }
  // The review page takes the place of the tracking page's button (which stays the fallback).
  if (type === 'review_request') ctx.links = { review: SAMPLE_LINKS.review }
  if (type === 'nps_survey') {
    // About the brand, not one order.
    delete ctx.order
    ctx.links = { nps: SAMPLE_LINKS.nps }
  }
  if (type === 'csat_survey') {
    // After a return was settled: the return's number, the order it came from.
    ctx.return = { number: 'R-1042-1' }
    ctx.links = { csat: SAMPLE_LINKS.csat }
  }
  const coupon = COUPONS[type]?.[locale]
  if (coupon) ctx.coupon = { ...coupon }
  if (MESSAGE_TYPES[type].category === 'marketing') {
    delete ctx.order
    ctx.links = { unsubscribe: SAMPLE_LINKS.unsubscribe }
    if (type !== 'marketing_announcement') ctx.links.shop = SAMPLE_LINKS.shop
    if (type === 'replenishment_reminder') ctx.products = LAST_ORDER_PRODUCTS[locale].map((p) => ({ ...p }))
    if (type === 'cross_sell' || type === 'second_purchase') ctx.products = RECOMMENDED_PRODUCTS[locale].map((p) => ({ ...p }))
    if (type === 'win_back') ctx.products = RECOMMENDED_PRODUCTS[locale].slice(0, 2).map((p) => ({ ...p }))
  }
  if (type === 'marketing_announcement') {
    ctx.announcement = ja
      ? {
          title: '冬季限定ブレンド、販売開始のお知らせ',
          body: '毎年ご好評いただいている冬季限定ブレンドが、今年も登場しました。\nチョコレートのような甘い香りとまろやかなコクをお楽しみください。\n数量限定のため、お早めにどうぞ。',
          ctaLabel: '商品を見る',
          ctaUrl: 'https://example.test/products/winter-blend',
        }
      : {
          title: 'Our winter blend is back',
          body: 'Our most-loved seasonal blend has returned for the winter.\nExpect notes of dark chocolate and a smooth, rounded finish.\nStock is limited, so order soon.',
          ctaLabel: 'Shop the blend',
          ctaUrl: 'https://example.test/products/winter-blend',
        }
  }
  return ctx
}
