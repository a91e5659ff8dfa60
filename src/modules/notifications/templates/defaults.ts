/**
 * The templates Kando ships for every message type × channel × locale. Email bodies are MJML
 * fragments (sections) with Liquid; LINE and SMS bodies are Liquid plain text. Every optional part
 * of the context sits inside `{% if %}` so a missing estimate or tracking link leaves no empty label.
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
function parcelItems(L: Labels): string {
  return `{% if shipment.lines.size > 0 %}${section(
    [heading(L.shipmentItems), '<mj-table>', `{% for line in shipment.lines %}${shipmentLine}{% endfor %}`, '</mj-table>'].join('\n'),
  )}{% elsif order.lines.size > 0 %}${section(
    [heading(L.shipmentItems), '<mj-table>', `{% for line in order.lines %}${shipmentLine}{% endfor %}`, '</mj-table>'].join('\n'),
  )}{% endif %}`
}

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
  return_received: {
    email: {
      subject: '返品商品を受け取りました',
      body: [
        hero('ja', '返品商品を受け取りました', [
          para('ご返送いただいた商品を受け取りました。{% if return.number %}（返品番号: {{ return.number }}）{% endif %}'),
          para('商品の状態を確認のうえ、返金のお手続きを進めてまいります。手続きが完了しましたら、あらためてご連絡いたします。'),
        ]),
        button(jaL.viewOrder),
        orderTable(jaL),
      ].join(''),
    },
    line: {
      headline: '返品商品を受け取りました',
      body: `${GREETING.ja}\nご返送いただいた商品を受け取りました。内容を確認のうえ、返金のお手続きを進めてまいります。`,
    },
    sms: {
      body: '【{{ brand.name }}】返品商品を受け取りました。内容を確認のうえ、返金手続きを進めます。',
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
        button(jaL.viewOrder),
        when(
          'refund',
          section(
            [
              '<mj-table>',
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
      body: '【{{ brand.name }}】{% if refund.amount %}{{ refund.amount }}の{% endif %}返金手続きが完了しました。',
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
  return_received: {
    email: {
      subject: "We've received your return",
      body: [
        hero('en', "We've received your return", [
          para('Your returned items have arrived{% if return.number %} (return {{ return.number }}){% endif %}.'),
          para("We'll check them and process your refund, and let you know once it's done."),
        ]),
        button(enL.viewOrder),
        orderTable(enL),
      ].join(''),
    },
    line: {
      headline: 'Return received',
      body: `${GREETING.en}\nYour returned items have arrived. We'll check them and process your refund.`,
    },
    sms: {
      body: '{{ brand.name }}: We have received your return and will process your refund shortly.',
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
        button(enL.viewOrder),
        when(
          'refund',
          section(
            [
              '<mj-table>',
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
      body: '{{ brand.name }}: Your refund{% if refund.amount %} of {{ refund.amount }}{% endif %} has been issued.',
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
}

export const DEFAULTS: Record<Locale, Record<MessageType, DefaultTemplates>> = { ja: JA, en: EN }

/** The shipped template for (type, channel, locale) as a TemplateSource (for LINE: the message text). */
export function defaultTemplateSource(type: MessageType, channel: 'email' | 'line' | 'sms', locale: Locale): TemplateSource | undefined {
  const d = DEFAULTS[locale]?.[type]
  if (!d) return undefined
  if (channel === 'email') return { subject: d.email.subject, body: d.email.body }
  return { body: d[channel].body }
}
