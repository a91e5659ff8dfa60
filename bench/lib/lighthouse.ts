import * as chromeLauncher from 'chrome-launcher'
import lighthouse from 'lighthouse'

/** Debian's chromium and the same quiet flags as the browser tests (test/browser.ts). */
export const CHROME_PATH = process.env.KANDO_CHROMIUM_PATH ?? '/usr/bin/chromium'
export const CHROME_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic']

export interface LighthouseFigures {
  url: string
  lighthouseVersion: string
  chrome: string
  formFactor: string
  throttling: string
  scores: { performance: number; accessibility: number; bestPractices: number; seo: number }
  fcpMs: number
  lcpMs: number
  tbtMs: number
  cls: number
  totalBytes: number
  /** Audits that did not pass in accessibility, best-practices and SEO: id → title. */
  failing: Record<string, string[]>
}

/**
 * One Lighthouse run (default config: mobile, simulated throttling) against `url` in a fresh
 * Chromium; returns the figures and the full report (JSON).
 */
export async function runLighthouse(url: string): Promise<{ figures: LighthouseFigures; json: string }> {
  const chrome = await chromeLauncher.launch({ chromePath: CHROME_PATH, chromeFlags: CHROME_FLAGS, logLevel: 'silent' })
  try {
    const result = await lighthouse(url, { port: chrome.port, output: 'json', logLevel: 'error', onlyCategories: ['performance', 'accessibility', 'best-practices', 'seo'] })
    if (!result) throw new Error('Lighthouse returned no result')
    const lhr = result.lhr
    if (lhr.runtimeError) throw new Error(`Lighthouse: ${lhr.runtimeError.code} ${lhr.runtimeError.message}`)
    const score = (id: string) => Math.round((lhr.categories[id]?.score ?? 0) * 100)
    const num = (id: string) => lhr.audits[id]?.numericValue ?? NaN
    const failing: Record<string, string[]> = {}
    for (const cat of ['performance', 'accessibility', 'best-practices', 'seo']) {
      failing[cat] = (lhr.categories[cat]?.auditRefs ?? [])
        .filter((r) => r.weight > 0)
        .map((r) => lhr.audits[r.id]!)
        .filter((a) => a.score !== null && a.score < 1)
        .map((a) => `${a.id} (${a.score}): ${a.title}`)
    }
    const t = lhr.configSettings.throttling
    return {
      figures: {
        url,
        lighthouseVersion: lhr.lighthouseVersion,
        chrome: lhr.environment.hostUserAgent.match(/Chrome\/[\d.]+/)?.[0] ?? lhr.environment.hostUserAgent,
        formFactor: lhr.configSettings.formFactor,
        throttling: `${lhr.configSettings.throttlingMethod}: RTT ${t.rttMs} ms, ${Math.round((t.throughputKbps ?? 0) / 1024 * 10) / 10} Mbps, CPU ×${t.cpuSlowdownMultiplier}`,
        scores: { performance: score('performance'), accessibility: score('accessibility'), bestPractices: score('best-practices'), seo: score('seo') },
        fcpMs: num('first-contentful-paint'),
        lcpMs: num('largest-contentful-paint'),
        tbtMs: num('total-blocking-time'),
        cls: num('cumulative-layout-shift'),
        totalBytes: num('total-byte-weight'),
        failing,
      },
      json: typeof result.report === 'string' ? result.report : JSON.stringify(result.lhr),
    }
  } finally {
    chrome.kill()
  }
}
