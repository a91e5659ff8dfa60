/**
 * Summarises a V8 .cpuprofile (from `BENCH_CPU_PROF=<dir> npm run bench:ingest`):
 * self time by function and by package/file, and inclusive time of the functions that matter.
 *   node --import tsx bench/lib/profile.ts <file.cpuprofile> [top=25] [filter]
 */
import { readFileSync } from 'node:fs'

interface Node {
  id: number
  callFrame: { functionName: string; url: string; lineNumber: number }
  children?: number[]
}
interface Profile {
  nodes: Node[]
  samples: number[]
  timeDeltas: number[]
  startTime: number
  endTime: number
}

const [file, topArg, filter] = process.argv.slice(2)
if (!file) {
  console.error('usage: node --import tsx bench/lib/profile.ts <file.cpuprofile> [top] [inclusive-filter]')
  process.exit(2)
}
const top = Number(topArg ?? 25)
const p = JSON.parse(readFileSync(file, 'utf8')) as Profile
const byId = new Map(p.nodes.map((n) => [n.id, n]))
const parent = new Map<number, number>()
for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id)

const where = (url: string) => {
  if (!url) return '(native)'
  const nm = url.lastIndexOf('node_modules/')
  if (nm >= 0) {
    const rest = url.slice(nm + 'node_modules/'.length).split('/')
    return rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]!
  }
  if (url.startsWith('node:')) return 'node:' + url.slice(5).split('/')[0]
  const src = url.indexOf('/src/')
  if (src >= 0) return url.slice(src + 1)
  return url.replace(/^file:\/\//, '')
}
const label = (n: Node) => `${n.callFrame.functionName || '(anonymous)'}  ${where(n.callFrame.url)}:${n.callFrame.lineNumber + 1}`

/** A coarse bucket for a sample, from its own frame and (for native code) its caller's. */
const category = (n: Node, caller: Node | undefined): string => {
  const name = n.callFrame.functionName
  const pkg = where(n.callFrame.url)
  if (name === '(idle)') return 'idle'
  if (name === '(garbage collector)') return 'garbage collection'
  if (pkg === '(native)' || pkg === 'better-sqlite3') {
    const by = caller ? where(caller.callFrame.url) : ''
    if (name === 'Statement' || name === 'prepare') return 'SQLite: prepare statement (better-sqlite3)'
    if ((name === 'run' || name === 'all' || name === 'get' || name === 'iterate') && (by === 'kysely' || by === 'better-sqlite3')) return 'SQLite: execute statement (incl. commit/checkpoint I/O)'
    if (by === 'pg' || by === 'pg-protocol' || by === 'pg-pool') return 'pg driver'
    if (by.startsWith('node:') || by === '(native)') return 'node runtime / I/O (native)'
    if (by) return `native, called from ${by}`
  }
  // better-sqlite3's native calls are often charged to their JS caller, Kysely's SqliteDriver.executeQuery.
  if (pkg === 'kysely' && name === 'executeQuery' && n.callFrame.url.includes('sqlite-driver')) return 'SQLite: execute statement (incl. commit/checkpoint I/O)'
  if (pkg === 'kysely') return 'Kysely (query building, compiling, result mapping)'
  if (pkg === 'pg' || pkg === 'pg-protocol' || pkg === 'pg-pool' || pkg === 'pg-boss') return `${pkg}`
  if (pkg === 'lossless-json') return 'lossless-json (webhook body parse)'
  if (pkg === 'zod') return 'zod (validation)'
  if (pkg === 'fastify' || pkg === 'find-my-way' || pkg === 'light-my-request' || pkg === 'avvio' || pkg.startsWith('@fastify') || pkg === 'node:_http_server' || pkg === 'node:_http_outgoing' || pkg === 'node:_http_common' || pkg === 'node:net' || pkg === 'node:stream') return 'HTTP (Fastify + node:http)'
  if (pkg.startsWith('src/')) return `Kando: ${pkg.replace(/^src\//, '').split('/').slice(0, 2).join('/')}`
  if (pkg === 'node:crypto' || pkg === 'node:internal' && name === 'randomFillSync') return 'crypto'
  if (pkg === 'pino' || pkg === 'prom-client') return pkg
  if (pkg === 'tsx' || name === 'compileSourceTextModule' || name === 'wrapSafe') return 'module loading (start-up)'
  return 'other'
}

const selfCat = new Map<string, number>()
const otherFn = new Map<string, number>()
const selfFn = new Map<string, number>()
const selfPkg = new Map<string, number>()
const incl = new Map<string, number>()
let total = 0
p.samples.forEach((id, i) => {
  const dt = p.timeDeltas[i] ?? 0
  const n = byId.get(id)!
  total += dt
  const pid = parent.get(id)
  const cat = category(n, pid === undefined ? undefined : byId.get(pid))
  selfCat.set(cat, (selfCat.get(cat) ?? 0) + dt)
  if (cat === 'other') otherFn.set(label(n), (otherFn.get(label(n)) ?? 0) + dt)
  selfFn.set(label(n), (selfFn.get(label(n)) ?? 0) + dt)
  const name = n.callFrame.functionName
  const pkg = name === '(idle)' || name === '(garbage collector)' || name === '(program)' ? name : where(n.callFrame.url)
  selfPkg.set(pkg, (selfPkg.get(pkg) ?? 0) + dt)
  // Inclusive: every distinct frame on the stack once.
  const seen = new Set<string>()
  for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
    const l = label(byId.get(cur)!)
    if (!seen.has(l)) {
      seen.add(l)
      incl.set(l, (incl.get(l) ?? 0) + dt)
    }
  }
})

const pct = (v: number) => `${((100 * v) / total).toFixed(1).padStart(5)}%  ${(v / 1000).toFixed(0).padStart(6)} ms`
const print = (title: string, m: Map<string, number>, n: number, f?: (k: string) => boolean) => {
  console.log(`\n${title}`)
  for (const [k, v] of [...m].filter(([k]) => !f || f(k)).sort((a, b) => b[1] - a[1]).slice(0, n)) console.log(`  ${pct(v)}  ${k}`)
}
console.log(`${file}: ${(total / 1000).toFixed(0)} ms sampled`)
print('self time by category', selfCat, top)
print('self time by package / file', selfPkg, top)
if (process.env.PROFILE_OTHER) print('functions in "other"', otherFn, top)
print('self time by function', selfFn, top)
print('inclusive time' + (filter ? ` (matching "${filter}")` : ' (src/ functions)'), incl, top, (k) => (filter ? k.includes(filter) : k.includes(' src/')))
