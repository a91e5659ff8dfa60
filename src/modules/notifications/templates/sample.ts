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

function shipment(locale: Locale, type: MessageType): NonNullable<MessageContext['shipment']> {
  const ja = locale === 'ja'
  return {
    carrier: 'yamato',
    carrierName: ja ? 'ヤマト運輸' : 'Yamato Transport',
    trackingNumber: '4912-3456-7890',
    carrierUrl: 'https://toi.kuronekoyamato.co.jp/cgi-bin/tneko',
    timeSlot: ja ? '14時〜16時' : '2-4 pm',
    estimatedDelivery: type === 'shipment_delayed' ? (ja ? '11月30日(月)' : 'Mon, Nov 30') : ja ? '11月28日(土)' : 'Sat, Nov 28',
    status: type.replace('shipment_', ''),
    lines: ORDER[locale].lines.map((l) => ({ title: l.title, quantity: l.quantity })),
  }
}

/** A complete, realistic context for previewing `type` in `locale`. */
export function sampleContext(type: MessageType, locale: Locale): MessageContext {
  const ja = locale === 'ja'
  const ctx: MessageContext = {
    locale,
    brand: { ...BRAND[locale] },
    customer: { ...CUSTOMER[locale] },
    order: { ...ORDER[locale], lines: ORDER[locale].lines.map((l) => ({ ...l })) },
    links: { tracking: 'https://example.test/t/7Hq2kLm9xZ' },
  }
  if (type.startsWith('shipment_')) ctx.shipment = shipment(locale, type)
  if (type === 'return_received') ctx.return = { number: 'R-1042-1' }
  if (type === 'refund_issued') {
    ctx.return = { number: 'R-1042-1' }
    ctx.refund = { amount: '¥3,560', reason: ja ? 'イメージ違いによる返品' : 'Returned: not as expected' }
  }
  if (MESSAGE_TYPES[type].category === 'marketing') {
    delete ctx.order
    ctx.links = { unsubscribe: 'https://example.test/p/unsubscribe/Qw3rTy' }
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
