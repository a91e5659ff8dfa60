import { spawn, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import type { ServerStats } from './server-stats.ts'

export interface ServerChild {
  port: number
  pid: number
  /** Starts the server's measurement window (CPU time, event-loop delay). */
  mark(): Promise<void>
  /** SIGTERM, then waits for a clean exit (SIGKILL after `graceMs`); the server's stats since `mark()`. */
  stop(graceMs?: number): Promise<ServerStats | undefined>
}

const ROOT = fileURLToPath(new URL('../../', import.meta.url))

/**
 * Starts `node --import tsx <script>` (path relative to the repo root) and resolves once it prints
 * `BENCH_READY {"port":…}`. Its stderr and any other stdout is passed through, prefixed.
 */
export async function startServer(script: string, env: NodeJS.ProcessEnv, opts: { label: string; nodeArgs?: string[]; timeoutMs?: number }): Promise<ServerChild> {
  const child: ChildProcess = spawn(process.execPath, [...(opts.nodeArgs ?? []), '--import', 'tsx', script], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)))
  const prefix = (chunk: Buffer) => chunk.toString().split('\n').filter(Boolean).map((l) => `  [${opts.label}] ${l}\n`).join('')
  child.stderr!.on('data', (c: Buffer) => process.stderr.write(prefix(c)))

  let stats: ServerStats | undefined
  const port = await new Promise<number>((resolve, reject) => {
    let buffered = ''
    const timer = setTimeout(() => reject(new Error(`${opts.label}: not ready after ${opts.timeoutMs ?? 60_000} ms`)), opts.timeoutMs ?? 60_000)
    child.stdout!.on('data', (c: Buffer) => {
      buffered += c.toString()
      let nl: number
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, nl)
        buffered = buffered.slice(nl + 1)
        const m = /^BENCH_READY (.*)$/.exec(line)
        const st = /^BENCH_STATS (.*)$/.exec(line)
        if (st) stats = JSON.parse(st[1]!) as ServerStats
        else if (m) {
          clearTimeout(timer)
          resolve((JSON.parse(m[1]!) as { port: number }).port)
        } else if (line.trim()) process.stderr.write(`  [${opts.label}] ${line}\n`)
      }
    })
    void exited.then((code) => {
      clearTimeout(timer)
      reject(new Error(`${opts.label} exited with code ${code} before it was ready`))
    })
  })

  return {
    port,
    pid: child.pid!,
    async mark() {
      child.kill('SIGUSR2')
      // Signals are asynchronous; give the child a moment to take it before the load starts.
      await new Promise((r) => setTimeout(r, 50))
    },
    async stop(graceMs = 20_000) {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM')
        const timer = setTimeout(() => child.kill('SIGKILL'), graceMs)
        await exited
        clearTimeout(timer)
      }
      return stats
    },
  }
}
