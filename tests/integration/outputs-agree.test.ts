import { randomUUID } from 'node:crypto'
import ExcelJS from 'exceljs'
import { unzipSync } from 'fflate'
import { createElement } from 'react'
import { renderToString } from 'react-dom/server'
import { createStaticHandler, createStaticRouter, StaticRouterProvider } from 'react-router-dom/server'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { InsightReport, ReportCell, ReportRow } from '#analysis/insight-report-types.ts'
import { parseCsv } from '#analysis/parse-csv.ts'
import type { LoaderFunctionArgs } from '@remix-run/node'
import type { ComponentType } from 'react'
import SurveyList, { loader as homeLoader } from '#app/routes/app._index.tsx'
import DashboardPage, { loader as dashboardLoader } from '#app/routes/app.surveys.$surveyId.dashboard.tsx'
import { action as downloadAction } from '#app/routes/app.surveys.$surveyId.exports.download.ts'
import { loadSurveyList } from '#app/routes/app._index.server.ts'
import { loadExportContext } from '#app/services/export-context.server.ts'
import { createEvidencePack } from '#app/services/export-pack.server.ts'
import { loadInsight } from '#app/services/insight.server.ts'
import { startSession } from '#app/utils/auth.server.ts'
import { getEvidencePack } from '#db/queries/exports.ts'
import { storeResponse } from '#db/queries/responses.ts'
import { createSurvey, findPublishedSurveyBySlug, publishSurvey } from '#db/queries/surveys.ts'
import { composeSurvey } from '#templates/index.ts'
import { createTestDatabase, installAsAppDatabase, type TestDatabase } from '#tests/support/database.ts'
import { importOracleFixture } from './aggregates-fixtures.ts'

/*
 * Issue 11, "Every output carries the report's numbers": for one survey with groups of every kind (published,
 * low base, suppressed, not stated), the dashboard HTML (the route rendered with its loader's data), the staff
 * home tile, the XLSX, every CSV, the printable report and the evidence pack all show exactly the insight
 * report's published figures: % satisfied, interval, base, effective base, low-base and suppression flags,
 * group-vs-rest flags, trend changes in percentage points and their verdicts. No published output carries a
 * count of satisfied respondents. Runs on PGlite (npm test) and PostgreSQL (npm run test:pg).
 */

let test: TestDatabase
let organisationId: string
let surveyId: string
let cookie: string
let report: InsightReport

/** A published proportion as every view shows it: whole percent. */
const pct = (p: number | null) => (p === null ? '' : `${Math.round(p * 100)}%`)
const key = (by: string, group: string, rating: string) => `${by}|${group}|${rating}`
let surveySlug = ''

/** Every published cell of the report: All, each wave and each segment group, for every rating. */
function publishedCells(r: InsightReport): Map<string, { row: ReportRow; cell: ReportCell }> {
  const out = new Map<string, { row: ReportRow; cell: ReportCell }>()
  for (const row of [r.overall, ...r.waves, ...r.rows])
    for (const rating of r.meta.ratings)
      out.set(key(row.by, row.group, rating.name), { row, cell: row.cells[rating.name]! })
  return out
}

async function download(kind: string, extra: Record<string, string> = {}): Promise<Response> {
  const request = new Request(`http://localhost/app/surveys/${surveyId}/exports/download`, {
    method: 'POST',
    headers: { Cookie: cookie, 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ kind, ...extra }).toString(),
  })
  const response = await downloadAction({ request, params: { surveyId }, context: {} })
  expect(response.status, kind).toBe(200)
  return response
}

/** A staff page as the server renders it, from the route's own loader and component. */
async function renderRoute(
  path: string,
  url: string,
  loader: (args: LoaderFunctionArgs) => Promise<unknown>,
  Component: ComponentType,
): Promise<string> {
  const handler = createStaticHandler([
    {
      id: 'page',
      path,
      loader: ({ request, params }) => loader({ request, params, context: {} }),
      Component,
    },
  ])
  const context = await handler.query(new Request(url, { headers: { Cookie: cookie } }))
  if (context instanceof Response) throw new Error(`${url} answered ${context.status}`)
  const router = createStaticRouter(handler.dataRoutes, context)
  return renderToString(createElement(StaticRouterProvider, { router, context, hydrate: false })).replace(
    /<!-- -->/g,
    '',
  )
}

const dashboardHtml = () =>
  renderRoute(
    '/app/surveys/:surveyId/dashboard',
    `http://localhost/app/surveys/${surveyId}/dashboard`,
    dashboardLoader,
    DashboardPage,
  )

const text = (html: string) =>
  html
    .replace(/<[^>]+>/g, '')
    .replace(/&amp;/g, '&')
    .replace(/&#x27;|&#39;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .trim()

/** A CSV table back as objects keyed by column. */
function csvRecords(csv: string): Array<Record<string, string>> {
  const [header, ...rows] = parseCsv(csv.replace(/^\uFEFF/, ''))
  return rows.map((r) => Object.fromEntries(header!.map((h, i) => [h, r[i] ?? ''])))
}

/** Checks one CSV row of a satisfaction table against the report's cell. */
function expectCsvRow(r: Record<string, string>, cell: ReportCell, where: string): void {
  if (cell.status === 'suppressed') {
    for (const k of ['base', 'pct_satisfied', 'lower', 'upper', 'effective_base', 'p_vs_rest_holm'])
      expect(r[k], `${where} ${k}`).toBe('')
    expect(r.flag, where).toMatch(/^suppressed/)
    return
  }
  expect(Number(r.base), where).toBe(cell.n)
  expect(Number(r.pct_satisfied), where).toBe(cell.p)
  expect(Number(r.lower), where).toBe(cell.lower)
  expect(Number(r.upper), where).toBe(cell.upper)
  expect(r.effective_base === '' ? null : Number(r.effective_base), where).toBe(cell.ess)
  expect(r.p_vs_rest_holm === '' ? null : Number(r.p_vs_rest_holm), where).toBe(cell.pAdjusted)
  expect(r.flag, where).toBe(cell.status === 'low_base' ? 'low base: treat with caution' : '')
  expect(r.difference, where).toBe(
    cell.significance === 'higher'
      ? 'significantly higher'
      : cell.significance === 'lower'
        ? 'significantly lower'
        : cell.pAdjusted === null
          ? ''
          : 'no clear difference',
  )
}

const SATISFIED_COUNT = /n_satisfied|x_group|x_rest|satisfied \(unweighted count\)|satisfied_count/i

beforeAll(async () => {
  test = await createTestDatabase()
  installAsAppDatabase(test)
  const fixture = await importOracleFixture(test.db, { withDefaultPopulation: true })
  organisationId = fixture.organisationId
  surveyId = fixture.surveyId
  cookie = (await startSession(fixture.userId, organisationId)).split(';')[0]!
  surveySlug = fixture.slug
  const published = (await findPublishedSurveyBySlug(test.db, fixture.slug))!
  const store = async (segments: Record<string, string>, answers: Record<string, unknown>) => {
    const result = await storeResponse(test.db, {
      organisationId,
      surveyId,
      surveyVersionId: published.version.id,
      clientId: randomUUID(),
      wave: '2026',
      answers,
      segments,
      source: 'api',
    })
    expect(result.status).toBe('created')
  }
  const base = {
    channel: 'online',
    service: 'Libraries',
    age_band: '35-54',
    gender: 'woman',
    disability: 'no',
  }
  // a rare service (3 < the suppression threshold of 10): suppressed, and its partition protected
  for (let i = 0; i < 3; i++) await store({ ...base, service: 'Mobile library' }, { overall: 5, delivery: 5 })
  // a low-base channel (20 < 50): published with the low-base flag
  for (let i = 0; i < 20; i++)
    await store({ ...base, channel: 'webchat' }, { overall: (i % 5) + 1, delivery: 4 })
  // respondents who did not state their gender: outside the weighting, and a small "not stated" group
  for (let i = 0; i < 4; i++) await store({ ...base, gender: '' }, { overall: i % 2 ? 4 : 2, timeliness: 5 })
  const insight = (await loadInsight(test.db, organisationId, surveyId))!
  report = insight.report
})

afterAll(async () => {
  await test?.close()
})

describe('every output carries the insight report’s numbers', () => {
  it('the survey has groups of every kind, in the default (weighted) view', () => {
    expect(report.meta.weighted).toBe(true)
    expect(report.meta.excludedFromWeighting).toBeGreaterThanOrEqual(4)
    const cells = [...publishedCells(report).values()].map((x) => x.cell)
    expect(cells.some((c) => c.status === 'ok')).toBe(true)
    expect(cells.some((c) => c.status === 'low_base')).toBe(true)
    expect(cells.some((c) => c.status === 'suppressed')).toBe(true)
    expect(
      report.rows.find((r) => r.by === 'service' && r.group === 'Mobile library')?.cells.overall?.status,
    ).toBe('suppressed')
    expect(report.rows.find((r) => r.by === 'channel' && r.group === 'webchat')?.cells.overall?.status).toBe(
      'low_base',
    )
    // a group whose base is at or above the low-base threshold is never hidden (bases from the exact estimates)
    const exact = report.estimates.weighted ?? report.estimates.unweighted
    let large = 0
    for (const { row, cell } of publishedCells(report).values()) {
      const rating = Object.entries(row.cells).find(([, c]) => c === cell)![0]
      const n = exact.cells[rating]?.[row.by]?.[row.group]?.unweighted.n_valid ?? 0
      if (n >= report.meta.thresholds.lowBase) {
        expect(cell.status, `${row.by} ${row.group} ${rating}`).toBe('ok')
        large++
      }
    }
    expect(large).toBeGreaterThan(100)
    expect(report.trends.some((t) => t.change !== null)).toBe(true)
  })

  it('the export context holds the very report the dashboard renders', async () => {
    const ctx = (await loadExportContext(test.db, organisationId, surveyId))!
    const { estimates: _a, ...exported } = ctx.insight.report
    const { estimates: _b, ...loaded } = report
    expect(exported).toEqual(loaded)
  })

  it('the dashboard HTML shows every published figure, flag and trend of the report', async () => {
    const html = await dashboardHtml()
    const table = /<table[^>]*data-testid="satisfaction-table"[^>]*>([\s\S]*?)<\/table>/.exec(html)![1]!
    const ratings = report.meta.ratings.map((r) => r.name)
    const segmentByLabel = new Map(report.meta.segments.map((s) => [s.label, s.name]))
    const bases = /<table[^>]*data-testid="effective-bases"[^>]*>([\s\S]*?)<\/table>/.exec(html)![1]!
    const effectiveBases = new Map(
      bases
        .split('<tr>')
        .slice(1)
        .map((tr) => [
          text(/<th scope="row">([\s\S]*?)<\/th>/.exec(tr)?.[1] ?? ''),
          [...tr.matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((m) => m[1]!),
        ]),
    )
    let compared = 0
    for (const tbody of table.split(/<tbody[^>]*>/).slice(1)) {
      const heading = /<th scope="colgroup"[^>]*>([\s\S]*?)<\/th>/.exec(tbody)
      const by = heading ? segmentByLabel.get(text(heading[1]!.replace(/<span[\s\S]*$/, '')))! : 'all'
      expect(by, heading?.[1]).toBeDefined()
      const segmentTest = report.segmentTests.find((t) => t.segment === by)
      if (segmentTest) expect(tbody.includes(`data-testid="segment-test-${by}"`), by).toBe(segmentTest.shown)
      for (const tr of tbody.split('<tr>').slice(1)) {
        const label = /<th scope="row">([\s\S]*?)<\/th>/.exec(tr)
        if (!label) continue
        const row =
          by === 'all'
            ? report.overall
            : report.rows.find((r) => r.by === by && r.groupLabel === text(label[1]!))!
        expect(row, `${by} ${label[1]}`).toBeDefined()
        const tds = [...tr.matchAll(/<td([^>]*)>([\s\S]*?)<\/td>/g)]
        expect(tds).toHaveLength(ratings.length)
        tds.forEach(([, attrs, inner], i) => {
          const cell = row.cells[ratings[i]!]!
          const where = `dashboard ${by} ${row.group} ${ratings[i]}`
          if (cell.status === 'suppressed') {
            expect(attrs, where).toContain('data-flag="suppressed"')
            expect(text(inner!), where).toBe('[s]')
          } else {
            expect(attrs, where).toContain(`data-flag="${cell.status}"`)
            expect(attrs!.includes('data-significance'), where).toBe(cell.significance !== null)
            if (cell.significance) expect(attrs, where).toContain(`data-significance="${cell.significance}"`)
            expect(text(/<strong>([\s\S]*?)<\/strong>/.exec(inner!)![1]!), where).toBe(pct(cell.p))
            expect(text(/data-testid="interval">([\s\S]*?)<\/span>/.exec(inner!)![1]!), where).toBe(
              `${pct(cell.lower)}–${pct(cell.upper)}`,
            )
            expect(text(inner!), where).toContain(`n=${cell.n!.toLocaleString('en-GB')}`)
            // the effective base and Holm-adjusted p are in the "How this was worked out" panel's table
            const detail = text(
              effectiveBases.get(by === 'all' ? 'All respondents' : `${row.byLabel}: ${row.groupLabel}`)![i]!,
            )
            if (cell.ess !== null)
              expect(detail, where).toContain(
                `eff. ${cell.ess.toLocaleString('en-GB', { maximumFractionDigits: 0 })}`,
              )
            if (cell.significance) expect(detail, where).toContain('Holm p ')
          }
          compared++
        })
      }
    }
    expect(compared).toBe((report.rows.length + 1) * ratings.length)
    // trends: the change in percentage points and the verdict, from report.trends[].change
    for (const t of report.trends) {
      const sentence = new RegExp(`data-testid="trend-change-${t.rating}">([\\s\\S]*?)</p>`).exec(html)
      expect(sentence !== null, t.rating).toBe(t.change !== null)
      if (!t.change) continue
      const signed = (x: number | null) => `${x! > 0 ? '+' : x! < 0 ? '−' : ''}${Math.abs(x!)}`
      const words = text(sentence![1]!)
      expect(words).toContain(`${signed(t.change.differencePoints)} percentage points`)
      expect(words).toContain(
        `true change is between ${signed(t.change.lowerPoints)} and ${signed(t.change.upperPoints)} points`,
      )
      expect(words).toContain(
        t.change.verdict === 'increase'
          ? 'a clear increase'
          : t.change.verdict === 'decrease'
            ? 'a clear decrease'
            : 'no clear change',
      )
    }
    // the report's notes, word for word
    for (const n of report.notes) expect(text(html)).toContain(n.text)
  })

  it('the staff home tile is the report’s published overall figure', async () => {
    const { surveys } = await loadSurveyList(
      new Request('http://localhost/app', { headers: { Cookie: cookie } }),
    )
    const tile = surveys.find((s) => s.id === surveyId)!.overall!
    const cell = report.overall.cells[report.meta.overall]!
    expect(tile.shown).toBe(true)
    expect([tile.p, tile.lower, tile.upper, tile.n]).toEqual([cell.p, cell.lower, cell.upper, cell.n])
    expect(tile.weighted).toBe(true)
  })

  it('a tile whose figure the report suppresses says so, with no number', async () => {
    const { definition, metadata } = composeSurvey(['core-satisfaction'], { title: 'Tiny survey' })
    const tiny = await createSurvey(test.db, {
      organisationId,
      slug: `tiny-${randomUUID().slice(0, 8)}`,
      title: 'Tiny survey',
      wave: '2026',
      templateId: 'core-satisfaction',
      definition,
      metadata,
    })
    const version = await publishSurvey(test.db, organisationId, tiny.id, null)
    for (let i = 0; i < 3; i++) {
      const stored = await storeResponse(test.db, {
        organisationId,
        surveyId: tiny.id,
        surveyVersionId: version.id,
        clientId: randomUUID(),
        wave: '2026',
        answers: { overall: 5 },
        segments: {},
        source: 'api',
      })
      expect(stored.status).toBe('created')
    }
    const tinyReport = (await loadInsight(test.db, organisationId, tiny.id))!.report
    expect(tinyReport.overall.cells[tinyReport.meta.overall]!.status).toBe('suppressed')
    const { surveys } = await loadSurveyList(
      new Request('http://localhost/app', { headers: { Cookie: cookie } }),
    )
    const tile = surveys.find((s) => s.id === tiny.id)!
    expect(tile.responses).toBe(3)
    expect(tile.overall).toMatchObject({ shown: false, p: null, lower: null, upper: null, n: null })
    // and the page says so in words, with no percentage or base beside it
    const html = await renderRoute('/app', 'http://localhost/app', homeLoader, SurveyList)
    const row = new RegExp(`<tr data-survey="${tile.slug}">([\\s\\S]*?)</tr>`).exec(html)![1]!
    const figure = text(/data-testid="overall-figure">([\s\S]*?)<\/td>/.exec(row)![1]!)
    expect(figure).toBe('too few responses to report')
    const main = new RegExp(`<tr data-survey="${surveySlug}">([\\s\\S]*?)</tr>`).exec(html)![1]!
    const cell = report.overall.cells[report.meta.overall]!
    expect(text(/data-testid="overall-figure">([\s\S]*?)<\/td>/.exec(main)![1]!)).toContain(
      `${pct(cell.p)} (n=${cell.n!.toLocaleString('en-GB')}, weighted)`,
    )
  })

  it('the XLSX holds the same figures on every sheet, and no satisfied count', async () => {
    const response = await download('tables-xlsx')
    const workbook = new ExcelJS.Workbook()
    await workbook.xlsx.load(Buffer.from(await response.arrayBuffer()) as unknown as ArrayBuffer)
    const expected = publishedCells(report)
    const byLabel = new Map([
      ['All respondents', 'all'],
      ['Wave', 'wave'],
      ...report.meta.segments.map((s) => [s.label, s.name] as [string, string]),
    ])
    let compared = 0
    for (const sheet of workbook.worksheets) {
      if (sheet.name === 'Notes') continue
      const headers = (sheet.getRow(4).values as unknown[]).slice(1).map(String)
      for (const h of headers) expect(h, sheet.name).not.toMatch(SATISFIED_COUNT)
      if (!headers.includes('% satisfied') || !headers.includes('Group code')) continue
      const at = (name: string) => headers.indexOf(name) + 1
      sheet.eachRow((row, r) => {
        if (r < 5) return
        const by = byLabel.get(String(row.getCell(at('Breakdown')).value))!
        const group = String(row.getCell(at('Group code')).value ?? '')
        const rating = String(row.getCell(at('Measure')).value)
        const x = expected.get(key(by, group, rating))
        expect(x, `${sheet.name} ${by} ${group} ${rating}`).toBeDefined()
        const cell = x!.cell
        const where = `${sheet.name} ${by} ${group} ${rating}`
        const value = (name: string) => row.getCell(at(name)).value ?? null
        if (cell.status === 'suppressed') {
          expect(value('Valid base (unweighted)'), where).toBeNull()
          expect(value('% satisfied'), where).toBeNull()
          expect(value('Interval lower'), where).toBeNull()
          expect(String(value('Flag')), where).toMatch(/^suppressed/)
        } else {
          expect(value('Valid base (unweighted)'), where).toBe(cell.n)
          expect(value('% satisfied'), where).toBe(cell.p)
          expect(row.getCell(at('% satisfied')).numFmt, where).toBe('0%')
          expect(value('Interval lower'), where).toBe(cell.lower)
          expect(value('Interval upper'), where).toBe(cell.upper)
          expect(value('Effective base (Kish)'), where).toBe(cell.ess)
          expect(value('Flag') ?? '', where).toBe(
            cell.status === 'low_base' ? 'low base: treat with caution' : '',
          )
        }
        compared++
      })
    }
    // every cell once on its breakdown's sheet, and All and the segment groups once more on the dashboard sheet
    const twice = 2 * expected.size - report.waves.length * report.meta.ratings.length
    expect(compared).toBe(twice)
    const notes = JSON.stringify((workbook.getWorksheet('Notes')!.getSheetValues() as unknown[]).flat())
    for (const n of report.notes) expect(notes).toContain(JSON.stringify(n.text).slice(1, -1))
  })

  it('every CSV table carries the same figures, trends in percentage points, and no satisfied count', async () => {
    const expected = publishedCells(report)
    const ids = [
      'dashboard',
      'satisfaction-overall',
      'satisfaction-by-wave',
      ...report.meta.segments.map((s) => `satisfaction-by-${s.name}`),
    ]
    const byLabel = new Map([
      ['All respondents', 'all'],
      ['Wave', 'wave'],
      ...report.meta.segments.map((s) => [s.label, s.name] as [string, string]),
    ])
    let compared = 0
    for (const id of ids) {
      const csv = await (await download('table-csv', { table: id })).text()
      expect(csv.split('\n')[0], id).not.toMatch(SATISFIED_COUNT)
      for (const r of csvRecords(csv)) {
        const by = byLabel.get(r.breakdown!)!
        const x = expected.get(key(by, r.group_code!, r.measure!))
        expect(x, `${id} ${r.breakdown} ${r.group_code} ${r.measure}`).toBeDefined()
        expectCsvRow(r, x!.cell, `${id} ${by} ${r.group_code} ${r.measure}`)
        // a group's size is published only where the report publishes it (not under the suppression threshold)
        expect(r.respondents, `${id} ${by} ${r.group_code}`).toBe(
          x!.row.commentsShown ? String(x!.row.respondents) : '',
        )
        compared++
      }
    }
    expect(compared).toBe(2 * expected.size - report.waves.length * report.meta.ratings.length)
    // the trends table: report.trends[].change, in percentage points as on the dashboard
    const trends = csvRecords(await (await download('table-csv', { table: 'trends' })).text())
    for (const t of report.trends) {
      const r = trends.find((x) => x.measure === t.rating)!
      // whole percentage points, as the report publishes them
      const points = (v: number | null) => (v === null ? '' : String(v))
      expect(r.change_points).toBe(points(t.change?.differencePoints ?? null))
      expect(r.change_lower_points).toBe(points(t.change?.lowerPoints ?? null))
      expect(r.change_upper_points).toBe(points(t.change?.upperPoints ?? null))
      if (t.change)
        expect(r.verdict).toBe(
          { increase: 'a clear increase', decrease: 'a clear decrease', no_clear_change: 'no clear change' }[
            t.change.verdict
          ],
        )
    }
    // the segment tests: none shown where fewer than two groups are published
    const tests = csvRecords(await (await download('table-csv', { table: 'segment-tests' })).text())
    for (const t of report.segmentTests) {
      const label = report.meta.segments.find((s) => s.name === t.segment)!.label
      const r = tests.find((x) => x.breakdown === label)!
      expect(r.p_value === '' ? null : Number(r.p_value)).toBe(t.shown ? t.pValue : null)
    }
  })

  it('the printable report shows the same figures, to the whole percent, with the report’s notes', async () => {
    const html = (await (await download('report')).text()).replace(/<!-- -->/g, '')
    expect(html).not.toMatch(SATISFIED_COUNT)
    const expected = publishedCells(report)
    const section = /<section class="table-section" id="dashboard">([\s\S]*?)<\/section>/.exec(html)![1]!
    let compared = 0
    for (const tr of section.split('<tr').slice(1)) {
      const group = /data-group="([^"]*)"/.exec(tr)
      const measure = /data-measure="([^"]*)"/.exec(tr)
      if (!group || !measure) continue
      const col = (name: string) => text(new RegExp(`data-col="${name}">([\\s\\S]*?)</t[dh]>`).exec(tr)![1]!)
      const breakdown = col('breakdown')
      const by =
        breakdown === 'All respondents'
          ? 'all'
          : report.meta.segments.find((s) => s.label === breakdown)!.name
      const cell = expected.get(key(by, text(group[1]!), measure[1]!))!.cell
      const where = `report ${by} ${group[1]} ${measure[1]}`
      if (cell.status === 'suppressed') {
        expect(col('pct_satisfied'), where).toBe('')
        expect(col('base'), where).toBe('')
        expect(col('flag'), where).toMatch(/^suppressed/)
      } else {
        expect(col('pct_satisfied'), where).toBe(pct(cell.p))
        expect(col('lower'), where).toBe(pct(cell.lower))
        expect(col('upper'), where).toBe(pct(cell.upper))
        expect(col('base'), where).toBe(cell.n!.toLocaleString('en-GB'))
        expect(col('flag'), where).toBe(cell.status === 'low_base' ? 'low base: treat with caution' : '')
      }
      compared++
    }
    expect(compared).toBe((report.rows.length + 1) * report.meta.ratings.length)
    for (const n of report.notes) expect(text(html)).toContain(text(n.text))
    for (const t of report.trends.filter((x) => x.change))
      expect(text(html)).toContain(
        `${t.change!.differencePoints! > 0 ? '+' : t.change!.differencePoints! < 0 ? '−' : ''}${Math.abs(t.change!.differencePoints!)} percentage points (95% interval`,
      )
  })

  it('the evidence pack holds the same tables and report, and no satisfied count or exact headline', async () => {
    const ctx = (await loadExportContext(test.db, organisationId, surveyId, {
      now: new Date('2026-06-01T12:00:00Z'),
    }))!
    const stored = await createEvidencePack(test.db, ctx, null)
    const pack = (await getEvidencePack(test.db, organisationId, surveyId, stored.id))!
    const entries = unzipSync(pack.zip)
    const files = new Map(Object.entries(entries).map(([n, b]) => [n.replace(/^[^/]+\//, ''), b]))
    expect(files.has('reproduce/app-headline.json')).toBe(false)
    // (reproduce.R is code that counts from the microdata, which is not in the pack; it holds no figure)
    for (const [name, bytes] of files) {
      if (name.endsWith('.png') || name.endsWith('.xlsx') || name === 'reproduce/reproduce.R') continue
      expect(new TextDecoder().decode(bytes), name).not.toMatch(SATISFIED_COUNT)
    }
    const expected = publishedCells(report)
    const byLabel = new Map([
      ['All respondents', 'all'],
      ['Wave', 'wave'],
      ...report.meta.segments.map((s) => [s.label, s.name] as [string, string]),
    ])
    let compared = 0
    for (const [name, bytes] of files) {
      if (!/^tables\/(dashboard|satisfaction-.*)\.csv$/.test(name)) continue
      for (const r of csvRecords(new TextDecoder().decode(bytes))) {
        const by = byLabel.get(r.breakdown!)!
        expectCsvRow(
          r,
          expected.get(key(by, r.group_code!, r.measure!))!.cell,
          `${name} ${by} ${r.group_code}`,
        )
        compared++
      }
    }
    expect(compared).toBe(2 * expected.size - report.waves.length * report.meta.ratings.length)
    // the pack's workbook has no satisfied-count column either
    const workbook = new ExcelJS.Workbook()
    await workbook.xlsx.load(Buffer.from(files.get('tables/tables.xlsx')!) as unknown as ArrayBuffer)
    for (const sheet of workbook.worksheets)
      for (const h of (sheet.getRow(4).values as unknown[]).slice(1).map(String))
        expect(h, sheet.name).not.toMatch(SATISFIED_COUNT)
    // the report inside the pack shows the same overall figure as the dashboard
    const overall = report.overall.cells[report.meta.overall]!
    const html = new TextDecoder().decode(files.get('report.html')!)
    expect(html).toContain(`data-group="all" data-measure="${report.meta.overall}"`)
    expect(text(html)).toContain(`${pct(overall.p)} (interval ${pct(overall.lower)} to ${pct(overall.upper)}`)
  }, 240_000)
})
