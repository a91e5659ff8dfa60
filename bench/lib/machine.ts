import { execFileSync } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import { cpus, release, tmpdir, totalmem } from 'node:os'
import SQLite from 'better-sqlite3'
import pg from 'pg'

const run = (cmd: string, args: string[]) => {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim()
  } catch {
    return ''
  }
}

export interface Machine {
  date: string
  cores: number
  cpu: string
  memGb: number
  os: string
  node: string
  commit: string
  dirtyFiles: number
  sqlite: string
  tmpFs: string
}

/** Where and on what the benchmark ran: printed with the figures and kept in RESULTS.md. */
export function machine(): Machine {
  const cpuList = cpus()
  const mem = new SQLite(':memory:')
  const sqlite = (mem.prepare('select sqlite_version() as v').get() as { v: string }).v
  mem.close()
  return {
    date: run('date', []) || new Date().toString(),
    cores: cpuList.length,
    cpu: cpuList[0]?.model ?? 'unknown',
    memGb: Math.round(totalmem() / 2 ** 30),
    os: `${process.platform} ${release()}`,
    node: process.version,
    commit: run('git', ['rev-parse', '--short', 'HEAD']) || 'unknown',
    dirtyFiles: run('git', ['status', '--porcelain']).split('\n').filter(Boolean).length,
    sqlite,
    tmpFs: filesystemOf(tmpdir()),
  }
}

/** The file system type of the mount holding `path` (SQLite's durability depends on it: tmpfs never syncs). */
function filesystemOf(path: string): string {
  try {
    let best = { mount: '', type: 'unknown' }
    for (const line of readFileSync('/proc/mounts', 'utf8').split('\n')) {
      const [, mount, type] = line.split(' ')
      if (mount && type && (path === mount || path.startsWith(mount.endsWith('/') ? mount : mount + '/')) && mount.length > best.mount.length) best = { mount, type }
    }
    return `${best.type} (${path} on ${best.mount})`
  } catch {
    return 'unknown'
  }
}

export interface PgServer {
  version: string
  fsync: string
  synchronousCommit: string
  fullPageWrites: string
}

/** The PostgreSQL server's version and durability settings (a test server often runs with fsync=off). */
export async function pgServer(adminUrl: string): Promise<PgServer> {
  const c = new pg.Client({ connectionString: adminUrl })
  await c.connect()
  try {
    const one = async (q: string) => String(Object.values((await c.query(q)).rows[0] as object)[0])
    return {
      version: (await one('show server_version')).split(' ')[0] ?? '',
      fsync: await one('show fsync'),
      synchronousCommit: await one('show synchronous_commit'),
      fullPageWrites: await one('show full_page_writes'),
    }
  } finally {
    await c.end()
  }
}

/** Whole-machine CPU counters from /proc/stat (jiffies): load generator, server and database together. */
export function cpuTimes(): { busy: number; total: number } | undefined {
  try {
    const f = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number)
    const idle = (f[3] ?? 0) + (f[4] ?? 0)
    const total = f.slice(0, 8).reduce((a, b) => a + b, 0)
    return { busy: total - idle, total }
  } catch {
    return undefined
  }
}

export interface CpuSnapshot {
  at: number
  machine: ReturnType<typeof cpuTimes>
  /** pid → [command, utime + stime in clock ticks] */
  procs: Map<number, [string, number]>
}

/** CPU counters of the machine and of every process (from /proc), to split a window's CPU by who used it. */
export function cpuSnapshot(): CpuSnapshot {
  const procs = new Map<number, [string, number]>()
  try {
    for (const name of readdirSync('/proc')) {
      if (!/^\d+$/.test(name)) continue
      try {
        const stat = readFileSync(`/proc/${name}/stat`, 'utf8')
        const close = stat.lastIndexOf(')')
        const comm = stat.slice(stat.indexOf('(') + 1, close)
        const f = stat.slice(close + 2).split(' ')
        procs.set(Number(name), [comm, Number(f[11]) + Number(f[12])])
      } catch {
        // exited meanwhile
      }
    }
  } catch {
    // no /proc
  }
  return { at: performance.now(), machine: cpuTimes(), procs }
}

export interface CpuSplit {
  /** Cores' worth of CPU (1.0 = one core fully busy) over the window, by consumer. */
  server: number
  postgres: number
  loadGenerator: number
  /** Everything else on the machine: other people's tests, editors, … */
  other: number
  machineBusy: number
}

export function cpuSplit(a: CpuSnapshot, b: CpuSnapshot, serverPid: number): CpuSplit | null {
  if (!a.machine || !b.machine) return null
  const seconds = (b.at - a.at) / 1000
  const hz = 100
  const cores = (ticks: number) => ticks / hz / seconds
  let server = 0
  let postgres = 0
  let loadGenerator = 0
  for (const [pid, [comm, ticks]] of b.procs) {
    const before = a.procs.get(pid)
    const d = ticks - (before && before[0] === comm ? before[1] : 0)
    if (pid === serverPid) server += d
    else if (pid === process.pid) loadGenerator += d
    else if (comm.startsWith('postgres')) postgres += d
  }
  const busy = (b.machine.busy - a.machine.busy) / hz / seconds
  return { server: cores(server), postgres: cores(postgres), loadGenerator: cores(loadGenerator), other: Math.max(0, busy - cores(server + postgres + loadGenerator)), machineBusy: busy }
}

/** The lines every benchmark prints first: machine, commit, and the database servers' durability settings. */
export function machineHeader(m: Machine, pg: PgServer | undefined): string[] {
  return [
    `machine: ${m.cores} cores (${m.cpu}), ${m.memGb} GB, ${m.os}; node ${m.node}; commit ${m.commit}${m.dirtyFiles ? ` + ${m.dirtyFiles} uncommitted paths in the tree` : ''}`,
    `sqlite ${m.sqlite} (WAL, synchronous=NORMAL) on ${m.tmpFs}`,
    ...(pg ? [`postgresql ${pg.version}: fsync=${pg.fsync}, synchronous_commit=${pg.synchronousCommit}, full_page_writes=${pg.fullPageWrites}${pg.fsync === 'off' ? '  (NOT durable: a test server)' : ''}`] : []),
  ]
}
