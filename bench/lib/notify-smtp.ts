/**
 * The SMTP server of `npm run bench:notify`, in its own process so it does not share an event loop
 * with Kando or the baseline: test/stand-ins/smtp.ts (a real smtp-server) with lazy parsing. For
 * every accepted message it records the Message-ID, the wall-clock time of the acceptance (just
 * before the 250 goes out) and the size; the raw bytes are dropped at once (tens of thousands of
 * ~10–30 KB messages would not fit), except the first few, kept as samples.
 *
 * Control (bench/lib/notify-control.ts): `info` → SMTP URL; `take` → the records since the last
 * take (and forgets them); `count` → how many since the last take; `sample` → one kept message
 * parsed (subject, html, text, size), the baseline's template.
 */
import { startSmtpStandIn, type StandInMessage } from '../../test/stand-ins/smtp.ts'
import { serveControl, wallMs } from './notify-control.ts'
import { serverStats } from './server-stats.ts'

const stats = serverStats()
const smtp = await startSmtpStandIn({ parse: 'lazy' })

/** [Message-ID, accepted at (epoch ms), raw bytes] */
type Arrival = [string, number, number]
let arrivals: Arrival[] = []
const samples: StandInMessage[] = []
// The stand-in pushes each accepted message onto `messages` right before it answers 250; take
// that moment and let the bytes go (its waitFor is not used here).
smtp.messages.push = (...items: StandInMessage[]): number => {
  const t = wallMs()
  for (const m of items) {
    arrivals.push([m.messageId ?? '', t, m.raw.length])
    if (samples.length < 5) samples.push(m)
  }
  return 0
}

await serveControl({
  info: () => ({ url: smtp.url, port: smtp.port }),
  count: () => ({ count: arrivals.length }),
  take: () => {
    const out = arrivals
    arrivals = []
    return out
  },
  /** A kept message, parsed; `match` picks the first whose Message-ID contains it. */
  sample: async (body: { match?: string }) => {
    const m = samples.find((s) => !body.match || (s.messageId ?? '').includes(body.match))
    if (!m) return null
    const p = await m.parse()
    return { messageId: m.messageId, bytes: m.raw.length, subject: p.subject ?? '', html: typeof p.html === 'string' ? p.html : '', text: p.text ?? '', from: p.from?.text ?? '', headers: [...p.headers.keys()] }
  },
  forgetSamples: () => {
    samples.length = 0
    return null
  },
})

const stop = async () => {
  stats.report()
  await smtp.close()
  process.exit(0)
}
process.once('SIGTERM', () => void stop())
process.once('SIGINT', () => void stop())
