import { monitorEventLoopDelay } from 'node:perf_hooks'

/** What a server child reports about itself when it stops, measured since the last SIGUSR2. */
export interface ServerStats {
  /** CPU time of the whole process (all threads), user + system, seconds. */
  cpuSeconds: number
  wallSeconds: number
  /** Event-loop delay, ms: how long ready work (e.g. an arrived request) waited for the loop. */
  loopDelayP50: number
  loopDelayP99: number
  loopDelayMax: number
  maxRssMb: number
}

/**
 * Starts measuring; SIGUSR2 restarts the window (the benchmark sends it just before the load).
 * `report()` prints `BENCH_STATS {…}` on stdout.
 */
export function serverStats(): { report(): void } {
  const eld = monitorEventLoopDelay({ resolution: 5 })
  eld.enable()
  let cpu0 = process.cpuUsage()
  let t0 = performance.now()
  process.on('SIGUSR2', () => {
    eld.reset()
    cpu0 = process.cpuUsage()
    t0 = performance.now()
  })
  return {
    report() {
      const cpu = process.cpuUsage(cpu0)
      const stats: ServerStats = {
        cpuSeconds: (cpu.user + cpu.system) / 1e6,
        wallSeconds: (performance.now() - t0) / 1000,
        loopDelayP50: eld.percentile(50) / 1e6,
        loopDelayP99: eld.percentile(99) / 1e6,
        loopDelayMax: eld.max / 1e6,
        maxRssMb: process.resourceUsage().maxRSS / 1024,
      }
      process.stdout.write(`BENCH_STATS ${JSON.stringify(stats)}\n`)
    },
  }
}
