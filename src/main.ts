import { readFileSync } from 'node:fs'
import cliProgress from 'cli-progress'
import { Command, Option } from 'commander'
import type { FastifyInstance } from 'fastify'
import { loadConfig, type Config } from './platform/config.js'
import { createKando, type Kando } from './kando.js'
import { buildHttp } from './platform/http/app.js'
import { openDb } from './platform/db/index.js'
import { migrateToLatest } from './migrations.js'
import { importStockCsv } from './modules/inventory/index.js'
import { DEMO_DAY_SECONDS, ensureDemoTenant, runDemo } from './demo.js'
import { importTrackingCsv } from './modules/tracking/index.js'
import { parseReviewCsv } from './modules/reviews/csv.js'

const program = new Command('kando').description('Kando (感動): post-purchase experience platform').showHelpAfterError()

async function withKando<T>(fn: (k: Kando, config: Config) => Promise<T>, opts: { quiet?: boolean } = {}): Promise<T> {
  const config = loadConfig()
  if (opts.quiet) config.logLevel = 'warn'
  const kando = await createKando(config)
  try {
    return await fn(kando, config)
  } finally {
    await kando.close()
  }
}

/** Runs until SIGINT/SIGTERM, then stops HTTP first (no new work), then the worker. */
async function runUntilSignal(kando: Kando, app?: FastifyInstance): Promise<void> {
  await new Promise<void>((resolve) => {
    const stop = () => resolve()
    process.once('SIGINT', stop)
    process.once('SIGTERM', stop)
  })
  kando.log.info('shutting down')
  await app?.close()
  await kando.close()
}

async function serve(withWorker: boolean, withHttp: boolean, announceDemo: boolean): Promise<void> {
  const config = loadConfig()
  const kando = await createKando(config)
  let app: FastifyInstance | undefined
  if (withWorker) await kando.startWorker()
  if (withHttp) {
    app = await buildHttp(kando)
    await app.listen({ port: config.port, host: config.host })
  }
  if (announceDemo) await ensureDemoTenant(kando, (line) => process.stdout.write(line + '\n'))
  await runUntilSignal(kando, app)
}

program
  .command('start')
  .description('HTTP server and worker in one process (the embedded default); creates a demo brand on an empty database')
  .action(() => serve(true, true, true))
program.command('serve').description('HTTP server only').action(() => serve(false, true, false))
program.command('worker').description('Job worker only (run as many as you like on PostgreSQL)').action(() => serve(true, false, false))

program
  .command('migrate')
  .description('Create or update the database schema')
  .action(async () => {
    const config = loadConfig()
    const db = openDb(config.databaseUrl)
    try {
      const applied = await migrateToLatest(db)
      console.log(applied.length ? `Applied: ${applied.join(', ')}` : 'Schema is up to date.')
    } finally {
      await db.close()
    }
  })

const tenant = program.command('tenant').description('Brands served by this installation')
tenant
  .command('create')
  .requiredOption('--slug <slug>', 'short name used in URLs, e.g. acme')
  .requiredOption('--name <name>', 'display name')
  .option('--timezone <tz>', 'IANA time zone', 'Asia/Tokyo')
  .addOption(new Option('--locale <locale>', 'default customer language').choices(['ja', 'en']).default('ja'))
  .option('--shopify-secret <secret>', 'Shopify app secret that signs webhooks')
  .option('--json', 'print one JSON object')
  .action(async (o) =>
    withKando(async (k, config) => {
      const { tenant: t, apiKey } = await k.tenants.create({ slug: o.slug, name: o.name, timezone: o.timezone, locale: o.locale, shopifySecret: o.shopifySecret })
      if (o.json) console.log(JSON.stringify({ id: t.id, slug: t.slug, name: t.name, apiKey: apiKey.key, apiKeyId: apiKey.id, webhookUrl: `${config.publicUrl}/webhooks/shopify/${t.slug}` }))
      else {
        console.log(`Tenant ${t.slug} (${t.id}) created.`)
        console.log(`API key (shown once): ${apiKey.key}`)
        console.log(`Shopify webhook URL: ${config.publicUrl}/webhooks/shopify/${t.slug}`)
      }
    }, { quiet: true }),
  )
tenant
  .command('list')
  .option('--json', 'print JSON')
  .action(async (o) =>
    withKando(async (k) => {
      const list = await k.tenants.list()
      if (o.json) console.log(JSON.stringify(list))
      else for (const t of list) console.log(`${t.slug}\t${t.id}\t${t.name}`)
    }, { quiet: true }),
  )

const apikey = program.command('apikey').description('API keys of a brand')
apikey
  .command('create')
  .requiredOption('--tenant <slug-or-id>', 'the brand')
  .option('--label <label>', 'what the key is for', 'cli')
  .option('--json', 'print one JSON object')
  .action(async (o) =>
    withKando(async (k) => {
      const key = await k.tenants.createApiKey(o.tenant, o.label)
      if (o.json) console.log(JSON.stringify({ id: key.id, apiKey: key.key, prefix: key.prefix, label: key.label }))
      else console.log(`API key ${key.id} (shown once): ${key.key}`)
    }, { quiet: true }),
  )
apikey
  .command('revoke')
  .argument('<id-or-key>', 'key id (key_…) or the key itself')
  .action(async (ref) =>
    withKando(async (k) => {
      if (!(await k.tenants.revokeApiKey(ref))) {
        console.error(`No live API key matches ${ref}.`)
        process.exitCode = 1
      } else console.log('Revoked.')
    }, { quiet: true }),
  )
apikey
  .command('list')
  .requiredOption('--tenant <slug-or-id>', 'the brand')
  .action(async (o) =>
    withKando(async (k) => {
      const t = await k.tenants.find(o.tenant)
      for (const key of await k.tenants.listApiKeys(t.id)) console.log(`${key.id}\t${key.prefix}…\t${key.label}\t${key.revokedAt ? `revoked ${key.revokedAt}` : 'live'}`)
    }, { quiet: true }),
  )

const jobs = program.command('jobs').description('The job queue')
jobs.command('stats').action(() => withKando(async (k) => console.table(await k.queue.counts()), { quiet: true }))
jobs
  .command('dead')
  .option('--queue <name>')
  .action((o) => withKando(async (k) => console.log(JSON.stringify(await k.queue.deadJobs(o.queue), null, 2)), { quiet: true }))
jobs
  .command('retry')
  .option('--queue <name>')
  .description('Send dead jobs back to be tried again')
  .action((o) => withKando(async (k) => console.log(`${await k.queue.retryDead(o.queue)} dead job(s) queued again.`), { quiet: true }))

program
  .command('demo')
  .description('Feed a stream of realistic demo orders to the demo brand')
  .option('--tenant <slug>', 'brand', 'demo')
  .option('--orders <n>', 'how many orders', '30')
  .option('--interval <ms>', 'pause between orders', '400')
  .option('--day-seconds <s>', 'real seconds per simulated carrier day (parcels move in compressed time)', String(DEMO_DAY_SECONDS))
  .action((o) =>
    withKando((k, config) => runDemo(k, config, { tenant: o.tenant, orders: Number(o.orders), intervalMs: Number(o.interval), daySeconds: Number(o.daySeconds) }), { quiet: true }),
  )

const importCmd = program.command('import').description('Import files into a brand')
importCmd
  .command('tracking')
  .description('Import a carrier/WMS tracking status file (CSV, Shift_JIS or UTF-8): one event per row')
  .argument('<file>', 'the CSV file; the first row names the columns (伝票番号, 荷物状況, 日付, 時刻, 担当店名, …)')
  .requiredOption('--tenant <slug-or-id>', 'the brand')
  .option('--carrier <code>', 'carrier of every row when the file has no carrier column (yamato, sagawa, japan_post, …)')
  .addHelpText('after', `
Prints rows, accepted and duplicate events, shipments touched and each rejected row by line number.
Importing the same file again is harmless: its events are reported as duplicates.
Exit code: 0 when the file was read (even if some rows were rejected); 2 when every row was rejected;
1 when the file could not be read (missing, empty, no tracking number column, unknown brand).`)
  .action((file: string, o) =>
    withKando(async (k) => {
      const t = await k.tenants.find(o.tenant)
      const bytes = readFileSync(file)
      const tty = process.stdout.isTTY === true
      const bar = tty ? new cliProgress.SingleBar({ format: '  {bar} {percentage}% | {value}/{total} rows', hideCursor: true, clearOnComplete: true }, cliProgress.Presets.shades_classic) : undefined
      let started = false
      let result
      try {
        result = await importTrackingCsv(k.tracking, k.scope(t.id), bytes, {
          carrier: o.carrier, source: 'import', actor: 'cli',
          onProgress: (done, total) => {
            if (!bar) return
            if (!started) bar.start(total, 0)
            started = true
            bar.update(done)
          },
        })
      } finally {
        if (started) bar?.stop()
      }
      const errorRows = new Set(result.errors.map((e) => e.line)).size
      console.log(`Imported ${file} into ${t.slug}: ${result.rows} rows, ${result.accepted} accepted, ${result.duplicates} duplicates, ${result.shipments} shipments, ${result.errors.length} errors`)
      for (const e of result.errors) console.log(`  line ${e.line}: ${e.message}`)
      if (result.rows > 0 && errorRows >= result.rows) {
        console.error('Every row was rejected.')
        process.exitCode = 2
      }
    }, { quiet: true }),
  )

importCmd
  .command('reviews')
  .description('Import existing reviews from CSV (UTF-8): product_id or sku, rating, body, and optionally title, author, created_at, source, external_id, status')
  .argument('<file>', 'the CSV file; the first row names the columns')
  .requiredOption('--tenant <slug-or-id>', 'the brand')
  .addHelpText('after', `
Rows without external_id get one from their content, so importing the same file again adds nothing.
Imported reviews are marked by their source (default "import"), never as verified purchases.
Exit code: 0 when the file was read; 2 when every row was rejected; 1 when it could not be read.`)
  .action((file: string, o) =>
    withKando(async (k) => {
      const t = await k.tenants.find(o.tenant)
      const scope = k.scope(t.id)
      const rows = parseReviewCsv(readFileSync(file, 'utf8'))
      const id = await k.reviews.startImport(scope, rows, 'cli')
      const bar = process.stdout.isTTY ? new cliProgress.SingleBar({ format: '  {bar} {percentage}% | {value}/{total} reviews', hideCursor: true, clearOnComplete: true }, cliProgress.Presets.shades_classic) : undefined
      bar?.start(rows.length, 0)
      let s = await k.reviews.importStatus(scope, id)
      while (s && s.status === 'running') {
        await new Promise((r) => setTimeout(r, 200))
        s = await k.reviews.importStatus(scope, id)
        bar?.update(s?.processed ?? 0)
      }
      bar?.stop()
      if (!s) throw new Error('the import disappeared')
      console.log(`Imported ${file} into ${t.slug}: ${s.total} rows, ${s.created} created, ${s.skipped} skipped (already there or invalid), status ${s.status}`)
      for (const e of s.errors as Array<{ row: number; message: string }>) console.log(`  line ${e.row}: ${e.message}`)
      if (s.status === 'failed' || (s.created === 0 && s.errors.length >= s.total)) process.exitCode = 2
    }, { quiet: true }),
  )

importCmd
  .command('stock')
  .description('Import a WMS stock file (CSV, Shift_JIS or UTF-8): location, sku, on_hand per row (or 倉庫コード, 商品コード, 在庫数)')
  .argument('<file>', 'the CSV file; the first row names the columns')
  .requiredOption('--tenant <slug-or-id>', 'the brand')
  .requiredOption('--seq <n>', 'the WMS sequence number of this count: an older count never overwrites a newer one')
  .addHelpText('after', `
Each location's rows are applied as snapshots at --seq. Prints rows applied, rows ignored as stale
(a newer count is already in) and each rejected row by line number. Orders holding more than a
location now has are re-allocated by the worker.
Exit code: 0 when the file was read; 2 when every row was rejected; 1 when it could not be read.`)
  .action((file: string, o) =>
    withKando(async (k) => {
      const t = await k.tenants.find(o.tenant)
      const seq = Number(o.seq)
      if (!Number.isInteger(seq) || seq < 0) throw new Error('--seq must be a whole number ≥ 0')
      const tty = process.stdout.isTTY === true
      const bar = tty ? new cliProgress.SingleBar({ format: '  {bar} {percentage}% | {value}/{total} rows', hideCursor: true, clearOnComplete: true }, cliProgress.Presets.shades_classic) : undefined
      let started = false
      let result
      try {
        result = await importStockCsv(k.inventory, k.scope(t.id), readFileSync(file), {
          seq,
          onProgress: (done, total) => {
            if (!bar) return
            if (!started) bar.start(total, 0)
            started = true
            bar.update(done)
          },
        })
      } finally {
        if (started) bar?.stop()
      }
      console.log(`Imported ${file} into ${t.slug}: ${result.rows} rows, ${result.applied} applied, ${result.stale} stale, ${result.errors.length} errors, ${result.overReserved.length} over-reserved`)
      for (const e of result.errors) console.log(`  line ${e.line}: ${e.message}`)
      if (result.rows > 0 && result.errors.length >= result.rows) {
        console.error('Every row was rejected.')
        process.exitCode = 2
      }
    }, { quiet: true }),
  )

const locations = program.command('locations').description("The 3PL's fulfilment centres")
locations
  .command('list')
  .action(() => withKando(async (k) => console.table((await k.inventory.listLocations()).map((l) => ({ id: l.id, name: l.name, pref: l.prefectureCode, cutoff: l.cutoff, capacity: l.dailyCapacity, active: l.active }))), { quiet: true }))
locations
  .command('seed-demo')
  .description('Add the demo network of 11 centres (Hokkaido to Okinawa) when there are no locations yet')
  .action(() => withKando(async (k) => console.log(`Added ${await k.inventory.seedDemoNetwork()} locations.`), { quiet: true }))

program.parseAsync(process.argv).catch((err) => {
  console.error(err instanceof Error ? err.message : err)
  process.exit(1)
})
