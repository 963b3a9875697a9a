import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { unzipSync } from 'fflate'
import { extractText, getDocumentProxy } from 'unpdf'
import { afterAll, beforeAll, expect, it } from 'vitest'
import type { Browser, Page } from 'playwright-core'
import { parseCsv } from '#analysis/parse-csv.ts'
import { DEMO_ADMIN } from '#db/seed.ts'
import { artifactPath, axeViolations, launchBrowser } from '../support/browser.ts'
import { startTestServer, type TestServer } from '../support/server.ts'
import { finishSignIn } from '../support/sign-in.ts'

/**
 * Issue 8's journey, in a real browser against the production server (needs `npx remix vite:build` first):
 * the demo analyst opens the demo survey's exports page, creates an evidence pack, downloads it and finds every
 * part an assessor needs; the frozen pack's fingerprint matches what the page shows. The microdata download
 * shows progress and yields one row per response; the PDF evidence pack downloads on its own (issue 14, item 5).
 * The page passes axe (WCAG 2.2 AA).
 */
let server: TestServer
let browser: Browser

beforeAll(async () => {
  server = await startTestServer()
  browser = await launchBrowser()
})

afterAll(async () => {
  await browser?.close()
  await server?.stop()
})

async function openExports(page: Page): Promise<string> {
  await page.goto(`${server.url}/login`)
  await page.getByLabel('Email address').fill(DEMO_ADMIN.email)
  await page.getByLabel('Password').fill(DEMO_ADMIN.password)
  await page.getByRole('button', { name: 'Sign in' }).click()
  // Admins sign in with two factors (tests/support/sign-in.ts).
  await finishSignIn(page, server.url, DEMO_ADMIN)
  const href = await page
    .locator('a[href^="/app/surveys/"]')
    .evaluateAll((links) =>
      links.map((a) => a.getAttribute('href')!).find((h) => /^\/app\/surveys\/[0-9a-f-]{36}/.test(h)),
    )
  const surveyId = href!.match(/[0-9a-f-]{36}/)![0]
  await page.goto(`${server.url}/app/surveys/${surveyId}/exports`)
  await page.getByRole('heading', { name: 'Exports and CSE evidence pack' }).waitFor()
  return surveyId
}

it('an analyst downloads the demo evidence pack and it holds every part', async () => {
  const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1280, height: 1000 } })
  const page = await context.newPage()
  await openExports(page)
  expect(await axeViolations(page)).toEqual([])

  await page.getByRole('button', { name: 'Create evidence pack' }).click()
  await page.getByText('A new evidence pack was created').waitFor({ timeout: 120_000 })
  const row = page.getByTestId('evidence-pack-row').first()
  const shownHash = await row.locator('code').getAttribute('data-hash')
  expect(shownHash).toMatch(/^[0-9a-f]{64}$/)

  const [download] = await Promise.all([
    page.waitForEvent('download'),
    row.getByRole('link', { name: /Download pack/ }).click(),
  ])
  expect(download.suggestedFilename()).toMatch(/^cse-evidence-pack-demo-\d{4}-\d{2}-\d{2}\.zip$/)
  const path = artifactPath('browser-evidence-pack.zip')
  await download.saveAs(path)
  const zip = new Uint8Array(readFileSync(path))
  // the bytes downloaded are the frozen snapshot the page fingerprints
  expect(createHash('sha256').update(zip).digest('hex')).toBe(shownHash)
  const files = Object.keys(unzipSync(zip)).map((n) => n.replace(/^[^/]+\//, ''))
  for (const part of [
    'evidence-pack.pdf',
    'report.html',
    'methods-note.md',
    'tables/tables.xlsx',
    'tables/dashboard.csv',
    'tables/satisfaction-overall.csv',
    'tables/respondent-profile.csv',
    'charts/key-areas.svg',
    'charts/key-areas.png',
    'reproduce/reproduce.R',
    'reproduce/codebook.csv',
    'manifest.json',
  ]) {
    expect(files, part).toContain(part)
  }
  expect(files.filter((f) => f.startsWith('charts/') && f.endsWith('.png')).length).toBe(
    files.filter((f) => f.startsWith('charts/') && f.endsWith('.svg')).length,
  )

  // the pack publishes the dashboard's figures only: no satisfied counts, no exact headline numbers
  const entries = unzipSync(zip)
  expect(files).not.toContain('reproduce/app-headline.json')
  const dashboardCsv = new TextDecoder().decode(
    Object.entries(entries).find(([n]) => n.endsWith('/tables/dashboard.csv'))![1],
  )
  expect(parseCsv(dashboardCsv.replace(/^\uFEFF/, ''))[0]).toEqual(
    expect.arrayContaining(['base', 'pct_satisfied', 'lower', 'upper', 'flag']),
  )
  expect(dashboardCsv).not.toMatch(/n_satisfied/)

  // the printable report opens in the browser and prints with its own print stylesheet
  const report = new TextDecoder().decode(
    Object.entries(entries).find(([n]) => n.endsWith('/report.html'))![1],
  )
  const reportPage = await context.newPage()
  await reportPage.setContent(report)
  await reportPage.emulateMedia({ media: 'print' })
  expect(await reportPage.getByRole('heading', { name: /Methods note/ }).count()).toBeGreaterThan(0)
  expect(await reportPage.locator('figure svg').count()).toBeGreaterThan(2)
  await reportPage.pdf({ path: artifactPath('evidence-report.pdf') }).catch(() => undefined)
  expect(await axeViolations(reportPage)).toEqual([])
  await context.close()
})

it('an analyst downloads the evidence pack as a PDF that opens with the summary', async () => {
  const context = await browser.newContext({ acceptDownloads: true })
  const page = await context.newPage()
  await openExports(page)
  const [download] = await Promise.all([
    page.waitForEvent('download', { timeout: 120_000 }),
    page.getByRole('button', { name: 'Download the evidence pack (PDF)' }).click(),
  ])
  expect(download.suggestedFilename()).toMatch(/^demo-\d{4}-\d{2}-\d{2}-evidence-pack\.pdf$/)
  const path = artifactPath('browser-evidence-pack.pdf')
  await download.saveAs(path)
  const { totalPages, text } = await extractText(await getDocumentProxy(new Uint8Array(readFileSync(path))), {
    mergePages: false,
  })
  expect(totalPages).toBeGreaterThan(4)
  expect(text[0]).toMatch(/Summary[\s\S]*% of customers were satisfied overall/)
  expect(text[0]).toContain('Where each CSE element is evidenced')
  await context.close()
})

it('the microdata download shows progress and gives one row per response', async () => {
  const context = await browser.newContext({ acceptDownloads: true })
  const page = await context.newPage()
  await openExports(page)
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Download microdata (CSV)' }).click(),
  ])
  await page.getByText(/Done: 2,000 rows downloaded/).waitFor()
  const path = artifactPath('browser-microdata.csv')
  await download.saveAs(path)
  const rows = parseCsv(readFileSync(path, 'utf8'))
  expect(rows).toHaveLength(2001)
  expect(rows[0]).toContain('weight')
  expect(rows[0]).not.toContain('improve')
  await context.close()
})
