/** The messages about a return: RMA, how it goes back, pickup, who pays shipping, outcome, escaping. */
import { describe, expect, it } from 'vitest'
import { LOCALES, MESSAGE_TYPES, type Locale, type MessageContext, type MessageType, type RenderedEmail, type RenderedLine } from '../types.js'
import { TemplateEngine, sampleContext } from './index.js'

const engine = new TemplateEngine()
const CHANNELS = ['email', 'line', 'sms'] as const
const RETURN_TYPES = ['return_approved', 'return_received', 'return_resolved', 'refund_issued'] as const satisfies readonly MessageType[]
const LEFTOVER = /\{\{|\{%|%\}|\}\}|\uE000|kq:/
const RMA = 'R-1042-1'
const STATUS_PAGE = 'https://example.test/returns/Rk4vN8'

async function email(type: MessageType, locale: Locale, ctx: MessageContext): Promise<RenderedEmail> {
  const r = await engine.render(type, 'email', locale, ctx)
  if (r.channel !== 'email') throw new Error('not email')
  return r.email
}
async function line(type: MessageType, locale: Locale, ctx: MessageContext): Promise<RenderedLine> {
  const r = await engine.render(type, 'line', locale, ctx)
  if (r.channel !== 'line') throw new Error('not line')
  return r.line
}
async function sms(type: MessageType, locale: Locale, ctx: MessageContext): Promise<string> {
  const r = await engine.render(type, 'sms', locale, ctx)
  if (r.channel !== 'sms') throw new Error('not sms')
  return r.sms.text
}
/** Every `text` value anywhere in a LINE message. */
function lineTexts(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(lineTexts)
  if (value && typeof value === 'object') {
    const o = value as Record<string, unknown>
    return [...(typeof o.text === 'string' ? [o.text] : []), ...Object.values(o).flatMap(lineTexts)]
  }
  return []
}
/** Every uri action anywhere in a LINE message. */
function lineUris(value: unknown): string[] {
  return JSON.stringify(value).match(/"uri":"[^"]*"/g)?.map((m) => m.slice(7, -1)) ?? []
}
/** Everything a customer reads on one channel, as one string. */
async function everything(type: MessageType, channel: (typeof CHANNELS)[number], locale: Locale, ctx: MessageContext): Promise<string> {
  if (channel === 'email') {
    const e = await email(type, locale, ctx)
    return `${e.subject}\n${e.text}`
  }
  if (channel === 'line') return lineTexts((await line(type, locale, ctx)).messages).join('\n')
  return sms(type, locale, ctx)
}

/** The sample approved return, with another method / payer / instant exchange. */
function approved(locale: Locale, change: Partial<NonNullable<MessageContext['return']>> = {}): MessageContext {
  const ctx = sampleContext('return_approved', locale)
  ctx.return = { ...ctx.return, ...change }
  for (const [k, v] of Object.entries(change)) if (v === undefined) delete (ctx.return as Record<string, unknown>)[k]
  return ctx
}

describe('return message types', () => {
  it('are transactional and fired by the returns module\'s events', () => {
    expect(RETURN_TYPES.map((t) => [t, MESSAGE_TYPES[t].category, MESSAGE_TYPES[t].trigger])).toEqual([
      ['return_approved', 'transactional', 'return.approved'],
      ['return_received', 'transactional', 'return.received'],
      ['return_resolved', 'transactional', 'return.resolved'],
      ['refund_issued', 'transactional', 'refund.issued'],
    ])
  })

  for (const locale of LOCALES) {
    for (const type of RETURN_TYPES) {
      it(`${locale} ${type}: every channel renders and shows the RMA and the return status link`, async () => {
        const ctx = sampleContext(type, locale)
        expect(ctx.return?.number).toBe(RMA)
        expect(ctx.links.returnStatus).toBe(STATUS_PAGE)
        for (const channel of CHANNELS) {
          const r = await engine.render(type, channel, locale, ctx)
          const strings = r.channel === 'email' ? Object.values(r.email) : r.channel === 'line' ? lineTexts(r.line.messages) : [r.sms.text]
          for (const s of strings) expect(s, `${channel}`).not.toMatch(LEFTOVER)
          expect(await everything(type, channel, locale, ctx), channel).toContain(RMA)
          if (r.channel === 'email') {
            expect(r.email.text).toContain(`${locale === 'ja' ? '返品状況を確認する' : 'View your return'} <${STATUS_PAGE}>`)
            expect(r.email.html).toContain(`href="${STATUS_PAGE}"`)
          }
          if (r.channel === 'line') expect(lineUris(r.line.messages)).toEqual([STATUS_PAGE])
          if (r.channel === 'sms') expect(r.sms.text).toContain(STATUS_PAGE)
        }
      })
    }
  }

  it('without a return status page, the button goes to the order page', async () => {
    for (const locale of LOCALES) {
      for (const type of RETURN_TYPES) {
        const ctx = sampleContext(type, locale)
        ctx.links = { tracking: 'https://example.test/t/7Hq2kLm9xZ' }
        const { text } = await email(type, locale, ctx)
        expect(text).toContain(`${locale === 'ja' ? 'ご注文状況を確認する' : 'View your order'} <https://example.test/t/7Hq2kLm9xZ>`)
        expect(lineUris((await line(type, locale, ctx)).messages)).toEqual(['https://example.test/t/7Hq2kLm9xZ'])
        expect(await sms(type, locale, ctx)).toContain('https://example.test/t/7Hq2kLm9xZ')
        ctx.links = {}
        expect((await email(type, locale, ctx)).html).not.toContain('<a href="#"')
        expect(JSON.stringify(await line(type, locale, ctx))).not.toContain('"footer"')
      }
    }
  })
})

describe('return_approved', () => {
  it('pickup: the RMA to write on the parcel, 集荷日 and 時間帯, and that the brand pays shipping (ja)', async () => {
    const ctx = approved('ja')
    const { subject, text } = await email('return_approved', 'ja', ctx)
    expect(subject).toBe('返品のお申し込みを承りました（返品番号 R-1042-1）')
    expect(text).toContain('伝票の品名欄に返品番号「R-1042-1」をご記入ください。')
    expect(text).toContain('11月28日(土)の14〜16時に配送業者が集荷にうかがいます。')
    expect(text).toContain('返送料は当店が負担します。')
    expect(text).toContain('返品番号: R-1042-1\n注文番号: #1042\n返送方法: 集荷\n集荷日: 11月28日(土)\n時間帯: 14〜16時\n返送料: 当店負担')
    const texts = lineTexts((await line('return_approved', 'ja', ctx)).messages)
    expect(texts).toEqual(expect.arrayContaining(['返品番号', RMA, '集荷日', '11月28日(土)', '時間帯', '14〜16時', '返送料', '当店負担']))
    expect(texts.join('\n')).toContain('返送料は当店が負担します。')
    expect(await sms('return_approved', 'ja', ctx)).toBe('【木漏れ日珈琲】返品を承りました。伝票に返品番号R-1042-1をご記入ください。集荷:11月28日(土)14〜16時。返送料無料です。\nhttps://example.test/returns/Rk4vN8')
  })

  it('pickup: the same in English', async () => {
    const ctx = approved('en')
    const { subject, text } = await email('return_approved', 'en', ctx)
    expect(subject).toBe('Your return is approved (R-1042-1)')
    expect(text).toContain('Please write your return number, R-1042-1, on the parcel label.')
    expect(text).toContain('A driver will collect the parcel on Sat, Nov 28 (2-4 pm).')
    expect(text).toContain('Return shipping is on us.')
    expect(text).toContain('Pickup date: Sat, Nov 28\nPickup time: 2-4 pm\nReturn shipping: Paid by us')
    const texts = lineTexts((await line('return_approved', 'en', ctx)).messages)
    expect(texts).toEqual(expect.arrayContaining(['Return number', RMA, 'Pickup date', 'Sat, Nov 28', 'Pickup time', '2-4 pm', 'Paid by us']))
    expect(await sms('return_approved', 'en', ctx)).toBe('Komorebi Coffee: Return R-1042-1 approved. Mark the parcel R-1042-1. Pickup: Sat, Nov 28, 2-4 pm. Return shipping is free. https://example.test/returns/Rk4vN8')
  })

  it('a morning pickup slot reads 午前中 / morning', async () => {
    expect((await email('return_approved', 'ja', approved('ja', { pickupSlot: '午前中' }))).text).toContain('11月28日(土)の午前中に配送業者が集荷にうかがいます。')
    expect((await email('return_approved', 'en', approved('en', { pickupSlot: 'morning' }))).text).toContain('on Sat, Nov 28 (morning).')
  })

  it('dropoff at a counter or convenience store, shipping paid by the customer', async () => {
    const ja = approved('ja', { method: 'dropoff', pickupDate: undefined, pickupSlot: undefined, shippingPaidBy: 'customer' })
    const jaText = (await email('return_approved', 'ja', ja)).text
    expect(jaText).toContain('お近くのコンビニエンスストアまたは配送業者の営業所へお持ち込みください。')
    expect(jaText).toContain('返送方法: コンビニ・営業所への持ち込み')
    expect(jaText).toContain('返送料はお客様のご負担となります。')
    expect(jaText).toContain('返送料: お客様負担')
    expect(jaText).not.toContain('集荷日')
    expect(jaText).not.toContain('時間帯')
    expect(lineTexts((await line('return_approved', 'ja', ja)).messages)).toEqual(expect.arrayContaining(['コンビニ・営業所への持ち込み', 'お客様負担']))
    const jaSms = await sms('return_approved', 'ja', ja)
    expect(jaSms).toContain('コンビニ・営業所からご返送ください。')
    expect(jaSms).toContain('返送料はお客様負担です。')

    const en = approved('en', { method: 'dropoff', pickupDate: undefined, pickupSlot: undefined, shippingPaidBy: 'customer' })
    const enText = (await email('return_approved', 'en', en)).text
    expect(enText).toContain('drop the parcel off at a carrier counter or a convenience store.')
    expect(enText).toContain('Return shipping is at your own cost.')
    expect(enText).toContain('Return shipping: Paid by you')
    expect(enText).not.toContain('Pickup')
    const enSms = await sms('return_approved', 'en', en)
    expect(enSms).toContain('Drop it off at a carrier or convenience store.')
    expect(enSms).toContain('Return shipping is at your cost.')
  })

  it('keep: nothing to send back, so no RMA instruction and no shipping cost', async () => {
    for (const locale of LOCALES) {
      const ctx = approved(locale, { method: 'keep', pickupDate: undefined, pickupSlot: undefined })
      const { text } = await email('return_approved', locale, ctx)
      expect(text).toContain(locale === 'ja' ? '今回は商品のご返送は不要です。' : "There's no need to send the items back")
      expect(text).toContain(locale === 'ja' ? '返送方法: ご返送不要' : 'How to return: No need to send it back')
      expect(text).not.toContain(locale === 'ja' ? '伝票' : 'on the parcel')
      expect(text).not.toContain(locale === 'ja' ? '返送料' : 'Return shipping')
      expect(text).toContain(RMA) // still the reference for questions
      const texts = lineTexts((await line('return_approved', locale, ctx)).messages)
      expect(texts).not.toContain(locale === 'ja' ? '返送料' : 'Return shipping')
      const s = await sms('return_approved', locale, ctx)
      expect(s).toContain(locale === 'ja' ? '商品の返送は不要です。' : 'No need to send it back.')
      expect(s).not.toContain(locale === 'ja' ? '返送料' : 'shipping')
    }
  })

  it('instant exchange: the replacement ships now and the original must still come back', async () => {
    const ja = approved('ja', { instant: true })
    const jaMail = await email('return_approved', 'ja', ja)
    expect(jaMail.subject).toBe('交換のお申し込みを承りました（返品番号 R-1042-1）')
    expect(jaMail.text).toContain('交換商品は、元の商品の到着を待たずに先に発送いたします。お手数ですが、元の商品も下記の方法で必ずご返送ください。')
    expect(lineTexts((await line('return_approved', 'ja', ja)).messages).join('\n')).toContain('元の商品も下記の方法で必ずご返送ください。')
    expect(await sms('return_approved', 'ja', ja)).toContain('交換品を先に発送します。')

    const en = approved('en', { instant: true })
    const enMail = await email('return_approved', 'en', en)
    expect(enMail.subject).toBe('Your exchange is approved (R-1042-1)')
    expect(enMail.text).toContain('Your replacement ships now, without waiting for the original to come back. Please still send the original item back as described below.')
    expect(await sms('return_approved', 'en', en)).toContain('Your replacement ships now.')
    // Not instant: not a word about a replacement.
    expect((await email('return_approved', 'en', approved('en'))).text).not.toContain('replacement')
  })

  it('missing parts leave no empty labels', async () => {
    for (const locale of LOCALES) {
      const ctx = approved(locale, { pickupDate: undefined, pickupSlot: undefined, shippingPaidBy: undefined, number: undefined })
      const { text, subject } = await email('return_approved', locale, ctx)
      expect(subject).not.toMatch(/[（(]/)
      expect(text).not.toMatch(/: *$/m)
      expect(text).not.toMatch(/\n{3,}/)
      expect(text).not.toContain(locale === 'ja' ? '集荷日' : 'Pickup date')
      expect(text).toContain(locale === 'ja' ? '配送業者が集荷にうかがいます。' : 'A driver will collect the parcel.')
      const s = await sms('return_approved', locale, ctx)
      expect(s).not.toMatch(/集荷:|Pickup:/)
      expect(s).toContain(locale === 'ja' ? '後日集荷にうかがいます。' : 'A driver will collect it.')
    }
  })
})

describe('return_resolved', () => {
  const resolved = (locale: Locale, r: NonNullable<MessageContext['return']>) => ({ ...sampleContext('return_resolved', locale), return: { number: RMA, ...r } })

  it('store credit: the code and amount, as a ticket', async () => {
    const ja = await email('return_resolved', 'ja', sampleContext('return_resolved', 'ja'))
    expect(ja.subject).toBe('ストアクレジットを発行しました')
    expect(ja.text).toContain('ストアクレジット（¥3,560分）を発行いたしました。')
    expect(ja.text).toContain('ストアクレジットコード\nKC-7QX2M9KD4T\n¥3,560')
    expect(ja.text).toContain('ご対応内容: ストアクレジット')
    const en = await email('return_resolved', 'en', sampleContext('return_resolved', 'en'))
    expect(en.subject).toBe('Your store credit is ready')
    expect(en.text).toContain("We've issued store credit of ¥3,560 to spend at Komorebi Coffee.")
    expect(en.text).toContain('Store credit code\nKC-7QX2M9KD4T')
    expect(lineTexts((await line('return_resolved', 'en', sampleContext('return_resolved', 'en'))).messages)).toEqual(expect.arrayContaining(['Store credit code', 'KC-7QX2M9KD4T', '¥3,560']))
    expect(await sms('return_resolved', 'ja', sampleContext('return_resolved', 'ja'))).toContain('コード:KC-7QX2M9KD4T')
  })

  it('exchange: the replacement is arranged', async () => {
    const ja = resolved('ja', { resolution: 'exchange' })
    expect((await email('return_resolved', 'ja', ja)).subject).toBe('交換商品を手配しました')
    expect((await email('return_resolved', 'ja', ja)).text).toContain('交換商品の発送を手配いたしました。')
    expect(await sms('return_resolved', 'ja', ja)).toContain('交換商品を手配しました。')
    const en = resolved('en', { resolution: 'exchange' })
    expect((await email('return_resolved', 'en', en)).text).toContain("We've arranged for your replacement to be shipped")
    expect(await sms('return_resolved', 'en', en)).toContain('Your replacement is being shipped.')
    expect((await email('return_resolved', 'en', en)).text).not.toContain('Store credit code')
  })

  it('refund: on its way, with the amount', async () => {
    const ja = resolved('ja', { resolution: 'refund', refundAmount: '¥3,560' })
    const jaMail = await email('return_resolved', 'ja', ja)
    expect(jaMail.subject).toBe('返金のお手続きを進めております')
    expect(jaMail.text).toContain('¥3,560の返金のお手続きを進めております。')
    expect(jaMail.text).toContain('返金額: ¥3,560')
    expect(lineTexts((await line('return_resolved', 'ja', ja)).messages)).toEqual(expect.arrayContaining(['返金', '返金額', '¥3,560']))
    const en = resolved('en', { resolution: 'refund', refundAmount: '$35.60' })
    const enMail = await email('return_resolved', 'en', en)
    expect(enMail.subject).toBe('Your refund is on its way')
    expect(enMail.text).toContain('Your refund of $35.60 is on its way.')
    expect(await sms('return_resolved', 'en', en)).toContain('Your refund of $35.60 is on its way.')
  })
})

describe('return messages keep hostile strings as text', () => {
  const EVIL = ['<script>alert(1)</script>', '"><img src=x onerror=alert(1)>']
  const escaped = (s: string) => s.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&#34;')

  for (const evil of EVIL) {
    for (const type of RETURN_TYPES) {
      it(`${type}: ${evil}`, async () => {
        const ctx = sampleContext(type, 'ja')
        ctx.return = { ...ctx.return, number: `R-${evil}\r\nBcc: victim@example.com`, creditCode: evil }
        ctx.brand.name = evil
        const { html, text, subject } = await email(type, 'ja', ctx)
        expect(html).not.toContain('<script>alert(1)')
        expect(html).not.toContain('<img src=x')
        expect(html).toContain(escaped(evil))
        expect(text).toContain(`R-${evil}`)
        expect(subject).not.toMatch(/[\r\n]|&lt;/)
        const { messages } = await line(type, 'ja', ctx)
        expect(JSON.parse(JSON.stringify(messages))).toEqual(messages)
        expect(lineTexts(messages).some((t) => t.includes(`R-${evil}`))).toBe(true)
        expect(lineTexts(messages)).toContain(evil) // the brand in the header
        expect(await sms(type, 'ja', ctx)).toContain(`【${evil}】`)
      })
    }
  }
})
