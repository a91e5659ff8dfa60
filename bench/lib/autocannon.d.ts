// Minimal typings for the part of autocannon's programmatic API the benchmarks use
// (the package ships none, and @types/autocannon is not a dependency).
declare module 'autocannon' {
  import type { EventEmitter } from 'node:events'

  export interface RequestSpec {
    method?: string
    path?: string
    headers?: Record<string, string>
    body?: string | Buffer
  }

  export interface Request extends RequestSpec {
    /** Mutates or replaces the request before it is sent; a falsy return restarts the request list. */
    setupRequest?: (req: RequestSpec, context: Record<string, unknown>) => RequestSpec | null | undefined
    onResponse?: (status: number, body: string, context: Record<string, unknown>, headers: Record<string, string>) => void
  }

  export interface Options {
    url: string
    connections?: number
    duration?: number
    amount?: number
    pipelining?: number
    timeout?: number
    overallRate?: number
    connectionRate?: number
    ignoreCoordinatedOmission?: boolean
    method?: string
    headers?: Record<string, string>
    body?: string | Buffer
    requests?: Request[]
    title?: string
  }

  /** hdr-histogram-percentiles-obj shape; latency values are milliseconds. */
  export interface Histogram {
    average: number
    mean: number
    stddev: number
    min: number
    max: number
    total: number
    sent?: number
    p0_001?: number
    p2_5: number
    p50: number
    p75: number
    p90: number
    p97_5: number
    p99: number
    p99_9: number
  }

  export interface Result {
    title?: string
    url: string
    requests: Histogram
    latency: Histogram
    throughput: Histogram
    duration: number
    errors: number
    timeouts: number
    mismatches: number
    non2xx: number
    resets: number
    start: Date
    finish: Date
    connections: number
    pipelining: number
    '1xx': number
    '2xx': number
    '3xx': number
    '4xx': number
    '5xx': number
    statusCodeStats: Record<string, { count: number }>
  }

  export interface Instance extends EventEmitter {
    stop(): void
  }

  function autocannon(opts: Options, cb?: (err: Error | null, result: Result) => void): Instance & PromiseLike<Result>
  export default autocannon
}
