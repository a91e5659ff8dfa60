/** Small pure helpers shared by the renderers: URL and colour checks, truncation, text clean-up. */

const HTTP_URL = /^https?:\/\/[^\s"'<>\\`]+$/i

/** The URL when it is an absolute http(s) URL, else null (javascript:, data:, relative, junk). */
export function httpUrl(value: unknown): string | null {
  if (typeof value !== 'string') return null
  const url = value.trim()
  return HTTP_URL.test(url) ? url : null
}

const HEX_COLOR = /^#(?:[0-9a-f]{3}|[0-9a-f]{6})$/i
export const DEFAULT_ACCENT = '#1f2937'

/** A #rgb / #rrggbb colour, or the default accent for anything else (CSS must not be injectable). */
export function cssColor(value: unknown, fallback = DEFAULT_ACCENT): string {
  return typeof value === 'string' && HEX_COLOR.test(value.trim()) ? value.trim() : fallback
}

/** At most `max` UTF-16 units, ending in … when cut; never splits a surrogate pair. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text
  let end = max - 1
  const code = text.charCodeAt(end - 1)
  if (code >= 0xd800 && code <= 0xdbff) end -= 1
  return text.slice(0, end) + '…'
}

// C0/C1 controls except tab and newline: they have no place in a message and some break providers.
// eslint-disable-next-line no-control-regex
const CONTROLS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/g

/** Plain text as sent: no control characters, no trailing blanks, at most one empty line in a row. */
export function tidyText(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .replace(CONTROLS, '')
    .replace(/[^\S\n]+$/gm, '')
    // Leading ideographic spaces may be intended (字下げ); other leading blanks are indentation.
    .replace(/^[^\S\n\u3000]+/gm, '')
    .replace(/\n{3,}/g, '\n\n')
    .trim()
}

/** One line (an email subject): newlines and controls become single spaces. */
export function oneLine(text: string): string {
  return text.replace(CONTROLS, ' ').replace(/\s*[\r\n]+\s*/g, ' ').replace(/[ \t]{2,}/g, ' ').trim()
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c)
}
