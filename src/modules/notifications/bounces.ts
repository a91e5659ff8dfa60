/**
 * Reading what comes back after an email left: delivery status notifications (RFC 3464, bounces
 * and delay warnings) and abuse reports from feedback loops (ARF, RFC 5965). Both are
 * multipart/report messages whose report part is header-field syntax, read here with a small
 * MIME walker: mailparser turns report parts into attachments or body text depending on their
 * type, and we need exact fields from exact parts.
 */

export interface Bounce {
  /** hard: the address is bad (suppress it); soft: this delivery failed or is late, the address may be fine; complaint: the recipient reported the mail as spam. */
  kind: 'hard' | 'soft' | 'complaint'
  /** The recipient as the report names it. Empty for a complaint whose report redacts it (then use originalMessageId). */
  recipient: string
  /** Enhanced status code (RFC 3463), e.g. 5.1.1. */
  status?: string
  /** The remote server's reply, e.g. `550 5.1.1 <a@b>: Recipient address rejected: User unknown`. */
  diagnostic?: string
  /** Message-ID of the message the report is about, with its angle brackets: `<msg_…@domain>`. */
  originalMessageId?: string
}

/** 5.x.x codes about the sender, the message or the receiving system rather than the recipient's address (RFC 3463). */
const NOT_ABOUT_THE_ADDRESS = /^5\.(?:1\.[78]|2\.[23]|3\.\d+|4\.[67]|5\.\d+|6\.\d+|7\.\d+)$/

/**
 * Whether a permanent enhanced status code says the recipient's address itself is bad, so that
 * mailing it again is pointless: 5.1.x (bad mailbox, system, syntax; not the sender's 5.1.7/5.1.8),
 * 5.2.1 (disabled), 5.4.x routing failures such as 5.4.4. Not: mailbox full (5.2.2, a condition
 * its owner can clear), size limits, 5.3.x receiving-system trouble, 5.5.x protocol, 5.6.x
 * content, 5.7.x policy or spam blocks (our mail was refused; the address is fine), and not the
 * uninformative 5.0.0 (the caller falls back on the reply code).
 */
export function isAddressFailure(status: string): boolean {
  return /^5\.\d{1,3}\.\d{1,3}$/.test(status) && status !== '5.0.0' && !NOT_ABOUT_THE_ADDRESS.test(status)
}

interface Part {
  /** Lower-cased field name → values in order (unfolded). */
  fields: Map<string, string[]>
  /** type/subtype, lower-cased; text/plain when absent (RFC 2045). */
  type: string
  params: Map<string, string>
  /** The body as a latin1 string (one char per byte), transfer encoding removed. */
  body: string
}

/** Header-field syntax (RFC 5322 §2.2) in a latin1 string: unfolds, groups values by lower-cased name. */
function parseFields(block: string): Map<string, string[]> {
  const fields = new Map<string, string[]>()
  const unfolded = block.replace(/\r?\n(?=[ \t])/g, '')
  for (const line of unfolded.split(/\r?\n/)) {
    const colon = line.indexOf(':')
    if (colon < 1) continue
    const name = line.slice(0, colon).trim().toLowerCase()
    const value = line.slice(colon + 1).trim()
    const values = fields.get(name)
    if (values) values.push(value)
    else fields.set(name, [value])
  }
  return fields
}

function first(fields: Map<string, string[]>, name: string): string | undefined {
  return fields.get(name)?.[0]
}

/** Splits an entity (latin1 string) at the first empty line into header block and body. */
function splitEntity(entity: string): { head: string; body: string } {
  const match = /\r?\n\r?\n/.exec(entity)
  if (!match) return { head: entity, body: '' }
  return { head: entity.slice(0, match.index), body: entity.slice(match.index + match[0].length) }
}

function parseContentType(value: string | undefined): { type: string; params: Map<string, string> } {
  const params = new Map<string, string>()
  if (!value) return { type: 'text/plain', params }
  const type = value.split(';', 1)[0]!.trim().toLowerCase()
  for (const match of value.matchAll(/;\s*([\w.-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;\s]+))/g)) {
    params.set(match[1]!.toLowerCase(), match[2] !== undefined ? match[2].replace(/\\(.)/g, '$1') : match[3]!)
  }
  return { type: type || 'text/plain', params }
}

function decodeTransfer(body: string, encoding: string | undefined): string {
  switch (encoding?.trim().toLowerCase()) {
    case 'base64':
      return Buffer.from(body, 'base64').toString('latin1')
    case 'quoted-printable':
      return body.replace(/=\r?\n/g, '').replace(/=([0-9A-Fa-f]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)))
    default:
      return body
  }
}

/** The body parts of a multipart body, split on `--boundary` lines, before the closing `--boundary--`. */
function splitMultipart(body: string, boundary: string): string[] {
  const parts: string[] = []
  let current: string[] | undefined
  const delimiter = `--${boundary}`
  for (const line of body.split(/\r?\n/)) {
    if (line.startsWith(delimiter)) {
      const rest = line.slice(delimiter.length)
      if (/^[ \t]*$/.test(rest)) {
        if (current) parts.push(current.join('\r\n'))
        current = []
        continue
      }
      if (/^--[ \t]*$/.test(rest)) {
        if (current) parts.push(current.join('\r\n'))
        return parts
      }
    }
    current?.push(line)
  }
  // No closing delimiter (a truncated report): keep what arrived.
  if (current) parts.push(current.join('\r\n'))
  return parts
}

/** The leaf parts of an entity, depth first; a message/* part is a leaf (the returned message is not walked). */
function leafParts(entity: string, depth = 0): Part[] {
  const { head, body } = splitEntity(entity)
  const fields = parseFields(head)
  const { type, params } = parseContentType(first(fields, 'content-type'))
  const boundary = params.get('boundary')
  if (type.startsWith('multipart/') && boundary && depth < 8) return splitMultipart(body, boundary).flatMap((part) => leafParts(part, depth + 1))
  return [{ fields, type, params, body: decodeTransfer(body, first(fields, 'content-transfer-encoding')) }]
}

/** The groups of fields of a report body (delivery-status: per-message, then one per recipient). */
function fieldGroups(body: string): Array<Map<string, string[]>> {
  const text = Buffer.from(body, 'latin1').toString('utf8')
  return text
    .split(/\r?\n(?:[ \t]*\r?\n)+/)
    .filter((group) => group.trim() !== '')
    .map(parseFields)
}

/** `rfc822; a@b` → `a@b` (the address-type prefix and any angle brackets dropped). */
function typedAddress(value: string | undefined): string | undefined {
  if (!value) return undefined
  const address = value.replace(/^[\w-]+\s*;\s*/, '').trim().replace(/^<(.*)>$/, '$1').trim()
  return address || undefined
}

/** The first address in an address-list header (To), without display name. */
function firstAddress(value: string | undefined): string | undefined {
  if (!value) return undefined
  const bracketed = /<([^<>\s]+@[^<>\s]+)>/.exec(value)
  if (bracketed) return bracketed[1]
  return /[^\s<>,;:"()]+@[^\s<>,;:"()]+/.exec(value)?.[0]
}

const RETURNED_MESSAGE_TYPES = new Set(['message/rfc822', 'text/rfc822-headers', 'message/global', 'message/global-headers'])

/** Header fields of the returned original message, when the report carries it (whole or headers only). */
function returnedHeaders(parts: Part[]): Map<string, string[]> | undefined {
  const returned = parts.find((part) => RETURNED_MESSAGE_TYPES.has(part.type))
  return returned ? parseFields(splitEntity(returned.body).head) : undefined
}

function messageId(value: string | undefined): string | undefined {
  const match = value ? /<[^<>\s]+>/.exec(value) : null
  return match ? match[0] : undefined
}

function statusOf(group: Map<string, string[]>, diagnostic: string | undefined): string | undefined {
  const status = /\b([245]\.\d{1,3}\.\d{1,3})\b/.exec(first(group, 'status') ?? '')?.[1]
  if (status) return status
  if (!diagnostic) return undefined
  const enhanced = /\b([245]\.\d{1,3}\.\d{1,3})\b/.exec(diagnostic)?.[1]
  if (enhanced) return enhanced
  const basic = /^([245])\d\d\b/.exec(diagnostic)?.[1]
  return basic ? `${basic}.0.0` : undefined
}

function deliveryStatusBounce(parts: Part[]): Bounce | null {
  const report = parts.find((part) => part.type === 'message/delivery-status' || part.type === 'message/global-delivery-status')
  if (!report) return null
  const [perMessage, ...perRecipient] = fieldGroups(report.body)
  const action = (group: Map<string, string[]>) => first(group, 'action')?.toLowerCase().split(/[\s(]/, 1)[0]
  const group = perRecipient.find((g) => action(g) === 'failed') ?? perRecipient.find((g) => action(g) === 'delayed')
  if (!group) return null
  const recipient = typedAddress(first(group, 'final-recipient')) ?? typedAddress(first(group, 'original-recipient'))
  if (!recipient) return null
  const diagnosticField = first(group, 'diagnostic-code')
  const diagnostic = diagnosticField ? diagnosticField.replace(/^[\w-]+\s*;\s*/, '').replace(/\s+/g, ' ').trim() : undefined
  const status = statusOf(group, diagnostic)
  // Postfix gives up on a delayed message with Action: failed and its 4.x.x status: soft.
  const hard = action(group) === 'failed' && (status === undefined || status === '5.0.0' || isAddressFailure(status))
  const bounce: Bounce = { kind: hard ? 'hard' : 'soft', recipient }
  if (status) bounce.status = status
  if (diagnostic) bounce.diagnostic = diagnostic
  const originalMessageId = messageId(first(returnedHeaders(parts) ?? new Map(), 'message-id')) ?? messageId(perMessage && first(perMessage, 'x-original-message-id'))
  if (originalMessageId) bounce.originalMessageId = originalMessageId
  return bounce
}

function complaint(parts: Part[]): Bounce | null {
  const report = parts.find((part) => part.type === 'message/feedback-report')
  if (!report) return null
  const fields = fieldGroups(report.body)[0] ?? new Map<string, string[]>()
  if (first(fields, 'feedback-type')?.toLowerCase() !== 'abuse') return null
  const original = returnedHeaders(parts)
  const recipient = typedAddress(first(fields, 'original-rcpt-to')) ?? firstAddress(original && first(original, 'to'))
  const originalMessageId = messageId(original && first(original, 'message-id'))
  if (!recipient && !originalMessageId) return null
  const bounce: Bounce = { kind: 'complaint', recipient: recipient ?? '' }
  if (originalMessageId) bounce.originalMessageId = originalMessageId
  return bounce
}

/**
 * Reads a bounce (RFC 3464 DSN: failed → hard or soft by its status, delayed → soft) or an
 * abuse complaint (ARF) out of a received message; null for anything else, a delivery-success
 * DSN included. Where a report names several recipients, the first failed one (else the first
 * delayed one) is returned: Kando sends one recipient per message.
 *
 * @example
 * const bounce = await parseBounce(rawMessage)
 * if (bounce?.kind === 'hard') suppress(bounce.recipient)
 */
export async function parseBounce(raw: Buffer | string): Promise<Bounce | null> {
  const entity = typeof raw === 'string' ? Buffer.from(raw, 'utf8').toString('latin1') : raw.toString('latin1')
  const { head } = splitEntity(entity)
  const { type, params } = parseContentType(first(parseFields(head), 'content-type'))
  if (type !== 'multipart/report') return null
  const reportType = params.get('report-type')?.toLowerCase()
  if (reportType === 'delivery-status' || reportType === 'global-delivery-status') return deliveryStatusBounce(leafParts(entity))
  if (reportType === 'feedback-report') return complaint(leafParts(entity))
  return null
}
