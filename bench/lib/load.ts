import autocannon, { type Result } from 'autocannon'
import { SHOP_DOMAIN, shopifyOrderBody, type SignedWebhook } from './payload.ts'
import { signShopifyBody } from '../../src/integrations/shopify/hmac.ts'

/**
 * Hands out deliveries: precomputed ones first; when `unique` and the pool runs dry, builds more
 * on the fly (counted in `builtDuringRun`, since that costs the load generator ~50 µs each);
 * otherwise wraps around (the baseline stores bodies, it does not care that they repeat).
 */
export class DeliveryPool {
  private next = 0
  builtDuringRun = 0

  constructor(
    private readonly pool: SignedWebhook[],
    private readonly opts: { unique: boolean; secret: string; tag: string },
  ) {}

  reset(): void {
    this.next = 0
    this.builtDuringRun = 0
  }

  take(): SignedWebhook {
    const i = this.next++
    if (i < this.pool.length) return this.pool[i]!
    if (!this.opts.unique) return this.pool[i % this.pool.length]!
    this.builtDuringRun++
    const n = i + 1
    const body = shopifyOrderBody(n, new Date())
    return { webhookId: `bench-${this.opts.tag}-${n}`, orderId: 5_500_000_000_000 + n, body, hmac: signShopifyBody(body, this.opts.secret) }
  }

  get used(): number {
    return this.next
  }
}

/** What one load run measured, whichever client produced it. */
export interface LoadOutcome {
  ok: number
  failed: number
  /** Wall-clock bounds of the load, performance.now() ms. */
  startMs: number
  endMs: number
  /** Length of the load, seconds. */
  seconds: number
  /** 2xx responses per second over the run. */
  acceptedPerSec: number
  p50: number
  p90: number
  p99: number
  max: number
  /** Open-loop runs: answered later than 5 s after due (Shopify's limit), and given up on. */
  slow?: number
  cutOff?: number
}

export interface LoadRun extends LoadOutcome {
  result: Result
}

/**
 * POSTs signed Shopify orders/create deliveries to `url` for `seconds` from `connections`
 * keep-alive connections, each sending its next request as soon as the last one is answered
 * (closed loop: the saturated runs). Fixed-rate runs use paced.ts by default; `overallRate` is
 * here for comparison (BENCH_RATE_CLIENT=autocannon), see paced.ts for why it is not the default.
 */
export async function runLoad(opts: { url: string; pool: DeliveryPool; connections: number; seconds: number; overallRate?: number; amount?: number; title: string }): Promise<LoadRun> {
  const { pool } = opts
  const startMs = performance.now()
  const result = await autocannon({
    url: opts.url,
    title: opts.title,
    connections: opts.connections,
    duration: opts.seconds,
    ...(opts.amount ? { amount: opts.amount } : {}),
    ...(opts.overallRate ? { overallRate: opts.overallRate } : {}),
    timeout: 30,
    requests: [
      {
        method: 'POST',
        setupRequest: (req) => {
          const d = pool.take()
          return {
            ...req,
            body: d.body,
            headers: {
              'content-type': 'application/json',
              'x-shopify-topic': 'orders/create',
              'x-shopify-hmac-sha256': d.hmac,
              'x-shopify-webhook-id': d.webhookId,
              'x-shopify-shop-domain': SHOP_DOMAIN,
              'x-shopify-api-version': '2025-07',
            },
          }
        },
      },
    ],
  })
  const endMs = performance.now()
  const l = result.latency
  return {
    result, startMs, endMs, seconds: result.duration, ok: result['2xx'], failed: result.errors + result.non2xx,
    acceptedPerSec: result['2xx'] / result.duration, p50: l.p50, p90: l.p90, p99: l.p99, max: l.max,
  }
}
