import { existsSync, mkdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { createRequire } from 'node:module'
import { chromium, type Browser, type Page } from 'playwright-core'

/** Debian's chromium, launched with the flags this machine needs (no sandbox as root, no network chatter). */
export async function launchBrowser(): Promise<Browser> {
  const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
  if (!existsSync(executablePath)) throw new Error(`Chromium not found at ${executablePath}: apt-get install -y chromium`)
  return chromium.launch({
    executablePath,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync', '--disable-quic'],
  })
}

const require = createRequire(import.meta.url)

/** Run axe-core in the page and return WCAG 2.0/2.1/2.2 A and AA violations. */
export async function axeViolations(page: Page): Promise<Array<{ id: string; impact: string | null; help: string; nodes: string[] }>> {
  const source = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8')
  await page.evaluate(source)
  return page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (ctx: unknown, opts: unknown) => Promise<{ violations: Array<{ id: string; impact: string | null; help: string; nodes: Array<{ target: string[] }> }> }> } }).axe
    // resultTypes: only violations get node details and selectors (the tests read nothing else); every rule
    // still runs on every node.
    const result = await axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22a', 'wcag22aa'] },
      resultTypes: ['violations'],
    })
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => n.target.join(' ')) }))
  })
}

/**
 * Wait until a page has loaded and settled, for checks that read the finished page: the load event (every
 * script and stylesheet of the server-rendered page is in, app/root.tsx), then no request in flight for
 * `quietMs`, then two frames and an idle moment of the page (React has hydrated and committed). Playwright's
 * 'networkidle' does the same with a fixed 500 ms of quiet: 45 s of the 131 s that the every-route
 * accessibility test spent checking its 74 pages, measured on a loaded machine (docs/benchmarks.md, "Waiting
 * less in the browser suite"). A part that the page renders later on its own (the builder preview) still needs
 * its own wait for that part.
 */
export async function settle(page: Page, quietMs = 100): Promise<void> {
  await page.waitForLoadState('load')
  let inFlight = 0
  let lastChange = Date.now()
  const started = () => {
    inFlight++
    lastChange = Date.now()
  }
  const ended = () => {
    inFlight = Math.max(0, inFlight - 1)
    lastChange = Date.now()
  }
  page.on('request', started)
  page.on('requestfinished', ended)
  page.on('requestfailed', ended)
  try {
    const deadline = Date.now() + 30_000
    for (;;) {
      await page.evaluate(
        () =>
          new Promise<void>((resolve) =>
            requestAnimationFrame(() => requestAnimationFrame(() => requestIdleCallback(() => resolve(), { timeout: 1000 }))),
          ),
      )
      if (inFlight === 0 && Date.now() - lastChange >= quietMs) return
      if (Date.now() > deadline) throw new Error(`settle: ${inFlight} request(s) still in flight after 30 s on ${page.url()}`)
      await new Promise((r) => setTimeout(r, quietMs))
    }
  } finally {
    page.off('request', started)
    page.off('requestfinished', ended)
    page.off('requestfailed', ended)
  }
}

/** Screenshots and other artefacts go to artifacts/ (git-ignored; CI keeps them). */
export function artifactPath(name: string): string {
  const dir = path.resolve('artifacts')
  mkdirSync(dir, { recursive: true })
  return path.join(dir, name)
}
