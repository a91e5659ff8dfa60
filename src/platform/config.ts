import { z } from 'zod'

/** Runtime configuration, read once from environment variables (see README "Configuration"). */
export interface Config {
  databaseUrl: string
  port: number
  host: string
  /** Public base URL used in links we print or send (tracking pages, admin). */
  publicUrl: string
  bodyLimitBytes: number
  logLevel: string
  /** 32-byte key (base64) that encrypts secrets at rest; generated into ./data for the embedded default. */
  secretKey?: string
  dataDir: string
}

const envSchema = z.object({
  KANDO_DATABASE_URL: z.string().min(1).default('sqlite:./data/kando.db'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  KANDO_PUBLIC_URL: z.string().url().optional(),
  KANDO_BODY_LIMIT: z.coerce.number().int().positive().default(1024 * 1024),
  KANDO_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  KANDO_SECRET_KEY: z.string().optional(),
  KANDO_DATA_DIR: z.string().default('./data'),
})

/** Reads configuration from `env`; throws a readable error naming the bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = envSchema.safeParse(env)
  if (!parsed.success) {
    const msg = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')
    throw new Error(`Invalid configuration: ${msg}`)
  }
  const e = parsed.data
  const host = e.HOST
  const shownHost = host === '0.0.0.0' || host === '::' ? 'localhost' : host
  return {
    databaseUrl: e.KANDO_DATABASE_URL,
    port: e.PORT,
    host,
    publicUrl: (e.KANDO_PUBLIC_URL ?? `http://${shownHost}:${e.PORT}`).replace(/\/$/, ''),
    bodyLimitBytes: e.KANDO_BODY_LIMIT,
    logLevel: e.KANDO_LOG_LEVEL,
    secretKey: e.KANDO_SECRET_KEY,
    dataDir: e.KANDO_DATA_DIR,
  }
}
