/**
 * `npm run bench:returns`: the returns policy engine (src/modules/returns/policy.ts) on generated,
 * seeded return requests: decisions/s and latency per decision, beside same-run baselines.
 *
 * - 100,000 requests (BENCH_RETURNS_N) from a seeded PRNG (BENCH_RETURNS_SEED) over five policies:
 *   apparel (terms, 14 days, final sale since a date, shoes 30 days, underwear hygiene, keep-item ≤ ¥2,500),
 *   cosmetics (terms, hygiene by product type, final-sale sets), furniture (terms, 200 made-to-order
 *   SKUs, high thresholds), statutory (no terms shown; its rules are set aside), and a catalogue-wide
 *   one (terms, 60 rules of 100 SKUs each + tags). 1–5 lines a request (1–2 most often), reasons
 *   size 35 % / changed mind 25 % / other 15 % / defective 12 % / damaged 8 % / wrong item 5 %,
 *   deliveries 8 % not yet, 40 % within ±1 day of the 8-day edge, 10 % near the 30-day defect
 *   edge, the rest 0–60 days ago; timestamps as Shopify writes them (+09:00) or in UTC.
 * - Every policy is compiled once (`compilePolicy`), as the service will hold it.
 * - Latency is timed PER CALL with process.hrtime.bigint (the timer's own cost, measured here, is
 *   ~1–2 % of a decision and is printed); throughput comes from a separate pass without per-call
 *   timers. 10,000 warm-up decisions first (JIT), not counted.
 * - Baselines over the same inputs, same harness: "naive 8-day check" (Date.parse of each line's
 *   delivery + 8 × 24 h ≥ now, Σ price × qty: what a first version would do, and wrong on the day
 *   boundary) and JSON.stringify of the request (the cost of merely serialising it).
 * - CPU: this process's cores vs other processes' over the timed passes (/proc), since the machine
 *   may be shared.
 * Knobs: BENCH_RETURNS_N (100000), BENCH_RETURNS_SEED (7), BENCH_JSON (write figures to this file).
 */
import { writeFileSync } from 'node:fs'
import { compilePolicy, evaluateReturn, type CompiledReturnPolicy, type ReturnInput, type ReturnLineInput } from '../src/modules/returns/policy.ts'
import { ReturnPolicy } from '../src/modules/returns/policy-schema.ts'
import { mulberry32 } from '../src/modules/tracking/simulator.ts'
import { cpuSnapshot, cpuSplit, machine, machineHeader, type CpuSplit } from './lib/machine.ts'

const num = (v: string | undefined, d: number) => (v && Number.isFinite(Number(v)) ? Number(v) : d)
const N = num(process.env.BENCH_RETURNS_N, 100_000)
const SEED = num(process.env.BENCH_RETURNS_SEED, 7)
const WARMUP = 10_000
const TARGET = 20_000
const DAY = 86_400_000
const HOUR = 3_600_000
const log = (line: string) => process.stderr.write(line + '\n')
const fmt = (x: number, digits = 0) => (Number.isFinite(x) ? x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }) : '—')
const pct = (a: number, b: number) => `${((a / Math.max(1, b)) * 100).toFixed(1)} %`

// ------------------------------------------------------------------------------------ policies

const TERMS = { ja: '返品特約：お届けから14日以内、未使用品に限ります。セール品は返品できません。', en: 'Returns within 14 days of delivery, unused items only. Sale items are final.' }
const range = (prefix: string, from: number, n: number) => Array.from({ length: n }, (_, i) => `${prefix}-${String(from + i).padStart(5, '0')}`)

const POLICIES = [
  {
    name: 'apparel',
    policy: ReturnPolicy.parse({
      terms: TERMS, windowDays: 14, keepItem: { maxUnitValue: 2_500 },
      rules: [
        { id: 'sale-2026', kind: 'final_sale', match: { tags: ['sale', 'outlet'] }, since: '2026-11-01', label: { ja: '冬のセール', en: 'winter sale' } },
        { id: 'shoes', kind: 'window', windowDays: 30, match: { productTypes: ['Shoes', 'スニーカー'] } },
        { id: 'underwear', kind: 'hygiene', match: { productTypes: ['Underwear', '下着'], tags: ['swimwear'] } },
      ],
    }),
    skus: range('AP', 0, 400),
    types: ['Tシャツ', 'Shoes', 'スニーカー', 'Underwear', 'Dress', 'Knit'],
    tags: ['sale', 'outlet', 'swimwear', 'new', 'cotton', 'gift'],
    price: [990, 19_800],
  },
  {
    name: 'cosmetics',
    policy: ReturnPolicy.parse({
      terms: TERMS, windowDays: 8, fraud: { highValue: 30_000 },
      rules: [
        { id: 'sets', kind: 'final_sale', match: { tags: ['福袋', 'set'] } },
        { id: 'cosme', kind: 'hygiene', match: { productTypes: ['Skincare', 'Makeup', 'Fragrance'] } },
      ],
    }),
    skus: range('CO', 0, 300),
    types: ['Skincare', 'Makeup', 'Fragrance', 'Tool'],
    tags: ['福袋', 'set', 'new', 'limited'],
    price: [880, 12_000],
  },
  {
    name: 'furniture',
    policy: ReturnPolicy.parse({
      terms: TERMS, windowDays: 14, defectWindowDays: 60, approval: { autoApproveUpTo: 100_000 }, fraud: { highValue: 300_000 },
      resolutions: { storeCredit: { bonusPercent: 5 } },
      rules: [{ id: 'custom', kind: 'made_to_order', match: { skus: range('FU', 0, 200) }, label: { ja: 'オーダー家具', en: 'custom furniture' } }],
    }),
    skus: range('FU', 0, 600),
    types: ['Sofa', 'Table', 'Chair', 'Lamp'],
    tags: ['oak', 'new'],
    price: [9_800, 398_000],
  },
  {
    name: 'statutory',
    policy: ReturnPolicy.parse({
      rules: [
        { id: 'sale', kind: 'final_sale', match: { tags: ['sale'] } },
        { id: 'hyg', kind: 'hygiene', match: { productTypes: ['Underwear'] } },
      ],
    }),
    skus: range('ST', 0, 200),
    types: ['Tシャツ', 'Underwear', 'Bag'],
    tags: ['sale', 'new'],
    price: [1_500, 30_000],
  },
  {
    name: 'catalogue-wide',
    policy: ReturnPolicy.parse({
      terms: TERMS, windowDays: 30, limits: { maxReturnsPer90Days: 3 },
      rules: Array.from({ length: 60 }, (_, i) => ({
        id: `r${i}`,
        kind: (['final_sale', 'hygiene', 'made_to_order', 'window'] as const)[i % 4]!,
        ...(i % 4 === 3 ? { windowDays: 10 + (i % 20) } : {}),
        ...(i % 5 === 0 ? { since: '2026-10-15' } : {}),
        match: { skus: range('CW', i * 100, 100), tags: [`t${i}`] },
      })),
    }),
    skus: range('CW', 0, 9_000),
    types: ['A', 'B', 'C'],
    tags: Array.from({ length: 80 }, (_, i) => `t${i}`),
    price: [500, 50_000],
  },
] as const

// ------------------------------------------------------------------------------------ requests

interface Case {
  policy: number
  input: ReturnInput
  now: Date
}

function generate(n: number, seed: number): Case[] {
  const rand = mulberry32(seed)
  const int = (a: number, b: number) => a + Math.floor(rand() * (b - a + 1))
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!
  const weighted = <T>(xs: readonly (readonly [T, number])[]): T => {
    let r = rand() * xs.reduce((s, [, w]) => s + w, 0)
    for (const [x, w] of xs) if ((r -= w) < 0) return x
    return xs[xs.length - 1]![0]
  }
  const iso = (ms: number) => (rand() < 0.7 ? new Date(ms + 9 * HOUR).toISOString().replace('Z', '+09:00') : new Date(ms).toISOString())
  const start = Date.UTC(2026, 9, 1)
  const out: Case[] = []
  for (let i = 0; i < n; i++) {
    const policy = weighted([[0, 35], [1, 25], [2, 10], [3, 15], [4, 15]] as const)
    const shop = POLICIES[policy]!
    const now = start + Math.floor(rand() * 150 * DAY)
    const lineCount = weighted([[1, 45], [2, 30], [3, 13], [4, 7], [5, 5]] as const)
    let placed = now
    const lines: ReturnLineInput[] = []
    for (let l = 0; l < lineCount; l++) {
      const edge = rand()
      // Near the edges is where the rules differ, so a good share of deliveries sits there.
      const ago =
        edge < 0.08 ? null
          : edge < 0.48 ? 7 * DAY + Math.floor((rand() * 2 - 0.5) * DAY)
            : edge < 0.58 ? 29 * DAY + Math.floor(rand() * 2 * DAY)
              : Math.floor(rand() * 60 * DAY)
      if (ago !== null) placed = Math.min(placed, now - ago - int(1, 10) * DAY)
      const purchased = weighted([[1, 70], [2, 20], [3, 7], [5, 3]] as const)
      const alreadyReturned = rand() < 0.05 ? int(0, purchased) : 0
      const tagCount = weighted([[0, 30], [1, 40], [2, 20], [3, 10]] as const)
      lines.push({
        lineId: `li_${i}_${l}`,
        sku: rand() < 0.03 ? null : pick(shop.skus),
        productId: `prod_${int(1, 5_000)}`,
        tags: Array.from({ length: tagCount }, () => pick(shop.tags)),
        productType: rand() < 0.1 ? null : pick(shop.types),
        unitPrice: Math.round(int(shop.price[0], shop.price[1]) / 10) * 10,
        quantity: rand() < 0.06 ? purchased + 1 : int(1, purchased),
        purchased,
        alreadyReturned,
        deliveredAt: ago === null ? null : iso(now - ago),
        condition: weighted([['unopened', 45], ['opened', 35], ['used', 15], ['damaged', 5]] as const),
      })
    }
    if (placed === now) placed = now - int(1, 5) * DAY
    const input: ReturnInput = {
      order: { placedAt: iso(placed), currency: 'JPY', total: lines.reduce((s, l) => s + l.unitPrice * l.purchased, 0) },
      reason: weighted([['size_fit', 35], ['changed_mind', 25], ['other', 15], ['defective', 12], ['damaged', 8], ['wrong_item', 5]] as const),
      lines,
      customer: { returnsLast90Days: weighted([[0, 60], [1, 20], [2, 9], [3, 5], [4, 3], [5, 2], [8, 1]] as const), ...(rand() < 0.5 ? { returnValueLast90Days: int(0, 80_000) } : {}) },
      addressMatches: rand() < 0.96,
    }
    out.push({ policy, input, now: new Date(now) })
  }
  return out
}

// ------------------------------------------------------------------------------------ timing

interface Timed {
  name: string
  perSecond: number
  perSecondTimed: number
  p50: number
  p99: number
  max: number
  mean: number
  cpu: CpuSplit | null
}

const timerOverheadNs = (() => {
  const a = new Float64Array(100_001)
  for (let i = 0; i < a.length; i++) {
    const t0 = process.hrtime.bigint()
    a[i] = Number(process.hrtime.bigint() - t0)
  }
  a.sort()
  return a[50_000]!
})()

/** Runs `f` over every case: once timing each call (latencies), once untimed (throughput). */
function measure(name: string, cases: readonly Case[], f: (c: Case) => number): Timed {
  let sink = 0
  for (let i = 0; i < WARMUP; i++) sink += f(cases[i % cases.length]!)
  const lat = new Float64Array(cases.length)
  const cpu0 = cpuSnapshot()
  const a = performance.now()
  for (let i = 0; i < cases.length; i++) {
    const c = cases[i]!
    const t0 = process.hrtime.bigint()
    sink += f(c)
    lat[i] = Number(process.hrtime.bigint() - t0)
  }
  const timedSeconds = (performance.now() - a) / 1000
  const b = performance.now()
  for (let i = 0; i < cases.length; i++) sink += f(cases[i]!)
  const seconds = (performance.now() - b) / 1000
  const cpu = cpuSplit(cpu0, cpuSnapshot(), -1)
  if (sink === -1) log('') // keeps the results alive for the optimiser
  let total = 0
  for (const x of lat) total += x
  lat.sort()
  const q = (p: number) => lat[Math.min(lat.length - 1, Math.floor(p * lat.length))]! / 1000
  const t: Timed = { name, perSecond: cases.length / seconds, perSecondTimed: cases.length / timedSeconds, p50: q(0.5), p99: q(0.99), max: lat[lat.length - 1]! / 1000, mean: total / lat.length / 1000, cpu }
  log(`${name}: ${fmt(t.perSecond)}/s untimed, ${fmt(t.perSecondTimed)}/s timed per call; p50 ${fmt(t.p50, 2)} µs, p99 ${fmt(t.p99, 2)} µs, max ${fmt(t.max)} µs`)
  return t
}

function table(head: string[], body: string[][], left = 1): string {
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]!.length)))
  const line = (cells: string[]) => '| ' + cells.map((c, i) => (i < left ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ') + ' |'
  return [line(head), '|' + widths.map((w, i) => (i < left ? ':' + '-'.repeat(w + 1) : '-'.repeat(w + 1) + ':')).join('|') + '|', ...body.map(line)].join('\n')
}

// ------------------------------------------------------------------------------------ main

const m = machine()
const began = performance.now()
log(`Kando returns policy benchmark — ${m.date}`)
const cases = generate(N, SEED)
const compiled: CompiledReturnPolicy[] = POLICIES.map((p) => compilePolicy(p.policy))
const plain = POLICIES.map((p) => p.policy)
log(`generated ${fmt(cases.length)} requests (${fmt(cases.reduce((s, c) => s + c.input.lines.length, 0))} lines) in ${fmt(performance.now() - began)} ms; timer overhead ${fmt(timerOverheadNs)} ns a reading pair`)

const engine = (c: Case) => evaluateReturn(compiled[c.policy]!, c.input, c.now).lines.length
const rows: Timed[] = [
  measure('evaluateReturn, compiled policy, Asia/Tokyo', cases, engine),
  measure('evaluateReturn, plain policy (compiled once, WeakMap)', cases, (c) => evaluateReturn(plain[c.policy]!, c.input, c.now).lines.length),
  measure('evaluateReturn, compiled, America/Los_Angeles (DST zone)', cases, (c) => evaluateReturn(compiled[c.policy]!, c.input, c.now, 'America/Los_Angeles').lines.length),
  measure('baseline: naive 8-day check (Date.parse + 8 × 24 h)', cases, (c) => {
    const now = c.now.getTime()
    let ok = 0
    for (const l of c.input.lines) if (l.deliveredAt !== null && Date.parse(l.deliveredAt) + 8 * DAY >= now) ok += l.unitPrice * l.quantity
    return ok
  }),
  measure('baseline: JSON.stringify(request)', cases, (c) => JSON.stringify(c.input).length),
]

// What the decisions were: the mix the figures were measured on.
let lines = 0, returnable = 0, notDelivered = 0, windowEnded = 0, byRule = 0, quantity = 0, statutorySetAside = 0, brandFaultOverride = 0
let eligible = 0, review = 0, keep = 0, flagged = 0
for (const c of cases) {
  const d = evaluateReturn(compiled[c.policy]!, c.input, c.now)
  if (d.eligible) eligible++
  if (d.approval === 'review') review++
  if (d.keepItem) keep++
  if (d.flags.length > 0) flagged++
  for (const l of d.lines) {
    lines++
    if (l.returnable) {
      returnable++
      if (l.why.en.includes('statutory 8-day right')) statutorySetAside++
      if (l.why.en.includes('always returnable')) brandFaultOverride++
    } else if (l.why.en.includes('not delivered')) notDelivered++
    else if (l.why.en.includes('window ended')) windowEnded++
    else if (l.why.en.includes('already returned') || l.why.en.includes('no quantity')) quantity++
    else byRule++
  }
}

const engineRow = rows[0]!
const baseRow = rows[3]!
const out: string[] = [
  '',
  machineHeader(m, undefined)[0]!,
  `no database: a pure function over ${fmt(N)} generated requests (seed ${SEED}, ${fmt(lines)} lines, ${POLICIES.length} policies compiled once); ${fmt(WARMUP)} warm-up calls per row; latency timed per call with process.hrtime.bigint (a reading pair costs ${fmt(timerOverheadNs)} ns, included in the latencies); decisions/s from a second pass without per-call timers`,
  '',
  table(
    ['function', 'decisions/s', 'decisions/s (timed per call)', 'p50 µs', 'p99 µs', 'max µs', 'mean µs', 'CPU cores this process / others'],
    rows.map((r) => [r.name, fmt(r.perSecond), fmt(r.perSecondTimed), fmt(r.p50, 2), fmt(r.p99, 2), fmt(r.max, 0), fmt(r.mean, 2), r.cpu ? `${r.cpu.loadGenerator.toFixed(2)} / ${r.cpu.other.toFixed(2)}` : '—']),
  ),
  '',
  `decisions: ${pct(eligible, N)} of requests eligible, ${pct(review, N)} sent to review, ${pct(flagged, N)} flagged, ${pct(keep, N)} keep-item; lines: ${pct(returnable, lines)} returnable (${fmt(statutorySetAside)} only because no terms were shown, ${fmt(brandFaultOverride)} despite a rule because the shop was at fault), refused: window ended ${pct(windowEnded, lines)}, by a rule ${pct(byRule, lines)}, not delivered ${pct(notDelivered, lines)}, nothing left to return ${pct(quantity, lines)}`,
  `engine vs naive check: ${(baseRow.perSecond / engineRow.perSecond).toFixed(1)}× slower than Date.parse + arithmetic, for explanations in two languages, rules, flags and zone-exact day boundaries`,
  `target ≥ ${fmt(TARGET)} decisions/s (compiled policy, Asia/Tokyo): ${engineRow.perSecond >= TARGET ? 'met' : 'NOT met'} (${fmt(engineRow.perSecond)}/s, ${(engineRow.perSecond / TARGET).toFixed(1)}×)`,
  `whole benchmark: ${fmt((performance.now() - began) / 1000, 1)} s`,
]
process.stdout.write(out.join('\n') + '\n')
if (process.env.BENCH_JSON) writeFileSync(process.env.BENCH_JSON, JSON.stringify({ machine: m, n: N, seed: SEED, timerOverheadNs, rows, mix: { lines, returnable, notDelivered, windowEnded, byRule, quantity, eligible, review, flagged, keep } }, null, 2))
