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
  /** PostgreSQL connections per process. */
  dbPoolSize: number
  /** smtp(s)://user:pass@host:port; unset: mail goes to the built-in dev mailbox in the database. */
  smtpUrl?: string
  /** SMTP connections kept open in the pool. */
  smtpPoolSize: number
  /** Default From for brands that set no sender address. */
  mailFrom: string
  /** DKIM signing for outgoing mail (all three or none). */
  dkim?: { domainName: string; keySelector: string; privateKey: string }
  /** LINE Messaging API base URL (tests point it at a stand-in). */
  lineApiUrl: string
  /** SMS provider (Twilio-compatible) base URL. */
  smsApiUrl: string
  /** Allow outgoing webhooks to private/loopback addresses (self-hosters whose systems are internal). */
  webhooksAllowPrivate: boolean
  /** How long jobs held by a worker that died wait before another takes them (default per queue). */
  jobExpireSeconds?: number
  /** The 3PL operator's key for installation-wide settings (locations); unset: the operator API is off. */
  operatorKey?: string
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
  KANDO_DB_POOL: z.coerce.number().int().min(2).max(500).default(20),
  KANDO_SMTP_URL: z.string().regex(/^smtps?:\/\//, 'must be an smtp:// or smtps:// URL').optional(),
  KANDO_SMTP_POOL: z.coerce.number().int().min(1).max(100).default(5),
  KANDO_MAIL_FROM: z.email().default('no-reply@kando.localhost'),
  KANDO_DKIM_DOMAIN: z.string().optional(),
  KANDO_DKIM_SELECTOR: z.string().optional(),
  KANDO_DKIM_PRIVATE_KEY: z.string().optional(),
  KANDO_LINE_API_URL: z.string().url().default('https://api.line.me'),
  KANDO_SMS_API_URL: z.string().url().default('https://api.twilio.com'),
  KANDO_WEBHOOKS_ALLOW_PRIVATE: z.enum(['0', '1', 'true', 'false']).default('0'),
  KANDO_JOB_EXPIRE_SECONDS: z.coerce.number().int().min(2).max(86_400).optional(),
  KANDO_OPERATOR_KEY: z.string().min(32, 'must be at least 32 characters (e.g. openssl rand -base64 32)').optional(),
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
    dbPoolSize: e.KANDO_DB_POOL,
    smtpUrl: e.KANDO_SMTP_URL || undefined,
    smtpPoolSize: e.KANDO_SMTP_POOL,
    mailFrom: e.KANDO_MAIL_FROM,
    dkim: e.KANDO_DKIM_DOMAIN && e.KANDO_DKIM_SELECTOR && e.KANDO_DKIM_PRIVATE_KEY
      ? { domainName: e.KANDO_DKIM_DOMAIN, keySelector: e.KANDO_DKIM_SELECTOR, privateKey: e.KANDO_DKIM_PRIVATE_KEY.replace(/\\n/g, '\n') }
      : undefined,
    lineApiUrl: e.KANDO_LINE_API_URL.replace(/\/$/, ''),
    smsApiUrl: e.KANDO_SMS_API_URL.replace(/\/$/, ''),
    jobExpireSeconds: e.KANDO_JOB_EXPIRE_SECONDS,
    webhooksAllowPrivate: e.KANDO_WEBHOOKS_ALLOW_PRIVATE === '1' || e.KANDO_WEBHOOKS_ALLOW_PRIVATE === 'true',
    operatorKey: e.KANDO_OPERATOR_KEY || undefined,
  }
}
