/**
 * The templates Kando ships for every message type × channel × locale. Email bodies are MJML
 * fragments (sections) with Liquid; LINE and SMS bodies are Liquid plain text. Every optional part
 * of the context sits inside `{% if %}` so a missing estimate, tracking link or coupon leaves no empty
 * label or dead button.
 */
import type { Locale, MessageType, TemplateSource } from '../types.js'
import { LABELS, type Labels } from './labels.js'

export interface DefaultTemplates {
  email: { subject: string; body: string }
  /** `headline` titles the default Flex bubble and starts its altText; `body` is its message. */
  line: { headline: string; body: string }
  sms: { body: string }
}

// ---------------------------------------------------------------------------------------------
// Email building blocks (MJML fragments). Inline styles, because many mail clients drop <style>.

const TH = 'style="text-align:left;font-weight:400;color:#6b7280;padding:7px 16px 7px 0;white-space:nowrap;vertical-align:top;border-bottom:1px solid #eeeeee"'
const TD = 'style="text-align:left;padding:7px 0;vertical-align:top;border-bottom:1px solid #eeeeee"'
const TD_NUM = 'style="text-align:right;padding:7px 0 7px 12px;white-space:nowrap;vertical-align:top;border-bottom:1px solid #eeeeee"'
const SMALL = 'style="color:#6b7280;font-size:13px"'

const section = (inner: string, padding?: string): string =>
  `<mj-section${padding ? ` padding="${padding}"` : ''}>\n<mj-column>\n${inner}\n</mj-column>\n</mj-section>\n`
const text = (html: string): string => `<mj-text>${html}</mj-text>`
const para = (html: string): string => text(`<p style="margin:0">${html}</p>`)
const when = (condition: string, inner: string): string => `{% if ${condition} %}${inner}{% endif %}`
const heading = (title: string): string => text(`<h2 style="margin:0">${title}</h2>`)
const row = (label: string, value: string): string => `<tr><th ${TH}>${label}</th><td ${TD}>${value}</td></tr>`

const GREETING: Record<Locale, string> = {
  ja: '{% if customer.lastName %}{{ customer.lastName }}{% if customer.firstName %} {{ customer.firstName }}{% endif %} 様{% elsif customer.firstName %}{{ customer.firstName }} 様{% else %}お客様{% endif %}',
  en: '{% if customer.firstName %}Hi {{ customer.firstName }},{% else %}Hello,{% endif %}',
}

/** Headline, greeting and the message's paragraphs. */
function hero(locale: Locale, headline: string, paragraphs: string[]): string {
  return section(
    [text(`<h1 style="margin:0">${headline}</h1>`), para(GREETING[locale]), ...paragraphs].join('\n'),
    '20px 28px 8px',
  )
}

function button(label: string, url = 'links.tracking'): string {
  return when(url, section(`<mj-button href="{{ ${url} }}">${label}</mj-button>`, '4px 28px'))
}

function shipmentTable(L: Labels): string {
  const trackingNumber =
    '{% if shipment.carrierUrl %}<a href="{{ shipment.carrierUrl }}">{{ shipment.trackingNumber }}</a>{% else %}{{ shipment.trackingNumber }}{% endif %}'
  return when(
    'shipment',
    section(
      [
        heading(L.shipmentDetails),
        '<mj-table>',
        when('order.number', row(L.orderNumber, '{{ order.number }}')),
        when('shipment.carrierName', row(L.carrier, '{{ shipment.carrierName }}')),
        when('shipment.trackingNumber', row(L.trackingNumber, trackingNumber)),
        when('shipment.estimatedDelivery', row(L.estimatedDelivery, '{{ shipment.estimatedDelivery }}')),
        when('shipment.timeSlot', row(L.timeSlot, '{{ shipment.timeSlot }}')),
        '</mj-table>',
      ].join('\n'),
    ),
  )
}

function orderTable(L: Labels): string {
  return when(
    'order',
    section(
      [
        heading(L.orderDetails),
        '<mj-table>',
        row(L.orderNumber, '{{ order.number }}'),
        when('order.placedAt', row(L.orderDate, '{{ order.placedAt }}')),
        '</mj-table>',
      ].join('\n'),
    ),
  )
}

const orderLine = (locale: Locale): string =>
  `<tr><td ${TD}>{{ line.title }}{% if line.variant %} <span ${SMALL}>${locale === 'ja' ? '（{{ line.variant }}）' : '({{ line.variant }})'}</span>{% endif %}</td><td ${TD_NUM}>× {{ line.quantity }}</td><td ${TD_NUM}>{{ line.price }}</td></tr>`
const shipmentLine = `<tr><td ${TD}>{{ line.title }}</td><td ${TD_NUM}>× {{ line.quantity }}</td></tr>`

/** The order's lines with prices and total. */
function orderItems(locale: Locale): string {
  const L = LABELS[locale]
  return when(
    'order.lines.size > 0',
    section(
      [
        heading(L.orderItems),
        '<mj-table>',
        `{% for line in order.lines %}${orderLine(locale)}{% endfor %}`,
        when('order.total', `<tr><th ${TH}>${L.total}</th><td ${TD_NUM} colspan="2"><strong>{{ order.total }}</strong></td></tr>`),
        '</mj-table>',
      ].join('\n'),
    ),
  )
}

/** What is in this parcel: the shipment's lines, else the order's. */
function parcelItems(L: Labels, title = L.shipmentItems): string {
  return `{% if shipment.lines.size > 0 %}${section(
    [heading(title), '<mj-table>', `{% for line in shipment.lines %}${shipmentLine}{% endfor %}`, '</mj-table>'].join('\n'),
  )}{% elsif order.lines.size > 0 %}${section(
    [heading(title), '<mj-table>', `{% for line in order.lines %}${shipmentLine}{% endfor %}`, '</mj-table>'].join('\n'),
  )}{% endif %}`
}

/** The items a message is about, by title: the shipment's lines, else the order's. */
function boughtItems(L: Labels): string {
  return parcelItems(L, L.purchasedItems)
}

/** The coupon as a dashed "ticket": code, what it gives, until when. Nothing without a code. */
function couponBox(L: Labels): string {
  return when(
    'coupon.code',
    section(
      text(
        [
          '<div style="border:2px dashed {{ brand.color | color }};border-radius:8px;padding:16px;text-align:center">',
          `<p style="margin:0;color:#6b7280;font-size:13px">${L.couponCode}</p>`,
          '<p style="margin:4px 0 0;font-size:24px;font-weight:700;letter-spacing:0.06em">{{ coupon.code }}</p>',
          '{% if coupon.description %}<p style="margin:8px 0 0">{{ coupon.description }}</p>{% endif %}',
          `{% if coupon.expiresAt %}<p style="margin:4px 0 0;color:#6b7280;font-size:13px">${L.validUntil('{{ coupon.expiresAt }}')}</p>{% endif %}`,
          '</div>',
        ].join(''),
      ),
      '8px 28px',
    ),
  )
}

const IMG_TD = 'style="width:64px;padding:8px 14px 8px 0;vertical-align:top;border-bottom:1px solid #eeeeee"'
const productRow =
  `<tr>{% if product.imageUrl %}<td ${IMG_TD}><img src="{{ product.imageUrl }}" alt="" width="64" height="64" style="display:block;width:64px;height:64px;object-fit:cover;border:0;border-radius:6px"></td>{% endif %}` +
  `<td ${TD}>{% if product.url %}<a href="{{ product.url }}">{{ product.title }}</a>{% else %}{{ product.title }}{% endif %}</td>` +
  `{% if product.price %}<td ${TD_NUM}>{{ product.price }}</td>{% endif %}</tr>`

/** The products a marketing message is about: picture, title (linked to its page), price. */
function productList(title: string): string {
  return when(
    'products.size > 0',
    section([heading(title), '<mj-table>', `{% for product in products %}${productRow}{% endfor %}`, '</mj-table>'].join('\n')),
  )
}

/** What a CSAT survey is about: the return (and its order) that was settled, else the order. */
const CSAT_ABOUT: Record<Locale, string> = {
  ja: '{% if return.number %}ご注文{% if order %}（{{ order.number }}）{% endif %}の返品・交換のお手続き（返品番号 {{ return.number }}）が完了いたしました。{% elsif order %}ご注文（{{ order.number }}）へのご対応が完了いたしました。{% endif %}',
  en: '{% if return.number %}The return of your order{% if order %} {{ order.number }}{% endif %} ({{ return.number }}) is complete.{% elsif order %}We have finished handling your order {{ order.number }}.{% endif %}',
}

/** One score of a one-click scale: a link to `links.<link>?score=N`. */
const scoreCell = (link: 'nps' | 'csat') =>
  `<td style="padding:0 2px"><a href="{{ links.${link} }}?score={{ score }}" style="display:block;padding:10px 0;text-align:center;border:1px solid {{ brand.color | color }};border-radius:6px;color:{{ brand.color | color }};font-weight:700;text-decoration:none">{{ score }}</a></td>`

/** A row of one-click scores, each to `links.<link>?score=N`, with the captions of both ends. Nothing without the link. */
function scoreScale(link: 'nps' | 'csat', from: number, to: number, low: string, high: string): string {
  const cells = to - from + 1
  return when(
    `links.${link}`,
    section(
      [
        '<mj-table table-layout="fixed">',
        `<tr>{% for score in (${from}..${to}) %}${scoreCell(link)}{% endfor %}</tr>`,
        `<tr><td colspan="${Math.ceil(cells / 2)}" style="padding:8px 0 0;text-align:left;color:#6b7280;font-size:12px">${low}</td><td colspan="${Math.floor(cells / 2)}" style="padding:8px 0 0;text-align:right;color:#6b7280;font-size:12px">${high}</td></tr>`,
        '</mj-table>',
      ].join('\n'),
      '8px 28px',
    ),
  )
}

/** Eleven one-click links, 0 to 10, each to `links.nps?score=N`. Nothing without links.nps. */
const npsScale = (L: Labels) => scoreScale('nps', 0, 10, L.npsLow, L.npsHigh)
/** Five one-click links, 1 to 5, each to `links.csat?score=N`. Nothing without links.csat. */
const csatScale = (L: Labels) => scoreScale('csat', 1, 5, L.csatLow, L.csatHigh)

/** The review button: to links.review, else to the tracking page. */
function reviewButton(L: Labels): string {
  const to = (url: string) => section(`<mj-button href="{{ ${url} }}">${L.writeReview}</mj-button>`, '4px 28px')
  return `{% if links.review %}${to('links.review')}{% elsif links.tracking %}${to('links.tracking')}{% endif %}`
}

// ---------------------------------------------------------------------------------------------
// Returns

/** Liquid that prints the word for `variable`'s value (a known code: pickup, brand, refund …). */
function wordFor(variable: string, words: Record<string, string>): string {
  const branches = Object.entries(words).map(([value, word], i) => `{% ${i === 0 ? 'if' : 'elsif'} ${variable} == "${value}" %}${word}`)
  return `${branches.join('')}{% endif %}`
}

/** The return status page's button, else the order's tracking page. */
function returnButton(L: Labels): string {
  const to = (url: string, label: string) => section(`<mj-button href="{{ ${url} }}">${label}</mj-button>`, '4px 28px')
  return `{% if links.returnStatus %}${to('links.returnStatus', L.returnStatus)}{% elsif links.tracking %}${to('links.tracking', L.viewOrder)}{% endif %}`
}

/** The return's facts that the context has: number, how it goes back, pickup, shipping, outcome. */
function returnTable(L: Labels): string {
  return when(
    'return',
    section(
      [
        heading(L.returnDetails),
        '<mj-table>',
        when('return.number', row(L.returnNumber, '<strong>{{ return.number }}</strong>')),
        when('order.number', row(L.orderNumber, '{{ order.number }}')),
        when('return.method', row(L.returnMethod, wordFor('return.method', L.returnMethods))),
        when('return.pickupDate', row(L.pickupDate, '{{ return.pickupDate }}')),
        when('return.pickupSlot', row(L.pickupSlot, '{{ return.pickupSlot }}')),
        when('return.shippingPaidBy and return.method != "keep"', row(L.returnShipping, wordFor('return.shippingPaidBy', L.returnShippingPaidBy))),
        when('return.resolution', row(L.resolution, wordFor('return.resolution', L.resolutions))),
        when('return.creditAmount', row(L.storeCreditAmount, '{{ return.creditAmount }}')),
        when('return.refundAmount', row(L.refundAmount, '{{ return.refundAmount }}')),
        '</mj-table>',
      ].join('\n'),
    ),
  )
}

/** The store credit as a dashed "ticket", like a coupon: code and amount. Nothing without a code. */
function creditBox(L: Labels): string {
  return when(
    'return.creditCode',
    section(
      text(
        [
          '<div style="border:2px dashed {{ brand.color | color }};border-radius:8px;padding:16px;text-align:center">',
          `<p style="margin:0;color:#6b7280;font-size:13px">${L.storeCreditCode}</p>`,
          '<p style="margin:4px 0 0;font-size:24px;font-weight:700;letter-spacing:0.06em">{{ return.creditCode }}</p>',
          '{% if return.creditAmount %}<p style="margin:8px 0 0">{{ return.creditAmount }}</p>{% endif %}',
          '</div>',
        ].join(''),
      ),
      '8px 28px',
    ),
  )
}

/** A message's sentences, each shown when its condition holds ('' = always). */
type Sentences = Array<[condition: string, sentence: string]>
/** As email paragraphs. */
const paras = (sentences: Sentences): string[] => sentences.map(([c, t]) => (c ? when(c, para(t)) : para(t)))
/** As lines of a LINE message (a false condition leaves no blank line). */
const lines = (sentences: Sentences): string => sentences.map(([c, t]) => (c ? `{% if ${c} %}\n${t}{% endif %}` : `\n${t}`)).join('')

const KEEP = 'return.method == "keep"'
const SENDS_BACK = 'return.method != "keep"'

/** What to do with an approved return, per locale. */
const APPROVED_STEPS: Record<Locale, Sentences> = {
  ja: [
    ['return.instant', `交換商品は、元の商品の到着を待たずに先に発送いたします。{% if ${SENDS_BACK} %}お手数ですが、元の商品も下記の方法で必ずご返送ください。{% endif %}`],
    [`return.number and ${SENDS_BACK}`, '返送の際は、伝票の品名欄に返品番号「{{ return.number }}」をご記入ください。'],
    ['return.method == "pickup"', '{% if return.pickupDate %}{{ return.pickupDate }}{% if return.pickupSlot %}の{{ return.pickupSlot }}{% endif %}に{% endif %}配送業者が集荷にうかがいます。商品を梱包のうえ、ご準備をお願いいたします。'],
    ['return.method == "dropoff"', '商品を梱包のうえ、お近くのコンビニエンスストアまたは配送業者の営業所へお持ち込みください。'],
    [KEEP, '今回は商品のご返送は不要です。お手元の商品は、そのままお持ちいただいてかまいません。'],
    [`return.shippingPaidBy and ${SENDS_BACK}`, '{% if return.shippingPaidBy == "brand" %}返送料は当店が負担します。{% else %}返送料はお客様のご負担となります。{% endif %}'],
  ],
  en: [
    ['return.instant', `Your replacement ships now, without waiting for the original to come back.{% if ${SENDS_BACK} %} Please still send the original item back as described below.{% endif %}`],
    [`return.number and ${SENDS_BACK}`, 'Please write your return number, {{ return.number }}, on the parcel label.'],
    ['return.method == "pickup"', 'A driver will collect the parcel{% if return.pickupDate %} on {{ return.pickupDate }}{% if return.pickupSlot %} ({{ return.pickupSlot }}){% endif %}{% endif %}. Please have the items packed and ready.'],
    ['return.method == "dropoff"', 'Please pack the items and drop the parcel off at a carrier counter or a convenience store.'],
    [KEEP, "There's no need to send the items back: please keep them."],
    [`return.shippingPaidBy and ${SENDS_BACK}`, '{% if return.shippingPaidBy == "brand" %}Return shipping is on us.{% else %}Return shipping is at your own cost.{% endif %}'],
  ],
}

/** How a resolved return ended, per locale. */
const RESOLVED_STEPS: Record<Locale, Sentences> = {
  ja: [
    ['return.resolution == "store_credit"', `ご返品分として、{{ brand.name }}でご利用いただけるストアクレジット{% if return.creditAmount %}（{{ return.creditAmount }}分）{% endif %}を発行いたしました。{% if return.creditCode %}次回のお買い物の際、お支払い画面で下記のコードをご入力ください。{% endif %}`],
    ['return.resolution == "exchange"', '交換商品の発送を手配いたしました。お届けまで今しばらくお待ちください。'],
    ['return.resolution == "refund"', '{% if return.refundAmount %}{{ return.refundAmount }}の{% endif %}返金のお手続きを進めております。完了しましたら、あらためてお知らせいたします。'],
    ['return.resolution == "refund"', 'ご利用のお支払い方法によっては、返金が反映されるまでお時間がかかる場合がございます。'],
  ],
  en: [
    ['return.resolution == "store_credit"', "We've issued store credit{% if return.creditAmount %} of {{ return.creditAmount }}{% endif %} to spend at {{ brand.name }}.{% if return.creditCode %} Enter the code below at checkout on your next order.{% endif %}"],
    ['return.resolution == "exchange"', "We've arranged for your replacement to be shipped, and we'll let you know when it's on its way."],
    ['return.resolution == "refund"', "Your refund{% if return.refundAmount %} of {{ return.refundAmount }}{% endif %} is on its way. We'll let you know once it has been issued."],
    ['return.resolution == "refund"', 'Depending on your payment method, it may take a few days to appear on your statement.'],
  ],
}

const RESOLVED_HEADLINE: Record<Locale, string> = {
  ja: '{% if return.resolution == "store_credit" %}ストアクレジットを発行しました{% elsif return.resolution == "exchange" %}交換商品を手配しました{% elsif return.resolution == "refund" %}返金のお手続きを進めております{% else %}返品のお手続きが完了しました{% endif %}',
  en: `{% if return.resolution == "store_credit" %}Your store credit is ready{% elsif return.resolution == "exchange" %}We're sending your replacement{% elsif return.resolution == "refund" %}Your refund is on its way{% else %}Your return is complete{% endif %}`,
}

/** SMS link: the return status page, else the order's tracking page. */
const RETURN_LINK_JA = '{% if links.returnStatus %}\n{{ links.returnStatus }}{% elsif links.tracking %}\n{{ links.tracking }}{% endif %}'
const RETURN_LINK_EN = '{% if links.returnStatus %} {{ links.returnStatus }}{% elsif links.tracking %} {{ links.tracking }}{% endif %}'

const EST_JA = '{{ shipment.estimatedDelivery }}{% if shipment.timeSlot %}（{{ shipment.timeSlot }}）{% endif %}'
const EST_EN = '{{ shipment.estimatedDelivery }}{% if shipment.timeSlot %}, {{ shipment.timeSlot }}{% endif %}'

// ---------------------------------------------------------------------------------------------
// Japanese

const jaL = LABELS.ja
const JA: Record<MessageType, DefaultTemplates> = {
  order_confirmed: {
    email: {
      subject: 'ご注文ありがとうございます{% if order.number %}（注文番号 {{ order.number }}）{% endif %}',
      body: [
        hero('ja', 'ご注文ありがとうございます', [
          para('このたびは{{ brand.name }}をご利用いただき、誠にありがとうございます。以下の内容でご注文を承りました。'),
          para('商品を発送いたしましたら、あらためてご連絡いたします。'),
        ]),
        button(jaL.viewOrder),
        orderTable(jaL),
        orderItems('ja'),
      ].join(''),
    },
    line: {
      headline: 'ご注文ありがとうございます',
      body: `${GREETING.ja}\nこのたびはご注文いただき、誠にありがとうございます。商品を発送いたしましたら、あらためてお知らせいたします。`,
    },
    sms: {
      body: '【{{ brand.name }}】ご注文ありがとうございます。{% if order.number %}注文番号:{{ order.number }}{% endif %}{% if links.tracking %}\n{{ links.tracking }}{% endif %}',
    },
  },
  shipment_shipped: {
    email: {
      subject: '🚚 ご注文の商品を発送しました',
      body: [
        hero('ja', 'ご注文の商品を発送しました', [
          para('{{ brand.name }}をご利用いただき、誠にありがとうございます。ご注文の商品を{% if shipment.carrierName %}{{ shipment.carrierName }}にて{% endif %}発送いたしました。'),
          para(`{% if shipment.estimatedDelivery %}お届け予定日は${EST_JA}です。{% endif %}到着まで今しばらくお待ちください。`),
        ]),
        button(jaL.trackParcel),
        shipmentTable(jaL),
        parcelItems(jaL),
        when('shipment.trackingNumber', section(text(`<p style="margin:0" ${SMALL}>※ 配送状況が追跡サービスに反映されるまで、お時間がかかる場合がございます。</p>`))),
      ].join(''),
    },
    line: {
      headline: '🚚 商品を発送しました',
      body: `${GREETING.ja}\nご注文の商品を発送いたしました。到着まで今しばらくお待ちください。`,
    },
    sms: {
      body: '【{{ brand.name }}】ご注文の商品を発送しました。{% if shipment.estimatedDelivery %}お届け予定:{{ shipment.estimatedDelivery }}{% endif %}{% if links.tracking %}\n{{ links.tracking }}{% endif %}',
    },
  },
  shipment_out_for_delivery: {
    email: {
      subject: '📦 本日お届け予定です',
      body: [
        hero('ja', '本日お届け予定です', [
          para('ご注文の商品は、本日お届けの予定です。{% if shipment.timeSlot %}配達時間帯は{{ shipment.timeSlot }}です。{% endif %}'),
          para('ご不在の場合はご不在連絡票が投函されますので、お手数ですが再配達のお手続きをお願いいたします。'),
        ]),
        button(jaL.trackParcel),
        shipmentTable(jaL),
        parcelItems(jaL),
      ].join(''),
    },
    line: {
      headline: '📦 本日お届け予定です',
      body: `${GREETING.ja}\nご注文の商品は本日お届けの予定です。{% if shipment.timeSlot %}配達時間帯は{{ shipment.timeSlot }}です。{% endif %}`,
    },
    sms: {
      body: '【{{ brand.name }}】本日お荷物をお届けする予定です。{% if shipment.timeSlot %}時間帯:{{ shipment.timeSlot }}{% endif %}{% if links.tracking %}\n{{ links.tracking }}{% endif %}',
    },
  },
  shipment_delivered: {
    email: {
      subject: 'お届けが完了しました',
      body: [
        hero('ja', 'お届けが完了しました', [
          para('ご注文の商品のお届けが完了いたしました。{{ brand.name }}をご利用いただき、誠にありがとうございました。'),
          para('商品の破損や不足などがございましたら、お手数ですがお問い合わせください。'),
        ]),
        shipmentTable(jaL),
        parcelItems(jaL),
        button(jaL.trackParcel),
      ].join(''),
    },
    line: {
      headline: 'お届けが完了しました',
      body: `${GREETING.ja}\nご注文の商品のお届けが完了いたしました。ご利用いただき、誠にありがとうございました。`,
    },
    sms: {
      body: '【{{ brand.name }}】お荷物のお届けが完了しました。ご利用ありがとうございました。{% if links.tracking %}\n{{ links.tracking }}{% endif %}',
    },
  },
  shipment_delivery_failed: {
    email: {
      subject: 'ご不在のため、お荷物をお預かりしています',
      body: [
        hero('ja', 'お荷物をお預かりしています', [
          para('本日お荷物をお届けにうかがいましたが、ご不在のため{% if shipment.carrierName %}{{ shipment.carrierName }}にて{% endif %}お預かりしております。'),
          para('お手数ですが、ご不在連絡票または配送業者のウェブサイトから再配達をお申し込みください。{% if shipment.trackingNumber %}お申し込みの際は、下記の追跡番号をご利用ください。{% endif %}'),
          para('保管期限を過ぎますと、お荷物は当店へ返送されますのでご注意ください。'),
        ]),
        button(jaL.trackParcel),
        shipmentTable(jaL),
      ].join(''),
    },
    line: {
      headline: 'お荷物をお預かりしています',
      body: `${GREETING.ja}\n本日お荷物をお届けにうかがいましたが、ご不在のためお預かりしております。ご不在連絡票または配送業者のウェブサイトから再配達をお申し込みください。`,
    },
    sms: {
      body: '【{{ brand.name }}】ご不在のためお荷物をお預かりしています。再配達のお申し込みをお願いします。{% if links.tracking %}\n{{ links.tracking }}{% endif %}',
    },
  },
  shipment_delayed: {
    email: {
      subject: '【お詫び】お届けが遅れております',
      body: [
        hero('ja', 'お届けが遅れております', [
          para('ご注文の商品のお届けに遅れが生じております。お待たせしてしまい、誠に申し訳ございません。'),
          para(`{% if shipment.estimatedDelivery %}現在のお届け予定日は${EST_JA}です。{% else %}新しいお届け予定日がわかり次第、あらためてお知らせいたします。{% endif %}`),
        ]),
        button(jaL.trackParcel),
        shipmentTable(jaL),
        parcelItems(jaL),
      ].join(''),
    },
    line: {
      headline: 'お届けが遅れております',
      body: `${GREETING.ja}\nご注文の商品のお届けに遅れが生じております。お待たせしてしまい、誠に申し訳ございません。`,
    },
    sms: {
      body: '【{{ brand.name }}】お届けが遅れており申し訳ございません。{% if shipment.estimatedDelivery %}新しいお届け予定:{{ shipment.estimatedDelivery }}{% endif %}{% if links.tracking %}\n{{ links.tracking }}{% endif %}',
    },
  },
  return_approved: {
    email: {
      subject: '{% if return.instant %}交換{% else %}返品{% endif %}のお申し込みを承りました{% if return.number %}（返品番号 {{ return.number }}）{% endif %}',
      body: [
        hero('ja', '{% if return.instant %}交換{% else %}返品{% endif %}のお申し込みを承りました', [
          para('このたびは{{ brand.name }}をご利用いただき、誠にありがとうございます。{% if return.instant %}交換{% else %}返品{% endif %}のお申し込みを承りました。'),
          ...paras(APPROVED_STEPS.ja),
          para('ご不明な点がございましたら、お気軽にお問い合わせください。'),
        ]),
        returnButton(jaL),
        returnTable(jaL),
      ].join(''),
    },
    line: {
      headline: '{% if return.instant %}交換{% else %}返品{% endif %}のお申し込みを承りました',
      body: `${GREETING.ja}\n{% if return.instant %}交換{% else %}返品{% endif %}のお申し込みを承りました。${lines(APPROVED_STEPS.ja)}`,
    },
    sms: {
      body:
        '【{{ brand.name }}】返品を承りました。' +
        '{% if return.number %}{% if return.method == "keep" %}返品番号:{{ return.number }} {% else %}伝票に返品番号{{ return.number }}をご記入ください。{% endif %}{% endif %}' +
        '{% if return.instant %}交換品を先に発送します。{% endif %}' +
        '{% if return.method == "pickup" %}{% if return.pickupDate %}集荷:{{ return.pickupDate }}{{ return.pickupSlot }}。{% else %}後日集荷にうかがいます。{% endif %}' +
        '{% elsif return.method == "dropoff" %}コンビニ・営業所からご返送ください。{% elsif return.method == "keep" %}商品の返送は不要です。{% endif %}' +
        '{% if return.method != "keep" %}{% if return.shippingPaidBy == "brand" %}返送料無料です。{% elsif return.shippingPaidBy == "customer" %}返送料はお客様負担です。{% endif %}{% endif %}' +
        RETURN_LINK_JA,
    },
  },
  return_received: {
    email: {
      subject: '返品商品を受け取りました{% if return.number %}（返品番号 {{ return.number }}）{% endif %}',
      body: [
        hero('ja', '返品商品を受け取りました', [
          para('ご返送いただいた商品を受け取りました。{% if return.number %}（返品番号: {{ return.number }}）{% endif %}'),
          para('商品の状態を確認のうえ、お申し込みの内容でお手続きを進めてまいります。手続きが完了しましたら、あらためてご連絡いたします。'),
        ]),
        returnButton(jaL),
        returnTable(jaL),
      ].join(''),
    },
    line: {
      headline: '返品商品を受け取りました',
      body: `${GREETING.ja}\nご返送いただいた商品を受け取りました。内容を確認のうえ、お申し込みの内容でお手続きを進めてまいります。`,
    },
    sms: {
      body: '【{{ brand.name }}】返品商品を受け取りました{% if return.number %}（返品番号:{{ return.number }}）{% endif %}。内容を確認のうえ、お手続きを進めます。' + RETURN_LINK_JA,
    },
  },
  return_resolved: {
    email: {
      subject: RESOLVED_HEADLINE.ja,
      body: [
        hero('ja', RESOLVED_HEADLINE.ja, [
          para('返品{% if return.number %}（返品番号 {{ return.number }}）{% endif %}のお手続きが完了いたしました。'),
          ...paras(RESOLVED_STEPS.ja),
        ]),
        creditBox(jaL),
        returnButton(jaL),
        returnTable(jaL),
      ].join(''),
    },
    line: {
      headline: RESOLVED_HEADLINE.ja,
      body: `${GREETING.ja}\n返品{% if return.number %}（返品番号 {{ return.number }}）{% endif %}のお手続きが完了いたしました。${lines(RESOLVED_STEPS.ja)}`,
    },
    sms: {
      body:
        '【{{ brand.name }}】返品{% if return.number %}({{ return.number }}){% endif %}のお手続きが完了しました。' +
        '{% if return.resolution == "store_credit" %}ストアクレジット{% if return.creditAmount %}{{ return.creditAmount }}分{% endif %}{% if return.creditCode %} コード:{{ return.creditCode }}{% endif %}' +
        '{% elsif return.resolution == "exchange" %}交換商品を手配しました。' +
        '{% elsif return.resolution == "refund" %}{% if return.refundAmount %}{{ return.refundAmount }}の{% endif %}返金を進めています。{% endif %}' +
        RETURN_LINK_JA,
    },
  },
  refund_issued: {
    email: {
      subject: '返金手続きが完了しました',
      body: [
        hero('ja', '返金手続きが完了しました', [
          para('{% if refund.amount %}{{ refund.amount }}の{% endif %}返金手続きが完了いたしました。'),
          para('ご利用のお支払い方法によっては、返金が反映されるまでお時間がかかる場合がございます。あらかじめご了承ください。'),
        ]),
        returnButton(jaL),
        when(
          'refund',
          section(
            [
              '<mj-table>',
              when('return.number', row(jaL.returnNumber, '{{ return.number }}')),
              when('order.number', row(jaL.orderNumber, '{{ order.number }}')),
              when('refund.amount', row(jaL.refundAmount, '{{ refund.amount }}')),
              when('refund.reason', row(jaL.refundReason, '{{ refund.reason }}')),
              '</mj-table>',
            ].join('\n'),
          ),
        ),
      ].join(''),
    },
    line: {
      headline: '返金手続きが完了しました',
      body: `${GREETING.ja}\n{% if refund.amount %}{{ refund.amount }}の{% endif %}返金手続きが完了いたしました。反映までお時間がかかる場合がございます。`,
    },
    sms: {
      body: '【{{ brand.name }}】{% if refund.amount %}{{ refund.amount }}の{% endif %}返金手続きが完了しました。{% if return.number %}（返品番号:{{ return.number }}）{% endif %}' + RETURN_LINK_JA,
    },
  },
  marketing_announcement: {
    email: {
      subject: '{{ announcement.title }}',
      body: [
        section(
          [text('<h1 style="margin:0">{{ announcement.title }}</h1>'), para('{{ announcement.body | text_to_html }}')].join('\n'),
          '20px 28px 8px',
        ),
        when('announcement.ctaUrl', section(`<mj-button href="{{ announcement.ctaUrl }}">{{ announcement.ctaLabel | default: "${jaL.learnMore}" }}</mj-button>`, '4px 28px')),
      ].join(''),
    },
    line: { headline: '{{ announcement.title }}', body: '{{ announcement.body }}' },
    sms: {
      body: '【{{ brand.name }}】{{ announcement.title }}{% if announcement.ctaUrl %}\n{{ announcement.ctaUrl }}{% endif %}{% if links.unsubscribe %}\n配信停止:{{ links.unsubscribe }}{% endif %}',
    },
  },
  thank_you: {
    email: {
      subject: 'お買い上げいただき、ありがとうございます',
      body: [
        hero('ja', 'お買い上げありがとうございます', [
          para('商品はお手元に届きましたか。このたびは数あるショップの中から{{ brand.name }}をお選びいただき、誠にありがとうございます。'),
          para('開封の際は、商品に破損や不足がないかご確認ください。使い方やお手入れについてご不明な点がございましたら、どうぞお気軽にお問い合わせください。'),
          para('お届けした商品が、毎日の暮らしのお役に立てましたら幸いです。'),
        ]),
        orderTable(jaL),
        boughtItems(jaL),
        button(jaL.viewOrder),
      ].join(''),
    },
    line: {
      headline: 'お買い上げありがとうございます',
      body: `${GREETING.ja}\n商品はお手元に届きましたか。このたびは{{ brand.name }}をお選びいただき、誠にありがとうございます。\n使い方やお手入れについてご不明な点がございましたら、お気軽にお問い合わせください。`,
    },
    sms: {
      body: '【{{ brand.name }}】商品はお手元に届きましたか。このたびはお買い上げいただき、誠にありがとうございました。',
    },
  },
  review_request: {
    email: {
      subject: '【レビューのお願い】お届けした商品はいかがですか',
      body: [
        hero('ja', '商品のご感想をお聞かせください', [
          para('先日は{{ brand.name }}でお買い物いただき、誠にありがとうございました。商品はお手元に届きましたか。'),
          para('お使いいただいたご感想を、ぜひレビューでお聞かせください。いただいたお声は、今後の商品づくりやサービスの改善に役立ててまいります。'),
        ]),
        reviewButton(jaL),
        orderTable(jaL),
        boughtItems(jaL),
      ].join(''),
    },
    line: {
      headline: '商品のご感想をお聞かせください',
      body: `${GREETING.ja}\n先日はお買い物いただき、誠にありがとうございました。商品はお手元に届きましたか。\nよろしければ、お使いいただいたご感想をレビューでお聞かせください。`,
    },
    sms: {
      body: '【{{ brand.name }}】先日はご購入ありがとうございました。よろしければ商品のレビューをお聞かせください。{% if links.review %}\n{{ links.review }}{% elsif links.tracking %}\n{{ links.tracking }}{% endif %}',
    },
  },
  nps_survey: {
    email: {
      subject: '【アンケートのお願い】{{ brand.name }}についてお聞かせください',
      body: [
        hero('ja', 'アンケートご協力のお願い', [
          para('いつも{{ brand.name }}をご利用いただき、誠にありがとうございます。よりよいサービスをお届けするため、簡単なアンケートにご協力いただけますと幸いです。'),
          para('<strong>ご友人やご家族に{{ brand.name }}をすすめる可能性はどのくらいありますか。</strong>'),
          when('links.nps', para('0（まったくすすめない）から10（ぜひすすめたい）の中から、当てはまる数字をひとつお選びください。数字を押すだけで回答は完了します。')),
        ]),
        npsScale(jaL),
      ].join(''),
    },
    line: {
      headline: 'アンケートご協力のお願い',
      body: `${GREETING.ja}\nいつも{{ brand.name }}をご利用いただき、誠にありがとうございます。\nご友人やご家族に{{ brand.name }}をすすめる可能性はどのくらいありますか。{% if links.nps %}0〜10の数字からお選びください。{% endif %}`,
    },
    sms: {
      body: '【{{ brand.name }}】アンケートのお願い：ご友人やご家族に当店をすすめる可能性を0〜10でお聞かせください。{% if links.nps %}\n{{ links.nps }}{% endif %}',
    },
  },
  csat_survey: {
    email: {
      subject: '【アンケートのお願い】{{ brand.name }}の対応についてお聞かせください',
      body: [
        hero('ja', 'ご対応についてのアンケート', [
          para(`このたびは{{ brand.name }}をご利用いただき、誠にありがとうございます。${CSAT_ABOUT.ja}今後のご対応をよりよくするため、ひとつだけ質問にお答えいただけますと幸いです。`),
          para('<strong>今回の対応に、どのくらい満足されましたか。</strong>'),
          when('links.csat', para('1（不満）から5（満足）の中から、当てはまる数字をひとつお選びください。数字を押すだけで回答は完了します。')),
        ]),
        csatScale(jaL),
      ].join(''),
    },
    line: {
      headline: 'ご対応についてのアンケート',
      body: `${GREETING.ja}\nこのたびは{{ brand.name }}をご利用いただき、誠にありがとうございます。\n${CSAT_ABOUT.ja}\n今回の対応に、どのくらい満足されましたか。{% if links.csat %}1〜5の数字からお選びください。{% endif %}`,
    },
    sms: {
      body: '【{{ brand.name }}】アンケートのお願い：今回の対応の満足度を1（不満）〜5（満足）でお聞かせください。{% if links.csat %}\n{{ links.csat }}{% endif %}',
    },
  },
  delay_apology: {
    email: {
      subject: '【お詫び】お届けが遅れており、申し訳ございません',
      body: [
        hero('ja', 'お届けが遅れており、申し訳ございません', [
          para('ご注文の商品のお届けが、当初のご案内より遅れております。楽しみにお待ちいただいているところ、ご迷惑をおかけしてしまい誠に申し訳ございません。'),
          para(`{% if shipment.estimatedDelivery %}現在のお届け予定日は${EST_JA}です。{% else %}新しいお届け予定日がわかり次第、あらためてお知らせいたします。{% endif %}`),
          when('coupon.code', para('お詫びのしるしとして、次回のお買い物でご利用いただけるクーポンをご用意いたしました。')),
        ]),
        couponBox(jaL),
        button(jaL.trackParcel),
        shipmentTable(jaL),
        parcelItems(jaL),
      ].join(''),
    },
    line: {
      headline: 'お届けが遅れており、申し訳ございません',
      body: `${GREETING.ja}\nご注文の商品のお届けが遅れており、ご迷惑をおかけして誠に申し訳ございません。{% if coupon.code %}\nお詫びのしるしとして、次回のお買い物でご利用いただけるクーポンをご用意いたしました。{% endif %}`,
    },
    sms: {
      body: '【{{ brand.name }}】お届けが遅れており、申し訳ございません。{% if shipment.estimatedDelivery %}新しいお届け予定:{{ shipment.estimatedDelivery }}{% endif %}{% if coupon.code %}\nお詫びのクーポン:{{ coupon.code }}{% endif %}{% if links.tracking %}\n{{ links.tracking }}{% endif %}',
    },
  },
  replenishment_reminder: {
    email: {
      subject: 'そろそろなくなる頃ではありませんか？',
      body: [
        hero('ja', 'そろそろなくなる頃ではありませんか', [
          para('いつも{{ brand.name }}をご愛用いただき、誠にありがとうございます。'),
          para('前回お求めいただいた商品が、そろそろなくなる頃ではないかと思いご案内いたしました。切らしてしまう前に、お早めのご注文をおすすめいたします。'),
          when('coupon.code', para('ご注文の際は、下記のクーポンをご利用いただけます。')),
        ]),
        couponBox(jaL),
        productList(jaL.lastOrderItems),
        button(jaL.reorder, 'links.shop'),
      ].join(''),
    },
    line: {
      headline: 'そろそろなくなる頃ではありませんか',
      body: `${GREETING.ja}\nいつもご愛用いただき、誠にありがとうございます。前回お求めいただいた商品が、そろそろなくなる頃ではありませんか。切らしてしまう前に、お早めのご注文がおすすめです。`,
    },
    sms: {
      body: '【{{ brand.name }}】前回ご購入の商品、そろそろなくなる頃ではありませんか？{% if coupon.code %}クーポン:{{ coupon.code }}{% endif %}{% if links.shop %}\n{{ links.shop }}{% endif %}{% if links.unsubscribe %}\n配信停止:{{ links.unsubscribe }}{% endif %}',
    },
  },
  cross_sell: {
    email: {
      subject: 'お買い上げの商品と相性のよいアイテムをご紹介します',
      body: [
        hero('ja', 'あわせて使いたいおすすめアイテム', [
          para('先日は{{ brand.name }}をご利用いただき、誠にありがとうございました。'),
          para('お買い上げいただいた商品と一緒にお使いいただくと、さらにお楽しみいただけるアイテムを選びました。ぜひご覧ください。'),
          when('coupon.code', para('お買い物の際は、下記のクーポンをご利用いただけます。')),
        ]),
        productList(jaL.recommendedItems),
        couponBox(jaL),
        button(jaL.visitShop, 'links.shop'),
      ].join(''),
    },
    line: {
      headline: 'あわせて使いたいおすすめアイテム',
      body: `${GREETING.ja}\n先日はご利用いただき、誠にありがとうございました。お買い上げの商品と一緒にお使いいただくと、さらにお楽しみいただけるアイテムをご紹介します。`,
    },
    sms: {
      body: '【{{ brand.name }}】お買い上げの商品と相性のよいおすすめアイテムをご紹介します。{% if coupon.code %}クーポン:{{ coupon.code }}{% endif %}{% if links.shop %}\n{{ links.shop }}{% endif %}{% if links.unsubscribe %}\n配信停止:{{ links.unsubscribe }}{% endif %}',
    },
  },
  win_back: {
    email: {
      subject: 'ご無沙汰しております。{{ brand.name }}です',
      body: [
        hero('ja', 'お久しぶりです', [
          para('最後にご利用いただいてからしばらく経ちましたが、お変わりなくお過ごしでしょうか。'),
          para('{{ brand.name }}では、またお客様にお会いできる日を心より楽しみにしております。'),
          when('coupon.code', para('久しぶりのお買い物にお使いいただける、特別なクーポンをご用意いたしました。')),
        ]),
        couponBox(jaL),
        productList(jaL.recommendedItems),
        button(jaL.visitShop, 'links.shop'),
      ].join(''),
    },
    line: {
      headline: 'お久しぶりです',
      body: `${GREETING.ja}\n最後にご利用いただいてからしばらく経ちましたが、お変わりなくお過ごしでしょうか。またのご利用を心よりお待ちしております。{% if coupon.code %}\n久しぶりのお買い物にお使いいただけるクーポンをご用意いたしました。{% endif %}`,
    },
    sms: {
      body: '【{{ brand.name }}】ご無沙汰しております。またのご利用を心よりお待ちしております。{% if coupon.code %}クーポン:{{ coupon.code }}{% endif %}{% if links.shop %}\n{{ links.shop }}{% endif %}{% if links.unsubscribe %}\n配信停止:{{ links.unsubscribe }}{% endif %}',
    },
  },
  second_purchase: {
    email: {
      subject: '{{ brand.name }}の商品はお楽しみいただけていますか',
      body: [
        hero('ja', '商品はお楽しみいただけていますか', [
          para('このたびは初めて{{ brand.name }}をご利用いただき、誠にありがとうございました。お届けした商品は、お楽しみいただけていますでしょうか。'),
          when('coupon.code', para('感謝の気持ちを込めて、2回目のお買い物でご利用いただけるクーポンをお贈りします。')),
        ]),
        couponBox(jaL),
        productList(jaL.recommendedItems),
        button(jaL.visitShop, 'links.shop'),
      ].join(''),
    },
    line: {
      headline: '商品はお楽しみいただけていますか',
      body: `${GREETING.ja}\nこのたびは初めてご利用いただき、誠にありがとうございました。お届けした商品は、お楽しみいただけていますでしょうか。{% if coupon.code %}\n感謝の気持ちを込めて、2回目のお買い物でご利用いただけるクーポンをお贈りします。{% endif %}`,
    },
    sms: {
      body: '【{{ brand.name }}】初めてのご購入ありがとうございました。{% if coupon.code %}次回使えるクーポン:{{ coupon.code }}{% else %}またのご利用をお待ちしております。{% endif %}{% if links.shop %}\n{{ links.shop }}{% endif %}{% if links.unsubscribe %}\n配信停止:{{ links.unsubscribe }}{% endif %}',
    },
  },
}

// ---------------------------------------------------------------------------------------------
// English. SMS text keeps to the GSM-7 alphabet (no curly quotes or dashes) so it stays 160/segment.

const enL = LABELS.en
const EN: Record<MessageType, DefaultTemplates> = {
  order_confirmed: {
    email: {
      subject: 'Thank you for your order{% if order.number %} ({{ order.number }}){% endif %}',
      body: [
        hero('en', 'Thank you for your order', [
          para("Thanks for shopping with {{ brand.name }}. We've received your order and are getting it ready."),
          para("We'll email you again as soon as it ships."),
        ]),
        button(enL.viewOrder),
        orderTable(enL),
        orderItems('en'),
      ].join(''),
    },
    line: {
      headline: 'Thank you for your order',
      body: `${GREETING.en}\nThanks for your order. We'll let you know as soon as it ships.`,
    },
    sms: {
      body: '{{ brand.name }}: Thanks for your order{% if order.number %} {{ order.number }}{% endif %}! We will text you when it ships.{% if links.tracking %} {{ links.tracking }}{% endif %}',
    },
  },
  shipment_shipped: {
    email: {
      subject: 'Your order is on its way',
      body: [
        hero('en', 'Your order is on its way', [
          para('Good news: your order from {{ brand.name }} has shipped{% if shipment.carrierName %} with {{ shipment.carrierName }}{% endif %}.'),
          when('shipment.estimatedDelivery', para(`It should arrive on ${EST_EN}.`)),
        ]),
        button(enL.trackParcel),
        shipmentTable(enL),
        parcelItems(enL),
      ].join(''),
    },
    line: {
      headline: '🚚 Your order has shipped',
      body: `${GREETING.en}\nYour order is on its way.`,
    },
    sms: {
      body: '{{ brand.name }}: Your order{% if order.number %} {{ order.number }}{% endif %} has shipped.{% if shipment.estimatedDelivery %} Arriving {{ shipment.estimatedDelivery }}.{% endif %}{% if links.tracking %} Track: {{ links.tracking }}{% endif %}',
    },
  },
  shipment_out_for_delivery: {
    email: {
      subject: '📦 Your parcel arrives today',
      body: [
        hero('en', 'Your parcel arrives today', [
          para('Your order is out for delivery and should arrive today{% if shipment.timeSlot %} between {{ shipment.timeSlot }}{% endif %}.'),
          para("If you're not in, the driver will leave a notice so you can arrange redelivery."),
        ]),
        button(enL.trackParcel),
        shipmentTable(enL),
        parcelItems(enL),
      ].join(''),
    },
    line: {
      headline: '📦 Arriving today',
      body: `${GREETING.en}\nYour order is out for delivery and should arrive today{% if shipment.timeSlot %} between {{ shipment.timeSlot }}{% endif %}.`,
    },
    sms: {
      body: '{{ brand.name }}: Your parcel is out for delivery and arrives today{% if shipment.timeSlot %}, {{ shipment.timeSlot }}{% endif %}.{% if links.tracking %} Track: {{ links.tracking }}{% endif %}',
    },
  },
  shipment_delivered: {
    email: {
      subject: 'Your order has been delivered',
      body: [
        hero('en', 'Your order has been delivered', [
          para('Your order has arrived. Thank you for shopping with {{ brand.name }}.'),
          para('If anything is damaged or missing, just get in touch and we will put it right.'),
        ]),
        shipmentTable(enL),
        parcelItems(enL),
        button(enL.trackParcel),
      ].join(''),
    },
    line: {
      headline: 'Delivered',
      body: `${GREETING.en}\nYour order has been delivered. Thank you for shopping with us.`,
    },
    sms: {
      body: '{{ brand.name }}: Your order has been delivered. Thank you for shopping with us!',
    },
  },
  shipment_delivery_failed: {
    email: {
      subject: "We missed you: your parcel is waiting",
      body: [
        hero('en', 'We missed you', [
          para('We tried to deliver your parcel today, but nobody was home{% if shipment.carrierName %}. {{ shipment.carrierName }} is holding it for you{% endif %}.'),
          para('Please arrange redelivery using the notice left at your door or on the carrier\'s website{% if shipment.trackingNumber %} with the tracking number below{% endif %}.'),
          para('Parcels that are not collected in time are returned to us.'),
        ]),
        button(enL.trackParcel),
        shipmentTable(enL),
      ].join(''),
    },
    line: {
      headline: 'We missed you',
      body: `${GREETING.en}\nWe tried to deliver your parcel today, but nobody was home. Please arrange redelivery with the carrier.`,
    },
    sms: {
      body: '{{ brand.name }}: We missed you today. Your parcel is being held; please arrange redelivery.{% if links.tracking %} {{ links.tracking }}{% endif %}',
    },
  },
  shipment_delayed: {
    email: {
      subject: 'Your delivery is delayed',
      body: [
        hero('en', 'Your delivery is delayed', [
          para("Your order is taking longer than expected to reach you. We're sorry for the wait."),
          para(`{% if shipment.estimatedDelivery %}It should now arrive on ${EST_EN}.{% else %}We'll let you know the new delivery date as soon as we have it.{% endif %}`),
        ]),
        button(enL.trackParcel),
        shipmentTable(enL),
        parcelItems(enL),
      ].join(''),
    },
    line: {
      headline: 'Your delivery is delayed',
      body: `${GREETING.en}\nYour order is taking longer than expected. We're sorry for the wait.`,
    },
    sms: {
      body: '{{ brand.name }}: Sorry, your delivery is delayed.{% if shipment.estimatedDelivery %} New estimate: {{ shipment.estimatedDelivery }}.{% endif %}{% if links.tracking %} {{ links.tracking }}{% endif %}',
    },
  },
  return_approved: {
    email: {
      subject: 'Your {% if return.instant %}exchange{% else %}return{% endif %} is approved{% if return.number %} ({{ return.number }}){% endif %}',
      body: [
        hero('en', 'Your {% if return.instant %}exchange{% else %}return{% endif %} is approved', [
          para("Thank you for shopping with {{ brand.name }}. We've approved your {% if return.instant %}exchange{% else %}return{% endif %} request."),
          ...paras(APPROVED_STEPS.en),
          para('If you have any questions, just get in touch.'),
        ]),
        returnButton(enL),
        returnTable(enL),
      ].join(''),
    },
    line: {
      headline: 'Your {% if return.instant %}exchange{% else %}return{% endif %} is approved',
      body: `${GREETING.en}\nWe've approved your {% if return.instant %}exchange{% else %}return{% endif %} request.${lines(APPROVED_STEPS.en)}`,
    },
    sms: {
      body:
        '{{ brand.name }}: Return {% if return.number %}{{ return.number }} {% endif %}approved.' +
        '{% if return.number and return.method != "keep" %} Mark the parcel {{ return.number }}.{% endif %}' +
        '{% if return.instant %} Your replacement ships now.{% endif %}' +
        '{% if return.method == "pickup" %}{% if return.pickupDate %} Pickup: {{ return.pickupDate }}{% if return.pickupSlot %}, {{ return.pickupSlot }}{% endif %}.{% else %} A driver will collect it.{% endif %}' +
        '{% elsif return.method == "dropoff" %} Drop it off at a carrier or convenience store.' +
        '{% elsif return.method == "keep" %} No need to send it back.{% endif %}' +
        '{% if return.method != "keep" %}{% if return.shippingPaidBy == "brand" %} Return shipping is free.{% elsif return.shippingPaidBy == "customer" %} Return shipping is at your cost.{% endif %}{% endif %}' +
        RETURN_LINK_EN,
    },
  },
  return_received: {
    email: {
      subject: "We've received your return{% if return.number %} ({{ return.number }}){% endif %}",
      body: [
        hero('en', "We've received your return", [
          para('Your returned items have arrived{% if return.number %} (return {{ return.number }}){% endif %}.'),
          para("We'll check them and complete your return as you asked, and let you know once it's done."),
        ]),
        returnButton(enL),
        returnTable(enL),
      ].join(''),
    },
    line: {
      headline: 'Return received',
      body: `${GREETING.en}\nYour returned items have arrived. We'll check them and complete your return as you asked.`,
    },
    sms: {
      body: '{{ brand.name }}: We have received your return{% if return.number %} {{ return.number }}{% endif %} and will complete it shortly.' + RETURN_LINK_EN,
    },
  },
  return_resolved: {
    email: {
      subject: RESOLVED_HEADLINE.en,
      body: [
        hero('en', RESOLVED_HEADLINE.en, [
          para('Your return{% if return.number %} {{ return.number }}{% endif %} has been processed.'),
          ...paras(RESOLVED_STEPS.en),
        ]),
        creditBox(enL),
        returnButton(enL),
        returnTable(enL),
      ].join(''),
    },
    line: {
      headline: RESOLVED_HEADLINE.en,
      body: `${GREETING.en}\nYour return{% if return.number %} {{ return.number }}{% endif %} has been processed.${lines(RESOLVED_STEPS.en)}`,
    },
    sms: {
      body:
        '{{ brand.name }}: Return {% if return.number %}{{ return.number }} {% endif %}processed.' +
        '{% if return.resolution == "store_credit" %} Store credit{% if return.creditAmount %} of {{ return.creditAmount }}{% endif %} issued.{% if return.creditCode %} Code: {{ return.creditCode }}{% endif %}' +
        '{% elsif return.resolution == "exchange" %} Your replacement is being shipped.' +
        '{% elsif return.resolution == "refund" %} Your refund{% if return.refundAmount %} of {{ return.refundAmount }}{% endif %} is on its way.{% endif %}' +
        RETURN_LINK_EN,
    },
  },
  refund_issued: {
    email: {
      subject: 'Your refund has been issued',
      body: [
        hero('en', 'Your refund has been issued', [
          para("We've issued your refund{% if refund.amount %} of {{ refund.amount }}{% endif %}."),
          para('Depending on your payment method, it may take a few days to appear on your statement.'),
        ]),
        returnButton(enL),
        when(
          'refund',
          section(
            [
              '<mj-table>',
              when('return.number', row(enL.returnNumber, '{{ return.number }}')),
              when('order.number', row(enL.orderNumber, '{{ order.number }}')),
              when('refund.amount', row(enL.refundAmount, '{{ refund.amount }}')),
              when('refund.reason', row(enL.refundReason, '{{ refund.reason }}')),
              '</mj-table>',
            ].join('\n'),
          ),
        ),
      ].join(''),
    },
    line: {
      headline: 'Refund issued',
      body: `${GREETING.en}\nWe've issued your refund{% if refund.amount %} of {{ refund.amount }}{% endif %}. It may take a few days to appear.`,
    },
    sms: {
      body: '{{ brand.name }}: Your refund{% if refund.amount %} of {{ refund.amount }}{% endif %}{% if return.number %} for return {{ return.number }}{% endif %} has been issued.' + RETURN_LINK_EN,
    },
  },
  marketing_announcement: {
    email: {
      subject: '{{ announcement.title }}',
      body: [
        section(
          [text('<h1 style="margin:0">{{ announcement.title }}</h1>'), para('{{ announcement.body | text_to_html }}')].join('\n'),
          '20px 28px 8px',
        ),
        when('announcement.ctaUrl', section(`<mj-button href="{{ announcement.ctaUrl }}">{{ announcement.ctaLabel | default: "${enL.learnMore}" }}</mj-button>`, '4px 28px')),
      ].join(''),
    },
    line: { headline: '{{ announcement.title }}', body: '{{ announcement.body }}' },
    sms: {
      body: '{{ brand.name }}: {{ announcement.title }}{% if announcement.ctaUrl %} {{ announcement.ctaUrl }}{% endif %}{% if links.unsubscribe %} Opt out: {{ links.unsubscribe }}{% endif %}',
    },
  },
  thank_you: {
    email: {
      subject: 'Thank you for choosing {{ brand.name }}',
      body: [
        hero('en', 'Thank you for your purchase', [
          para('Has your order arrived? Thank you for choosing {{ brand.name }}.'),
          para("When you unpack it, please check that everything is there and undamaged. If you have any questions about using or caring for your items, just get in touch: we're happy to help."),
          para('We hope you enjoy them.'),
        ]),
        orderTable(enL),
        boughtItems(enL),
        button(enL.viewOrder),
      ].join(''),
    },
    line: {
      headline: 'Thank you for your purchase',
      body: `${GREETING.en}\nHas your order arrived? Thank you for choosing {{ brand.name }}.\nIf you have any questions about using or caring for your items, just get in touch.`,
    },
    sms: {
      body: '{{ brand.name }}: Has your order arrived? Thank you for choosing us. We hope you enjoy it!',
    },
  },
  review_request: {
    email: {
      subject: 'How are you finding your order?',
      body: [
        hero('en', 'Tell us what you think', [
          para('Thanks again for shopping with {{ brand.name }}. We hope your order arrived safely.'),
          para("Now that you've had a chance to try it, would you leave a quick review? Your feedback helps us improve, and helps other customers choose."),
        ]),
        reviewButton(enL),
        orderTable(enL),
        boughtItems(enL),
      ].join(''),
    },
    line: {
      headline: 'Tell us what you think',
      body: `${GREETING.en}\nThanks again for your order. Now that you've had a chance to try it, would you leave a quick review?`,
    },
    sms: {
      body: '{{ brand.name }}: Thanks for your order! Could you spare a minute to review what you bought?{% if links.review %} {{ links.review }}{% elsif links.tracking %} {{ links.tracking }}{% endif %}',
    },
  },
  nps_survey: {
    email: {
      subject: 'Quick question: would you recommend {{ brand.name }}?',
      body: [
        hero('en', 'One quick question', [
          para("Thank you for shopping with {{ brand.name }}. We'd love to know how we're doing."),
          para('<strong>How likely are you to recommend {{ brand.name }} to a friend or family member?</strong>'),
          when('links.nps', para('Choose a number from 0 (not at all likely) to 10 (extremely likely). One click is all it takes.')),
        ]),
        npsScale(enL),
      ].join(''),
    },
    line: {
      headline: 'One quick question',
      body: `${GREETING.en}\nHow likely are you to recommend {{ brand.name }} to a friend or family member?{% if links.nps %} Tap a number from 0 to 10.{% endif %}`,
    },
    sms: {
      body: '{{ brand.name }}: How likely are you to recommend us to a friend, from 0 to 10?{% if links.nps %} {{ links.nps }}{% endif %}',
    },
  },
  csat_survey: {
    email: {
      subject: 'How did we do? One question from {{ brand.name }}',
      body: [
        hero('en', 'How did we do?', [
          para(`Thank you for shopping with {{ brand.name }}. ${CSAT_ABOUT.en} One quick question helps us look after you better.`),
          para('<strong>How satisfied are you with how we handled this?</strong>'),
          when('links.csat', para('Choose a number from 1 (very dissatisfied) to 5 (very satisfied). One click is all it takes.')),
        ]),
        csatScale(enL),
      ].join(''),
    },
    line: {
      headline: 'How did we do?',
      body: `${GREETING.en}\nThank you for shopping with {{ brand.name }}. ${CSAT_ABOUT.en}\nHow satisfied are you with how we handled this?{% if links.csat %} Tap a number from 1 to 5.{% endif %}`,
    },
    sms: {
      body: '{{ brand.name }}: How satisfied are you with how we handled this, from 1 (very dissatisfied) to 5 (very satisfied)?{% if links.csat %} {{ links.csat }}{% endif %}',
    },
  },
  delay_apology: {
    email: {
      subject: "We're sorry: your order is running late",
      body: [
        hero('en', "We're sorry your order is late", [
          para("Your order is taking longer to reach you than we said it would. We're truly sorry for the wait and the inconvenience."),
          para(`{% if shipment.estimatedDelivery %}It should now arrive on ${EST_EN}.{% else %}We'll let you know the new delivery date as soon as we have it.{% endif %}`),
          when('coupon.code', para("As an apology, here's a coupon for your next order.")),
        ]),
        couponBox(enL),
        button(enL.trackParcel),
        shipmentTable(enL),
        parcelItems(enL),
      ].join(''),
    },
    line: {
      headline: "We're sorry your order is late",
      body: `${GREETING.en}\nYour order is taking longer than expected. We're truly sorry for the wait.{% if coupon.code %}\nAs an apology, here's a coupon for your next order.{% endif %}`,
    },
    sms: {
      body: '{{ brand.name }}: Sorry, your order is running late.{% if shipment.estimatedDelivery %} New estimate: {{ shipment.estimatedDelivery }}.{% endif %}{% if coupon.code %} Our apologies: code {{ coupon.code }}{% endif %}{% if links.tracking %} {{ links.tracking }}{% endif %}',
    },
  },
  replenishment_reminder: {
    email: {
      subject: 'Running low? Time to restock',
      body: [
        hero('en', 'Running low?', [
          para('Thanks for being a {{ brand.name }} customer.'),
          para("It's been a little while since your last order, so you may be running low. Restock now so you don't run out."),
          when('coupon.code', para('Use the code below at checkout.')),
        ]),
        couponBox(enL),
        productList(enL.lastOrderItems),
        button(enL.reorder, 'links.shop'),
      ].join(''),
    },
    line: {
      headline: 'Running low?',
      body: `${GREETING.en}\nIt's been a little while since your last order, so you may be running low. Restock now so you don't run out.`,
    },
    sms: {
      body: '{{ brand.name }}: Running low? Time to restock.{% if coupon.code %} Code: {{ coupon.code }}{% endif %}{% if links.shop %} {{ links.shop }}{% endif %}{% if links.unsubscribe %} Opt out: {{ links.unsubscribe }}{% endif %}',
    },
  },
  cross_sell: {
    email: {
      subject: 'Picked to go with your last order',
      body: [
        hero('en', 'You might also like', [
          para('Thanks again for your recent order from {{ brand.name }}.'),
          para("We've picked a few things that go nicely with what you bought."),
          when('coupon.code', para('Use the code below at checkout.')),
        ]),
        productList(enL.recommendedItems),
        couponBox(enL),
        button(enL.visitShop, 'links.shop'),
      ].join(''),
    },
    line: {
      headline: 'You might also like',
      body: `${GREETING.en}\nThanks again for your recent order. We've picked a few things that go nicely with what you bought.`,
    },
    sms: {
      body: '{{ brand.name }}: We picked a few things that go well with your last order.{% if coupon.code %} Code: {{ coupon.code }}{% endif %}{% if links.shop %} {{ links.shop }}{% endif %}{% if links.unsubscribe %} Opt out: {{ links.unsubscribe }}{% endif %}',
    },
  },
  win_back: {
    email: {
      subject: 'We miss you at {{ brand.name }}',
      body: [
        hero('en', 'We miss you', [
          para("It's been a while since your last visit, and we've missed you."),
          para("We'd love to welcome you back to {{ brand.name }} whenever you're ready."),
          when('coupon.code', para("Here's a special coupon to welcome you back.")),
        ]),
        couponBox(enL),
        productList(enL.recommendedItems),
        button(enL.visitShop, 'links.shop'),
      ].join(''),
    },
    line: {
      headline: 'We miss you',
      body: `${GREETING.en}\nIt's been a while since your last visit, and we've missed you.{% if coupon.code %}\nHere's a special coupon to welcome you back.{% endif %}`,
    },
    sms: {
      body: '{{ brand.name }}: We miss you!{% if coupon.code %} Come back with code {{ coupon.code }}.{% endif %}{% if links.shop %} {{ links.shop }}{% endif %}{% if links.unsubscribe %} Opt out: {{ links.unsubscribe }}{% endif %}',
    },
  },
  second_purchase: {
    email: {
      subject: 'Enjoying your first order?',
      body: [
        hero('en', 'Enjoying your first order?', [
          para("Thank you for your first order with {{ brand.name }}. We hope you're enjoying it."),
          when('coupon.code', para("As a thank-you, here's a coupon for your next order.")),
        ]),
        couponBox(enL),
        productList(enL.recommendedItems),
        button(enL.visitShop, 'links.shop'),
      ].join(''),
    },
    line: {
      headline: 'Enjoying your first order?',
      body: `${GREETING.en}\nThank you for your first order with {{ brand.name }}. We hope you're enjoying it.{% if coupon.code %}\nAs a thank-you, here's a coupon for your next order.{% endif %}`,
    },
    sms: {
      body: '{{ brand.name }}: Thanks for your first order!{% if coupon.code %} Next time, use code {{ coupon.code }}.{% endif %}{% if links.shop %} {{ links.shop }}{% endif %}{% if links.unsubscribe %} Opt out: {{ links.unsubscribe }}{% endif %}',
    },
  },
}

export const DEFAULTS: Record<Locale, Record<MessageType, DefaultTemplates>> = { ja: JA, en: EN }

/** The shipped template for (type, channel, locale) as a TemplateSource (for LINE: the message text). */
export function defaultTemplateSource(type: MessageType, channel: 'email' | 'line' | 'sms', locale: Locale): TemplateSource | undefined {
  const d = DEFAULTS[locale]?.[type]
  if (!d) return undefined
  if (channel === 'email') return { subject: d.email.subject, body: d.email.body }
  return { body: d[channel].body }
}
