/**
 * The notification benchmark's children (SMTP stand-in, Kando worker, direct-nodemailer baseline)
 * take commands from the benchmark over a small JSON-over-HTTP control port on 127.0.0.1: a few
 * requests per scenario, nothing on the measured path. `serveControl` runs that port in a child and
 * prints `BENCH_READY {"port":…,"pid":…}` (what `startServer` in child.ts waits for); `control`
 * is the benchmark's side.
 */
import { createServer } from 'node:http'

export type Routes = Record<string, (body: any) => Promise<unknown> | unknown>

/** Serves POST /<route> with a JSON body → JSON answer (500 with the error's message on a throw). */
export async function serveControl(routes: Routes, extra: Record<string, unknown> = {}): Promise<void> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const route = routes[(req.url ?? '/').slice(1)]
      if (!route) {
        res.writeHead(404).end()
        return
      }
      Promise.resolve()
        .then(() => route(chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : {}))
        .then(
          (out) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(out ?? null)),
          (err: unknown) => res.writeHead(500, { 'content-type': 'text/plain' }).end(err instanceof Error ? err.stack ?? err.message : String(err)),
        )
    })
  })
  // Long commands (an emission of 10,000 events) must not time out.
  server.requestTimeout = 0
  server.headersTimeout = 0
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  const port = typeof address === 'object' && address ? address.port : 0
  process.stdout.write(`BENCH_READY ${JSON.stringify({ port, pid: process.pid, ...extra })}\n`)
}

/** Sends one command to a child's control port and returns its JSON answer. */
export async function control<T>(port: number, route: string, body: unknown = {}): Promise<T> {
  const res = await fetch(`http://127.0.0.1:${port}/${route}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), signal: AbortSignal.timeout(30 * 60_000) })
  const text = await res.text()
  if (!res.ok) throw new Error(`control ${route} → ${res.status}: ${text}`)
  return JSON.parse(text) as T
}

/** Wall-clock time in ms with sub-ms resolution, comparable across processes on one machine. */
export const wallMs = (): number => performance.timeOrigin + performance.now()
