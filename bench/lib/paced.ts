import http from 'node:http'
import { SHOP_DOMAIN } from './payload.ts'
import type { DeliveryPool } from './load.ts'

export interface PacedRun {
  /** Requests scheduled, answered 2xx, failed (non-2xx, error, timeout). */
  sent: number
  ok: number
  failed: number
  /** Wall-clock bounds, performance.now() ms (end: last response). */
  startMs: number
  endMs: number
  /** Seconds from the first request until the last answer (longer than scheduled when the server fell behind). */
  seconds: number
  acceptedPerSec: number
  /** Latency from the request's *scheduled* time to its response, ms. */
  p50: number
  p90: number
  p99: number
  max: number
  /** Requests not sent on time because the previous ones had not answered (all sockets busy). */
  queuedLate: number
  /** Answered, but later than `slowMs` after their due time (Shopify counts > 5 s as a failed delivery). */
  slow: number
  /** Still unanswered `graceMs` after the last was due: given up, counted in `failed`, latency = time waited. */
  cutOff: number
}

/**
 * Open-loop load at a fixed rate: request i is due at start + i/rate whatever happened to the
 * ones before, and its latency is counted from that due time, so a stalled server shows up in full
 * (no coordinated omission). Used instead of autocannon's `overallRate`, which sends each
 * connection's per-second quota in one burst at the top of every second and corrects latencies
 * with an expected interval of ceil(1/rate) = 1 ms (weighting each sample by its own length).
 */
export async function runPaced(opts: { url: string; pool: DeliveryPool; rate: number; seconds: number; maxSockets?: number; timeoutMs?: number; graceMs?: number; slowMs?: number }): Promise<PacedRun> {
  const url = new URL(opts.url)
  const agent = new http.Agent({ keepAlive: true, maxSockets: opts.maxSockets ?? 256 })
  const total = Math.round(opts.rate * opts.seconds)
  const intervalMs = 1000 / opts.rate
  const latencies = new Float64Array(total)
  let ok = 0
  let failed = 0
  let done = 0
  let queuedLate = 0
  let inFlight = 0
  let sent = 0
  let slow = 0
  const slowMs = opts.slowMs ?? 5000
  const requests: http.ClientRequest[] = []
  const startMs = performance.now()
  let endMs = startMs
  let finish: () => void = () => {}
  const finished = new Promise<void>((r) => (finish = r))

  const fire = (i: number) => {
    const due = startMs + i * intervalMs
    const d = opts.pool.take()
    if (inFlight >= (opts.maxSockets ?? 256)) queuedLate++
    inFlight++
    const req = http.request(
      {
        host: url.hostname, port: url.port, path: url.pathname, method: 'POST', agent, timeout: opts.timeoutMs ?? 30_000,
        headers: {
          'content-type': 'application/json', 'content-length': d.body.length,
          'x-shopify-topic': 'orders/create', 'x-shopify-hmac-sha256': d.hmac, 'x-shopify-webhook-id': d.webhookId,
          'x-shopify-shop-domain': SHOP_DOMAIN, 'x-shopify-api-version': '2025-07',
        },
      },
      (res) => {
        res.resume()
        res.on('end', () => settle(res.statusCode !== undefined && res.statusCode >= 200 && res.statusCode < 300))
      },
    )
    let settled = false
    const settle = (good: boolean) => {
      if (settled) return
      settled = true
      const now = performance.now()
      latencies[i] = now - due
      if (good) ok++
      else failed++
      if (good && now - due > slowMs) slow++
      inFlight--
      done++
      endMs = now
      if (done === total) finish()
    }
    req.on('timeout', () => req.destroy(new Error('timeout')))
    req.on('error', () => settle(false))
    req.end(d.body)
    requests.push(req)
  }

  // A 1 ms tick sends everything that is due; timers drift, the schedule does not.
  await new Promise<void>((resolve) => {
    const tick = () => {
      const now = performance.now()
      while (sent < total && startMs + sent * intervalMs <= now) fire(sent++)
      if (sent < total) setTimeout(tick, 1)
      else resolve()
    }
    tick()
  })
  // An overloaded server could keep us waiting long after the schedule: give up after `graceMs`.
  let cutOff = 0
  const graceMs = opts.graceMs ?? 10_000
  await Promise.race([finished, new Promise((r) => setTimeout(r, graceMs))])
  if (done < total) {
    cutOff = total - done
    for (const req of requests) req.destroy(new Error('benchmark over'))
    await finished
  }
  agent.destroy()
  const sorted = Array.from(latencies).sort((a, b) => a - b)
  const q = (f: number) => sorted[Math.min(sorted.length - 1, Math.floor(f * sorted.length))] ?? NaN
  return {
    sent: total, ok, failed, startMs, endMs, seconds: (endMs - startMs) / 1000, acceptedPerSec: ok / ((endMs - startMs) / 1000),
    p50: q(0.5), p90: q(0.9), p99: q(0.99), max: sorted[sorted.length - 1] ?? NaN, queuedLate, slow, cutOff,
  }
}
