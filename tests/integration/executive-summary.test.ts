import { createElement } from 'react'
import { renderToString } from 'react-dom/server'
import { createStaticHandler, createStaticRouter, StaticRouterProvider } from 'react-router-dom/server'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { executiveSummary, type SummarySentence } from '#analysis/executive-summary.ts'
import DashboardPage, { loader as dashboardLoader } from '#app/routes/app.surveys.$surveyId.dashboard.tsx'
import { loadExportContext } from '#app/services/export-context.server.ts'
import { buildEvidencePackFiles } from '#app/services/export-pack.server.ts'
import { loadPdfInput } from '#app/services/export-pdf/evidence-pack-pdf.server.ts'
import { evidenceReportHtml } from '#app/services/export-report.server.ts'
import { buildCharts } from '#app/services/export-charts.server.ts'
import { buildExportTables } from '#app/services/export-tables.server.ts'
import { loadInsight } from '#app/services/insight.server.ts'
import { startSession } from '#app/utils/auth.server.ts'
import { getSurveyForOrganisation } from '#db/queries/surveys.ts'
import { setTarget } from '#db/queries/targets.ts'
import { createTestDatabase, installAsAppDatabase, type TestDatabase } from '#tests/support/database.ts'
import { importOracleFixture } from './aggregates-fixtures.ts'

/*
 * Issue 14, item 4: the dashboard HTML (the route rendered with its loader's data), the printable report and the
 * evidence pack carry the same executive summary, the one executiveSummary makes from the insight report, and
 * every sentence links to a table that the page holds. PGlite (npm test) and PostgreSQL (npm run test:pg).
 */

let test: TestDatabase
let organisationId: string
let surveyId: string
let cookie: string
let summary: SummarySentence[]

const decode = (html: string) =>
  html
    .replace(/&amp;/g, '&')
    .replace(/&#x27;|&#39;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')

/** The summary items of a page: id, sentence text and link target. */
function summaryItems(html: string): Array<{ id: string; text: string; href: string | null }> {
  return [...html.matchAll(/<li data-summary-id="([^"]+)">([\s\S]*?)<\/li>/g)].map((m) => {
    const href = /<a href="#([^"]+)"/.exec(m[2]!)?.[1] ?? null
    const text = decode(m[2]!.replace(/<a [\s\S]*?<\/a>/g, '').replace(/<[^>]+>/g, '').replace(/<!-- -->/g, '')).trim()
    return { id: m[1]!, text, href }
  })
}

beforeAll(async () => {
  test = await createTestDatabase()
  installAsAppDatabase(test)
  const fixture = await importOracleFixture(test.db, { withDefaultPopulation: true })
  organisationId = fixture.organisationId
  surveyId = fixture.surveyId
  cookie = (await startSession(fixture.userId, organisationId)).split(';')[0]!
  const survey = (await getSurveyForOrganisation(test.db, organisationId, surveyId))!
  await setTarget(test.db, organisationId, survey.seriesId, 'overall', 0.6)
  await setTarget(test.db, organisationId, survey.seriesId, 'timeliness', 0.95)
  summary = executiveSummary((await loadInsight(test.db, organisationId, surveyId))!.report)
})

afterAll(async () => {
  await test?.close()
})

describe('the executive summary is the same on the dashboard, in the report and in the pack', () => {
  it('covers level, groups, drivers, targets and change', () => {
    const topics = new Set(summary.map((s) => s.topic))
    for (const t of ['overall', 'groups', 'drivers', 'targets', 'change']) expect(topics.has(t as never), t).toBe(true)
  })

  it('dashboard HTML: the sentences, in order, each linking to an element of the page', async () => {
    const handler = createStaticHandler([
      {
        id: 'page',
        path: '/app/surveys/:surveyId/dashboard',
        loader: ({ request, params }) => dashboardLoader({ request, params, context: {} }),
        Component: DashboardPage,
      },
    ])
    const context = await handler.query(
      new Request(`http://localhost/app/surveys/${surveyId}/dashboard`, { headers: { Cookie: cookie } }),
    )
    if (context instanceof Response) throw new Error(`dashboard answered ${context.status}`)
    const router = createStaticRouter(handler.dataRoutes, context)
    const html = renderToString(createElement(StaticRouterProvider, { router, context, hydrate: false }))
    const items = summaryItems(html)
    expect(items.map((i) => i.id)).toEqual(summary.map((s) => s.id))
    expect(items.map((i) => i.text)).toEqual(summary.map((s) => s.text))
    for (const i of items) {
      expect(i.href, i.id).toBe(summary.find((s) => s.id === i.id)!.table)
      expect(html, `#${i.href} on the dashboard`).toContain(`id="${i.href}"`)
    }
    // the summary comes before the tables
    expect(html.indexOf('data-summary-id')).toBeLessThan(html.indexOf('data-testid="satisfaction-table"'))
  })

  it('printable report and evidence pack: the same sentences, linking to the report’s tables', async () => {
    const ctx = (await loadExportContext(test.db, organisationId, surveyId, { now: new Date('2026-06-01T12:00:00Z') }))!
    const tables = buildExportTables(ctx)
    const html = evidenceReportHtml(ctx, tables, buildCharts(ctx))
    const items = summaryItems(html)
    expect(items.map((i) => i.text)).toEqual(summary.map((s) => s.text))
    for (const i of items) {
      expect(i.href, i.id).toBe(summary.find((s) => s.id === i.id)!.table)
      expect(html, `#${i.href} in the report`).toContain(`id="${i.href}"`)
    }
    expect(html.indexOf('data-summary-id')).toBeLessThan(html.indexOf('id="methods"'))
    const files = new Map((await buildEvidencePackFiles(ctx, await loadPdfInput(test.db, ctx))).map((f) => [f.path, new TextDecoder().decode(f.bytes)]))
    expect(summaryItems(files.get('report.html')!).map((i) => i.text)).toEqual(summary.map((s) => s.text))
    for (const s of summary) expect(files.get('README.txt')!, s.id).toContain(s.text)
    // (the pack's PDF carries the same sentences: tests/integration/export-pdf.test.ts reads it back)
  }, 180_000)
})
