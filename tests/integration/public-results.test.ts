import { randomUUID } from 'node:crypto'
import { and, eq } from 'drizzle-orm'
import { createElement, type ComponentType } from 'react'
import { renderToString } from 'react-dom/server'
import { createStaticHandler, createStaticRouter, StaticRouterProvider } from 'react-router-dom/server'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseCsv } from '#analysis/parse-csv.ts'
import type { InsightReport } from '#analysis/insight-report-types.ts'
import type { ThemeCell } from '#analysis/theme-frequency.ts'
import type { LoaderFunctionArgs } from '@remix-run/node'
import ResultsIndexPage, { loader as indexLoader } from '#app/routes/results.$orgSlug.tsx'
import ResultsSnapshotPage, { loader as snapshotLoader } from '#app/routes/results.$orgSlug.$snapshotId.tsx'
import { loader as csvLoader } from '#app/routes/results.$orgSlug.$snapshotId.csv.ts'
import { action as publishAction } from '#app/routes/app.surveys.$surveyId.results.tsx'
import { commentQuestionsOf } from '#app/services/comment-questions.server.ts'
import { loadSurveyThemes } from '#app/services/comment-themes.server.ts'
import { loadInsight } from '#app/services/insight.server.ts'
import { startSession } from '#app/utils/auth.server.ts'
import { addMembership, createOrganisation, createUser } from '#db/queries/accounts.ts'
import { insertAction, updateAction, type ActionValues } from '#db/queries/actions.ts'
import { getResultSnapshot } from '#db/queries/results.ts'
import { codeComments, createTheme } from '#db/queries/themes.ts'
import { storeResponse } from '#db/queries/responses.ts'
import { findPublishedSurveyBySlug } from '#db/queries/surveys.ts'
import { auditLog, organisations, responses, surveys, surveyVersions } from '#db/schema.ts'
import { createTestDatabase, installAsAppDatabase, type TestDatabase } from '#tests/support/database.ts'
import { postForm } from '#tests/support/post-form.ts'
import { importOracleFixture } from './aggregates-fixtures.ts'

/*
 * Issue 14, item 1: an analyst publishes a wave; the public page (no login) and its open-data CSV carry the
 * frozen insight report's published figures, in English and Welsh; later responses change nothing; a new
 * publication supersedes the old one, which stays listed; only the report's flagged differences are called
 * differences; hidden cells carry no number; viewers cannot publish; another organisation's snapshot is 404.
 */

let test: TestDatabase
let organisationId: string
let orgSlug: string
let surveyId: string
let surveySlug: string
let analystCookie: string
let viewerCookie: string
let report: InsightReport

async function render(
  path: string,
  url: string,
  loader: (args: LoaderFunctionArgs) => Promise<unknown>,
  Component: ComponentType,
): Promise<string> {
  const handler = createStaticHandler([
    { id: 'page', path, loader: ({ request, params }) => loader({ request, params, context: {} }), Component },
  ])
  const context = await handler.query(new Request(url))
  if (context instanceof Response) throw context
  const router = createStaticRouter(handler.dataRoutes, context)
  return renderToString(createElement(StaticRouterProvider, { router, context, hydrate: false })).replace(/<!-- -->/g, '')
}

const snapshotPage = (id: string, lang = '') =>
  render(
    '/results/:orgSlug/:snapshotId',
    `http://localhost/results/${orgSlug}/${id}${lang ? `?lang=${lang}` : ''}`,
    snapshotLoader,
    ResultsSnapshotPage,
  )

const text = (html: string) =>
  html
    .replace(/<[^>]+>/g, ' ')
    .replace(/&amp;/g, '&')
    .replace(/&#x27;|&#39;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/\s+/g, ' ')

const publish = (cookie: string, body: Record<string, string>): Promise<Response> =>
  postForm(publishAction, `http://localhost/app/surveys/${surveyId}/results`, { surveyId }, cookie, body)

/** Stores `count` API responses to wave 2026 with the given answers and segments. */
async function storeMany(count: number, answers: Record<string, unknown>, segments: Record<string, string>) {
  const published = (await findPublishedSurveyBySlug(test.db, surveySlug))!
  for (let i = 0; i < count; i++)
    await storeResponse(test.db, {
      organisationId,
      surveyId,
      surveyVersionId: published.version.id,
      clientId: randomUUID(),
      wave: '2026',
      answers,
      segments,
      source: 'api',
    })
}

const publishedId = (response: Response) => new URL(response.headers.get('Location')!, 'http://x').searchParams.get('published')!

let firstId: string

beforeAll(async () => {
  test = await createTestDatabase()
  installAsAppDatabase(test)
  const fixture = await importOracleFixture(test.db, { withDefaultPopulation: true })
  organisationId = fixture.organisationId
  surveyId = fixture.surveyId
  surveySlug = fixture.slug
  orgSlug = (await test.db.select().from(organisations).where(eq(organisations.id, organisationId)))[0]!.slug
  analystCookie = (await startSession(fixture.userId, organisationId)).split(';')[0]!
  const viewer = await createUser(test.db, `viewer-${randomUUID()}@example.test`, 'Viewer', 'x')
  await addMembership(test.db, organisationId, viewer.id, 'viewer')
  viewerCookie = (await startSession(viewer.id, organisationId)).split(';')[0]!
  // a tiny service whose name a spreadsheet would run as a formula: suppressed, and neutralised in the CSV
  await storeMany(3, { overall: 5 }, { channel: 'online', service: '=HYPERLINK("x")', age_band: '35-54', gender: 'woman', disability: 'no' })
  report = (await loadInsight(test.db, organisationId, surveyId, { filters: { waves: ['2026'] } }))!.report
  const response = await publish(analystCookie, { kind: 'wave', wave: '2026' })
  expect(response.status).toBe(302)
  firstId = publishedId(response)
})

afterAll(async () => {
  await test?.close()
})

describe('publishing results', () => {
  it('stores the report of the wave as it was, without exact estimates, and audits it', async () => {
    const row = (await getResultSnapshot(test.db, organisationId, firstId))!
    const content = row.content as { report: Record<string, unknown> }
    expect(content.report.estimates).toBeUndefined()
    expect(content.report.overall).toEqual(JSON.parse(JSON.stringify(report.overall)))
    expect(content.report.rows).toEqual(JSON.parse(JSON.stringify(report.rows)))
    const audits = await test.db.select().from(auditLog).where(eq(auditLog.action, 'results.publish'))
    expect(audits.map((a) => a.targetId)).toContain(surveyId)
  })

  it('viewers cannot publish; bad input is a 400, never a 500', async () => {
    expect((await publish(viewerCookie, { kind: 'wave', wave: '2026' })).status).toBe(403)
    expect((await publish(analystCookie, { kind: 'period', from: '2026-05-01', to: '2026-01-01' })).status).toBe(400)
    expect((await publish(analystCookie, { kind: 'nonsense' })).status).toBe(400)
    expect((await publish(analystCookie, { kind: 'wave', wave: 'no such wave' })).status).toBe(422)
  })
})

describe('the public page', () => {
  it('shows the overall level and every published figure of the report, with its interval in words', async () => {
    const html = await snapshotPage(firstId)
    const overall = report.overall.cells[report.meta.overall]!
    const pct = (x: number | null) => Math.round(x! * 100)
    expect(text(html)).toContain(
      `${pct(overall.p)}% of customers were satisfied overall (between ${pct(overall.lower)}% and ${pct(overall.upper)}%).`,
    )
    // by service and every other group: the overall measure of each row, in the report's order
    let compared = 0
    for (const segment of report.meta.segments) {
      const table = new RegExp(`data-testid="results-table-by-${segment.name}"[\\s\\S]*?</table>`).exec(html)![0]
      const rows = [...table.matchAll(/<tr data-key="([^"]*)">([\s\S]*?)<\/tr>/g)]
      const expected = report.rows.filter((r) => r.by === segment.name)
      expect(rows.map((m) => text(m[1]!).trim())).toEqual(expected.map((r) => text(r.group).trim()))
      rows.forEach((m, i) => {
        const cell = expected[i]!.cells[report.meta.overall]!
        const tr = m[2]!
        if (cell.status === 'suppressed') {
          expect(tr).toContain('data-status="suppressed"')
          expect(text(tr)).not.toMatch(/\d+%/)
        } else {
          expect(text(/data-col="p">([\s\S]*?)<\/td>/.exec(tr)![1]!).trim()).toBe(`${pct(cell.p)}%`)
          expect(text(/data-col="range">([\s\S]*?)<\/td>/.exec(tr)![1]!)).toContain(
            `between ${pct(cell.lower)}% and ${pct(cell.upper)}%`,
          )
          const comparedText = text(/data-col="compared">([\s\S]*?)<\/td>/.exec(tr)![1]!)
          // a difference only where the report flags one
          expect(/more satisfied/i.test(comparedText)).toBe(cell.significance === 'higher')
          expect(/less satisfied/i.test(comparedText)).toBe(cell.significance === 'lower')
        }
        compared++
      })
    }
    expect(compared).toBe(report.rows.length)
    expect(report.rows.some((r) => r.cells[report.meta.overall]!.significance !== null)).toBe(true)
    expect(report.rows.some((r) => r.cells[report.meta.overall]!.status === 'suppressed')).toBe(true)
  })

  it('is in Welsh, with the survey’s Welsh group labels', async () => {
    const html = await snapshotPage(firstId, 'cy')
    expect(html).toContain('lang="cy"')
    expect(text(html)).toContain('Roedd ')
    expect(text(html)).toContain('Boddhad yn ôl gwasanaeth')
    expect(text(html)).toContain('Ar-lein') // channel "online" in the core template's Welsh
    expect(text(html)).toContain('Dywedoch chi, gwnaethom ni')
  })

  it('the open-data CSV carries the same numbers, with formulas neutralised', async () => {
    const response = await csvLoader({
      request: new Request(`http://localhost/results/${orgSlug}/${firstId}/csv`),
      params: { orgSlug, snapshotId: firstId },
      context: {},
    })
    const csv = (await response.text()).replace(/^\uFEFF/, '')
    const [header, ...rows] = parseCsv(csv)
    const col = (name: string) => header!.indexOf(name)
    const byService = rows.filter((r) => r[col('table')] === 'Satisfaction by service')
    const expected = report.rows.filter((r) => r.by === 'service')
    expect(byService).toHaveLength(expected.length)
    byService.forEach((r, i) => {
      const cell = expected[i]!.cells[report.meta.overall]!
      expect(r[col('pct_satisfied')]).toBe(cell.p === null ? '' : String(Math.round(cell.p * 100)))
      expect(r[col('lower')]).toBe(cell.lower === null ? '' : String(Math.round(cell.lower * 100)))
      expect(r[col('answers')]).toBe(cell.n === null ? '' : String(cell.n))
    })
    expect(csv).toContain(`"'=HYPERLINK(""x"")"`)
    expect(csv).not.toMatch(/(^|,)"=/m)
  })

  it('is frozen: later responses change nothing; a new publication supersedes it and it stays listed', async () => {
    const before = await snapshotPage(firstId)
    await storeMany(40, { overall: 1 }, { channel: 'phone', service: 'Parking', age_band: '16-34', gender: 'man', disability: 'yes' })
    const after = await snapshotPage(firstId)
    const figures = (html: string) => [...html.matchAll(/data-col="(p|range|n)">([\s\S]*?)<\/td>/g)].map((m) => m[2])
    expect(figures(after)).toEqual(figures(before))
    const second = await publish(analystCookie, { kind: 'wave', wave: '2026' })
    expect(second.status).toBe(302)
    const secondId = publishedId(second)
    const index = await render('/results/:orgSlug', `http://localhost/results/${orgSlug}`, indexLoader, ResultsIndexPage)
    // the index opens on the newest; both are listed, the first as replaced
    expect(index).toContain(`/results/${orgSlug}/${secondId}`)
    expect(index).toContain(`/results/${orgSlug}/${firstId}`)
    expect(text(await snapshotPage(firstId))).toContain('Replaced by newer results')
    expect(figures(await snapshotPage(secondId))).not.toEqual(figures(before))
  })

  it('"You said, we did" is frozen with the snapshot: a later edit or a new action shows only once republished', async () => {
    const seriesId = (await test.db.select().from(surveys).where(eq(surveys.id, surveyId)))[0]!.seriesId
    const values: ActionValues = {
      findingKind: 'measure',
      finding: 'overall',
      measure: 'overall',
      title: 'Answer the phone sooner',
      owner: 'Customer services',
      dueDate: null,
      status: 'completed',
      publicWording: 'You said we were slow; we now answer within a day.',
      publicWordingCy: '',
      showPublicly: true,
      waveBefore: null,
      waveAfter: null,
    }
    const scope = { organisationId, surveyId, seriesId, createdBy: null }
    const action = await insertAction(test.db, scope, values)
    const before = await publish(analystCookie, { kind: 'wave', wave: '2026' })
    expect(before.status).toBe(302)
    const beforeId = publishedId(before)
    const actions = (html: string) =>
      text(/data-testid="you-said-we-did"[\s\S]*?<\/section>/.exec(html)![0])
    expect(actions(await snapshotPage(beforeId))).toContain(values.publicWording)
    // no Welsh wording: the Welsh page shows the English, marked as English (language of parts)
    expect(await snapshotPage(beforeId, 'cy')).toContain(`<span lang="en">${values.publicWording}</span>`)

    const edited = 'You said we were slow; we now answer within four hours.'
    await updateAction(test.db, organisationId, seriesId, action.id, { ...values, publicWording: edited, publicWordingCy: 'Rydyn ni nawr yn ateb o fewn pedair awr.' })
    await insertAction(test.db, scope, { ...values, title: 'Later action', publicWording: 'A later action.' })
    const still = actions(await snapshotPage(beforeId))
    expect(still).toContain(values.publicWording)
    expect(still).not.toContain(edited)
    expect(still).not.toContain('A later action.')

    const after = await publish(analystCookie, { kind: 'wave', wave: '2026' })
    const afterId = publishedId(after)
    const fresh = actions(await snapshotPage(afterId))
    expect(fresh).toContain(edited)
    expect(fresh).toContain('A later action.')
    expect(fresh).not.toContain(values.publicWording)
    expect(actions(await snapshotPage(afterId, 'cy'))).toContain('Rydyn ni nawr yn ateb o fewn pedair awr.')
    // and the snapshot holds staff wording only: no owner, no finding
    const stored = JSON.stringify((await getResultSnapshot(test.db, organisationId, afterId))!.content)
    expect(stored).not.toContain('Customer services')
  })

  it('names the survey as respondents saw it, in Welsh too; without a Welsh title the English is marked lang="en"', async () => {
    const heading = (html: string) => /<h2 id="overall-heading">([\s\S]*?)<\/h2>/.exec(html)![1]!
    // the core template's title shown to respondents, in each language; never the staff title
    const en = await snapshotPage(firstId)
    expect(text(heading(en))).toContain('Tell us what you think of our service')
    expect(en).not.toContain('Oracle fixture')
    const cy = await snapshotPage(firstId, 'cy')
    expect(text(heading(cy))).toContain('Dywedwch wrthym beth yw eich barn am ein gwasanaeth')
    expect(heading(cy)).not.toContain('lang="en"')
    expect(cy).not.toContain('Oracle fixture')

    // a survey whose respondent title has no Welsh: the Welsh page shows the English, marked as English
    const versionId = (await test.db.select().from(surveys).where(eq(surveys.id, surveyId)))[0]!.currentVersionId!
    const version = (await test.db.select().from(surveyVersions).where(eq(surveyVersions.id, versionId)))[0]!
    await test.db
      .update(surveyVersions)
      .set({ definition: { ...(version.definition as object), title: { default: 'Our service survey' } } })
      .where(eq(surveyVersions.id, versionId))
    const response = await publish(analystCookie, { kind: 'wave', wave: '2026' })
    const id = publishedId(response)
    const welsh = await snapshotPage(id, 'cy')
    expect(heading(welsh)).toContain('<span lang="en">Our service survey</span>')
    // and in the list of every publication
    expect(welsh).toMatch(/Darllen y canlyniadau: <span lang="en">Our service survey<\/span>/)
    const english = await snapshotPage(id)
    expect(heading(english)).toContain('Our service survey')
    expect(english).not.toContain('<span lang="en">')
  })

  it('another organisation’s address does not show this snapshot, and unknown ones are 404', async () => {
    const other = await createOrganisation(test.db, `other-${randomUUID().slice(0, 8)}`, 'Other council')
    for (const [slug, id] of [
      [other.slug, firstId],
      [orgSlug, randomUUID()],
      ['no-such-org', firstId],
      [orgSlug, 'not-a-uuid'],
    ] as const) {
      const outcome = await snapshotLoader({
        request: new Request(`http://localhost/results/${slug}/${id}`),
        params: { orgSlug: slug, snapshotId: id },
        context: {},
      }).catch((e: unknown) => e)
      expect(outcome instanceof Response ? outcome.status : 200, `${slug}/${id}`).toBe(404)
    }
  })
})

describe('comment themes on the public page', () => {
  it('shows each theme as the theme engine decides it for the published wave, hiding what it hides', async () => {
    const survey = (await test.db.select().from(surveys).where(eq(surveys.id, surveyId)))[0]!
    const themeScope = { organisationId, surveyId, seriesId: survey.seriesId }
    const waiting = (await createTheme(test.db, { organisationId, surveyId, createdBy: null }, { name: 'Waiting times', keywords: [] }))!
    const rare = (await createTheme(test.db, { organisationId, surveyId, createdBy: null }, { name: 'Parking', keywords: [] }))!
    const commented = async (wave: string) =>
      (
        await test.db
          .select({ id: responses.id, answers: responses.answers })
          .from(responses)
          .where(and(eq(responses.surveyId, surveyId), eq(responses.wave, wave)))
      )
        .filter((r) => typeof (r.answers as Record<string, unknown>).improve === 'string' && String((r.answers as Record<string, unknown>).improve).trim() !== '')
        .map((r) => ({ responseId: r.id, question: 'improve' }))
    const now = await commented('2026')
    const before = await commented('2025')
    expect(now.length).toBeGreaterThan(40)
    expect(before.length).toBeGreaterThan(10)
    const themesOf = async (id: string) =>
      (await getResultSnapshot(test.db, organisationId, id))!.content as { themes?: { coded: number | null; themes: Array<{ name: string; overall: ThemeCell }> } }
    const section = (html: string) => /data-testid="results-themes"[\s\S]*?<\/section>/.exec(html)![0]

    // too few coded comments in the wave: the engine publishes nothing, and neither does the page
    await codeComments(test.db, themeScope, [waiting.id], now.slice(0, 3), null)
    const few = publishedId(await publish(analystCookie, { kind: 'wave', wave: '2026' }))
    expect((await themesOf(few)).themes!.themes.every((t) => t.overall.status === 'suppressed')).toBe(true)
    expect(text(section(await snapshotPage(few)))).not.toMatch(/\d+%/)

    // enough coded in 2026, and a differently coded 2025 that the 2026 snapshot must leave out
    await codeComments(test.db, themeScope, [waiting.id], now.slice(0, 30), null)
    await codeComments(test.db, themeScope, [rare.id], now.slice(30, 40), null)
    await codeComments(test.db, themeScope, [rare.id], before, null)
    const id = publishedId(await publish(analystCookie, { kind: 'wave', wave: '2026' }))
    const unweighted = (await loadInsight(test.db, organisationId, surveyId, { weighted: false, filters: { waves: ['2026'] } }))!
    const questions = commentQuestionsOf(unweighted.context.definition, unweighted.context.metadata)
    const engine = (await loadSurveyThemes(test.db, themeScope, unweighted.report, questions, { waves: ['2026'] })).frequency
    const stored = (await themesOf(id)).themes!
    expect(stored.coded).toBe(40)
    expect(stored.coded).toBe(engine.coded)
    expect(stored.themes).toEqual(JSON.parse(JSON.stringify(engine.themes.map((t) => ({ id: t.id, name: t.name, overall: t.overall })))))
    // not the series-wide figure, which counts 2025's codings too
    const series = (await loadSurveyThemes(test.db, themeScope, unweighted.report, questions)).frequency
    expect(series.coded).toBeGreaterThan(40)

    const pct = (x: number | null) => Math.round(x! * 100)
    const en = text(section(await snapshotPage(id)))
    for (const t of engine.themes) {
      expect(t.overall.status).not.toBe('suppressed')
      expect(en).toContain(`${t.name}: ${pct(t.overall.p)}% of comments (between ${pct(t.overall.lower)}% and ${pct(t.overall.upper)}%)`)
    }
    expect(en).toContain('the 40 comments grouped so far')
    // Welsh: the page's words in Welsh, the staff's theme names marked as English
    const cy = section(await snapshotPage(id, 'cy'))
    expect(text(cy)).toContain('Beth ysgrifennodd pobl amdano')
    expect(cy).toContain('<span lang="en">Waiting times</span>')
  })
})
