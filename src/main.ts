import { Command, Option } from 'commander'
import type { FastifyInstance } from 'fastify'
import { loadConfig, type Config } from './platform/config.js'
import { createKando, type Kando } from './kando.js'
import { buildHttp } from './platform/http/app.js'
import { openDb } from './platform/db/index.js'
import { migrateToLatest } from './migrations.js'
import { ensureDemoTenant, runDemo } from './demo.js'

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
  .action((o) => withKando((k, config) => runDemo(k, config, { tenant: o.tenant, orders: Number(o.orders), intervalMs: Number(o.interval) }), { quiet: true }))

program.parseAsync(process.argv).catch((err) => {
  console.error(err instanceof Error ? err.message : err)
  process.exit(1)
})
