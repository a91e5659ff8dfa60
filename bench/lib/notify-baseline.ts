/**
 * The baseline of `npm run bench:notify`: nodemailer's pooled SMTP transport sending directly to the
 * same stand-in, in its own process (like Kando's worker): no database, no queue, no template.
 * Same transport options as Kando's SmtpEmailSender (pool, BENCH_SMTP_POOL connections, file/URL
 * access off), and messages like Kando's: the subject, HTML and text of a message Kando sent in
 * this run (so the same size and the same Japanese subject), a unique Message-ID and recipient each.
 *
 * Control (bench/lib/notify-control.ts): `send` {count, window, content} sends `count` messages with
 * at most `window` handed to the pool at once and answers with the wall-clock start and end.
 * Env: BENCH_SMTP_URL (smtp://127.0.0.1:port), BENCH_SMTP_POOL.
 */
import { createTransport } from 'nodemailer'
import { serveControl, wallMs } from './notify-control.ts'
import { serverStats } from './server-stats.ts'

const stats = serverStats()
const url = new URL(process.env.BENCH_SMTP_URL ?? '')
const transport = createTransport({
  pool: true,
  host: url.hostname,
  port: Number(url.port),
  secure: false,
  maxConnections: Number(process.env.BENCH_SMTP_POOL ?? 5),
  connectionTimeout: 60_000,
  greetingTimeout: 60_000,
  socketTimeout: 60_000,
  disableFileAccess: true,
  disableUrlAccess: true,
})

let batch = 0
async function send(body: { count: number; window: number; content: { subject: string; html: string; text: string; fromName: string; fromAddress: string } }) {
  batch++
  const c = body.content
  let sent = 0
  let failed = 0
  let firstError: string | null = null
  let next = 0
  const startedAt = wallMs()
  const lane = async () => {
    while (next < body.count) {
      const i = next++
      try {
        await transport.sendMail({
          from: { name: c.fromName, address: c.fromAddress },
          to: `customer${i}@example.jp`,
          envelope: { from: c.fromAddress, to: [`customer${i}@example.jp`] },
          subject: c.subject,
          text: c.text,
          html: c.html,
          messageId: `<base_${batch}_${i}@example.jp>`,
          date: new Date(),
          headers: { 'X-Kando-Message-Id': `base_${batch}_${i}` },
          disableFileAccess: true,
          disableUrlAccess: true,
        })
        sent++
      } catch (err) {
        failed++
        firstError ??= err instanceof Error ? err.message : String(err)
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(body.window, body.count) }, lane))
  return { sent, failed, firstError, startedAt, finishedAt: wallMs() }
}

await serveControl({ send })

const stop = async () => {
  stats.report()
  transport.close()
  process.exit(0)
}
process.once('SIGTERM', () => void stop())
process.once('SIGINT', () => void stop())
