/**
 * The template engine: Liquid for every channel, MJML for email, html-to-text for the plain-text
 * part, LINE Flex built in code. Work that depends only on the template (MJML compilation, Liquid
 * parsing, deriving the text template) happens once per distinct source and is cached; a render
 * after warm-up is two Liquid renders of parsed templates.
 */
import { compile as compileHtmlToText } from 'html-to-text'
import { Liquid, type Template } from 'liquidjs'
import mjml2html from 'mjml'
import { MESSAGE_TYPES, type LineMessage, type Locale, type MessageContext, type MessageType, type Rendered, type TemplateSource } from '../types.js'
import { DEFAULTS, defaultTemplateSource, type DefaultTemplates } from './defaults.js'
import { TemplateError } from './errors.js'
import { LABELS } from './labels.js'
import { emailLayout, type EmailLayout } from './layout.js'
import { buttonBubble, flexBubble, scaleBubble, textMessage } from './line.js'
import { cssColor, escapeHtml, httpUrl, oneLine, tidyText } from './text.js'

export type TemplateChannel = 'email' | 'line' | 'sms'
export interface TemplateProblem {
  /** JSON pointer into the TemplateSource: `/subject` or `/body`. */
  pointer: string
  message: string
}

export interface TemplateEngineOptions {
  /** Distinct email templates kept compiled (MJML + Liquid + text). Default 500. */
  maxCompiledEmails?: number
  /** Distinct Liquid text sources kept parsed (subjects, LINE, SMS). Default 2000. */
  maxParsedTexts?: number
}

/** A Map that forgets its least recently used entry beyond `max` entries. */
class BoundedMap<K, V> {
  private readonly map = new Map<K, V>()
  constructor(private readonly max: number) {}
  get(key: K): V | undefined {
    const value = this.map.get(key)
    if (value !== undefined) {
      this.map.delete(key)
      this.map.set(key, value)
    }
    return value
  }
  set(key: K, value: V): void {
    this.map.delete(key)
    this.map.set(key, value)
    if (this.map.size > this.max) this.map.delete(this.map.keys().next().value as K)
  }
  delete(key: K): void {
    this.map.delete(key)
  }
  get size(): number {
    return this.map.size
  }
}

interface CompiledEmail {
  /** The MJML output with its Liquid restored (outputs HTML-escaped; href/src outputs through safe_url). */
  html: Template[]
  /** The same document turned into a plain-text Liquid template; null when that could not be derived. */
  text: Template[] | null
  /** MJML's complaints about the fragment (soft validation). */
  problems: TemplateProblem[]
}

// ---------------------------------------------------------------------------------------------
// Liquid

/** Both engines: unknown filters fail at parse, no file access, limits against runaway templates. */
function createLiquid(html: boolean): Liquid {
  const liquid = new Liquid({
    ...(html ? { outputEscape: 'escape' as const } : {}),
    strictFilters: true,
    strictVariables: false,
    ownPropertyOnly: true,
    // Empty strings and 0 are falsy, so `{% if shipment.timeSlot %}` hides a label for "".
    jsTruthy: true,
    // In-memory partials, none registered: {% include %} / {% render %} can reach no file.
    templates: {},
    parseLimit: 500_000,
    renderLimit: 2_000,
    memoryLimit: 50_000_000,
  })
  liquid.registerFilter('safe_url', (value: unknown) => httpUrl(value) ?? (html ? '#' : ''))
  liquid.registerFilter('color', (value: unknown) => cssColor(value))
  liquid.registerFilter(
    'text_to_html',
    html
      ? { handler: (value: unknown) => escapeHtml(String(value ?? '')).replace(/\r?\n/g, '<br>'), raw: true }
      : (value: unknown) => String(value ?? ''),
  )
  return liquid
}

function liquidMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}

// ---------------------------------------------------------------------------------------------
// Liquid inside MJML: hide the Liquid from MJML, compile, put it back.

// Tags become HTML comments (MJML keeps comments where they stand, even between mj-column children,
// where it drops bare text); outputs become private-use tokens (safe inside attribute values).
const LIQUID_MARKUP = /\{%-?[\s\S]*?-?%\}|\{\{-?[\s\S]*?-?\}\}/g
const TAG_COMMENT = /<!--kq:(\d+)-->/g
const TOKEN = /\uE000(\d+)\uE001/g
const URL_ATTRIBUTE_TOKEN = /(\s(?:href|src)\s*=\s*["']\s*)\uE000(\d+)\uE001/gi

interface Protected {
  mjml: string
  parts: string[]
  /** Ids of tag parts that came from the fragment (each must survive compilation exactly once). */
  tagIds: number[]
}

function protect(doc: string): Protected {
  const parts: string[] = []
  const outputIds = new Map<string, number>()
  const tagIds: number[] = []
  const mjml = doc.replace(LIQUID_MARKUP, (markup) => {
    if (markup.startsWith('{%')) {
      const id = parts.push(markup) - 1
      tagIds.push(id)
      return `<!--kq:${id}-->`
    }
    // The same output gets the same token, so html-to-text can see <a href=X>X</a> as one link.
    let id = outputIds.get(markup)
    if (id === undefined) outputIds.set(markup, (id = parts.push(markup) - 1))
    return `\uE000${id}\uE001`
  })
  return { mjml, parts, tagIds }
}

/** `{{ x | f }}` → `{{ x | f | safe_url }}`: a link or image URL can only be http(s). */
function throughSafeUrl(output: string): string {
  const m = /^\{\{(-?)([\s\S]*?)(-?)\}\}$/.exec(output)
  return m ? `{{${m[1]}${m[2]} | safe_url ${m[3]}}}` : output
}

/** Every output that starts an href or src value gets its own token whose Liquid ends in safe_url. */
function hardenUrls(html: string, parts: string[]): string {
  return html.replace(URL_ATTRIBUTE_TOKEN, (_all, prefix: string, id: string) => {
    const safeId = parts.push(throughSafeUrl(parts[Number(id)] ?? '')) - 1
    return `${prefix}\uE000${safeId}\uE001`
  })
}

function countTags(text: string, pattern: RegExp, tagIds: number[]): Map<number, number> {
  const wanted = new Set(tagIds)
  const counts = new Map<number, number>()
  for (const m of text.matchAll(pattern)) {
    const id = Number(m[1])
    if (wanted.has(id)) counts.set(id, (counts.get(id) ?? 0) + 1)
  }
  return counts
}

// ---------------------------------------------------------------------------------------------
// Plain text

type Builder = { addInline(text: string, options?: { noWordTransform?: boolean }): void }
type Walk = (nodes: unknown, builder: Builder) => void

const htmlToText = compileHtmlToText({
  wordwrap: false,
  formatters: {
    // A label cell (<th>) reads "Label: value" in text.
    kandoLabel: (elem: { children: unknown }, walk: Walk, builder: Builder) => {
      walk(elem.children, builder)
      builder.addInline(': ', { noWordTransform: true })
    },
    kandoCell: (elem: { children: unknown }, walk: Walk, builder: Builder) => {
      walk(elem.children, builder)
      builder.addInline('  ', { noWordTransform: true })
    },
  } as never,
  selectors: [
    { selector: 'img', format: 'skip' },
    { selector: 'a', options: { linkBrackets: ['<', '>'], hideLinkHrefIfSameAsText: true } },
    { selector: 'h1', options: { uppercase: false, leadingLineBreaks: 2, trailingLineBreaks: 2 } },
    { selector: 'h2', options: { uppercase: false, leadingLineBreaks: 2, trailingLineBreaks: 1 } },
    { selector: 'h3', options: { uppercase: false, leadingLineBreaks: 2, trailingLineBreaks: 1 } },
    { selector: 'p', options: { leadingLineBreaks: 1, trailingLineBreaks: 1 } },
    { selector: 'table', format: 'block', options: { leadingLineBreaks: 1, trailingLineBreaks: 1 } },
    { selector: 'tr', format: 'block', options: { leadingLineBreaks: 1, trailingLineBreaks: 1 } },
    { selector: 'th', format: 'kandoLabel' },
    { selector: 'td', format: 'kandoCell' },
    // MJML's button cell and the layout's footer stand apart as paragraphs.
    { selector: 'td[role=presentation]', format: 'block', options: { leadingLineBreaks: 2, trailingLineBreaks: 2 } },
    { selector: 'div[data-kando=footer]', format: 'block', options: { leadingLineBreaks: 2, trailingLineBreaks: 1 } },
  ],
})

const TAG_ONLY_LINE = /^[\s\u00a0]*(?:\uE000\d+\uE001[\s\u00a0]*)+$/

/**
 * A line holding only Liquid tags (html-to-text put `{% if %}` between blocks on a line of its own)
 * is folded into the next line, so a false condition removes its content without leaving a blank.
 */
function joinTagLines(text: string, tagIds: Set<number>): string {
  const lines = text.split('\n')
  let out = ''
  lines.forEach((line, i) => {
    const tokens = TAG_ONLY_LINE.test(line) ? [...line.matchAll(TOKEN)] : []
    if (tokens.length > 0 && tokens.every((t) => tagIds.has(Number(t[1])))) out += tokens.map((t) => t[0]).join('')
    else out += i < lines.length - 1 ? line + '\n' : line
  })
  return out
}

function shipped(type: MessageType, locale: Locale): DefaultTemplates {
  const d = DEFAULTS[locale]?.[type]
  if (!d) throw new TemplateError('TEMPLATE_NO_DEFAULT', `no default template for ${String(type)}/${String(locale)}`)
  return d
}

/** Text as derived from HTML, with unsafe links (safe_url gave "") left without empty brackets. */
function finishText(text: string): string {
  return tidyText(text.replace(/ ?<#?>(?=\s|$)/g, '').replace(/[ \t]{2,}/g, ' '))
}

/** Types whose default messages show the coupon (their copy introduces it). */
const COUPON_TYPES: ReadonlySet<MessageType> = new Set(['delay_apology', 'replenishment_reminder', 'cross_sell', 'win_back', 'second_purchase'])
/** Types about a return: their LINE rows start with the return number. */
const RETURN_TYPES: ReadonlySet<MessageType> = new Set(['return_approved', 'return_received', 'return_resolved', 'refund_issued'])
/** Types whose default messages list `products`, under which heading. */
const PRODUCT_LIST: Partial<Record<MessageType, 'lastOrderItems' | 'recommendedItems'>> = {
  replenishment_reminder: 'lastOrderItems',
  cross_sell: 'recommendedItems',
  win_back: 'recommendedItems',
  second_purchase: 'recommendedItems',
}

/** Five entries at most, then "and N more". */
function cutList(items: string[], L: (typeof LABELS)[Locale]): string {
  const shown = items.slice(0, 5)
  if (items.length > 5) shown.push(L.moreItems(items.length - 5))
  return shown.join('\n')
}

/** Where a LINE message's one button goes, by type; null when that link is missing or not http(s). */
function lineButton(type: MessageType, ctx: MessageContext, L: (typeof LABELS)[Locale]): { label: string; uri: string } | null {
  const to = (label: string, url: unknown) => {
    const uri = httpUrl(url)
    return uri ? { label, uri } : null
  }
  switch (type) {
    case 'marketing_announcement':
      return to(ctx.announcement?.ctaLabel || L.learnMore, ctx.announcement?.ctaUrl)
    case 'replenishment_reminder':
      return to(L.reorder, ctx.links.shop)
    case 'cross_sell':
    case 'win_back':
    case 'second_purchase':
      return to(L.visitShop, ctx.links.shop)
    case 'review_request':
      return to(L.writeReview, ctx.links.review) ?? to(L.writeReview, ctx.links.tracking)
    case 'nps_survey':
    case 'csat_survey':
      return null // the score scale is the call to action
    case 'return_approved':
    case 'return_received':
    case 'return_resolved':
    case 'refund_issued':
      return to(L.returnStatus, ctx.links.returnStatus) ?? to(L.viewOrder, ctx.links.tracking)
    default:
      return to(type.startsWith('shipment_') || type === 'delay_apology' ? L.trackParcel : L.viewOrder, ctx.links.tracking)
  }
}

/** A survey's one-click URIs (`${links.nps}?score=N`, 0..10, or `${links.csat}?score=N`, 1..5), or null without an http(s) link. */
function surveyScale(type: MessageType, ctx: MessageContext, L: (typeof LABELS)[Locale]): { uris: string[]; first: number; low: string; high: string } | null {
  const s = type === 'nps_survey' ? { link: ctx.links.nps, from: 0, to: 10, low: L.npsLow, high: L.npsHigh }
    : type === 'csat_survey' ? { link: ctx.links.csat, from: 1, to: 5, low: L.csatLow, high: L.csatHigh }
    : null
  const base = s && httpUrl(s.link)
  if (!s || !base) return null
  return { uris: Array.from({ length: s.to - s.from + 1 }, (_, i) => `${base}?score=${s.from + i}`), first: s.from, low: s.low, high: s.high }
}

// ---------------------------------------------------------------------------------------------

/** Renders Kando's messages from default or tenant templates; one instance per process. */
export class TemplateEngine {
  private readonly html = createLiquid(true)
  private readonly text = createLiquid(false)
  /** Per layout, compiled email templates keyed by the fragment's exact text. */
  private readonly emails = new Map<string, BoundedMap<string, Promise<CompiledEmail>>>()
  private readonly maxCompiledEmails: number
  private readonly htmlParsed: BoundedMap<string, Template[]>
  private readonly textParsed: BoundedMap<string, Template[]>

  constructor(options: TemplateEngineOptions = {}) {
    this.maxCompiledEmails = options.maxCompiledEmails ?? 500
    this.htmlParsed = new BoundedMap(options.maxParsedTexts ?? 2000)
    this.textParsed = new BoundedMap(options.maxParsedTexts ?? 2000)
  }

  /** Whether Kando ships a template for (type, channel, locale). */
  hasDefault(type: MessageType, channel: TemplateChannel, locale: Locale): boolean {
    return defaultTemplateSource(type, channel, locale) !== undefined
  }

  /** The shipped template for (type, channel, locale), e.g. as the starting point of an edit. */
  defaultSource(type: MessageType, channel: TemplateChannel, locale: Locale): TemplateSource {
    const source = defaultTemplateSource(type, channel, locale)
    if (!source) throw new TemplateError('TEMPLATE_NO_DEFAULT', `no default template for ${type}/${channel}/${locale}`)
    return source
  }

  /**
   * Renders one message: `override` (a tenant's template) when given, else the shipped default.
   * @example const r = await engine.render('shipment_shipped', 'email', 'ja', ctx)
   */
  async render(type: MessageType, channel: TemplateChannel, locale: Locale, ctx: MessageContext, override?: TemplateSource): Promise<Rendered> {
    switch (channel) {
      case 'email':
        return { channel, email: await this.renderEmail(type, locale, ctx, override) }
      case 'line':
        return { channel, line: { messages: this.renderLine(type, locale, ctx, override) } }
      case 'sms':
        return { channel, sms: { text: this.renderSms(type, locale, ctx, override) } }
      default:
        throw new TemplateError('TEMPLATE_NO_DEFAULT', `no templates for channel ${String(channel)}`)
    }
  }

  /** Problems in a template, each with a JSON pointer into it; empty when it is fine. */
  async validate(channel: TemplateChannel, source: TemplateSource): Promise<TemplateProblem[]> {
    const problems: TemplateProblem[] = []
    if (source.subject !== undefined) {
      try {
        this.text.parse(source.subject)
      } catch (err) {
        problems.push({ pointer: '/subject', message: liquidMessage(err) })
      }
    }
    if (typeof source.body !== 'string' || source.body.trim() === '') {
      problems.push({ pointer: '/body', message: 'body is empty' })
      return problems
    }
    try {
      ;(channel === 'email' ? this.html : this.text).parse(source.body)
    } catch (err) {
      problems.push({ pointer: '/body', message: liquidMessage(err) })
      return problems
    }
    if (channel === 'email') {
      try {
        const compiled = await this.compileEmail(emailLayout('en', 'transactional'), source.body)
        problems.push(...compiled.problems)
      } catch (err) {
        problems.push({ pointer: err instanceof TemplateError && err.pointer ? err.pointer : '/body', message: liquidMessage(err) })
      }
    }
    return problems
  }

  // -------------------------------------------------------------------------------------------
  // Email

  private async renderEmail(type: MessageType, locale: Locale, ctx: MessageContext, override?: TemplateSource) {
    const category = MESSAGE_TYPES[type].category
    if (category === 'marketing') {
      // 特定電子メール法: sender, postal address and a working opt-out in every marketing mail.
      const missing = [!ctx.brand.address?.trim() && 'brand.address', !httpUrl(ctx.links.unsubscribe) && 'links.unsubscribe'].filter(Boolean)
      if (missing.length > 0) {
        throw new TemplateError('MARKETING_FOOTER_INCOMPLETE', `marketing email needs ${missing.join(' and ')} (特定電子メール法)`)
      }
    }
    const fallback = shipped(type, locale).email
    const source = override ?? fallback
    const compiled = await this.compileEmail(emailLayout(locale, category), source.body)
    const subject = oneLine(this.renderText(source.subject ?? fallback.subject, ctx, '/subject'))
    const scope = { ...ctx, email: { subject } }
    let html: string
    let text: string
    try {
      html = this.html.renderSync(compiled.html, scope) as string
      text = compiled.text ? finishText(this.text.renderSync(compiled.text, scope) as string) : finishText(htmlToText(html))
    } catch (err) {
      throw new TemplateError('TEMPLATE_RENDER_FAILED', liquidMessage(err), '/body', { cause: err })
    }
    return { subject, html, text }
  }

  /**
   * MJML + Liquid parse + text derivation, once per distinct (layout, fragment). Keyed by the layout's
   * hash and the fragment's exact text: a Map hashes the string itself, cheaper per render than a
   * digest and free of collisions. Concurrent renders of a new source share one compilation.
   */
  private compileEmail(layout: EmailLayout, fragment: string): Promise<CompiledEmail> {
    let byFragment = this.emails.get(layout.id)
    if (!byFragment) this.emails.set(layout.id, (byFragment = new BoundedMap(this.maxCompiledEmails)))
    let compiled = byFragment.get(fragment)
    if (!compiled) {
      const cache = byFragment
      compiled = this.buildEmail(layout, fragment)
      cache.set(fragment, compiled)
      compiled.catch(() => cache.delete(fragment))
    }
    return compiled
  }

  private async buildEmail(layout: EmailLayout, fragment: string): Promise<CompiledEmail> {
    try {
      this.html.parse(fragment) // errors with line numbers of the fragment itself
    } catch (err) {
      throw new TemplateError('TEMPLATE_INVALID', liquidMessage(err), '/body', { cause: err })
    }
    const fragmentLines = fragment.split('\n').length
    const { mjml, parts, tagIds } = protect(layout.before + fragment + layout.after)
    const out = await mjml2html(mjml, { validationLevel: 'soft', keepComments: true, ignoreIncludes: true, fonts: {} })
    const problems: TemplateProblem[] = []
    for (const e of out.errors) {
      if (e.message.includes('\uE000') || e.message.includes('kq:')) continue // a Liquid value: checked when rendered
      const line = e.line - layout.fragmentLineOffset
      const where = line >= 1 && line <= fragmentLines ? `line ${line}: ` : ''
      problems.push({ pointer: '/body', message: `${where}${e.message}` })
    }
    const htmlCounts = countTags(out.html, TAG_COMMENT, tagIds)
    const lost = tagIds.filter((id) => htmlCounts.get(id) !== 1)
    if (lost.length > 0) {
      const tag = parts[lost[0]!] ?? ''
      throw new TemplateError('TEMPLATE_INVALID', `MJML moved or dropped the Liquid tag ${tag}; put it between elements or inside mj-text/mj-table/mj-raw`, '/body')
    }
    const hardened = hardenUrls(out.html, parts)
    const restore = (s: string) => s.replace(TAG_COMMENT, (_m, id: string) => parts[Number(id)] ?? '').replace(TOKEN, (_m, id: string) => parts[Number(id)] ?? '')
    let html: Template[]
    try {
      // MJML indents every line; a line break alone is the same whitespace to HTML, and a fifth
      // fewer bytes is a fifth less for the mailer to encode and send per message.
      html = this.html.parse(restore(hardened.replace(/>[ \t]*\n\s*</g, '>\n<')))
    } catch (err) {
      throw new TemplateError('TEMPLATE_INVALID', liquidMessage(err), '/body', { cause: err })
    }
    return { html, text: this.deriveTextTemplate(hardened, parts, tagIds), problems }
  }

  /**
   * html-to-text run once over the compiled HTML with Liquid hidden as text tokens, then Liquid
   * put back: a plain-text template. Null (derive per message instead) if a tag did not survive.
   */
  private deriveTextTemplate(hardened: string, parts: string[], tagIds: number[]): Template[] | null {
    const text = htmlToText(hardened.replace(TAG_COMMENT, '\uE000$1\uE001'))
    const counts = countTags(text, TOKEN, tagIds)
    if (tagIds.some((id) => counts.get(id) !== 1)) return null
    try {
      return this.text.parse(joinTagLines(text, new Set(tagIds)).replace(TOKEN, (_m, id: string) => parts[Number(id)] ?? ''))
    } catch {
      return null
    }
  }

  // -------------------------------------------------------------------------------------------
  // Text channels

  private renderText(source: string, ctx: object, pointer: string): string {
    let parsed = this.textParsed.get(source)
    try {
      if (!parsed) {
        parsed = this.text.parse(source)
        this.textParsed.set(source, parsed)
      }
      return String(this.text.renderSync(parsed, ctx) ?? '')
    } catch (err) {
      throw new TemplateError(parsed ? 'TEMPLATE_RENDER_FAILED' : 'TEMPLATE_INVALID', liquidMessage(err), pointer, { cause: err })
    }
  }

  private renderSms(type: MessageType, locale: Locale, ctx: MessageContext, override?: TemplateSource): string {
    const text = tidyText(this.renderText((override ?? shipped(type, locale).sms).body, ctx, '/body'))
    if (!text) throw new TemplateError('MESSAGE_EMPTY', 'the SMS template rendered no text', '/body')
    return text
  }

  private renderLine(type: MessageType, locale: Locale, ctx: MessageContext, override?: TemplateSource): LineMessage[] {
    const L = LABELS[locale]
    const isMarketing = MESSAGE_TYPES[type].category === 'marketing'
    const button = lineButton(type, ctx, L)
    const scale = surveyScale(type, ctx, L)

    if (override) {
      const text = tidyText(this.renderText(override.body, ctx, '/body'))
      const messages: LineMessage[] = []
      if (text) messages.push(textMessage(text))
      if (button) messages.push(buttonBubble(locale === 'ja' ? 'こちらからご確認いただけます。' : 'Tap below for details.', button, ctx.brand.color))
      if (scale) {
        const last = scale.first + scale.uris.length - 1
        messages.push(scaleBubble(locale === 'ja' ? `${scale.first}〜${last}の数字からお選びください。` : `Tap a number from ${scale.first} to ${last}.`, scale, ctx.brand.color))
      }
      if (messages.length === 0) throw new TemplateError('MESSAGE_EMPTY', 'the LINE template rendered no text', '/body')
      return messages
    }

    const d = shipped(type, locale).line
    const headline = oneLine(this.renderText(d.headline, ctx, '/headline'))
    const body = tidyText(this.renderText(d.body, ctx, '/body'))
    const s = ctx.shipment
    const rows: Array<[string, string | undefined]> = []
    if (!isMarketing && type !== 'nps_survey') rows.push([L.orderNumber, ctx.order?.number])
    if (s && (type.startsWith('shipment_') || type === 'delay_apology')) {
      rows.push([L.carrier, s.carrierName], [L.trackingNumber, s.trackingNumber])
      if (type !== 'shipment_delivered') rows.push([L.estimatedDelivery, s.estimatedDelivery], [L.timeSlot, s.timeSlot])
    }
    if (type === 'order_confirmed' && ctx.order) {
      const lines = ctx.order.lines
      const shown = lines.slice(0, 5).map((l) => `${l.title}${l.variant ? `（${l.variant}）` : ''} × ${l.quantity}`)
      if (lines.length > 5) shown.push(L.moreItems(lines.length - 5))
      rows.push([L.orderItems, shown.join('\n')], [L.total, ctx.order.total])
    }
    if (type === 'thank_you' || type === 'review_request') {
      const lines = s?.lines.length ? s.lines : (ctx.order?.lines ?? [])
      rows.push([L.purchasedItems, cutList(lines.map((l) => `${l.title} × ${l.quantity}`), L)])
    }
    const r = ctx.return
    if (RETURN_TYPES.has(type)) rows.push([L.returnNumber, r?.number])
    if (type === 'return_approved' && r?.method) {
      rows.push([L.returnMethod, L.returnMethods[r.method]], [L.pickupDate, r.pickupDate], [L.pickupSlot, r.pickupSlot])
      if (r.method !== 'keep' && r.shippingPaidBy) rows.push([L.returnShipping, L.returnShippingPaidBy[r.shippingPaidBy]])
    }
    if (type === 'return_resolved' && r?.resolution) {
      rows.push([L.resolution, L.resolutions[r.resolution]])
      if (r.resolution === 'store_credit') rows.push([L.storeCreditCode, r.creditCode], [L.storeCreditAmount, r.creditAmount])
      rows.push([L.refundAmount, r.refundAmount])
    }
    if (type === 'refund_issued') rows.push([L.refundAmount, ctx.refund?.amount])
    const productsLabel = PRODUCT_LIST[type]
    if (productsLabel && ctx.products?.length) {
      const priced = (p: { title: string; price?: string }) => (p.price ? (locale === 'ja' ? `${p.title}（${p.price}）` : `${p.title} (${p.price})`) : p.title)
      rows.push([L[productsLabel], cutList(ctx.products.map(priced), L)])
    }
    if (COUPON_TYPES.has(type) && ctx.coupon?.code) {
      rows.push([L.couponCode, ctx.coupon.code], [L.couponDetails, ctx.coupon.description], [L.couponExpiry, ctx.coupon.expiresAt])
    }
    const brand = ctx.brand.name
    const altText = [locale === 'ja' ? `【${brand}】${headline}` : `${brand}: ${headline}`, body].filter(Boolean).join('\n')
    return [flexBubble({ brandName: brand, brandColor: ctx.brand.color, headline, body, rows, button: button ?? undefined, ...(scale ? { scale } : {}) }, altText)]
  }
}
