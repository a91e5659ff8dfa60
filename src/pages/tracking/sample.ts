import type { Lang, TrackingLineView, TrackingPageView, TrackingShipmentView } from './view.js'

/**
 * Pictures the sample views point at (`/_sample/...`), so a test or bench server can answer them
 * locally: path → SVG body. Production images come from the shop's CDN.
 */
export const SAMPLE_ASSETS: Readonly<Record<string, string>> = {
  '/_sample/logo.svg': svg(180, 36, `<rect width="36" height="36" rx="8" fill="#4d7a3a"/><text x="46" y="25" font-family="sans-serif" font-size="18" fill="#2b3d22">komorebi tea</text>`),
  '/_sample/sencha.svg': svg(56, 56, `<rect width="56" height="56" fill="#cfe3c0"/><circle cx="28" cy="30" r="14" fill="#6d9a4f"/>`),
  '/_sample/hojicha.svg': svg(56, 56, `<rect width="56" height="56" fill="#ead7c3"/><circle cx="28" cy="30" r="14" fill="#8a5a3b"/>`),
  '/_sample/kyusu.svg': svg(56, 56, `<rect width="56" height="56" fill="#e6e1da"/><ellipse cx="28" cy="32" rx="16" ry="12" fill="#5b4636"/>`),
  '/_sample/guide.svg': svg(560, 200, `<rect width="560" height="200" fill="#e9f0e2"/><circle cx="460" cy="100" r="60" fill="#a9c98f"/>`),
}

function svg(w: number, h: number, body: string): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}">${body}</svg>`
}

type Overrides = Partial<TrackingPageView>

/**
 * A realistic split order of a Japanese tea shop: parcel 1 by Yamato (delivered, left at the door),
 * parcel 2 by Japan Post (out for delivery again after a missed attempt, running late), one line
 * still being prepared, three CTAs. `overrides` replace top-level fields; `lang` switches every
 * shop-side string (carrier and product names stay as the carrier and shop wrote them).
 */
export function sampleTrackingView(overrides: Overrides = {}): TrackingPageView {
  const lang: Lang = overrides.lang ?? 'ja'
  const ja = lang === 'ja'
  const yen = 'JPY'
  const line = (title: string, variant: string | null, quantity: number, image: string | null): TrackingLineView => ({
    title, variantTitle: variant, quantity, imageUrl: image,
  })
  const yamato: TrackingShipmentView = {
    index: 1,
    count: 2,
    carrierName: ja ? 'ヤマト運輸' : 'Yamato Transport',
    serviceName: ja ? '宅急便コンパクト' : 'TA-Q-BIN Compact',
    trackingNumber: '4444-1375-8703',
    carrierUrl: 'https://toi.kuronekoyamato.co.jp/cgi-bin/tneko?number00=1&number01=444413758703',
    status: 'delivered',
    statusAt: '2026-11-26T05:05:00Z',
    estimate: { date: '2026-11-26', earliest: null, latest: null, late: false, trendingLate: false },
    deliveredAt: '2026-11-26T05:05:00Z',
    timeSlotLabel: ja ? '14時〜16時' : '14:00–16:00',
    options: { leaveAt: ja ? '玄関前' : 'Front door', pickupPoint: null, codAmount: null, currency: yen },
    lines: [
      line('八女 煎茶「さみどり」', '100g 袋', 2, '/_sample/sencha.svg'),
      line('京番茶 ほうじ茶', 'ティーバッグ 15個入', 1, '/_sample/hojicha.svg'),
    ],
    events: [
      { status: 'delivered', rawText: '配達完了（置き配）', location: '渋谷宅急便センター', occurredAt: '2026-11-26T05:05:00Z' },
      { status: 'out_for_delivery', rawText: '配達中', location: '渋谷宅急便センター', occurredAt: '2026-11-26T00:12:00Z' },
      { status: 'in_transit', rawText: '輸送中', location: '羽田クロノゲートベース', occurredAt: '2026-11-25T14:40:00Z' },
      { status: 'picked_up', rawText: '荷物受付', location: '福岡八女センター', occurredAt: '2026-11-25T06:20:00Z' },
      { status: 'label_created', rawText: '発送済み', location: null, occurredAt: '2026-11-25T02:00:00Z' },
    ],
  }
  const post: TrackingShipmentView = {
    index: 2,
    count: 2,
    carrierName: ja ? '日本郵便' : 'Japan Post',
    serviceName: ja ? 'ゆうパック' : 'Yu-Pack',
    trackingNumber: '1234-5678-9012',
    carrierUrl: 'https://trackings.post.japanpost.jp/services/srv/search/direct?reqCodeNo1=123456789012&searchKind=S002&locale=ja',
    status: 'out_for_delivery',
    statusAt: '2026-11-27T00:10:00Z',
    estimate: { date: '2026-11-27', earliest: null, latest: null, late: true, trendingLate: false },
    deliveredAt: null,
    timeSlotLabel: ja ? '18時〜20時' : '18:00–20:00',
    options: { leaveAt: null, pickupPoint: null, codAmount: null, currency: yen },
    lines: [line('常滑焼 急須（朱泥）', '300ml', 1, '/_sample/kyusu.svg')],
    events: [
      { status: 'out_for_delivery', rawText: 'お届け先にお届けに向かっています', location: '渋谷郵便局', occurredAt: '2026-11-27T00:10:00Z' },
      { status: 'delivery_failed', rawText: 'ご不在のため持ち戻り', location: '渋谷郵便局', occurredAt: '2026-11-26T07:40:00Z' },
      { status: 'out_for_delivery', rawText: 'お届け先にお届けに向かっています', location: '渋谷郵便局', occurredAt: '2026-11-26T00:30:00Z' },
      { status: 'in_transit', rawText: '中継', location: '新東京郵便局', occurredAt: '2026-11-25T19:05:00Z' },
      { status: 'picked_up', rawText: '引受', location: '常滑郵便局', occurredAt: '2026-11-25T08:15:00Z' },
      { status: 'label_created', rawText: null, location: null, occurredAt: '2026-11-25T03:00:00Z' },
    ],
  }
  const base: TrackingPageView = {
    lang,
    timeZone: 'Asia/Tokyo',
    switchLangHref: ja ? '?lang=en' : '?lang=ja',
    brand: {
      name: ja ? '木漏れ日茶舗' : 'Komorebi Tea',
      logoUrl: '/_sample/logo.svg',
      // A light brand green (2.4:1 on white): the renderer has to darken it for text and buttons.
      primaryColor: '#7fb069',
      accentColor: '#e8c547',
      fontFamily: null,
      support: {
        email: 'support@komorebi-tea.example',
        url: 'https://komorebi-tea.example/pages/contact',
        phone: '03-1234-5678',
        hours: ja ? '平日 10:00〜17:00（土日祝休み）' : 'Weekdays 10:00–17:00 JST',
      },
    },
    order: {
      number: '#1042',
      placedAt: '2026-11-24T01:12:00Z',
      status: 'partially_shipped',
      shipTo: { name: '山田 花子', postalCode: '150-0001', region: '東京都', city: '渋谷区' },
    },
    shipments: [yamato, post],
    unshippedLines: [line('季節の和菓子 詰め合わせ', '冬 6個入', 1, null)],
    ctas: [
      {
        kind: 'review',
        title: ja ? '届いたお茶はいかがでしたか？' : 'How was your tea?',
        body: ja ? 'ご感想をお聞かせください。今後の商品づくりの参考にいたします。' : 'Tell us what you think. Your review helps us choose our next harvest.',
        label: ja ? 'レビューを書く' : 'Write a review',
        href: '/l/cta_review_1042',
        imageUrl: null,
      },
      {
        kind: 'content',
        title: ja ? 'おいしい煎茶の淹れ方' : 'How to brew sencha',
        body: ja ? '70℃のお湯で1分。茶葉の甘みを引き出すコツをご紹介します。' : '70 °C water, one minute: how to bring out the sweetness of the leaves.',
        label: ja ? '淹れ方ガイドを読む' : 'Read the brewing guide',
        href: '/l/cta_guide_1042',
        imageUrl: '/_sample/guide.svg',
      },
      {
        kind: 'line_friend',
        title: ja ? 'LINEで配送のお知らせを受け取る' : 'Get delivery updates on LINE',
        body: ja ? '友だち追加で、次回から発送・お届けのお知らせをLINEでお送りします。' : 'Add us as a friend and we will message you when your next order ships.',
        label: ja ? 'LINEで友だち追加' : 'Add us on LINE',
        href: '/l/cta_line_1042',
        imageUrl: null,
      },
    ],
  }
  return { ...base, ...overrides }
}

/** A big order for the page-weight budget: 10 lines × 2 parcels × 20 events each. */
export function largeTrackingView(lang: Lang = 'ja'): TrackingPageView {
  const v = sampleTrackingView({ lang })
  const lines = Array.from({ length: 10 }, (_, i): TrackingLineView => ({
    title: `季節限定 煎茶ブレンド No.${i + 1}「初摘み」`,
    variantTitle: '100g 袋 / 化粧箱入り',
    quantity: (i % 3) + 1,
    imageUrl: `https://cdn.shopify.com/s/files/1/0000/0001/products/tea-${i + 1}.jpg?v=1700000000&width=112`,
  }))
  const events = (s: TrackingShipmentView) =>
    Array.from({ length: 20 }, (_, i) => ({
      status: (i === 0 ? s.status ?? 'in_transit' : 'in_transit') as TrackingShipmentView['events'][number]['status'],
      rawText: i === 0 ? '配達完了' : '中継（ベース店）輸送中',
      location: `関東ベース店 第${i + 1}仕分けライン`,
      occurredAt: new Date(Date.UTC(2026, 10, 26, 5) - i * 3_600_000).toISOString(),
    }))
  return { ...v, shipments: v.shipments.map((s) => ({ ...s, lines, events: events(s) })), unshippedLines: lines }
}

/** The sample with hostile text in every string field: scripts, attribute breakers, CSS and URL tricks. */
export function hostileTrackingView(lang: Lang = 'ja'): TrackingPageView {
  const x = (field: string) => `<script>alert("${field}")</script>"><img src=x onerror=alert('${field}')><svg onload=alert(1)>&amp;'`
  const v = sampleTrackingView({ lang })
  return {
    ...v,
    timeZone: 'Asia/Tokyo"><script>alert(1)</script>',
    switchLangHref: 'javascript:alert("switchLang")',
    brand: {
      name: x('brand.name'),
      logoUrl: 'javascript:alert("logo")//"><script>alert(1)</script>',
      primaryColor: 'red;}</style><script>alert("primary")</script>',
      accentColor: '#fff" onmouseover="alert(1)',
      fontFamily: 'x";}</style><script>alert("font")</script><style>{',
      support: {
        email: `a@b.c"><script>alert("email")</script>`,
        url: ' jav\tascript:alert("support.url")',
        phone: x('support.phone'),
        hours: x('support.hours'),
      },
    },
    order: {
      number: x('order.number'),
      placedAt: x('order.placedAt'),
      status: 'partially_shipped',
      shipTo: { name: x('shipTo.name'), postalCode: x('shipTo.postalCode'), region: x('shipTo.region'), city: x('shipTo.city') },
    },
    shipments: v.shipments.map((s, i) => ({
      ...s,
      carrierName: x(`carrierName${i}`),
      serviceName: x(`serviceName${i}`),
      trackingNumber: x(`trackingNumber${i}`),
      carrierUrl: i === 0 ? 'javascript:alert("carrierUrl")' : 'data:text/html,<script>alert(1)</script>',
      statusAt: x('statusAt'),
      estimate: s.estimate && { ...s.estimate, date: x('estimate.date'), earliest: x('earliest'), latest: x('latest') },
      deliveredAt: s.deliveredAt && x('deliveredAt'),
      timeSlotLabel: x(`timeSlotLabel${i}`),
      options: { leaveAt: x('leaveAt'), pickupPoint: x('pickupPoint'), codAmount: 1000, currency: 'JPY"><script>' },
      lines: s.lines.map((l) => ({ ...l, title: x('line.title'), variantTitle: x('line.variant'), imageUrl: `"><script>alert("img")</script>` })),
      events: s.events.map((e) => ({ ...e, rawText: x('event.rawText'), location: x('event.location'), occurredAt: x('event.occurredAt') })),
    })),
    unshippedLines: [{ title: x('unshipped.title'), variantTitle: x('unshipped.variant'), quantity: 1, imageUrl: 'javascript:alert("unshipped")' }],
    ctas: v.ctas.map((c, i) => ({
      ...c,
      title: x(`cta.title${i}`),
      body: x(`cta.body${i}`),
      label: x(`cta.label${i}`),
      href: i === 0 ? 'javascript:alert("cta")' : `/l/x" onclick="alert(1)`,
      imageUrl: `//x" onerror="alert(1)`,
    })),
  }
}
