/**
 * LINE messages built in code as JS objects (never JSON text through Liquid), so no customer
 * string can break the structure. Limits from the Messaging API: text ≤ 5000, altText ≤ 400.
 */
import type { LineMessage } from '../types.js'
import { cssColor, truncate } from './text.js'

export const LINE_TEXT_MAX = 5000
export const LINE_ALT_TEXT_MAX = 400
/** LINE action labels: 20 characters at most. */
const LABEL_MAX = 20

export interface FlexInput {
  brandName: string
  brandColor?: string
  headline: string
  body: string
  /** Label/value rows (order number, carrier, …); rows with an empty value are dropped. */
  rows: Array<[label: string, value: string | undefined]>
  button?: { label: string; uri: string }
  /** A row of one-tap scores under the message (NPS 0–10, CSAT 1–5): `uris[i]` answers `first + i`. */
  scale?: { uris: string[]; first: number; low: string; high: string }
}

type Json = Record<string, unknown>

const txt = (text: string, extra: Json = {}): Json => ({ type: 'text', text, wrap: true, ...extra })

/** The default notification bubble: brand header, headline, message, detail rows, link button. */
export function flexBubble(input: FlexInput, altText: string): LineMessage {
  const accent = cssColor(input.brandColor, '#06c755')
  const rows = input.rows.filter((r): r is [string, string] => typeof r[1] === 'string' && r[1].trim() !== '')
  const body: Json[] = []
  if (input.headline) body.push(txt(truncate(input.headline, 200), { weight: 'bold', size: 'lg', color: '#111111' }))
  if (input.body) body.push(txt(truncate(input.body, 2000), { size: 'sm', color: '#444444', margin: 'md' }))
  if (input.scale && input.scale.uris.length > 0) body.push(scaleBox(input.scale, accent))
  if (rows.length > 0) {
    body.push({ type: 'separator', margin: 'lg' })
    body.push({
      type: 'box',
      layout: 'vertical',
      margin: 'lg',
      spacing: 'sm',
      contents: rows.map(([label, value]) => ({
        type: 'box',
        layout: 'horizontal',
        spacing: 'md',
        contents: [
          txt(truncate(label, 40), { size: 'sm', color: '#888888', flex: 2 }),
          txt(truncate(value, 500), { size: 'sm', color: '#111111', flex: 4 }),
        ],
      })),
    })
  }
  const bubble: Json = {
    type: 'bubble',
    header: {
      type: 'box',
      layout: 'vertical',
      backgroundColor: accent,
      paddingAll: '16px',
      contents: [txt(truncate(input.brandName || ' ', 100), { size: 'sm', weight: 'bold', color: '#ffffff' })],
    },
    body: { type: 'box', layout: 'vertical', contents: body.length > 0 ? body : [txt(' ')] },
  }
  if (input.button) {
    bubble.footer = {
      type: 'box',
      layout: 'vertical',
      contents: [
        {
          type: 'button',
          style: 'primary',
          color: accent,
          height: 'sm',
          action: { type: 'uri', label: truncate(input.button.label, LABEL_MAX), uri: input.button.uri },
        },
      ],
    }
  }
  return { type: 'flex', altText: truncate(altText.trim() || input.headline || input.brandName || '-', LINE_ALT_TEXT_MAX), contents: bubble }
}

/** Score cells in rows of at most six (eleven in one row are too small to tap), captions under them. */
function scaleBox(scale: NonNullable<FlexInput['scale']>, accent: string): Json {
  const cell = (uri: string, score: number): Json => ({
    type: 'box',
    layout: 'vertical',
    flex: 1,
    paddingTop: '8px',
    paddingBottom: '8px',
    cornerRadius: '6px',
    borderWidth: '1px',
    borderColor: accent,
    action: { type: 'uri', label: String(score), uri },
    contents: [txt(String(score), { size: 'sm', weight: 'bold', color: accent, align: 'center' })],
  })
  const cells = scale.uris.map((uri, i) => cell(uri, scale.first + i))
  const rows: Json[] = []
  for (let i = 0; i < cells.length; i += 6) rows.push({ type: 'box', layout: 'horizontal', spacing: 'xs', margin: 'sm', contents: cells.slice(i, i + 6) })
  const captions: Json = {
    type: 'box',
    layout: 'horizontal',
    margin: 'sm',
    contents: [txt(truncate(scale.low, 40), { size: 'xxs', color: '#888888', flex: 1 }), txt(truncate(scale.high, 40), { size: 'xxs', color: '#888888', align: 'end', flex: 1 })],
  }
  return { type: 'box', layout: 'vertical', margin: 'lg', contents: [...rows, captions] }
}

/** The scale alone in a small bubble (follows an override's text message). */
export function scaleBubble(prompt: string, scale: NonNullable<FlexInput['scale']>, brandColor?: string): LineMessage {
  const accent = cssColor(brandColor, '#06c755')
  return {
    type: 'flex',
    altText: truncate(prompt, LINE_ALT_TEXT_MAX),
    contents: {
      type: 'bubble',
      body: { type: 'box', layout: 'vertical', contents: [txt(truncate(prompt, 200), { size: 'sm', color: '#444444' }), scaleBox(scale, accent)] },
    },
  }
}

/** A small bubble holding only a prompt and one link button (follows an override's text message). */
export function buttonBubble(prompt: string, button: { label: string; uri: string }, brandColor?: string): LineMessage {
  const accent = cssColor(brandColor, '#06c755')
  return {
    type: 'flex',
    altText: truncate(prompt, LINE_ALT_TEXT_MAX),
    contents: {
      type: 'bubble',
      size: 'kilo',
      body: { type: 'box', layout: 'vertical', contents: [txt(truncate(prompt, 200), { size: 'sm', color: '#444444' })] },
      footer: {
        type: 'box',
        layout: 'vertical',
        contents: [
          { type: 'button', style: 'primary', color: accent, height: 'sm', action: { type: 'uri', label: truncate(button.label, LABEL_MAX), uri: button.uri } },
        ],
      },
    },
  }
}

export function textMessage(text: string): LineMessage {
  return { type: 'text', text: truncate(text, LINE_TEXT_MAX) }
}
