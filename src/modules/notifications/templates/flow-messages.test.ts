/** The message types the built-in post-purchase flows send: copy, optional parts, escaping. */
import { describe, expect, it } from 'vitest'
import { LOCALES, MESSAGE_TYPES, type Locale, type MessageContext, type MessageType, type RenderedEmail, type RenderedLine } from '../types.js'
import { TemplateEngine, sampleContext } from './index.js'

const engine = new TemplateEngine()
const CHANNELS = ['email', 'line', 'sms'] as const
const FLOW_TYPES = ['thank_you', 'review_request', 'nps_survey', 'csat_survey', 'delay_apology', 'replenishment_reminder', 'cross_sell', 'win_back', 'second_purchase'] as const satisfies readonly MessageType[]
const LEFTOVER = /\{\{|\{%|%\}|\}\}|\uE000|kq:/

async function email(type: MessageType, locale: Locale, ctx: MessageContext): Promise<RenderedEmail> {
  const r = await engine.render(type, 'email', locale, ctx)
  if (r.channel !== 'email') throw new Error('not email')
  return r.email
}
async function line(type: MessageType, locale: Locale, ctx: MessageContext, override?: { body: string }): Promise<RenderedLine> {
  const r = await engine.render(type, 'line', locale, ctx, override)
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
function lineActions(value: unknown): Array<{ label?: string; uri: string }> {
  if (Array.isArray(value)) return value.flatMap(lineActions)
  if (value && typeof value === 'object') {
    const o = value as Record<string, unknown>
    const action = o.action as { type?: string; label?: string; uri?: string } | undefined
    const own = action?.type === 'uri' && typeof action.uri === 'string' ? [{ ...(action.label ? { label: action.label } : {}), uri: action.uri }] : []
    return [...own, ...Object.entries(o).filter(([k]) => k !== 'action').flatMap(([, v]) => lineActions(v))]
  }
  return []
}

describe('flow message types', () => {
  it('are sent by flows only, in the asked categories', () => {
    for (const type of FLOW_TYPES) expect(MESSAGE_TYPES[type].trigger, type).toBeNull()
    expect(FLOW_TYPES.filter((t) => MESSAGE_TYPES[t].category === 'marketing')).toEqual(['replenishment_reminder', 'cross_sell', 'win_back', 'second_purchase'])
  })

  for (const locale of LOCALES) {
    for (const type of FLOW_TYPES) {
      it(`${locale} ${type}: renders on every channel`, async () => {
        const ctx = sampleContext(type, locale)
        for (const channel of CHANNELS) {
          const r = await engine.render(type, channel, locale, ctx)
          const strings = r.channel === 'email' ? Object.values(r.email) : r.channel === 'line' ? lineTexts(r.line.messages) : [r.sms.text]
          for (const s of strings) expect(s).not.toMatch(LEFTOVER)
          if (r.channel === 'line') expect(JSON.stringify(r)).not.toMatch(/\{\{|\{%|\uE000/)
        }
      })
    }
  }
})

/** A phrase each message must carry (email text, LINE and SMS where given), per locale. */
const COPY: Record<(typeof FLOW_TYPES)[number], Record<Locale, { email: string[]; line: string; sms: string }>> = {
  thank_you: {
    ja: { email: ['商品はお手元に届きましたか。', 'お買い上げありがとうございます', 'ご購入いただいた商品\nシングルオリジン エチオピア 200g × 2'], line: '商品はお手元に届きましたか。', sms: '【木漏れ日珈琲】商品はお手元に届きましたか。' },
    en: { email: ['Has your order arrived? Thank you for choosing Komorebi Coffee.', 'What you bought\nSingle Origin Ethiopia 200g × 2'], line: 'Has your order arrived?', sms: 'Komorebi Coffee: Has your order arrived?' },
  },
  review_request: {
    ja: { email: ['レビューを書く <https://example.test/r/7Hq2kLm9xZ>', 'ご感想を、ぜひレビューでお聞かせください'], line: 'レビューでお聞かせください', sms: 'レビューをお聞かせください。\nhttps://example.test/r/7Hq2kLm9xZ' },
    en: { email: ['Write a review <https://example.test/r/7Hq2kLm9xZ>', 'would you leave a quick review?'], line: 'would you leave a quick review?', sms: 'review what you bought? https://example.test/r/7Hq2kLm9xZ' },
  },
  nps_survey: {
    ja: { email: ['ご友人やご家族に木漏れ日珈琲をすすめる可能性はどのくらいありますか。'], line: 'ご友人やご家族に木漏れ日珈琲をすすめる可能性はどのくらいありますか。', sms: 'すすめる可能性を0〜10でお聞かせください。\nhttps://example.test/s/nps/Zx81Qp' },
    en: { email: ['How likely are you to recommend Komorebi Coffee to a friend or family member?'], line: 'How likely are you to recommend Komorebi Coffee', sms: 'How likely are you to recommend us to a friend, from 0 to 10? https://example.test/s/nps/Zx81Qp' },
  },
  csat_survey: {
    ja: { email: ['ご注文（#1042）の返品・交換のお手続き（返品番号 R-1042-1）が完了いたしました。', '今回の対応に、どのくらい満足されましたか。'], line: '今回の対応に、どのくらい満足されましたか。1〜5の数字からお選びください。', sms: '今回の対応の満足度を1（不満）〜5（満足）でお聞かせください。\nhttps://example.test/s/nps/Cs47Rt' },
    en: { email: ['The return of your order #1042 (R-1042-1) is complete.', 'How satisfied are you with how we handled this?'], line: 'How satisfied are you with how we handled this? Tap a number from 1 to 5.', sms: 'from 1 (very dissatisfied) to 5 (very satisfied)? https://example.test/s/nps/Cs47Rt' },
  },
  delay_apology: {
    ja: { email: ['お届けが遅れており、申し訳ございません', '現在のお届け予定日は11月30日(月)（14時〜16時）です。'], line: '誠に申し訳ございません', sms: '【木漏れ日珈琲】お届けが遅れており、申し訳ございません。新しいお届け予定:11月30日(月)' },
    en: { email: ["We're sorry your order is late", 'It should now arrive on Mon, Nov 30, 2-4 pm.'], line: "We're truly sorry for the wait.", sms: 'Sorry, your order is running late. New estimate: Mon, Nov 30.' },
  },
  replenishment_reminder: {
    ja: { email: ['そろそろなくなる頃ではありませんか', 'もう一度購入する <https://example.test/shop>', 'シングルオリジン エチオピア 200g <https://example.test/products/ethiopia-200> ¥1,780'], line: 'そろそろなくなる頃ではありませんか', sms: 'そろそろなくなる頃ではありませんか？' },
    en: { email: ['Running low?', 'Reorder now <https://example.test/shop>', 'Single Origin Ethiopia 200g <https://example.test/products/ethiopia-200> ¥1,780'], line: 'you may be running low', sms: 'Running low? Time to restock.' },
  },
  cross_sell: {
    ja: { email: ['あわせて使いたいおすすめアイテム', 'おすすめの商品\nハンドドリップ用ケトル 0.9L <https://example.test/products/kettle> ¥6,600', 'ショップを見る <https://example.test/shop>'], line: 'アイテムをご紹介します', sms: '相性のよいおすすめアイテムをご紹介します。' },
    en: { email: ['You might also like', 'Picked for you\nPour-over kettle 0.9L <https://example.test/products/kettle> ¥6,600'], line: 'go nicely with what you bought', sms: 'go well with your last order.' },
  },
  win_back: {
    ja: { email: ['お久しぶりです', 'お変わりなくお過ごしでしょうか。'], line: 'お変わりなくお過ごしでしょうか。', sms: '【木漏れ日珈琲】ご無沙汰しております。' },
    en: { email: ['We miss you', "It's been a while since your last visit"], line: "we've missed you", sms: 'Komorebi Coffee: We miss you!' },
  },
  second_purchase: {
    ja: { email: ['このたびは初めて木漏れ日珈琲をご利用いただき、誠にありがとうございました。'], line: 'お楽しみいただけていますでしょうか。', sms: '【木漏れ日珈琲】初めてのご購入ありがとうございました。' },
    en: { email: ['Thank you for your first order with Komorebi Coffee.'], line: "We hope you're enjoying it.", sms: 'Komorebi Coffee: Thanks for your first order!' },
  },
}

describe('copy', () => {
  for (const locale of LOCALES) {
    for (const type of FLOW_TYPES) {
      it(`${locale} ${type}`, async () => {
        const ctx = sampleContext(type, locale)
        const want = COPY[type][locale]
        const { text, html } = await email(type, locale, ctx)
        for (const phrase of want.email) expect(text).toContain(phrase)
        expect(html).toContain(`lang="${locale}"`)
        expect(lineTexts((await line(type, locale, ctx)).messages).join('\n')).toContain(want.line)
        expect(await sms(type, locale, ctx)).toContain(want.sms)
      })
    }
  }

  it('Japanese subjects are polite shop Japanese', async () => {
    const subjects = await Promise.all(FLOW_TYPES.map(async (t) => (await email(t, 'ja', sampleContext(t, 'ja'))).subject))
    expect(subjects).toEqual([
      'お買い上げいただき、ありがとうございます',
      '【レビューのお願い】お届けした商品はいかがですか',
      '【アンケートのお願い】木漏れ日珈琲についてお聞かせください',
      '【アンケートのお願い】木漏れ日珈琲の対応についてお聞かせください',
      '【お詫び】お届けが遅れており、申し訳ございません',
      'そろそろなくなる頃ではありませんか？',
      'お買い上げの商品と相性のよいアイテムをご紹介します',
      'ご無沙汰しております。木漏れ日珈琲です',
      '木漏れ日珈琲の商品はお楽しみいただけていますか',
    ])
  })

  it('greets by name, and politely without one', async () => {
    const ctx = sampleContext('win_back', 'ja')
    expect((await email('win_back', 'ja', ctx)).text).toContain('山田 花子 様')
    ctx.customer = {}
    const { text } = await email('win_back', 'ja', ctx)
    expect(text).toContain('お客様\n')
    expect(text).not.toContain(' 様')
  })
})

describe('coupon', () => {
  const COUPON_TYPES = ['delay_apology', 'replenishment_reminder', 'cross_sell', 'win_back', 'second_purchase'] as const
  const coupon = { ja: { code: 'THANKS-2025', description: '全商品10%オフ', expiresAt: '12月31日(水)' }, en: { code: 'THANKS-2025', description: '10% off everything', expiresAt: 'Wed, Dec 31' } }

  for (const locale of LOCALES) {
    for (const type of COUPON_TYPES) {
      it(`${locale} ${type}: shown when given`, async () => {
        const ctx = { ...sampleContext(type, locale), coupon: coupon[locale] }
        const { html, text } = await email(type, locale, ctx)
        expect(html).toMatch(/>THANKS-2025<\/p>/)
        expect(text).toContain(locale === 'ja' ? 'クーポンコード\nTHANKS-2025\n全商品10%オフ\n有効期限：12月31日(水)' : 'Coupon code\nTHANKS-2025\n10% off everything\nValid until Wed, Dec 31')
        const texts = lineTexts((await line(type, locale, ctx)).messages)
        expect(texts).toEqual(expect.arrayContaining([locale === 'ja' ? 'クーポンコード' : 'Coupon code', 'THANKS-2025', coupon[locale].expiresAt]))
        expect(await sms(type, locale, ctx)).toContain('THANKS-2025')
      })

      it(`${locale} ${type}: no label, no box, no mention when absent`, async () => {
        const ctx = sampleContext(type, locale)
        delete ctx.coupon
        const { html, text } = await email(type, locale, ctx)
        for (const out of [html, text]) {
          expect(out).not.toMatch(locale === 'ja' ? /クーポン|有効期限/ : /coupon|valid until|code below/i)
          expect(out).not.toContain('dashed')
        }
        expect(lineTexts((await line(type, locale, ctx)).messages).join('\n')).not.toMatch(locale === 'ja' ? /クーポン|有効期限/ : /coupon|valid until/i)
        expect(await sms(type, locale, ctx)).not.toMatch(/クーポン|code/i)
      })
    }
  }

  it('a coupon with only a code shows no empty expiry or description line', async () => {
    const ctx = { ...sampleContext('win_back', 'ja'), coupon: { code: 'ONLYCODE' } }
    const { html, text } = await email('win_back', 'ja', ctx)
    expect(text).toContain('クーポンコード\nONLYCODE\n')
    expect(html).not.toContain('有効期限')
    expect(text).not.toMatch(/^\s*$\n^\s*$/m)
    const texts = lineTexts((await line('win_back', 'ja', ctx)).messages)
    expect(texts).not.toContain('有効期限')
    expect(texts).not.toContain('特典内容')
  })
})

describe('NPS survey', () => {
  const base = 'https://example.test/s/nps/Zx81Qp'

  for (const locale of LOCALES) {
    it(`${locale}: eleven one-click links, 0 to 10`, async () => {
      const ctx = sampleContext('nps_survey', locale)
      const { html, text } = await email('nps_survey', locale, ctx)
      const hrefs = [...html.matchAll(/<a href="([^"]*\?score=\d+)"[^>]*>\s*(\d+)\s*<\/a>/g)].map((m) => [m[1], m[2]])
      expect(hrefs).toEqual(Array.from({ length: 11 }, (_, n) => [`${base}?score=${n}`, String(n)]))
      for (let n = 0; n <= 10; n++) expect(text).toContain(`${n} <${base}?score=${n}>`)
      expect(text).toContain(locale === 'ja' ? '0：まったくすすめない' : '0 = Not at all likely')

      const { messages } = await line('nps_survey', locale, ctx)
      expect(messages).toHaveLength(1)
      expect(lineActions(messages)).toEqual(Array.from({ length: 11 }, (_, n) => ({ label: String(n), uri: `${base}?score=${n}` })))
      expect(JSON.stringify(messages)).not.toContain('"footer"')
    })

    it(`${locale}: no scale and no instructions without links.nps`, async () => {
      const ctx = sampleContext('nps_survey', locale)
      delete ctx.links.nps
      const { html, text } = await email('nps_survey', locale, ctx)
      for (const out of [html, text]) {
        expect(out).not.toContain('score=')
        expect(out).not.toMatch(locale === 'ja' ? /まったくすすめない|数字/ : /not at all likely|number/i)
      }
      expect(text).toContain(locale === 'ja' ? 'すすめる可能性はどのくらいありますか' : 'How likely are you to recommend')
      const { messages } = await line('nps_survey', locale, ctx)
      expect(lineActions(messages)).toEqual([])
      expect(lineTexts(messages).join('\n')).not.toMatch(/0〜10|0 to 10/)
      expect(await sms('nps_survey', locale, ctx)).not.toContain('http')
    })
  }

  it('a LINE override is followed by the scale', async () => {
    const ctx = sampleContext('nps_survey', 'ja')
    const { messages } = await line('nps_survey', 'ja', ctx, { body: '{{ customer.lastName }}様、アンケートにご協力ください。' })
    expect(messages[0]).toEqual({ type: 'text', text: '山田様、アンケートにご協力ください。' })
    expect(lineActions(messages.slice(1))).toHaveLength(11)
  })

  it('a javascript: NPS link makes no scale in LINE and no live link in email', async () => {
    const ctx = sampleContext('nps_survey', 'en')
    ctx.links.nps = 'javascript:alert(1)'
    const { html } = await email('nps_survey', 'en', ctx)
    expect(html.toLowerCase()).not.toContain('javascript:')
    expect(lineActions((await line('nps_survey', 'en', ctx)).messages)).toEqual([])
  })
})

describe('CSAT survey', () => {
  const base = 'https://example.test/s/nps/Cs47Rt'

  for (const locale of LOCALES) {
    it(`${locale}: five one-click links, 1 to 5, with both ends named`, async () => {
      const ctx = sampleContext('csat_survey', locale)
      const { html, text } = await email('csat_survey', locale, ctx)
      const hrefs = [...html.matchAll(/<a href="([^"]*\?score=\d+)"[^>]*>\s*(\d+)\s*<\/a>/g)].map((m) => [m[1], m[2]])
      expect(hrefs).toEqual([1, 2, 3, 4, 5].map((n) => [`${base}?score=${n}`, String(n)]))
      expect(text).toContain(locale === 'ja' ? '1：不満' : '1 = Very dissatisfied')
      expect(text).toContain(locale === 'ja' ? '5：満足' : '5 = Very satisfied')
      const { messages } = await line('csat_survey', locale, ctx)
      expect(lineActions(messages)).toEqual([1, 2, 3, 4, 5].map((n) => ({ label: String(n), uri: `${base}?score=${n}` })))
    })

    it(`${locale}: without links.csat no scale, and without a return no return number`, async () => {
      const ctx = sampleContext('csat_survey', locale)
      delete ctx.links.csat
      delete ctx.return
      const { html, text } = await email('csat_survey', locale, ctx)
      for (const out of [html, text]) {
        expect(out).not.toContain('score=')
        expect(out).not.toMatch(/R-1042-1/)
        expect(out).not.toMatch(locale === 'ja' ? /数字/ : /number from/i)
      }
      expect(lineActions((await line('csat_survey', locale, ctx)).messages)).toEqual([])
      expect(await sms('csat_survey', locale, ctx)).not.toContain('http')
    })
  }

  it('a LINE override is followed by the 1–5 scale', async () => {
    const { messages } = await line('csat_survey', 'ja', sampleContext('csat_survey', 'ja'), { body: '{{ customer.lastName }}様、ひとことお聞かせください。' })
    expect(messages[0]).toEqual({ type: 'text', text: '山田様、ひとことお聞かせください。' })
    expect(lineTexts(messages.slice(1)).join('')).toContain('1〜5の数字からお選びください。')
    expect(lineActions(messages.slice(1))).toHaveLength(5)
  })
})

describe('review request', () => {
  const tracking = 'https://example.test/t/7Hq2kLm9xZ'

  it('falls back to the tracking page without links.review', async () => {
    for (const locale of LOCALES) {
      const ctx = sampleContext('review_request', locale)
      ctx.links = { tracking }
      const label = locale === 'ja' ? 'レビューを書く' : 'Write a review'
      const { html, text } = await email('review_request', locale, ctx)
      expect(html).toMatch(new RegExp(`<a\\s+href="${tracking}"[^>]*>\\s*${label}\\s*</a>`))
      expect(text).toContain(`${label} <${tracking}>`)
      expect(lineActions((await line('review_request', locale, ctx)).messages)).toEqual([{ label, uri: tracking }])
      expect(await sms('review_request', locale, ctx)).toContain(tracking)
    }
  })

  it('prefers links.review over the tracking page', async () => {
    const ctx = sampleContext('review_request', 'ja')
    ctx.links.tracking = tracking
    const { html } = await email('review_request', 'ja', ctx)
    expect(html).toMatch(/<a\s+href="https:\/\/example\.test\/r\/7Hq2kLm9xZ"[^>]*>\s*レビューを書く\s*<\/a>/)
    expect(html).not.toContain(tracking)
    expect(lineActions((await line('review_request', 'ja', ctx)).messages)).toEqual([{ label: 'レビューを書く', uri: 'https://example.test/r/7Hq2kLm9xZ' }])
  })

  it('shows no dead button without any link', async () => {
    const ctx = sampleContext('review_request', 'ja')
    ctx.links = {}
    const { html } = await email('review_request', 'ja', ctx)
    expect(html).not.toContain('レビューを書く')
    expect(html).not.toContain('href="#"')
    expect(JSON.stringify((await line('review_request', 'ja', ctx)).messages)).not.toContain('"footer"')
    expect(await sms('review_request', 'ja', ctx)).not.toContain('http')
  })
})

describe('products and shop links', () => {
  it('vanish when absent: no heading, no empty table, no button', async () => {
    for (const type of ['replenishment_reminder', 'cross_sell', 'win_back', 'second_purchase'] as const) {
      const ctx = sampleContext(type, 'ja')
      delete ctx.products
      delete ctx.links.shop
      const { html, text } = await email(type, 'ja', ctx)
      for (const out of [html, text]) expect(out).not.toMatch(/前回ご購入いただいた商品|おすすめの商品|もう一度購入する|ショップを見る/)
      expect(html).not.toContain('<img')
      const { messages } = await line(type, 'ja', ctx)
      expect(JSON.stringify(messages)).not.toContain('"footer"')
      expect(lineTexts(messages)).not.toContain('おすすめの商品')
      expect(await sms(type, 'ja', ctx)).not.toContain('example.test/shop')
    }
  })

  it('LINE lists the products with prices and buttons to the shop', async () => {
    const ctx = sampleContext('replenishment_reminder', 'ja')
    const { messages } = await line('replenishment_reminder', 'ja', ctx)
    const texts = lineTexts(messages)
    expect(texts).toContain('前回ご購入いただいた商品')
    expect(texts).toContain('シングルオリジン エチオピア 200g（¥1,780）\nドリップバッグ 10個入り（¥2,600）')
    expect(lineActions(messages)).toEqual([{ label: 'もう一度購入する', uri: 'https://example.test/shop' }])
  })

  it('a product without url, image or price is a plain title', async () => {
    const ctx = sampleContext('cross_sell', 'en')
    ctx.products = [{ title: 'Mystery beans' }]
    const { html, text } = await email('cross_sell', 'en', ctx)
    expect(text).toContain('Picked for you\nMystery beans\n')
    expect(html).not.toContain('<img')
  })
})

describe('marketing footers on the flow messages (特定電子メール法)', () => {
  for (const type of ['replenishment_reminder', 'cross_sell', 'win_back', 'second_purchase'] as const) {
    it(`${type}: sender address and unsubscribe link; refused without them`, async () => {
      for (const locale of LOCALES) {
        const ctx = sampleContext(type, locale)
        const { html, text } = await email(type, locale, ctx)
        expect(html).toContain(ctx.brand.address)
        expect(text).toContain(`<${ctx.links.unsubscribe}>`)
        expect(await sms(type, locale, ctx)).toContain(`${locale === 'ja' ? '配信停止:' : 'Opt out: '}${ctx.links.unsubscribe}`)
      }
      const noOptOut = sampleContext(type, 'ja')
      delete noOptOut.links.unsubscribe
      await expect(engine.render(type, 'email', 'ja', noOptOut)).rejects.toMatchObject({ code: 'MARKETING_FOOTER_INCOMPLETE' })
    })
  }

  it('transactional flow messages carry no unsubscribe link', async () => {
    for (const type of ['thank_you', 'review_request', 'nps_survey', 'delay_apology'] as const) {
      const ctx = sampleContext(type, 'ja')
      ctx.links.unsubscribe = 'https://example.test/p/unsubscribe/zzz'
      const { html } = await email(type, 'ja', ctx)
      expect(html).not.toContain('unsubscribe/zzz')
      expect(html).not.toContain('配信停止')
    }
  })
})

describe('customer strings are escaped in email', () => {
  const evil = '<script>alert(1)</script>"><img src=x onerror=alert(1)>'
  const escaped = '&lt;script&gt;alert(1)&lt;/script&gt;&#34;&gt;&lt;img src=x onerror=alert(1)&gt;'

  it('product titles, names, coupon and order lines', async () => {
    const ctx = sampleContext('win_back', 'ja')
    ctx.customer.lastName = evil
    ctx.products = [
      { title: evil, url: 'https://example.test/p?a=1&b=2', imageUrl: 'javascript:alert(1)', price: evil },
      { title: 'quoted', url: 'https://example.test/p?b="2"><script>' },
    ]
    ctx.coupon = { code: evil, description: evil, expiresAt: evil }
    const { html, text } = await email('win_back', 'ja', ctx)
    expect(html).not.toContain('<script>alert(1)')
    expect(html).not.toContain('<img src=x')
    expect(html.toLowerCase()).not.toContain('javascript:')
    // the name, title, price and the coupon's three fields
    expect(html.split(escaped).length - 1).toBe(6)
    expect(html).toContain('<a href="https://example.test/p?a=1&amp;b=2">')
    expect(html).toContain('<a href="#">quoted</a>')
    expect(html).toContain('<img src="#"')
    expect(text).toContain(`${evil} 花子 様`)

    const review = sampleContext('review_request', 'en')
    review.order!.lines[0]!.title = evil
    review.shipment!.lines[0]!.title = evil
    review.customer.firstName = evil
    const r = await email('review_request', 'en', review)
    expect(r.html).not.toContain('<script>alert(1)')
    expect(r.html).toContain(`Hi ${escaped},`)
    expect(r.html).toContain(escaped + '</td>')
  })

  it('LINE keeps them as text in a well-formed message', async () => {
    const ctx = sampleContext('cross_sell', 'ja')
    ctx.products = [{ title: `${evil}"}]}`, price: '¥1' }]
    const { messages } = await line('cross_sell', 'ja', ctx)
    expect(JSON.parse(JSON.stringify(messages))).toEqual(messages)
    expect(lineTexts(messages)).toContain(`${evil}"}]}（¥1）`)
  })
})
