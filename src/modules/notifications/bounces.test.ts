import { describe, expect, it } from 'vitest'
import { isAddressFailure, parseBounce } from './bounces.js'
import { composeMime } from './channels/email.js'

/** Fixtures are written with \n and sent with CRLF, as they arrive over SMTP. */
const crlf = (text: string) => text.replace(/\r?\n/g, '\r\n')

/** The message Kando sent, as returned inside reports (headers, then a body). */
const ORIGINAL = `Return-Path: <bounces@shop.example.jp>
Received: from kando.example.jp (kando.example.jp [203.0.113.7])
\tby mx.example.net (Postfix) with ESMTPS id 4B2C81A0F3
\tfor <nobody@example.net>; Tue, 14 Nov 2023 10:00:01 +0900 (JST)
From: =?UTF-8?B?44GV44GP44KJ54+I55CyIOWFrOW8j+OCueODiOOCog==?= <shop@shop.example.jp>
To: nobody@example.net
Subject: =?UTF-8?B?8J+amiDjgZTms6jmlofjga7llYblk4HjgpLnmbrpgIHjgZfjgb7jgZfjgZ8=?=
Message-ID: <msg_01HZX3K8Q2@shop.example.jp>
X-Kando-Message-Id: msg_01HZX3K8Q2
Date: Tue, 14 Nov 2023 01:00:00 +0000
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: base64

44GU5rOo5paH44Gu5ZWG5ZOB44KS55m66YCB44GX44G+44GX44Gf
`

const POSTFIX_HARD = `Return-Path: <>
Received: by mx.example.net (Postfix)
\tid 5D3E92B0A1; Tue, 14 Nov 2023 10:00:02 +0900 (JST)
Date: Tue, 14 Nov 2023 10:00:02 +0900 (JST)
From: MAILER-DAEMON@mx.example.net (Mail Delivery System)
Subject: Undelivered Mail Returned to Sender
To: bounces@shop.example.jp
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status;
\tboundary="4B2C81A0F3.1699923602/mx.example.net"
Message-Id: <20231114010002.5D3E92B0A1@mx.example.net>

This is a MIME-encapsulated message.

--4B2C81A0F3.1699923602/mx.example.net
Content-Description: Notification
Content-Type: text/plain; charset=us-ascii

This is the mail system at host mx.example.net.

I'm sorry to have to inform you that your message could not
be delivered to one or more recipients. It's attached below.

<nobody@example.net>: host mail.example.net[198.51.100.25] said: 550 5.1.1
    <nobody@example.net>: Recipient address rejected: User unknown in local
    recipient table (in reply to RCPT TO command)

--4B2C81A0F3.1699923602/mx.example.net
Content-Description: Delivery report
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.example.net
X-Postfix-Queue-ID: 4B2C81A0F3
X-Postfix-Sender: rfc822; bounces@shop.example.jp
Arrival-Date: Tue, 14 Nov 2023 10:00:01 +0900 (JST)

Final-Recipient: rfc822; nobody@example.net
Original-Recipient: rfc822;nobody@example.net
Action: failed
Status: 5.1.1
Remote-MTA: dns; mail.example.net
Diagnostic-Code: smtp; 550 5.1.1 <nobody@example.net>: Recipient address
    rejected: User unknown in local recipient table

--4B2C81A0F3.1699923602/mx.example.net
Content-Description: Undelivered Message
Content-Type: message/rfc822

${ORIGINAL}
--4B2C81A0F3.1699923602/mx.example.net--
`

/** Gmail's shape: the explanation nested in multipart/related + alternative, a folded multi-line diagnostic, headers only returned. */
const GMAIL_HARD = `Delivered-To: bounces@shop.example.jp
Return-Path: <>
From: Mail Delivery Subsystem <mailer-daemon@googlemail.com>
To: bounces@shop.example.jp
Auto-Submitted: auto-replied
Subject: Delivery Status Notification (Failure)
References: <msg_01J0GMAIL7@shop.example.jp>
In-Reply-To: <msg_01J0GMAIL7@shop.example.jp>
X-Failed-Recipients: hanako.suzuki.typo@gmail.com
Message-ID: <65535a1b.050a0220.1b2c3.abcdGMR@mx.google.com>
Date: Tue, 14 Nov 2023 01:00:05 -0800 (PST)
MIME-Version: 1.0
Content-Type: multipart/report; boundary="000000000000a1b2c3060a1b2c3d"; report-type=delivery-status

--000000000000a1b2c3060a1b2c3d
Content-Type: multipart/related; boundary="000000000000a1b2c3060a1b2c3e"

--000000000000a1b2c3060a1b2c3e
Content-Type: multipart/alternative; boundary="000000000000a1b2c3060a1b2c3f"

--000000000000a1b2c3060a1b2c3f
Content-Type: text/plain; charset="UTF-8"

** Address not found **

Your message wasn't delivered to hanako.suzuki.typo@gmail.com because the address couldn't be found, or is unable to receive mail.

--000000000000a1b2c3060a1b2c3f
Content-Type: text/html; charset="UTF-8"

<html><body><h2>Address not found</h2><p>Status: 5.1.1 (this is prose, not the report)</p></body></html>

--000000000000a1b2c3060a1b2c3f--
--000000000000a1b2c3060a1b2c3e--
--000000000000a1b2c3060a1b2c3d
Content-Type: message/delivery-status

Reporting-MTA: dns; googlemail.com
Arrival-Date: Tue, 14 Nov 2023 01:00:04 -0800 (PST)
X-Original-Message-ID: <msg_01J0GMAIL7@shop.example.jp>

Final-Recipient: rfc822; hanako.suzuki.typo@gmail.com
Action: failed
Status: 5.1.1
Remote-MTA: dns; gmail-smtp-in.l.google.com. (2607:f8b0:4004:c1b::1b, the
 server for the domain gmail.com.)
Diagnostic-Code: smtp; 550-5.1.1 The email account that you tried to reach does
 not exist. Please try
 550-5.1.1 double-checking the recipient's email address for typos or
 550-5.1.1 unnecessary spaces. For more information, go to
 550 5.1.1  https://support.google.com/mail/?p=NoSuchUser a1-20020a05 - gsmtp
Last-Attempt-Date: Tue, 14 Nov 2023 01:00:05 -0800 (PST)

--000000000000a1b2c3060a1b2c3d
Content-Type: text/rfc822-headers

From: shop@shop.example.jp
To: hanako.suzuki.typo@gmail.com
Subject: =?UTF-8?B?8J+amiDjgZTms6jmlofjga7llYblk4HjgpLnmbrpgIHjgZfjgb7jgZfjgZ8=?=
Message-ID:
 <msg_01J0GMAIL7@shop.example.jp>
Date: Tue, 14 Nov 2023 09:00:00 +0000

--000000000000a1b2c3060a1b2c3d--
`

/** A Postfix delay warning: still being retried, headers of the message only. */
const POSTFIX_DELAYED = `From: MAILER-DAEMON@mx.example.net (Mail Delivery System)
Subject: Delayed Mail (still being retried)
To: bounces@shop.example.jp
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary=7A1B2C3D4E.1699950000/mx.example.net

--7A1B2C3D4E.1699950000/mx.example.net
Content-Description: Notification
Content-Type: text/plain; charset=us-ascii

This is the mail system at host mx.example.net.

####################################################################
# THIS IS A WARNING ONLY.  YOU DO NOT NEED TO RESEND YOUR MESSAGE. #
####################################################################

--7A1B2C3D4E.1699950000/mx.example.net
Content-Description: Delivery report
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.example.net
X-Postfix-Queue-ID: 7A1B2C3D4E

Final-Recipient: rfc822; jiro@slow.example.org
Original-Recipient: rfc822;jiro@slow.example.org
Action: delayed
Status: 4.4.1
Diagnostic-Code: X-Postfix; connect to mx.slow.example.org[192.0.2.10]:25:
    Connection timed out
Will-Retry-Until: Tue, 21 Nov 2023 17:20:00 +0900 (JST)

--7A1B2C3D4E.1699950000/mx.example.net
Content-Description: Undelivered Message Headers
Content-Type: text/rfc822-headers

From: shop@shop.example.jp
To: jiro@slow.example.org
Message-ID: <msg_01HZYDELAY1@shop.example.jp>
Subject: =?UTF-8?B?44GU5rOo5paH44KS5om/44KK44G+44GX44Gf?=

--7A1B2C3D4E.1699950000/mx.example.net--
`

/** A DSN with only the report (no returned message), for cases varied by Action, Status and Diagnostic-Code. */
function dsn(recipientGroups: string[], options: { encoding?: 'base64' } = {}): string {
  const report = `Reporting-MTA: dns; mx.example.net\n\n${recipientGroups.join('\n\n')}\n`
  const body = options.encoding === 'base64' ? Buffer.from(crlf(report)).toString('base64').replace(/.{76}/g, '$&\n') : report
  return `From: MAILER-DAEMON@mx.example.net
To: bounces@shop.example.jp
Subject: Undelivered Mail Returned to Sender
MIME-Version: 1.0
Content-Type: multipart/report; report-type="delivery-status"; boundary="b1"

--b1
Content-Type: text/plain; charset=us-ascii

Your message could not be delivered.

--b1
Content-Type: message/delivery-status${options.encoding ? `\nContent-Transfer-Encoding: ${options.encoding}` : ''}

${body}
--b1--
`
}

/** An ARF report (RFC 5965) as a mailbox provider's feedback loop sends it. */
function arf(feedbackFields: string, originalTo = 'taro.yamada@example.com'): string {
  return `From: <feedback-loop@fbl.example.com>
To: <fbl@shop.example.jp>
Subject: FW: =?UTF-8?B?8J+amiDjgZTms6jmlofjga7llYblk4HjgpLnmbrpgIHjgZfjgb7jgZfjgZ8=?=
Date: Wed, 15 Nov 2023 03:12:45 +0000
MIME-Version: 1.0
Content-Type: multipart/report; report-type=feedback-report;
    boundary="part1_13d.2e68ed54_boundary"

--part1_13d.2e68ed54_boundary
Content-Type: text/plain; charset="US-ASCII"
Content-Transfer-Encoding: 7bit

This is an email abuse report for an email message received from IP
203.0.113.7 on Wed, 15 Nov 2023 03:10:11 +0000.

--part1_13d.2e68ed54_boundary
Content-Type: message/feedback-report

${feedbackFields}
--part1_13d.2e68ed54_boundary
Content-Type: message/rfc822
Content-Disposition: inline

From: =?UTF-8?B?44GV44GP44KJ54+I55Cy?= <shop@shop.example.jp>
To: =?UTF-8?B?5bGx55SwIOWkqumDjg==?= <${originalTo}>
Subject: =?UTF-8?B?8J+amiDjgZTms6jmlofjga7llYblk4HjgpLnmbrpgIHjgZfjgb7jgZfjgZ8=?=
Message-ID: <msg_01HZCOMPLAIN@shop.example.jp>
Date: Wed, 15 Nov 2023 03:10:00 +0000
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8

=E3=81=94=E6=B3=A8=E6=96=87

--part1_13d.2e68ed54_boundary--
`
}

describe('parseBounce: delivery status notifications (RFC 3464)', () => {
  it('reads a Postfix hard bounce: recipient, status, unfolded diagnostic and the returned Message-ID', async () => {
    expect(await parseBounce(crlf(POSTFIX_HARD))).toEqual({
      kind: 'hard',
      recipient: 'nobody@example.net',
      status: '5.1.1',
      diagnostic: '550 5.1.1 <nobody@example.net>: Recipient address rejected: User unknown in local recipient table',
      originalMessageId: '<msg_01HZX3K8Q2@shop.example.jp>',
    })
  })

  it('reads a Gmail hard bounce from the report part, not the prose, with a folded Message-ID in the returned headers', async () => {
    const bounce = await parseBounce(Buffer.from(crlf(GMAIL_HARD)))
    expect(bounce).toMatchObject({ kind: 'hard', recipient: 'hanako.suzuki.typo@gmail.com', status: '5.1.1', originalMessageId: '<msg_01J0GMAIL7@shop.example.jp>' })
    expect(bounce!.diagnostic).toMatch(/^550-5\.1\.1 The email account that you tried to reach does not exist\. Please try 550-5\.1\.1 double-checking .* - gsmtp$/)
  })

  it('takes the Message-ID from X-Original-Message-ID when the report returns no message', async () => {
    const withoutReturnedPart = GMAIL_HARD.replace(/--000000000000a1b2c3060a1b2c3d\nContent-Type: text\/rfc822-headers[\s\S]*?(?=--000000000000a1b2c3060a1b2c3d--)/, '')
    expect(withoutReturnedPart).not.toContain('text/rfc822-headers')
    expect(await parseBounce(crlf(withoutReturnedPart))).toMatchObject({ kind: 'hard', originalMessageId: '<msg_01J0GMAIL7@shop.example.jp>' })
  })

  it('reads a delay warning (Action: delayed, 4.4.1) as soft', async () => {
    expect(await parseBounce(crlf(POSTFIX_DELAYED))).toEqual({
      kind: 'soft',
      recipient: 'jiro@slow.example.org',
      status: '4.4.1',
      diagnostic: 'connect to mx.slow.example.org[192.0.2.10]:25: Connection timed out',
      originalMessageId: '<msg_01HZYDELAY1@shop.example.jp>',
    })
  })

  it('parses reports with bare LF line ends too (a stored .eml)', async () => {
    expect(await parseBounce(POSTFIX_HARD)).toMatchObject({ kind: 'hard', recipient: 'nobody@example.net', originalMessageId: '<msg_01HZX3K8Q2@shop.example.jp>' })
  })

  const cases: Array<[string, string, Partial<{ kind: string; status: string }> | null]> = [
    ['failed after retries with 4.4.7 (the address may be fine)', 'Final-Recipient: rfc822; a@example.org\nAction: failed\nStatus: 4.4.7\nDiagnostic-Code: X-Postfix; delivery temporarily suspended', { kind: 'soft', status: '4.4.7' }],
    ['mailbox full 5.2.2', 'Final-Recipient: rfc822; a@example.org\nAction: failed\nStatus: 5.2.2\nDiagnostic-Code: smtp; 552 5.2.2 Mailbox full', { kind: 'soft', status: '5.2.2' }],
    ['a spam block 5.7.1 (our mail refused, not the address)', 'Final-Recipient: rfc822; a@example.org\nAction: failed\nStatus: 5.7.1\nDiagnostic-Code: smtp; 554 5.7.1 Message rejected as spam', { kind: 'soft', status: '5.7.1' }],
    ['Exchange Online 5.4.1 recipient rejected', 'Final-Recipient: rfc822; a@example.org\nAction: failed\nStatus: 5.4.1\nDiagnostic-Code: smtp;550 5.4.1 Recipient address rejected: Access denied. AS(201806281)', { kind: 'hard', status: '5.4.1' }],
    ['a disabled account 5.2.1', 'Final-Recipient: rfc822; a@example.org\nAction: failed\nStatus: 5.2.1 (mailbox disabled)', { kind: 'hard', status: '5.2.1' }],
    ['no Status field: taken from the diagnostic', 'Final-Recipient: rfc822;<a@example.org>\nAction: failed\nDiagnostic-Code: smtp; 550 Requested action not taken: mailbox unavailable', { kind: 'hard', status: '5.0.0' }],
    ['a delay without Status (soft whatever the diagnostic)', 'Final-Recipient: rfc822; a@example.org\nAction: delayed\nDiagnostic-Code: smtp; 550 mailbox unavailable', { kind: 'soft' }],
    ['a delivered notice (success DSN)', 'Final-Recipient: rfc822; a@example.org\nAction: delivered\nStatus: 2.0.0', null],
    ['a relayed notice', 'Final-Recipient: rfc822; a@example.org\nAction: relayed\nStatus: 2.0.0', null],
  ]
  for (const [name, group, expected] of cases) {
    it(`reads ${name}`, async () => {
      const bounce = await parseBounce(crlf(dsn([group])))
      if (expected === null) expect(bounce).toBeNull()
      else expect(bounce).toMatchObject({ recipient: 'a@example.org', ...expected })
    })
  }

  it('picks the failed recipient among delivered ones', async () => {
    const report = dsn(['Final-Recipient: rfc822; ok@example.org\nAction: delivered\nStatus: 2.0.0', 'Final-Recipient: rfc822; gone@example.org\nAction: failed\nStatus: 5.1.1'])
    expect(await parseBounce(crlf(report))).toMatchObject({ kind: 'hard', recipient: 'gone@example.org' })
  })

  it('decodes a base64 delivery-status part', async () => {
    const report = dsn(['Final-Recipient: rfc822; a@example.org\nAction: failed\nStatus: 5.1.1\nDiagnostic-Code: smtp; 550 5.1.1 no such user'], { encoding: 'base64' })
    expect(report).not.toContain('Final-Recipient')
    expect(await parseBounce(crlf(report))).toEqual({ kind: 'hard', recipient: 'a@example.org', status: '5.1.1', diagnostic: '550 5.1.1 no such user' })
  })

  it('finds the Message-ID of a message Kando composed, returned whole inside a bounce', async () => {
    const original = await composeMime({
      messageId: 'msg_roundtrip',
      tenantId: 'tn_1',
      attempt: 1,
      to: 'nobody@example.net',
      from: { name: 'さくら珈琲', address: 'shop@shop.example.jp' },
      content: { channel: 'email', email: { subject: '🚚 ご注文の商品を発送しました', html: '<p>発送しました</p>', text: '発送しました' } },
    })
    const bounce = POSTFIX_HARD.replace(ORIGINAL, original.toString('latin1'))
    expect(await parseBounce(Buffer.from(crlf(bounce), 'latin1'))).toMatchObject({ kind: 'hard', originalMessageId: '<msg_roundtrip@shop.example.jp>' })
  })
})

describe('parseBounce: complaints (ARF, RFC 5965)', () => {
  it('reads an abuse report with Original-Rcpt-To', async () => {
    const fields = 'Feedback-Type: abuse\nUser-Agent: ExampleFBL/1.0\nVersion: 1\nOriginal-Mail-From: <bounces@shop.example.jp>\nOriginal-Rcpt-To: <taro.yamada@example.com>\nArrival-Date: Wed, 15 Nov 2023 03:10:11 +0000\nSource-IP: 203.0.113.7\nReported-Domain: shop.example.jp\n'
    expect(await parseBounce(crlf(arf(fields)))).toEqual({ kind: 'complaint', recipient: 'taro.yamada@example.com', originalMessageId: '<msg_01HZCOMPLAIN@shop.example.jp>' })
  })

  it("falls back to the original message's To when Original-Rcpt-To is absent", async () => {
    const fields = 'Feedback-Type: abuse\nUser-Agent: ExampleFBL/1.0\nVersion: 1\n'
    expect(await parseBounce(crlf(arf(fields, 'hanako@example.com')))).toEqual({ kind: 'complaint', recipient: 'hanako@example.com', originalMessageId: '<msg_01HZCOMPLAIN@shop.example.jp>' })
  })

  it('ignores feedback that is not an abuse complaint', async () => {
    expect(await parseBounce(crlf(arf('Feedback-Type: not-spam\nUser-Agent: ExampleFBL/1.0\nVersion: 1\n')))).toBeNull()
  })
})

describe('parseBounce: anything else', () => {
  it('returns null for a normal mail, a Kando mail and an auto-reply', async () => {
    const normal = 'From: taro@example.com\nTo: shop@shop.example.jp\nSubject: Re: 発送について\nMessage-ID: <abc@example.com>\nContent-Type: text/plain; charset=utf-8\n\nAction: failed\nStatus: 5.1.1\nFinal-Recipient: rfc822; taro@example.com\n'
    expect(await parseBounce(crlf(normal))).toBeNull()
    const kando = await composeMime({ messageId: 'msg_x', tenantId: 'tn_1', attempt: 1, to: 'a@example.org', from: { name: 'Shop', address: 'shop@shop.example.jp' }, content: { channel: 'email', email: { subject: 's', html: '<p>x</p>', text: 'x' } } })
    expect(await parseBounce(kando)).toBeNull()
    const disposition = POSTFIX_HARD.replace('report-type=delivery-status', 'report-type=disposition-notification')
    expect(await parseBounce(crlf(disposition))).toBeNull()
    expect(await parseBounce('')).toBeNull()
  })
})

describe('isAddressFailure', () => {
  it('is true for codes about the recipient address only', () => {
    for (const status of ['5.1.1', '5.1.2', '5.1.3', '5.1.6', '5.1.10', '5.2.1', '5.4.4']) expect(isAddressFailure(status), status).toBe(true)
    for (const status of ['5.0.0', '5.1.7', '5.1.8', '5.2.2', '5.3.4', '5.4.7', '5.5.2', '5.6.0', '5.7.1', '5.7.26', '4.1.1', '4.2.2', '2.0.0', 'garbage']) expect(isAddressFailure(status), status).toBe(false)
  })
})
