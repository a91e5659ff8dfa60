/**
 * The one responsive email layout every email template is placed in: brand header, the template's
 * MJML fragment, and a footer. Marketing footers carry what 特定電子メール法 requires (sender's
 * name, postal address and a visible way to opt out); transactional footers carry no unsubscribe.
 */
import { createHash } from 'node:crypto'
import type { Locale, MessageCategory } from '../types.js'

export interface EmailLayout {
  /** Short hash of the layout text: part of every compiled template's cache key. */
  readonly id: string
  readonly before: string
  readonly after: string
  /** Lines in `before`: an MJML error on document line n is on fragment line n − this. */
  readonly fragmentLineOffset: number
}

const FONT =
  "-apple-system, BlinkMacSystemFont, 'Hiragino Sans', 'Hiragino Kaku Gothic ProN', 'Noto Sans JP', Meiryo, 'Segoe UI', Helvetica, Arial, sans-serif"
const PAGE = '#f3f4f6'
const MUTED = '#6b7280'
const ACCENT = '{{ brand.color | color }}'

const FOOTER_TEXT: Record<Locale, Record<MessageCategory, string>> = {
  ja: {
    transactional: `<p style="margin:0 0 8px"><strong>{{ brand.name }}</strong></p>
{% if brand.supportEmail %}<p style="margin:0 0 8px">お問い合わせ: <a href="mailto:{{ brand.supportEmail }}" style="color:${MUTED}">{{ brand.supportEmail }}</a></p>{% endif %}
<p style="margin:0">このメールは、{{ brand.name }}をご利用のお客様へ、ご注文・配送に関する大切なお知らせとしてお送りしています。</p>`,
    marketing: `<p style="margin:0 0 8px">送信者: <strong>{{ brand.name }}</strong><br>{{ brand.address }}</p>
{% if brand.supportEmail %}<p style="margin:0 0 8px">お問い合わせ: <a href="mailto:{{ brand.supportEmail }}" style="color:${MUTED}">{{ brand.supportEmail }}</a></p>{% endif %}
<p style="margin:0 0 8px">このメールは、{{ brand.name }}からのお知らせの受け取りにご同意いただいたお客様にお送りしています。</p>
<p style="margin:0">今後このようなメールの配信を希望されない場合は、下記より配信停止のお手続きをお願いいたします。<br><a href="{{ links.unsubscribe }}" style="color:${MUTED};text-decoration:underline">配信停止はこちら</a></p>`,
  },
  en: {
    transactional: `<p style="margin:0 0 8px"><strong>{{ brand.name }}</strong></p>
{% if brand.supportEmail %}<p style="margin:0 0 8px">Questions? Contact us at <a href="mailto:{{ brand.supportEmail }}" style="color:${MUTED}">{{ brand.supportEmail }}</a></p>{% endif %}
<p style="margin:0">You are receiving this email because you placed an order with {{ brand.name }}. It is a service message about your order.</p>`,
    marketing: `<p style="margin:0 0 8px">Sent by <strong>{{ brand.name }}</strong><br>{{ brand.address }}</p>
{% if brand.supportEmail %}<p style="margin:0 0 8px">Questions? Contact us at <a href="mailto:{{ brand.supportEmail }}" style="color:${MUTED}">{{ brand.supportEmail }}</a></p>{% endif %}
<p style="margin:0 0 8px">You are receiving this email because you agreed to hear from {{ brand.name }}.</p>
<p style="margin:0">Don't want these emails? <a href="{{ links.unsubscribe }}" style="color:${MUTED};text-decoration:underline">Unsubscribe</a></p>`,
  },
}

function build(locale: Locale, category: MessageCategory): EmailLayout {
  const before = `<mjml lang="${locale}">
<mj-head>
<mj-title>{{ email.subject }}</mj-title>
<mj-attributes>
<mj-all font-family="${FONT}" />
<mj-section background-color="#ffffff" padding="8px 28px" />
<mj-column padding="0" />
<mj-text font-size="15px" line-height="1.75" color="#1f2937" padding="6px 0" />
<mj-button background-color="${ACCENT}" color="#ffffff" font-size="15px" font-weight="700" border-radius="6px" inner-padding="14px 32px" padding="16px 0" />
<mj-table font-size="14px" line-height="1.6" color="#1f2937" padding="4px 0" />
<mj-divider border-color="#e5e7eb" border-width="1px" padding="14px 0" />
</mj-attributes>
<mj-style>
h1 { font-size: 22px; line-height: 1.45; margin: 0; font-weight: 700; }
h2 { font-size: 16px; line-height: 1.5; margin: 0; font-weight: 700; }
a { color: ${ACCENT}; }
</mj-style>
</mj-head>
<mj-body background-color="${PAGE}" width="600px">
<mj-section background-color="${PAGE}" padding="28px 28px 16px">
<mj-column>
{% if brand.logoUrl %}<mj-image src="{{ brand.logoUrl }}" alt="{{ brand.name }}" width="160px" align="left" padding="0" />{% else %}<mj-text font-size="20px" font-weight="700" line-height="1.4" padding="0" color="${ACCENT}">{{ brand.name }}</mj-text>{% endif %}
</mj-column>
</mj-section>
<mj-section padding="0" border-top="4px solid ${ACCENT}"><mj-column><mj-spacer height="12px" /></mj-column></mj-section>
`
  const after = `
<mj-section padding="0 0 12px"><mj-column><mj-spacer height="12px" /></mj-column></mj-section>
<mj-section background-color="${PAGE}" padding="20px 28px 36px">
<mj-column>
<mj-text font-size="12px" line-height="1.7" color="${MUTED}" padding="0"><div data-kando="footer">
${FOOTER_TEXT[locale][category]}
</div></mj-text>
</mj-column>
</mj-section>
</mj-body>
</mjml>`
  const id = createHash('sha1').update(before).update('\0').update(after).digest('base64url').slice(0, 12)
  return { id, before, after, fragmentLineOffset: before.split('\n').length - 1 }
}

const LAYOUTS = new Map<string, EmailLayout>()

/** The layout for a locale and message category (built once). */
export function emailLayout(locale: Locale, category: MessageCategory): EmailLayout {
  const key = `${locale}:${category}`
  let layout = LAYOUTS.get(key)
  if (!layout) LAYOUTS.set(key, (layout = build(locale, category)))
  return layout
}
