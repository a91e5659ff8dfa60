import { createHash, generateKeyPairSync, verify } from 'node:crypto'
import { createServer, type Server, type Socket } from 'node:net'
import { simpleParser, type AddressObject } from 'mailparser'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startSmtpStandIn, type SmtpStandIn } from '../../../../test/stand-ins/smtp.js'
import type { SendRequest } from '../types.js'
import { composeMime, parseSmtpUrl, queueIdFromReply, SmtpEmailSender } from './email.js'

const SUBJECT = '🚚 ご注文の商品を発送しました'
const FROM_NAME = 'さくら珈琲 公式ストア ☕'
const HTML =
  '<!doctype html><html lang="ja"><body><h1>ご注文の商品を発送しました 🚚</h1>\n' +
  '<p>山田 太郎 様、ご注文 #1001 の商品をヤマト運輸でお届けします。お届け予定: 11月28日(土) 14時〜16時</p>\n' +
  `<p>${'長い行が quoted-printable の 76 文字で折り返されても元に戻ること。'.repeat(8)}</p>\n` +
  '<p>=3D と . だけの行、行頭のドット:</p>\n.\n..leading dots\n<a href="https://kando.example.jp/t/abc?x=1&amp;y=2">追跡する</a></body></html>'
const TEXT = 'ご注文の商品を発送しました 🚚\n\n山田 太郎 様\n追跡: https://kando.example.jp/t/abc\n.\n末尾の空白   \n絵文字 👍🏽 と 𠮷野家'
const LIST_UNSUBSCRIBE = '<mailto:unsubscribe+msg_01HZX3K8Q2@shop.example.jp?subject=unsubscribe>, <https://kando.example.jp/u/eyJ0ZW5hbnQiOiJ0bl8xIiwibWVzc2FnZSI6Im1zZ18wMUhaWDNLOFEyIn0.c2lnbmF0dXJl>'

function request(over: Partial<SendRequest> = {}): SendRequest {
  return {
    messageId: 'msg_01HZX3K8Q2',
    tenantId: 'tn_1',
    attempt: 1,
    to: 'taro.yamada@example.com',
    from: { name: FROM_NAME, address: 'shop@shop.example.jp' },
    content: { channel: 'email', email: { subject: SUBJECT, html: HTML, text: TEXT } },
    ...over,
  }
}

/** The header block of a raw message (up to the first empty line). */
function headerBlock(raw: Buffer): Buffer {
  const end = raw.indexOf('\r\n\r\n')
  return raw.subarray(0, end < 0 ? raw.length : end)
}

/** Every value of header `name` in the raw header block, unfolded (RFC 5322 §2.2.3: drop the CRLF, keep the WSP). */
function rawHeaders(raw: Buffer, name: string): string[] {
  const unfolded = headerBlock(raw).toString('latin1').replace(/\r\n(?=[ \t])/g, '')
  return unfolded
    .split('\r\n')
    .filter((line) => line.toLowerCase().startsWith(`${name.toLowerCase()}:`))
    .map((line) => line.slice(name.length + 1).trim())
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer()
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })
}

describe('SmtpEmailSender through the SMTP stand-in', () => {
  let smtp: SmtpStandIn
  let sender: SmtpEmailSender
  beforeAll(async () => {
    smtp = await startSmtpStandIn({
      rejectRecipients: new Map([['nobody@example.com', '550 5.1.1 <nobody@example.com>: Recipient address rejected: User unknown in local recipient table']]),
      rejectSenders: new Map([['spoofed@shop.example.jp', '553 <spoofed@shop.example.jp>: Sender address rejected: not owned by user kando']]),
    })
    sender = new SmtpEmailSender(smtp.url, { maxConnections: 3 })
  })
  afterAll(async () => {
    await sender.close()
    await smtp.close()
  })
  const sent = (messageId: string) => {
    const message = smtp.messages.find((m) => m.messageId === `<${messageId}@shop.example.jp>`)
    if (!message) throw new Error(`the stand-in has no message ${messageId}`)
    return message
  }

  it('delivers subject, bodies and From name byte-exact, RFC 2047-encoded, as multipart/alternative UTF-8', async () => {
    const outcome = await sender.send(request({ messageId: 'msg_shipped' }))
    const message = sent('msg_shipped')
    expect(outcome).toEqual({ ok: true, providerId: message.queueId, response: `250 2.0.0 Ok: queued as ${message.queueId}` })
    expect(message.envelope).toEqual({ from: 'shop@shop.example.jp', to: ['taro.yamada@example.com'] })

    const { parsed, raw } = message
    expect(parsed.subject).toBe(SUBJECT)
    expect(parsed.html).toBe(HTML)
    expect(parsed.text).toBe(TEXT)
    const from = parsed.from as AddressObject
    expect(from.value).toEqual([{ name: FROM_NAME, address: 'shop@shop.example.jp' }])
    expect((parsed.to as AddressObject).value).toEqual([{ name: '', address: 'taro.yamada@example.com' }])

    // On the wire: encoded words in Subject and From, not one byte over 0x7f in the header block.
    const head = headerBlock(raw)
    expect(head.every((byte) => byte < 0x80)).toBe(true)
    const subjectHeader = rawHeaders(raw, 'Subject')[0]!
    expect(subjectHeader).toMatch(/^=\?UTF-8\?[BQ]\?/i)
    expect(subjectHeader).not.toContain('ご注文')
    expect(rawHeaders(raw, 'From')[0]).toMatch(/^=\?UTF-8\?[BQ]\?.*\?= <shop@shop\.example\.jp>$/i)

    // multipart/alternative with the plain text first and the HTML last (the preferred one), both UTF-8.
    expect(rawHeaders(raw, 'Content-Type')[0]).toMatch(/^multipart\/alternative;\s*boundary=/)
    const body = raw.subarray(head.length).toString('latin1')
    const partTypes = [...body.matchAll(/^Content-Type: (.*)$/gim)].map((m) => m[1]!.toLowerCase())
    expect(partTypes).toEqual(['text/plain; charset=utf-8', 'text/html; charset=utf-8'])

    expect(parsed.date).toBeInstanceOf(Date)
    expect(Number.isNaN(parsed.date!.getTime())).toBe(false)
    expect(parsed.headers.get('x-kando-message-id')).toBe('msg_shipped')
  })

  it('uses <messageId@from-domain> as Message-ID, the same on every attempt', async () => {
    const first = await sender.send(request({ messageId: 'msg_retry', attempt: 1 }))
    const second = await sender.send(request({ messageId: 'msg_retry', attempt: 2 }))
    const other = await sender.send(request({ messageId: 'msg_other', attempt: 1 }))
    expect([first.ok, second.ok, other.ok]).toEqual([true, true, true])
    const ids = smtp.messages.filter((m) => m.parsed.headers.get('x-kando-message-id') === 'msg_retry').map((m) => rawHeaders(m.raw, 'Message-ID'))
    expect(ids).toEqual([['<msg_retry@shop.example.jp>'], ['<msg_retry@shop.example.jp>']])
    expect(sent('msg_other').parsed.messageId).toBe('<msg_other@shop.example.jp>')
  })

  it('passes List-Unsubscribe and List-Unsubscribe-Post through when given and adds none otherwise', async () => {
    const headers = { 'List-Unsubscribe': LIST_UNSUBSCRIBE, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' }
    expect((await sender.send(request({ messageId: 'msg_marketing', headers }))).ok).toBe(true)
    expect((await sender.send(request({ messageId: 'msg_transactional' }))).ok).toBe(true)
    const marketing = sent('msg_marketing').raw
    expect(rawHeaders(marketing, 'List-Unsubscribe')).toEqual([LIST_UNSUBSCRIBE])
    expect(rawHeaders(marketing, 'List-Unsubscribe-Post')).toEqual(['List-Unsubscribe=One-Click'])
    const transactional = sent('msg_transactional').raw
    expect(rawHeaders(transactional, 'List-Unsubscribe')).toEqual([])
    expect(rawHeaders(transactional, 'List-Unsubscribe-Post')).toEqual([])
  })

  it('refuses headers the channel owns', async () => {
    await expect(sender.send(request({ headers: { 'message-id': '<other@example.com>' } }))).rejects.toThrow(/message-id is set by the email channel/)
  })

  it('answers a recipient refused at RCPT with 550 5.1.1 as permanent with suppressAddress', async () => {
    const before = smtp.messages.length
    const outcome = await sender.send(request({ messageId: 'msg_unknown', to: 'nobody@example.com' }))
    expect(outcome).toMatchObject({ ok: false, permanent: true, suppressAddress: true })
    expect(outcome.ok === false && outcome.reason).toContain('550 5.1.1 <nobody@example.com>: Recipient address rejected')
    expect(smtp.messages.length).toBe(before)
    expect(smtp.rejections.at(-1)).toMatchObject({ stage: 'rcpt', envelope: { to: ['nobody@example.com'] } })
  })

  it('never suppresses the customer for a refusal of our sender at MAIL FROM, even with 553', async () => {
    const outcome = await sender.send(request({ messageId: 'msg_badsender', from: { name: 'ショップ', address: 'spoofed@shop.example.jp' } }))
    expect(outcome).toEqual({ ok: false, permanent: true, reason: '553 <spoofed@shop.example.jp>: Sender address rejected: not owned by user kando' })
    expect(smtp.rejections.at(-1)).toMatchObject({ stage: 'mail', envelope: { from: 'spoofed@shop.example.jp' } })
  })

  it('answers a 451 at DATA as transient, and the retry of the same message goes through', async () => {
    smtp.failNext(451, '4.3.0 Temporary local problem - please try later', 1)
    const first = await sender.send(request({ messageId: 'msg_451', attempt: 1 }))
    expect(first).toEqual({ ok: false, permanent: false, reason: '451 4.3.0 Temporary local problem - please try later' })
    const second = await sender.send(request({ messageId: 'msg_451', attempt: 2 }))
    expect(second.ok).toBe(true)
    expect(smtp.messages.filter((m) => m.messageId === '<msg_451@shop.example.jp>')).toHaveLength(1)
  })

  const replies: Array<[number, string, { permanent: boolean; suppressAddress?: true }]> = [
    [421, '4.7.0 Try again later, closing connection', { permanent: false }],
    [452, '4.2.2 Mailbox full, try again later', { permanent: false }],
    // Mailbox full is a condition its owner can clear (RFC 3463 X.2.2): retried, never suppressed.
    [552, '5.2.2 <taro.yamada@example.com>: mailbox full', { permanent: false }],
    // A bare 552 is to be read as 452 (RFC 5321 §4.5.3.1.10).
    [552, 'Requested mail action aborted: exceeded storage allocation', { permanent: false }],
    [552, '5.3.4 Message size exceeds fixed limit', { permanent: true }],
    [554, '5.7.1 Message rejected as spam by Content Filtering', { permanent: true }],
    [550, '5.7.26 Unauthenticated email from shop.example.jp is not accepted due to domain DMARC policy', { permanent: true }],
    [550, '5.1.8 Sender address rejected: Domain not found', { permanent: true }],
    [550, 'Requested action not taken: mailbox unavailable', { permanent: true, suppressAddress: true }],
    [550, '5.0.0 <taro.yamada@example.com>... User unknown', { permanent: true, suppressAddress: true }],
    [553, '5.1.3 Bad recipient address syntax', { permanent: true, suppressAddress: true }],
    [550, '5.2.1 The email account that you tried to reach is disabled', { permanent: true, suppressAddress: true }],
    [554, 'Transaction failed', { permanent: true }],
  ]
  for (const [code, text, expected] of replies) {
    it(`maps ${code} ${text} at DATA to ${JSON.stringify(expected)}`, async () => {
      smtp.failNext(code, text, 1)
      const outcome = await sender.send(request({ messageId: `msg_reply_${code}` }))
      expect(outcome).toEqual({ ok: false, reason: `${code} ${text}`, ...expected })
    })
  }

  it('keeps the pool usable for many concurrent messages, each delivered once', async () => {
    const before = smtp.messages.length
    const ids = Array.from({ length: 60 }, (_, i) => `msg_many_${i}`)
    const outcomes = await Promise.all(ids.map((messageId) => sender.send(request({ messageId, to: `customer${messageId.slice(9)}@example.com` }))))
    expect(outcomes.every((o) => o.ok)).toBe(true)
    const received = smtp.messages.slice(before)
    expect(received.map((m) => m.messageId).sort()).toEqual(ids.map((id) => `<${id}@shop.example.jp>`).sort())
    for (const m of received) expect(m.envelope.to).toEqual([`customer${m.messageId!.slice(10, -17)}@example.com`])
  })

  it('answers an address that is not one addr-spec as permanent + suppress without contacting the server', async () => {
    const rejections = smtp.rejections.length
    const before = smtp.messages.length
    for (const to of ['a@example.com, b@example.com', 'Taro <a@example.com>', 'no-at-sign', '']) {
      expect(await sender.send(request({ to }))).toMatchObject({ ok: false, permanent: true, suppressAddress: true })
    }
    expect(smtp.messages.length).toBe(before)
    expect(smtp.rejections.length).toBe(rejections)
  })
})

describe('SmtpEmailSender under load', () => {
  it('delivers 1,000 messages through the pool to a lazily parsing stand-in, each once and intact', async () => {
    const smtp = await startSmtpStandIn({ parse: 'lazy' })
    const sender = new SmtpEmailSender(smtp.url, { maxConnections: 5 })
    try {
      const ids = Array.from({ length: 1000 }, (_, i) => `msg_load_${i}`)
      const started = performance.now()
      const outcomes = await Promise.all(ids.map((messageId) => sender.send(request({ messageId }))))
      const seconds = (performance.now() - started) / 1000
      // Reported, not asserted: a timing says nothing about correctness and varies by machine.
      console.log(`email: ${ids.length} messages through a pool of 5 to the stand-in in ${seconds.toFixed(2)} s (${Math.round(ids.length / seconds)}/s)`)
      expect(outcomes.filter((o) => !o.ok)).toEqual([])
      expect(new Set(outcomes.map((o) => o.ok && o.providerId)).size).toBe(ids.length)
      expect(smtp.messages.map((m) => m.messageId).sort()).toEqual(ids.map((id) => `<${id}@shop.example.jp>`).sort())
      expect(() => smtp.messages[0]!.parsed).toThrow(/await message.parse\(\)/)
      const last = smtp.messages.at(-1)!
      const parsed = await last.parse()
      expect([parsed.subject, parsed.html, parsed.text]).toEqual([SUBJECT, HTML, TEXT])
      expect(last.parsed).toBe(parsed)
    } finally {
      await sender.close()
      await smtp.close()
    }
  })
})

describe('SmtpEmailSender when the server is not there', () => {
  it('answers a closed port as transient', async () => {
    const sender = new SmtpEmailSender(`smtp://127.0.0.1:${await freePort()}`)
    const outcome = await sender.send(request())
    await sender.close()
    expect(outcome).toMatchObject({ ok: false, permanent: false })
    expect(outcome.ok === false && outcome.reason).toMatch(/ECONNREFUSED/)
  })

  it('answers a server that never greets as transient once timeoutMs has passed', async () => {
    const sockets = new Set<Socket>()
    const silent: Server = createServer((socket) => sockets.add(socket))
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve))
    const sender = new SmtpEmailSender(`smtp://127.0.0.1:${(silent.address() as { port: number }).port}`, { timeoutMs: 300 })
    const outcome = await sender.send(request())
    await sender.close()
    for (const socket of sockets) socket.destroy()
    await new Promise((resolve) => silent.close(resolve))
    expect(outcome).toMatchObject({ ok: false, permanent: false })
    expect(outcome.ok === false && outcome.reason).toMatch(/^ETIMEDOUT \((GREETING|SOCKET)_TIMEOUT\): /)
  })
})

describe('SMTP authentication', () => {
  it('logs in with the credentials in the URL, and a wrong password is transient (an operator fixes it)', async () => {
    const smtp = await startSmtpStandIn({ auth: { user: 'kando@shop', pass: 'p@ss:wörd/1' } })
    const good = new SmtpEmailSender(smtp.url)
    const bad = new SmtpEmailSender(`smtp://kando%40shop:wrong@127.0.0.1:${smtp.port}`)
    try {
      expect(await good.send(request({ messageId: 'msg_auth' }))).toMatchObject({ ok: true })
      const refused = await bad.send(request({ messageId: 'msg_noauth' }))
      expect(refused).toMatchObject({ ok: false, permanent: false })
      expect(refused.ok === false && refused.reason).toContain('535')
      expect(smtp.messages.map((m) => m.messageId)).toEqual(['<msg_auth@shop.example.jp>'])
    } finally {
      await good.close()
      await bad.close()
      await smtp.close()
    }
  })
})

/** The DKIM-Signature of a message checked as a verifier would (RFC 6376, relaxed/relaxed, rsa-sha256). */
function verifyDkim(raw: Buffer, publicKey: string): { valid: boolean; tags: Map<string, string> } {
  const head = headerBlock(raw).toString('latin1')
  const body = raw.subarray(head.length + 4).toString('latin1')
  const fields = head.split(/\r\n(?![ \t])/).map((line) => ({ name: line.slice(0, line.indexOf(':')).trim().toLowerCase(), line }))
  const relaxed = ({ name, line }: { name: string; line: string }) =>
    `${name}:${line
      .slice(line.indexOf(':') + 1)
      .replace(/\r\n/g, '')
      .replace(/[ \t]+/g, ' ')
      .trim()}`
  const signature = fields.find((f) => f.name === 'dkim-signature')
  if (!signature) throw new Error('no DKIM-Signature')
  const tags = new Map(
    signature.line
      .slice(signature.line.indexOf(':') + 1)
      .replace(/\s+/g, '')
      .split(';')
      .filter(Boolean)
      .map((tag) => [tag.slice(0, tag.indexOf('=')), tag.slice(tag.indexOf('=') + 1)] as [string, string]),
  )
  const canonicalBody = body.replace(/[ \t]+\r\n/g, '\r\n').replace(/[ \t]+/g, ' ').replace(/(\r\n)*$/, '') + '\r\n'
  const bodyHash = createHash('sha256').update(Buffer.from(canonicalBody, 'latin1')).digest('base64')
  const used = new Set<number>()
  let data = ''
  for (const name of tags.get('h')!.toLowerCase().split(':')) {
    // The last unused instance of each listed field, bottom up.
    for (let i = fields.length - 1; i >= 0; i--) {
      if (fields[i]!.name === name && !used.has(i)) {
        used.add(i)
        data += `${relaxed(fields[i]!)}\r\n`
        break
      }
    }
  }
  data += relaxed({ name: 'dkim-signature', line: signature.line.replace(/(;\s*b\s*=)[^;]*/, '$1') })
  const valid = bodyHash === tags.get('bh') && verify('sha256', Buffer.from(data, 'latin1'), publicKey, Buffer.from(tags.get('b')!, 'base64'))
  return { valid, tags }
}

describe('DKIM', () => {
  it('signs every message when configured, covering the List-Unsubscribe headers, and not otherwise', async () => {
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } })
    const smtp = await startSmtpStandIn()
    const signing = new SmtpEmailSender(smtp.url, { dkim: { domainName: 'shop.example.jp', keySelector: 'kando1', privateKey } })
    const plain = new SmtpEmailSender(smtp.url)
    try {
      const headers = { 'List-Unsubscribe': LIST_UNSUBSCRIBE, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' }
      expect((await signing.send(request({ messageId: 'msg_signed', headers }))).ok).toBe(true)
      expect((await plain.send(request({ messageId: 'msg_unsigned' }))).ok).toBe(true)
      const signed = smtp.messages.find((m) => m.messageId === '<msg_signed@shop.example.jp>')!
      const unsigned = smtp.messages.find((m) => m.messageId === '<msg_unsigned@shop.example.jp>')!
      expect(rawHeaders(signed.raw, 'DKIM-Signature')).toHaveLength(1)
      const { valid, tags } = verifyDkim(signed.raw, publicKey)
      expect(valid).toBe(true)
      expect(tags.get('d')).toBe('shop.example.jp')
      expect(tags.get('s')).toBe('kando1')
      expect(tags.get('h')!.toLowerCase().split(':')).toEqual(expect.arrayContaining(['from', 'subject', 'message-id', 'list-unsubscribe', 'list-unsubscribe-post']))
      // A verifier that checks the wrong key or a changed byte fails: the check above can fail.
      const other = generateKeyPairSync('rsa', { modulusLength: 2048, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } })
      expect(verifyDkim(signed.raw, other.publicKey).valid).toBe(false)
      expect(verifyDkim(Buffer.from(signed.raw.toString('latin1').replace('List-Unsubscribe=One-Click', 'List-Unsubscribe=One-Clack'), 'latin1'), publicKey).valid).toBe(false)
      expect(rawHeaders(unsigned.raw, 'DKIM-Signature')).toEqual([])
    } finally {
      await signing.close()
      await plain.close()
      await smtp.close()
    }
  })
})

describe('composeMime', () => {
  /** Boundaries and Date are the only parts of two builds of one message that may differ. */
  const normalize = (raw: Buffer) => {
    let text = raw.toString('latin1')
    const boundaries = [...text.matchAll(/boundary="?([^";\r\n]+)"?/g)].map((m) => m[1]!)
    boundaries.forEach((boundary, i) => (text = text.split(boundary).join(`BOUNDARY${i}`)))
    return text.replace(/^Date: .*$/m, 'Date: X')
  }

  it('builds the bytes send puts on the wire, apart from boundaries and Date', async () => {
    const smtp = await startSmtpStandIn()
    const sender = new SmtpEmailSender(smtp.url)
    const req = request({ messageId: 'msg_compose', headers: { 'List-Unsubscribe': LIST_UNSUBSCRIBE, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' } })
    try {
      expect((await sender.send(req)).ok).toBe(true)
      const composed = await composeMime(req)
      const received = smtp.messages[0]!
      expect(normalize(composed).trimEnd()).toBe(normalize(received.raw).trimEnd())
      const parsed = await simpleParser(composed)
      expect(parsed.subject).toBe(SUBJECT)
      expect(parsed.html).toBe(HTML)
      expect(parsed.text).toBe(TEXT)
      expect(parsed.messageId).toBe('<msg_compose@shop.example.jp>')
      expect((parsed.from as AddressObject).value[0]!.name).toBe(FROM_NAME)
    } finally {
      await sender.close()
      await smtp.close()
    }
  })

  it('refuses content of another channel and a message id that cannot be a Message-ID', async () => {
    await expect(composeMime(request({ content: { channel: 'sms', sms: { text: 'x' } } }))).rejects.toThrow(/email channel got sms/)
    await expect(composeMime(request({ messageId: 'msg 1<x>' }))).rejects.toThrow(/cannot be the left part/)
  })
})

describe('parseSmtpUrl and queueIdFromReply', () => {
  it('reads host, port, TLS mode and percent-encoded credentials', () => {
    expect(parseSmtpUrl('smtps://apikey:s%40cret%2F1@smtp.example.com')).toEqual({ host: 'smtp.example.com', port: 465, secure: true, auth: { user: 'apikey', pass: 's@cret/1' } })
    expect(parseSmtpUrl('smtp://127.0.0.1:2525')).toEqual({ host: '127.0.0.1', port: 2525, secure: false })
    expect(parseSmtpUrl('smtp://[::1]')).toEqual({ host: '::1', port: 587, secure: false })
    expect(() => parseSmtpUrl('https://smtp.example.com')).toThrow(/smtp:\/\/ or smtps:\/\//)
    expect(() => parseSmtpUrl('smtp.example.com:25')).toThrow()
  })

  it('finds the queue id in the replies of common servers', () => {
    expect(queueIdFromReply('250 2.0.0 Ok: queued as 4F2A1B3C5D')).toBe('4F2A1B3C5D')
    expect(queueIdFromReply('250 OK id=1rAbCd-000Xyz-12')).toBe('1rAbCd-000Xyz-12')
    expect(queueIdFromReply('250 2.0.0 OK  1700000000 a1b2c3d4e5si123456.789 - gsmtp')).toBe('a1b2c3d4e5si123456.789')
    expect(queueIdFromReply('250 Ok 0100018bd2f0e3a4-1c2d3e4f-5a6b-7c8d-9e0f-a1b2c3d4e5f6-000000')).toBe('0100018bd2f0e3a4-1c2d3e4f-5a6b-7c8d-9e0f-a1b2c3d4e5f6-000000')
    expect(queueIdFromReply('250 2.0.0 3AEB1234 Message accepted for delivery')).toBe('3AEB1234')
    expect(queueIdFromReply('250 OK: message queued')).toBeUndefined()
  })
})
