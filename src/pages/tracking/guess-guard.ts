/**
 * Counts failed guesses (unknown page tokens, unknown link ids, wrong order lookups) per key —
 * an IP address or an order number — and blocks a key for the rest of its window once it has
 * failed too often. Successful requests never count, so a customer reloading their page is never
 * blocked. Per process: behind several `kando serve` processes each counts on its own.
 */
export class GuessGuard {
  private readonly windows = new Map<string, { count: number; resetAt: number }>()

  constructor(
    private readonly limits: Record<string, { max: number; windowMs: number }> = {
      default: { max: 20, windowMs: 10 * 60_000 },
      lookup: { max: 5, windowMs: 15 * 60_000 },
    },
    private readonly now: () => number = Date.now,
    private readonly maxKeys = 100_000,
  ) {}

  /** Seconds until `key` may try again; 0 when it may now. */
  blockedFor(key: string, bucket = 'default'): number {
    const w = this.windows.get(`${bucket}|${key}`)
    const limit = this.limit(bucket)
    if (!w || w.resetAt <= this.now() || w.count < limit.max) return 0
    return Math.ceil((w.resetAt - this.now()) / 1000)
  }

  /** Counts one failed guess for `key`. */
  fail(key: string, bucket = 'default'): void {
    const id = `${bucket}|${key}`
    const now = this.now()
    const w = this.windows.get(id)
    if (!w || w.resetAt <= now) {
      // Bounded memory under a flood of distinct keys: forget the oldest windows first.
      if (this.windows.size >= this.maxKeys) this.windows.delete(this.windows.keys().next().value!)
      this.windows.set(id, { count: 1, resetAt: now + this.limit(bucket).windowMs })
    } else w.count++
  }

  private limit(bucket: string) {
    return this.limits[bucket] ?? this.limits.default!
  }
}
