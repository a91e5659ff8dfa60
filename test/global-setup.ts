import { existsSync } from 'node:fs'

/** Says loudly which suites could not run here; in CI (KANDO_TEST_REQUIRE_ALL=1) a skip is a failure. */
export default function setup(): void {
  const missing: string[] = []
  if (!process.env.KANDO_TEST_POSTGRES_URL) missing.push('PostgreSQL (set KANDO_TEST_POSTGRES_URL=postgres://user:pass@127.0.0.1:5432/postgres)')
  const chromium = process.env.KANDO_CHROMIUM_PATH ?? '/usr/bin/chromium'
  if (!existsSync(chromium)) missing.push(`Chromium at ${chromium} (browser and accessibility suites; apt-get install chromium fonts-noto-cjk fonts-noto-color-emoji, or set KANDO_CHROMIUM_PATH)`)
  const line = '!'.repeat(78)
  if (missing.length > 0) {
    const msg = `\n${line}\n  NOT RUN on this machine: ${missing.join('; ')}\n  Without PostgreSQL, database suites ran on SQLite only; without Chromium, browser suites skipped.\n  CI runs everything (.ci/run).\n${line}\n`
    if (process.env.KANDO_TEST_REQUIRE_ALL === '1') throw new Error(`KANDO_TEST_REQUIRE_ALL=1 but suites would be skipped:${msg}`)
    console.warn(msg)
  }
}
