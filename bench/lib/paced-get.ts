import http from 'node:http'
import type { PacedRun } from './paced.ts'

/**
 * paced.ts for GETs: open loop at a fixed rate, request i due at start + i/rate whatever happened
 * before, latency counted from that due time (no coordinated omission). `path(i)` gives request
 * i's path; 200 counts as ok, anything else (and errors, timeouts) as failed, by status in `statuses`.
 */
export async function runPacedGet(opts: { url: string; path: (i: number) => string; rate: number; seconds: number; maxSockets?: number; timeoutMs?: number; graceMs?: number; slowMs?: number }): Promise<PacedRun & { statuses: Record<string, number> }> {
  const url = new URL(opts.url)
  const maxSockets = opts.maxSockets ?? 256
  const agent = new http.Agent({ keepAlive: true, maxSockets })
  const total = Math.round(opts.rate * opts.seconds)
  const intervalMs = 1000 / opts.rate
  const latencies = new Float64Array(total)
  const statuses: Record<string, number> = {}
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
    if (inFlight >= maxSockets) queuedLate++
    inFlight++
    let settled = false
    const settle = (status: string) => {
      if (settled) return
      settled = true
      const now = performance.now()
      latencies[i] = now - due
      statuses[status] = (statuses[status] ?? 0) + 1
      if (status === '200') ok++
      else failed++
      if (status === '200' && now - due > slowMs) slow++
      inFlight--
      done++
      endMs = now
      if (done === total) finish()
    }
    const req = http.request({ host: url.hostname, port: url.port, path: opts.path(i), method: 'GET', agent, timeout: opts.timeoutMs ?? 30_000 }, (res) => {
      res.resume()
      res.on('end', () => settle(String(res.statusCode)))
    })
    req.on('timeout', () => req.destroy(new Error('timeout')))
    req.on('error', (err) => settle(err.message === 'benchmark over' ? 'cut off' : 'error'))
    req.end()
    requests.push(req)
  }

  await new Promise<void>((resolve) => {
    const tick = () => {
      const now = performance.now()
      while (sent < total && startMs + sent * intervalMs <= now) fire(sent++)
      if (sent < total) setTimeout(tick, 1)
      else resolve()
    }
    tick()
  })
  let cutOff = 0
  await Promise.race([finished, new Promise((r) => setTimeout(r, opts.graceMs ?? 10_000))])
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
    p50: q(0.5), p90: q(0.9), p99: q(0.99), max: sorted[sorted.length - 1] ?? NaN, queuedLate, slow, cutOff, statuses,
  }
}
