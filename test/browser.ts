import { existsSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { chromium, type Browser, type Page } from 'playwright-core'

/** Debian's chromium unless KANDO_CHROMIUM_PATH says otherwise. */
export const chromiumPath = process.env.KANDO_CHROMIUM_PATH ?? '/usr/bin/chromium'
/** False on machines without the browser: browser suites skip (and global-setup says so loudly). */
export const chromiumAvailable = existsSync(chromiumPath)

/** Flags that keep a headless run quiet and offline apart from the pages it is sent to. */
export const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
]

/** Launches the system Chromium through playwright-core (no downloaded browsers). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath, args: CHROMIUM_FLAGS })
}

export interface AxeViolation {
  id: string
  impact: 'minor' | 'moderate' | 'serious' | 'critical' | null
  help: string
  helpUrl: string
  nodes: Array<{ target: unknown[]; html: string; failureSummary?: string }>
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8')

/** WCAG 2.0 / 2.1 / 2.2, levels A and AA. */
export const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22a', 'wcag22aa']

/**
 * Runs axe-core in the page against WCAG 2.x A+AA and returns the violations. Works on pages with
 * JavaScript disabled too: the script runs in Playwright's isolated evaluation, not the page's.
 */
export async function runAxe(page: Page): Promise<AxeViolation[]> {
  await page.addScriptTag({ content: axeSource })
  return page.evaluate(async (tags) => {
    const axe = (globalThis as unknown as { axe: { run: (ctx: unknown, opts: unknown) => Promise<{ violations: unknown[] }> } }).axe
    const r = await axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] })
    return r.violations
  }, AXE_TAGS) as Promise<AxeViolation[]>
}

/** One line per violation, for test output. */
export function formatViolations(vs: AxeViolation[]): string {
  return vs.map((v) => `[${v.impact}] ${v.id}: ${v.help} (${v.nodes.length}×) ${v.nodes.slice(0, 3).map((n) => n.html).join(' | ')}`).join('\n')
}
