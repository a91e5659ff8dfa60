import mjml2html from 'mjml'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import { LOCALES, MESSAGE_TYPE_NAMES, MESSAGE_TYPES, type MessageContext, type RenderedEmail, type RenderedLine } from '../types.js'
import { TemplateEngine, TemplateError, sampleContext } from './index.js'

// Count MJML compilations while running the real compiler.
vi.mock('mjml', async (importOriginal) => {
  const real = await importOriginal<typeof import('mjml')>()
  return { default: vi.fn(real.default) }
})
const mjmlCalls = () => vi.mocked(mjml2html).mock.calls.length

const CHANNELS = ['email', 'line', 'sms'] as const
const engine = new TemplateEngine()

async function email(type: Parameters<TemplateEngine['render']>[0], locale: 'ja' | 'en', ctx: MessageContext, override?: { subject?: string; body: string }): Promise<RenderedEmail> {
  const r = await engine.render(type, 'email', locale, ctx, override)
  if (r.channel !== 'email') throw new Error('not email')
  return r.email
}
async function line(type: Parameters<TemplateEngine['render']>[0], locale: 'ja' | 'en', ctx: MessageContext, override?: { body: string }): Promise<RenderedLine> {
  const r = await engine.render(type, 'line', locale, ctx, override)
  if (r.channel !== 'line') throw new Error('not line')
  return r.line
}
async function sms(type: Parameters<TemplateEngine['render']>[0], locale: 'ja' | 'en', ctx: MessageContext): Promise<string> {
  const r = await engine.render(type, 'sms', locale, ctx)
  if (r.channel !== 'sms') throw new Error('not sms')
  return r.sms.text
}
type Json = Record<string, unknown> & { contents?: Json[] | Json; footer?: Json; action?: Json }
/** Every `text` value anywhere in a LINE message. */
function lineTexts(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(lineTexts)
  if (value && typeof value === 'object') {
    const o = value as Record<string, unknown>
    return [...(typeof o.text === 'string' ? [o.text] : []), ...Object.values(o).flatMap(lineTexts)]
  }
  return []
}

const LEFTOVER = /\{\{|\{%|%\}|\}\}|\uE000|kq:/

describe('every shipped template renders with the sample context', () => {
  for (const locale of LOCALES) {
    for (const type of MESSAGE_TYPE_NAMES) {
      for (const channel of CHANNELS) {
        it(`${locale} ${type} ${channel}`, async () => {
          expect(engine.hasDefault(type, channel, locale)).toBe(true)
          const ctx = sampleContext(type, locale)
          const r = await engine.render(type, channel, locale, ctx)
          expect(r.channel).toBe(channel)
          const strings = r.channel === 'email' ? Object.values(r.email) : r.channel === 'line' ? lineTexts(r.line.messages) : [r.sms.text]
          for (const s of strings) expect(s).not.toMatch(LEFTOVER)
          if (r.channel === 'line') expect(JSON.stringify(r)).not.toMatch(/\{\{|\{%|\uE000/)
          if (r.channel === 'email') {
            expect(r.email.subject.length).toBeGreaterThan(3)
            expect(r.email.subject).not.toMatch(/[\r\n]/)
            expect(r.email.html).toContain('<!doctype html>')
            expect(r.email.html).toContain(ctx.brand.name)
            expect(r.email.text.length).toBeGreaterThan(50)
            expect(r.email.text).toContain(ctx.brand.name)
            if (ctx.links.tracking) expect(r.email.text).toContain(`<${ctx.links.tracking}>`)
            if (ctx.order && type !== 'marketing_announcement') expect(r.email.text).toContain(ctx.order.number)
          } else if (r.channel === 'line') {
            expect(r.line.messages.length).toBeGreaterThan(0)
            for (const m of r.line.messages) {
              if (m.type === 'flex') expect(m.altText.length).toBeGreaterThan(0)
              else expect(m.text.length).toBeGreaterThan(0)
            }
            expect(lineTexts(r.line.messages).every((t) => t.trim() !== '')).toBe(true)
          } else {
            expect(r.sms.text.length).toBeGreaterThan(10)
          }
        })
      }
    }
  }

  it('the default sources are what render uses, and validate cleanly', async () => {
    for (const locale of LOCALES) {
      for (const type of MESSAGE_TYPE_NAMES) {
        for (const channel of CHANNELS) {
          const source = engine.defaultSource(type, channel, locale)
          expect(await engine.validate(channel, source), `${locale} ${type} ${channel}`).toEqual([])
        }
        const ctx = sampleContext(type, locale)
        expect(await email(type, locale, ctx, engine.defaultSource(type, 'email', locale))).toEqual(await email(type, locale, ctx))
      }
    }
  })
})

describe('subjects', () => {
  it('the Japanese shipment_shipped subject is byte-exact', async () => {
    const { subject } = await email('shipment_shipped', 'ja', sampleContext('shipment_shipped', 'ja'))
    expect(Buffer.from(subject)).toEqual(Buffer.from('🚚 ご注文の商品を発送しました'))
    expect(engine.defaultSource('shipment_shipped', 'email', 'ja').subject).toBe('🚚 ご注文の商品を発送しました')
  })

  it('is plain text on one line: no HTML escaping, no header injection', async () => {
    const ctx = sampleContext('order_confirmed', 'ja')
    ctx.order!.number = 'A&B <1042>\r\nBcc: victim@example.com'
    const { subject } = await email('order_confirmed', 'ja', ctx)
    expect(subject).toBe('ご注文ありがとうございます（注文番号 A&B <1042> Bcc: victim@example.com）')
  })
})

const HOSTILE = ['<script>alert(1)</script>', '"><img src=x onerror=alert(1)>']

describe('hostile customer strings stay text', () => {
  for (const evil of HOSTILE) {
    it(`email: ${evil}`, async () => {
      const ctx = sampleContext('order_confirmed', 'ja')
      ctx.customer.lastName = evil
      ctx.order!.lines[0]!.title = evil
      ctx.order!.lines[0]!.variant = evil
      ctx.brand.name = evil
      ctx.brand.logoUrl = `https://cdn.example.test/logo.png?${evil}`
      const { html, text, subject } = await email('order_confirmed', 'ja', ctx)
      expect(html).not.toContain('<script>alert(1)')
      expect(html).not.toContain('<img src=x')
      expect(html).not.toMatch(/"><img/)
      expect(html).toContain(evil.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&#34;'))
      expect(html).toContain(`alt="${evil.replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&#34;')}"`)
      // Plain text is text: the string appears as the customer typed it.
      expect(text).toContain(`${evil} 花子 様`)
      expect(subject).not.toContain('&lt;')
    })

    it(`LINE and SMS: ${evil}`, async () => {
      const ctx = sampleContext('shipment_shipped', 'ja')
      ctx.customer.lastName = `${evil}"}]},{"type":"text`
      ctx.shipment!.trackingNumber = evil
      const { messages } = await line('shipment_shipped', 'ja', ctx)
      const roundTrip = JSON.parse(JSON.stringify(messages)) as typeof messages
      expect(roundTrip).toEqual(messages)
      const texts = lineTexts(messages)
      expect(texts).toContain(evil)
      expect(texts.some((t) => t.startsWith(`${evil}"}]},{"type":"text 花子 様`))).toBe(true)
      expect(messages).toHaveLength(1)

      ctx.brand.name = evil
      expect(await sms('shipment_shipped', 'ja', ctx)).toContain(`【${evil}】`)
    })
  }
})

describe('Liquid inside MJML', () => {
  const fragment = `<mj-section>
  <mj-column>
    {% for line in order.lines %}
    <mj-text css-class="item">ITEM[{{ line.title }}]</mj-text>
    {% endfor %}
    {% if links.tracking %}<mj-button href="{{ links.tracking }}">Go</mj-button>{% endif %}
    <mj-image src="{{ brand.logoUrl }}" alt="{{ brand.name }}" href="{% if links.tracking %}{{ links.tracking }}{% else %}https://fallback.example.test/{% endif %}" />
  </mj-column>
</mj-section>
{% if shipment %}<mj-section><mj-column><mj-text>SHIPMENT-SECTION</mj-text></mj-column></mj-section>{% endif %}
<mj-section><mj-column><mj-table>{% for line in order.lines %}<tr><td>ROW[{{ line.quantity }}]</td></tr>{% endfor %}</mj-table></mj-column></mj-section>`

  it('for, if and outputs in attributes survive compilation', async () => {
    const ctx = sampleContext('order_confirmed', 'en')
    ctx.brand.logoUrl = 'https://cdn.example.test/logo.png'
    ctx.order!.lines.push({ title: 'Third', quantity: 7, price: '¥1' })
    const { html, text } = await email('order_confirmed', 'en', ctx, { subject: 'x', body: fragment })
    expect(html.match(/ITEM\[/g)).toHaveLength(3)
    expect(html).toContain('ITEM[Third]')
    expect(html.match(/ROW\[/g)).toHaveLength(3)
    expect(html).toContain('ROW[7]')
    expect(html).toMatch(/<a\s[^>]*href="https:\/\/example\.test\/t\/7Hq2kLm9xZ"[^>]*>\s*Go\s*<\/a>/)
    expect(html).toContain('src="https://cdn.example.test/logo.png"')
    expect(html).not.toContain('fallback.example.test')
    expect(html).not.toContain('SHIPMENT-SECTION') // no shipment in an order confirmation
    expect(text).toContain('Go <https://example.test/t/7Hq2kLm9xZ>')
    expect(text.match(/ITEM\[/g)).toHaveLength(3)

    delete ctx.links.tracking
    ctx.shipment = sampleContext('shipment_shipped', 'en').shipment
    const second = await email('order_confirmed', 'en', ctx, { subject: 'x', body: fragment })
    expect(second.html).not.toContain('>Go<')
    expect(second.html).toContain('https://fallback.example.test/')
    expect(second.html).toContain('SHIPMENT-SECTION')
  })

  it('falls back to deriving text per message when a tag cannot be carried into the text template', async () => {
    const ctx = sampleContext('order_confirmed', 'en')
    // html-to-text drops images, and with them a tag inside an alt attribute.
    const body = `<mj-section><mj-column><mj-image src="https://cdn.example.test/a.png" alt="{% if order %}Order{% endif %}" />
<mj-text>{% if order %}Order {{ order.number }}{% endif %} <a href="{{ links.tracking }}">track</a></mj-text></mj-column></mj-section>`
    const { html, text } = await email('order_confirmed', 'en', ctx, { subject: 's', body })
    expect(html).toContain('alt="Order"')
    expect(text).toContain('Order #1042 track <https://example.test/t/7Hq2kLm9xZ>')
    expect(text).not.toMatch(LEFTOVER)
  })

  it('unknown message types and locales are a TemplateError, not a crash', async () => {
    const ctx = sampleContext('order_confirmed', 'en')
    await expect(engine.render('nope' as never, 'sms', 'en', ctx)).rejects.toMatchObject({ code: 'TEMPLATE_NO_DEFAULT' })
    expect(engine.hasDefault('order_confirmed', 'email', 'fr' as never)).toBe(false)
  })

  it('compiles MJML once per distinct source, also under concurrency', async () => {
    const e = new TemplateEngine()
    const body = '<mj-section><mj-column><mj-text>Once {{ order.number }}</mj-text></mj-column></mj-section>'
    const ctx = sampleContext('order_confirmed', 'ja')
    const before = mjmlCalls()
    const results = await Promise.all(Array.from({ length: 20 }, () => e.render('order_confirmed', 'email', 'ja', ctx, { subject: 's', body })))
    for (let i = 0; i < 20; i++) await e.render('order_confirmed', 'email', 'ja', ctx, { subject: 's', body })
    expect(mjmlCalls() - before).toBe(1)
    expect(JSON.stringify(results[0])).toContain('Once #1042')
    // Another locale is another layout: one more compilation.
    await e.render('order_confirmed', 'email', 'en', ctx, { subject: 's', body })
    expect(mjmlCalls() - before).toBe(2)
  })
})

describe('footers', () => {
  it('marketing mail shows sender, postal address and a visible unsubscribe link', async () => {
    for (const locale of LOCALES) {
      const ctx = sampleContext('marketing_announcement', locale)
      const { html, text } = await email('marketing_announcement', locale, ctx)
      expect(html).toContain(ctx.brand.address)
      expect(html).toMatch(new RegExp(`<a href="${ctx.links.unsubscribe}"[^>]*>[^<]+</a>`))
      expect(text).toContain(ctx.brand.address)
      expect(text).toContain(`<${ctx.links.unsubscribe}>`)
      expect(text).toContain(locale === 'ja' ? '配信停止' : 'Unsubscribe')
    }
  })

  it('transactional mail shows no unsubscribe link even when one is in the context', async () => {
    for (const type of MESSAGE_TYPE_NAMES.filter((t) => MESSAGE_TYPES[t].category === 'transactional')) {
      const ctx = sampleContext(type, 'ja')
      ctx.links.unsubscribe = 'https://example.test/p/unsubscribe/zzz'
      const { html, text } = await email(type, 'ja', ctx)
      expect(html).not.toContain('unsubscribe/zzz')
      expect(html).not.toContain('配信停止')
      expect(text).not.toContain('unsubscribe')
      expect(html).not.toContain(ctx.brand.address)
    }
  })

  it('refuses a marketing email without unsubscribe link or address', async () => {
    const ctx = sampleContext('marketing_announcement', 'ja')
    delete ctx.links.unsubscribe
    await expect(engine.render('marketing_announcement', 'email', 'ja', ctx)).rejects.toMatchObject({ code: 'MARKETING_FOOTER_INCOMPLETE' })
    const noAddress = sampleContext('marketing_announcement', 'ja')
    delete noAddress.brand.address
    await expect(engine.render('marketing_announcement', 'email', 'ja', noAddress)).rejects.toBeInstanceOf(TemplateError)
  })
})

describe('templates cannot reach the server or inject CSS', () => {
  it('mj-include and Liquid include read no files', async () => {
    const ctx = sampleContext('order_confirmed', 'en')
    const body = '<mj-include path="/etc/passwd" /><mj-section><mj-column><mj-text>safe</mj-text></mj-column></mj-section>'
    const { html } = await email('order_confirmed', 'en', ctx, { subject: 's', body })
    expect(html).toContain('safe')
    expect(html).not.toContain('root:')
    await expect(engine.render('order_confirmed', 'sms', 'en', ctx, { body: "{% include '/etc/passwd' %}" })).rejects.toBeInstanceOf(TemplateError)
    await expect(engine.render('order_confirmed', 'sms', 'en', ctx, { body: "{% render '../../package.json' %}" })).rejects.toBeInstanceOf(TemplateError)
  })

  it('a brand colour that is not #rrggbb falls back to the default accent', async () => {
    const ctx = sampleContext('shipment_shipped', 'en')
    ctx.brand.color = 'red;background:url(https://evil.example/x)'
    const { html } = await email('shipment_shipped', 'en', ctx)
    expect(html).not.toContain('evil.example')
    expect(html).toContain('#1f2937')
    const { messages } = await line('shipment_shipped', 'en', ctx)
    expect(JSON.stringify(messages)).not.toContain('evil.example')
  })
})

describe('validate', () => {
  it('reports a Liquid syntax error with its line at /body', async () => {
    const body = '<mj-section><mj-column>\n<mj-text>ok</mj-text>\n<mj-text>{% if order %}open</mj-text>\n</mj-column></mj-section>'
    const problems = await engine.validate('email', { subject: 'fine', body })
    expect(problems).toHaveLength(1)
    expect(problems[0]!.pointer).toBe('/body')
    expect(problems[0]!.message).toMatch(/line:3/)
  })

  it('reports an unknown filter in the subject at /subject', async () => {
    const problems = await engine.validate('email', { subject: 'Hi {{ customer.firstName | shout }}', body: engine.defaultSource('order_confirmed', 'email', 'en').body })
    expect(problems).toEqual([{ pointer: '/subject', message: expect.stringMatching(/shout/) }])
  })

  it('reports an unknown MJML tag at /body with the fragment line', async () => {
    const problems = await engine.validate('email', {
      subject: 's',
      body: '<mj-section>\n<mj-column>\n<mj-bogus>x</mj-bogus>\n</mj-column>\n</mj-section>',
    })
    expect(problems).toHaveLength(1)
    expect(problems[0]).toMatchObject({ pointer: '/body' })
    expect(problems[0]!.message).toMatch(/^line 3: .*mj-bogus/)
  })

  it('checks LINE and SMS bodies as Liquid text', async () => {
    expect(await engine.validate('sms', { body: '{{ order.number | nope }}' })).toEqual([{ pointer: '/body', message: expect.stringMatching(/nope/) }])
    expect(await engine.validate('line', { body: 'Hi {{ customer.firstName }}' })).toEqual([])
    expect(await engine.validate('sms', { body: '  ' })).toEqual([{ pointer: '/body', message: 'body is empty' }])
  })

  it('render of an invalid override throws a TemplateError with a pointer', async () => {
    const ctx = sampleContext('order_confirmed', 'ja')
    await expect(engine.render('order_confirmed', 'sms', 'ja', ctx, { body: '{% if %}' })).rejects.toMatchObject({ code: 'TEMPLATE_INVALID', pointer: '/body' })
  })
})

describe('missing optional parts vanish', () => {
  let ctx: MessageContext
  beforeEach(() => {
    ctx = sampleContext('shipment_shipped', 'ja')
    const s = ctx.shipment!
    delete s.estimatedDelivery
    s.timeSlot = '' // empty counts as missing
    delete s.trackingNumber
    delete ctx.links.tracking
  })

  it('email: no empty labels, no button', async () => {
    const { html, text } = await email('shipment_shipped', 'ja', ctx)
    for (const out of [html, text]) {
      expect(out).not.toContain('お届け予定日')
      expect(out).not.toContain('配達時間帯')
      expect(out).not.toContain('追跡番号')
      expect(out).not.toContain('配送状況を確認する')
      expect(out).toContain('ヤマト運輸')
    }
    expect(text).not.toMatch(/: *$/m)
    expect(text).not.toMatch(/\n{3,}/)
  })

  it('LINE: no empty rows and no button', async () => {
    const { messages } = await line('shipment_shipped', 'ja', ctx)
    const texts = lineTexts(messages)
    expect(texts).not.toContain('お届け予定日')
    expect(texts).not.toContain('追跡番号')
    expect(texts).toContain('配送業者')
    expect(JSON.stringify(messages)).not.toContain('"footer"')
  })

  it('SMS: no estimate, no link', async () => {
    const text = await sms('shipment_shipped', 'ja', ctx)
    expect(text).toBe('【木漏れ日珈琲】ご注文の商品を発送しました。')
  })

  it('no customer name falls back to a polite generic greeting', async () => {
    ctx.customer = {}
    expect((await email('shipment_shipped', 'ja', ctx)).text).toContain('お客様')
    expect((await email('shipment_shipped', 'en', { ...sampleContext('shipment_shipped', 'en'), customer: {} })).text).toContain('Hello,')
  })
})

describe('links can only be http(s)', () => {
  for (const bad of ['javascript:alert(1)', ' JaVaScRiPt:alert(1)', 'data:text/html,<script>alert(1)</script>', '//evil.example/x']) {
    it(`neutralises ${JSON.stringify(bad)}`, async () => {
      const ctx = sampleContext('marketing_announcement', 'ja')
      ctx.announcement!.ctaUrl = bad
      const { html, text } = await email('marketing_announcement', 'ja', ctx)
      expect(html.toLowerCase()).not.toContain('javascript:')
      expect(html).not.toContain('data:text/html')
      expect(html).not.toContain('evil.example')
      expect(html).toMatch(/href="#"/)
      expect(text.toLowerCase()).not.toContain('javascript:')
      expect(text).not.toContain('<>')

      const shipped = sampleContext('shipment_shipped', 'ja')
      shipped.links.tracking = bad
      const l = await line('shipment_shipped', 'ja', shipped)
      expect(JSON.stringify(l).toLowerCase()).not.toContain('javascript:')
      expect(JSON.stringify(l)).not.toContain('"footer"')
    })
  }

  it('applies to hrefs written in a tenant override too', async () => {
    const ctx = sampleContext('order_confirmed', 'en')
    ctx.links.tracking = 'javascript:alert(document.cookie)'
    const body = '<mj-section><mj-column><mj-text><a href="{{ links.tracking }}">Track</a></mj-text><mj-button href="{{- links.tracking -}}">Go</mj-button></mj-column></mj-section>'
    const { html } = await email('order_confirmed', 'en', ctx, { subject: 's', body })
    expect(html).not.toContain('javascript:')
    expect(html.match(/href="#"/g)?.length).toBe(2)
  })
})

describe('LINE', () => {
  it('the default is a Flex bubble with brand header, rows and a uri button', async () => {
    for (const locale of LOCALES) {
      const ctx = sampleContext('shipment_shipped', locale)
      const { messages } = await line('shipment_shipped', locale, ctx)
      expect(messages).toHaveLength(1)
      const m = messages[0]!
      expect(m.type).toBe('flex')
      if (m.type !== 'flex') return
      const bubble = m.contents as Json
      expect(bubble.type).toBe('bubble')
      const button = (bubble.footer!.contents as Json[])[0]!
      expect(button.type).toBe('button')
      expect(button.action).toEqual({ type: 'uri', label: locale === 'ja' ? '配送状況を確認する' : 'Track your parcel', uri: ctx.links.tracking })
      const texts = lineTexts(bubble)
      expect(texts).toContain(ctx.brand.name)
      expect(texts).toContain(ctx.order!.number)
      expect(texts).toContain(ctx.shipment!.carrierName)
      expect(texts).toContain(ctx.shipment!.trackingNumber)
      expect(texts).toContain(ctx.shipment!.estimatedDelivery)
      expect(m.altText).toContain(ctx.brand.name)
    }
  })

  it('keeps altText ≤ 400 and text ≤ 5000 characters', async () => {
    const ctx = sampleContext('marketing_announcement', 'ja')
    ctx.announcement!.title = 'お知らせ'.repeat(200)
    ctx.announcement!.body = '本文'.repeat(4000)
    const { messages } = await line('marketing_announcement', 'ja', ctx)
    const flex = messages[0]!
    if (flex.type !== 'flex') throw new Error('expected flex')
    expect(flex.altText.length).toBeLessThanOrEqual(400)
    expect(flex.altText.endsWith('…')).toBe(true)
    expect(JSON.stringify(flex.contents).length).toBeLessThan(30_000)

    const override = await line('marketing_announcement', 'ja', ctx, { body: '{{ announcement.body }}' })
    const text = override.messages[0]!
    if (text.type !== 'text') throw new Error('expected text')
    expect(text.text.length).toBe(5000)
    expect(text.text.endsWith('…')).toBe(true)
  })

  it('an override is one text message plus the tracking button bubble', async () => {
    const ctx = sampleContext('shipment_out_for_delivery', 'ja')
    const { messages } = await line('shipment_out_for_delivery', 'ja', ctx, { body: '{{ customer.lastName }}様、本日{{ shipment.timeSlot }}にお届けします。' })
    expect(messages[0]).toEqual({ type: 'text', text: '山田様、本日14時〜16時にお届けします。' })
    expect(messages[1]).toMatchObject({ type: 'flex', contents: { type: 'bubble', footer: { contents: [{ action: { type: 'uri', uri: ctx.links.tracking } }] } } })
    delete ctx.links.tracking
    expect((await line('shipment_out_for_delivery', 'ja', ctx, { body: 'x' })).messages).toEqual([{ type: 'text', text: 'x' }])
  })
})

describe('SMS', () => {
  // GSM 03.38 basic set: English defaults must not fall back to UCS-2 (70 characters a segment).
  const GSM7 = /^[A-Za-z0-9 \n@£$¥èéùìòÇØøÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ!"#¤%&'()*+,\-./:;<=>?¡ÄÖÑÜ§¿äöñüà]*$/
  for (const type of MESSAGE_TYPE_NAMES) {
    it(`${type}: ja ≤ 70 characters before the link, en ≤ 160 in GSM-7`, async () => {
      const ja = await sms(type, 'ja', sampleContext(type, 'ja'))
      expect([...ja.split('http')[0]!.trim()].length).toBeLessThanOrEqual(70)
      const en = await sms(type, 'en', sampleContext(type, 'en'))
      expect(en.length).toBeLessThanOrEqual(160)
      expect(en).toMatch(GSM7)
    })
  }
})

describe('cost', () => {
  it('measures one email render after warm-up (printed, not asserted)', async () => {
    const e = new TemplateEngine()
    const ctx = sampleContext('shipment_shipped', 'ja')
    for (let i = 0; i < 300; i++) await e.render('shipment_shipped', 'email', 'ja', ctx)
    const n = 3000
    const t0 = performance.now()
    for (let i = 0; i < n; i++) await e.render('shipment_shipped', 'email', 'ja', ctx)
    const emailUs = ((performance.now() - t0) / n) * 1000
    const t1 = performance.now()
    for (let i = 0; i < n; i++) await e.render('shipment_shipped', 'line', 'ja', ctx)
    const lineUs = ((performance.now() - t1) / n) * 1000
    const t2 = performance.now()
    for (let i = 0; i < n; i++) await e.render('shipment_shipped', 'sms', 'ja', ctx)
    const smsUs = ((performance.now() - t2) / n) * 1000
    console.log(`template render cost after warm-up: email ${emailUs.toFixed(1)} µs, LINE ${lineUs.toFixed(1)} µs, SMS ${smsUs.toFixed(1)} µs`)
  })
})
