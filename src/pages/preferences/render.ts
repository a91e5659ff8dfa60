import { html } from '../../platform/html.js'
import { brandStyle, headerHtml, pageShell } from '../tracking/render.js'
import type { Lang } from '../tracking/view.js'

export type PrefChannel = 'email' | 'line' | 'sms'

export interface PreferenceView {
  lang: Lang
  brandName: string
  logoUrl: string | null
  primaryColor: string | null
  token: string
  /** Channels the customer can be reached on, with their current marketing consent. */
  channels: Array<{ channel: PrefChannel; address: string; granted: boolean }>
  preferred: PrefChannel | null
  notice: 'saved' | 'unsubscribed' | null
}

const TEXT = {
  ja: {
    title: '配信設定',
    lead: 'お知らせの受け取り方を選べます。ご注文や配送に関する大切なご連絡は、この設定にかかわらずお届けします。',
    marketing: 'キャンペーンや新商品のお知らせ',
    channel: { email: 'メール', line: 'LINE', sms: 'SMS' } as Record<PrefChannel, string>,
    preferred: '配送のお知らせを受け取る方法',
    auto: 'おまかせ',
    save: '設定を保存する',
    saved: '設定を保存しました。',
    unsubscribed: 'メールでのお知らせの配信を停止しました。',
    unsubscribeTitle: 'メール配信の停止',
    unsubscribeLead: 'キャンペーンや新商品のお知らせメールの配信を停止します。',
    unsubscribeButton: '配信を停止する',
    none: 'ご登録の連絡先がありません。',
  },
  en: {
    title: 'Message preferences',
    lead: 'Choose how you hear from us. Messages about your orders and deliveries are always sent, whatever you choose here.',
    marketing: 'News, offers and new products',
    channel: { email: 'Email', line: 'LINE', sms: 'SMS' } as Record<PrefChannel, string>,
    preferred: 'How to receive delivery updates',
    auto: 'Let the shop choose',
    save: 'Save preferences',
    saved: 'Your preferences are saved.',
    unsubscribed: 'You will no longer receive marketing email.',
    unsubscribeTitle: 'Unsubscribe from email',
    unsubscribeLead: 'Stop receiving news and offers by email.',
    unsubscribeButton: 'Unsubscribe',
    none: 'We have no contact details for you.',
  },
} as const

/** The preference centre /p/:token: marketing consent per channel and the preferred channel. No JavaScript. */
export function renderPreferencePage(v: PreferenceView): string {
  const t = TEXT[v.lang]
  const notice = v.notice ? html`<p class="card" role="status">${t[v.notice]}</p>` : ''
  const main = html`<h1>${t.title}</h1>${notice}
<form class="card" method="post" action="/p/${v.token}">
<p>${t.lead}</p>
${v.channels.length === 0 ? html`<p>${t.none}</p>` : html`<fieldset><legend>${t.marketing}</legend>
${v.channels.map((c) => html`<p><input type="checkbox" id="m-${c.channel}" name="marketing_${c.channel}" value="on"${c.granted ? html` checked` : ''}> <label for="m-${c.channel}">${t.channel[c.channel]}（${c.address}）</label></p>`)}
</fieldset>
<fieldset><legend>${t.preferred}</legend>
<p><input type="radio" id="p-auto" name="preferred" value=""${v.preferred ? '' : html` checked`}> <label for="p-auto">${t.auto}</label></p>
${v.channels.map((c) => html`<p><input type="radio" id="p-${c.channel}" name="preferred" value="${c.channel}"${v.preferred === c.channel ? html` checked` : ''}> <label for="p-${c.channel}">${t.channel[c.channel]}</label></p>`)}
</fieldset>`}
<p><button type="submit">${t.save}</button></p>
</form>`
  return pageShell({ lang: v.lang, title: t.title, brandName: v.brandName, style: brandStyle({ primaryColor: v.primaryColor }), header: headerHtml(v.lang, v.brandName, v.logoUrl, null), main })
}

/** The page behind the unsubscribe link: one button (a GET never unsubscribes; mail scanners follow links). */
export function renderUnsubscribePage(v: Pick<PreferenceView, 'lang' | 'brandName' | 'logoUrl' | 'primaryColor' | 'token'> & { done: boolean }): string {
  const t = TEXT[v.lang]
  const main = v.done
    ? html`<h1>${t.unsubscribeTitle}</h1><p class="card" role="status">${t.unsubscribed}</p><p><a href="/p/${v.token}">${t.title}</a></p>`
    : html`<h1>${t.unsubscribeTitle}</h1><form class="card" method="post" action="/p/${v.token}/unsubscribe"><p>${t.unsubscribeLead}</p>
<input type="hidden" name="List-Unsubscribe" value="One-Click"><p><button type="submit">${t.unsubscribeButton}</button></p></form><p><a href="/p/${v.token}">${t.title}</a></p>`
  return pageShell({ lang: v.lang, title: t.unsubscribeTitle, brandName: v.brandName, style: brandStyle({ primaryColor: v.primaryColor }), header: headerHtml(v.lang, v.brandName, v.logoUrl, null), main })
}
