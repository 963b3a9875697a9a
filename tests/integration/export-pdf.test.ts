import { writeFileSync } from 'node:fs'
import { sql } from 'drizzle-orm'
import { unzipSync } from 'fflate'
import { extractText, getDocumentProxy } from 'unpdf'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { executiveSummary } from '#analysis/executive-summary.ts'
import { loadExportContext, type ExportContext } from '#app/services/export-context.server.ts'
import { createEvidencePack } from '#app/services/export-pack.server.ts'
import { buildEvidencePdf, loadPdfInput, type BuiltPdf } from '#app/services/export-pdf/evidence-pack-pdf.server.ts'
import { CORE_ELEMENTS } from '#app/services/export-pdf/cse-map.server.ts'
import { rowsOf } from '#db/client.ts'
import { findOrganisationBySlug } from '#db/queries/accounts.ts'
import { insertAction } from '#db/queries/actions.ts'
import { getEvidencePack } from '#db/queries/exports.ts'
import { codeComments, createTheme } from '#db/queries/themes.ts'
import { findPublishedSurveyBySlug } from '#db/queries/surveys.ts'
import { DEMO_ORGANISATION, DEMO_SURVEY_SLUG, seedDemo } from '#db/seed.ts'
import { artifactPath } from '#tests/support/browser.ts'
import { createTestDatabase, type TestDatabase } from '#tests/support/database.ts'

/*
 * Issue 14, item 5: the evidence pack as a PDF (app/services/export-pdf/), read back with a PDF parser (unpdf,
 * the pdf.js text layer): its summary is the executive summary of the report, its figures are the report's, its
 * CSE map points at pages that hold the sections it names, and it is in the pack's ZIP. On the seeded demo
 * survey; PGlite (npm test) and PostgreSQL (npm run test:pg).
 */

let test: TestDatabase
let ctx: ExportContext
let built: BuiltPdf
/** the text of each page, whitespace collapsed */
let pages: string[]

const flat = (s: string) => s.replace(/\s+/g, ' ').trim()

async function pdfPages(bytes: Uint8Array): Promise<{ count: number; pages: string[]; title: unknown; lang: unknown }> {
  const doc = await getDocumentProxy(new Uint8Array(bytes))
  const { totalPages, text } = await extractText(doc, { mergePages: false })
  const meta = await doc.getMetadata()
  const info = meta.info as Record<string, unknown>
  const catalog = await doc.getMarkInfo()
  expect(catalog?.Marked, 'tagged PDF').toBe(true)
  return { count: totalPages, pages: text.map(flat), title: info.Title, lang: info.Language }
}

beforeAll(async () => {
  test = await createTestDatabase()
  await seedDemo(test.db)
  const organisationId = (await findOrganisationBySlug(test.db, DEMO_ORGANISATION.slug))!.id
  const found = (await findPublishedSurveyBySlug(test.db, DEMO_SURVEY_SLUG))!
  let loaded = (await loadExportContext(test.db, organisationId, found.survey.id, {
    organisationName: DEMO_ORGANISATION.name,
  }))!
  const { previousWave, latestWave, overall } = loaded.insight.report.meta
  // one completed action with its before/after waves, one planned, with Welsh wording (ŵ, ŷ)
  const scope = { organisationId, surveyId: found.survey.id, seriesId: found.survey.seriesId, createdBy: null }
  const common = { findingKind: 'measure' as const, finding: overall, publicWordingCy: '', showPublicly: false }
  await insertAction(test.db, scope, {
    ...common,
    measure: overall,
    title: 'Answer the phone within five rings',
    owner: 'Customer services manager',
    dueDate: '2026-06-30',
    status: 'completed',
    publicWording: 'You said we were slow to answer; we added staff at busy times.',
    waveBefore: previousWave,
    waveAfter: latestWave,
  })
  await insertAction(test.db, scope, {
    ...common,
    measure: null,
    title: 'Gwasanaeth cwsmeriaid: ŵyr ac ŷd',
    owner: 'Rheolwr',
    dueDate: null,
    status: 'planned',
    publicWording: '',
    waveBefore: null,
    waveAfter: null,
  })
  // one comment theme, coded on every comment of the survey, so the PDF has its themes section
  const theme = (await createTheme(test.db, { organisationId, surveyId: found.survey.id, createdBy: null }, { name: 'Waiting', keywords: [] }))!
  const commented = rowsOf<{ id: string }>(
    await test.db.execute(sql`select id::text as id from responses where organisation_id = ${organisationId}::uuid`),
  )
  await codeComments(
    test.db,
    { organisationId, surveyId: found.survey.id, seriesId: found.survey.seriesId },
    [theme.id],
    commented.map((r) => ({ responseId: r.id, question: 'improve' })),
    null,
  )
  loaded = (await loadExportContext(test.db, organisationId, found.survey.id, {
    organisationName: DEMO_ORGANISATION.name,
  }))!
  ctx = loaded
  built = await buildEvidencePdf(ctx, await loadPdfInput(test.db, ctx))
  writeFileSync(artifactPath('evidence-pack-demo.pdf'), built.bytes)
  const read = await pdfPages(built.bytes)
  pages = read.pages
  expect(read.count).toBe(built.pageCount)
  expect(read.title).toBe(`CSE evidence pack: ${ctx.survey.title}`)
}, 300_000)

afterAll(async () => {
  await test?.close()
})

describe('PDF evidence pack', () => {
  it('is a PDF whose pages the parser counts as the layout made them', () => {
    expect(new TextDecoder().decode(built.bytes.slice(0, 5))).toBe('%PDF-')
    expect(pages.length).toBe(built.pageCount)
    expect(built.pageCount).toBeGreaterThanOrEqual(5)
    // the language is declared for screen readers
    expect(new TextDecoder('latin1').decode(built.bytes)).toMatch(/\/Lang \(en-GB\)/)
  })

  it('opens with the executive summary of the report, sentence for sentence', () => {
    const sentences = executiveSummary(ctx.insight.report)
    expect(sentences.length).toBeGreaterThan(2)
    expect(pages[0]).toContain('Summary')
    const front = pages.slice(0, 2).join(' ')
    for (const s of sentences) expect(front, s.id).toContain(flat(s.text))
  })

  it('prints the figures of the report', () => {
    const report = ctx.insight.report
    const overall = report.overall.cells[report.meta.overall]!
    expect(overall.status).not.toBe('suppressed')
    const page = pages[built.sectionPages['satisfaction-overall']! - 1]!
    // the overall row of the key-areas table: label, base, % satisfied and interval as the report publishes them
    const label = report.meta.ratings.find((r) => r.isOverall)!.label
    const pct = (p: number | null) => `${Math.round(p! * 100)}%`
    expect(page).toContain(label)
    expect(page).toContain(`${overall.n!.toLocaleString('en-GB')} ${pct(overall.p)} ${pct(overall.lower)} ${pct(overall.upper)}`)
    // each key driver's importance, as the key-driver table prints it
    const kd = report.keyDrivers
    if (kd) {
      const driverPage = pages.slice(built.sectionPages['key-drivers']! - 1).join(' ')
      for (const d of kd.drivers)
        expect(driverPage, d.label).toContain(d.relativeWeightPercent.toLocaleString('en-GB', { maximumFractionDigits: 3 }))
    }
  })

  it('maps every CSE element to pages that hold the sections it names', () => {
    const elements = built.cseMap.map((e) => e.element)
    for (const e of [...CORE_ELEMENTS, ...ctx.metadata.cseElements]) expect(elements).toContain(e)
    for (const entry of built.cseMap) {
      if (CORE_ELEMENTS.includes(entry.element)) expect(entry.sections.length, entry.element).toBeGreaterThan(0)
      for (const s of entry.sections) {
        const page = built.sectionPages[s.id]!
        expect(page, s.id).toBeGreaterThan(0)
        expect(pages[page - 1], `${entry.element} → ${s.title} on page ${page}`).toContain(flat(s.title))
      }
    }
    // the map as printed names those pages
    const mapText = pages.slice(built.sectionPages['cse-map']! - 1, built.sectionPages['cse-map']! + 1).join(' ')
    for (const s of built.cseMap.flatMap((e) => e.sections))
      expect(mapText).toContain(`${flat(s.title)}: page ${built.sectionPages[s.id]}`)
  })

  it('lists the actions with their tested change, and prints Welsh letters', () => {
    const text = pages.join(' ')
    expect(text).toContain('Answer the phone within five rings')
    expect(text).toMatch(/percentage points \(95% interval .*\): (a clear increase|a clear decrease|no clear change)\./)
    expect(text).toContain('Gwasanaeth cwsmeriaid: ŵyr ac ŷd')
  })

  it('has the comment themes section, with the themes table of the export', () => {
    const page = built.sectionPages['comment-themes']
    expect(page).toBeDefined()
    expect(pages[page! - 1]).toContain('Comment themes by customer group and by driver')
    expect(pages.slice(page! - 1).join(' ')).toContain('Waiting')
    expect(built.cseMap.find((e) => e.element === '1.3.5')!.sections.map((s) => s.id)).toContain('comment-themes')
  })

  it('ends with the methods note', () => {
    const methods = pages.slice(built.sectionPages.methods! - 1).join(' ')
    expect(methods).toContain('Methods note')
    expect(methods).toContain('Margins of error')
  })

  it('is in the evidence pack ZIP as evidence-pack.pdf', async () => {
    const stored = await createEvidencePack(test.db, ctx, null)
    const pack = (await getEvidencePack(test.db, ctx.organisationId, ctx.survey.id, stored.id))!
    const entries = unzipSync(pack.zip)
    const pdf = Object.entries(entries).find(([n]) => n.endsWith('/evidence-pack.pdf'))?.[1]
    expect(pdf).toBeDefined()
    const read = await pdfPages(pdf!)
    expect(read.count).toBe(built.pageCount)
    expect(read.pages[0]).toContain(flat(executiveSummary(ctx.insight.report)[0]!.text))
  }, 180_000)
})
