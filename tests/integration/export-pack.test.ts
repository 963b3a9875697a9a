import { createHash } from 'node:crypto'
import { writeFileSync } from 'node:fs'
import ExcelJS from 'exceljs'
import { unzipSync } from 'fflate'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseCsv } from '#analysis/parse-csv.ts'
import { loadExportContext, type ExportContext } from '#app/services/export-context.server.ts'
import { createEvidencePack } from '#app/services/export-pack.server.ts'
import { createOrganisation, findOrganisationBySlug } from '#db/queries/accounts.ts'
import { getEvidencePack, listEvidencePacks, listExportAudit } from '#db/queries/exports.ts'
import { findPublishedSurveyBySlug } from '#db/queries/surveys.ts'
import { DEMO_ORGANISATION, DEMO_SURVEY_SLUG, seedDemo } from '#db/seed.ts'
import { createTestDatabase, type TestDatabase } from '#tests/support/database.ts'
import { artifactPath } from '#tests/support/browser.ts'

let test: TestDatabase
let organisationId: string
let surveyId: string
let ctx: ExportContext

beforeAll(async () => {
  test = await createTestDatabase()
  await seedDemo(test.db)
  organisationId = (await findOrganisationBySlug(test.db, DEMO_ORGANISATION.slug))!.id
  surveyId = (await findPublishedSurveyBySlug(test.db, DEMO_SURVEY_SLUG))!.survey.id
  ctx = (await loadExportContext(test.db, organisationId, surveyId, {
    organisationName: DEMO_ORGANISATION.name,
  }))!
})

afterAll(async () => {
  await test?.close()
})

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex')

describe('CSE evidence pack', () => {
  it('is a frozen ZIP holding the report, methods note, tables (XLSX + CSV), charts (SVG + PNG) and the R script', async () => {
    const stored = await createEvidencePack(test.db, ctx, null)
    const pack = (await getEvidencePack(test.db, organisationId, surveyId, stored.id))!
    writeFileSync(artifactPath('evidence-pack-demo.zip'), pack.zip)
    // the stored hash is the SHA-256 of the stored bytes
    expect(pack.contentHash).toBe(sha256(pack.zip))
    expect(pack.sizeBytes).toBe(pack.zip.byteLength)
    const entries = unzipSync(pack.zip)
    const names = Object.keys(entries).map((n) => n.replace(/^[^/]+\//, ''))
    for (const required of [
      'evidence-pack.pdf',
      'report.html',
      'methods-note.md',
      'tables/tables.xlsx',
      'tables/dashboard.csv',
      'tables/satisfaction-overall.csv',
      'tables/satisfaction-by-wave.csv',
      'tables/respondent-profile.csv',
      'tables/key-areas.csv',
      'charts/key-areas.svg',
      'charts/key-areas.png',
      'charts/overall-by-channel.svg',
      'charts/overall-by-channel.png',
      'reproduce/reproduce.R',
      'reproduce/codebook.csv',
      'manifest.json',
      'README.txt',
    ]) {
      expect(names, required).toContain(required)
    }
    // the app's exact headline numbers (satisfied counts, unrounded figures of hidden groups) stay out of the pack
    expect(names).not.toContain('reproduce/app-headline.json')
    const file = (name: string) => Object.entries(entries).find(([n]) => n.endsWith(`/${name}`))![1]
    // (reproduce.R is code that counts from the microdata, which is not in the pack; it holds no figure)
    for (const name of names.filter((n) => /\.(csv|md|html|json|txt)$/.test(n)))
      expect(new TextDecoder().decode(file(name)), name).not.toMatch(/n_satisfied|x_group|x_rest/)
    // the manifest's hashes match the files
    const manifest = JSON.parse(new TextDecoder().decode(file('manifest.json'))) as {
      files: Array<{ path: string; sha256: string }>
    }
    for (const f of manifest.files) expect(sha256(file(f.path)), f.path).toBe(f.sha256)
    // PNG signature and SVG root
    expect([...file('charts/key-areas.png').slice(0, 8)]).toEqual([137, 80, 78, 71, 13, 10, 26, 10])
    expect(new TextDecoder().decode(file('charts/key-areas.svg'))).toMatch(/^<svg [^>]*role="img"/)
    // the methods note covers every 1.3.1 item from the data
    const note = new TextDecoder().decode(file('methods-note.md'))
    for (const heading of [
      'Sample and fieldwork',
      'Channels, invitations and response rate',
      'Weighting and its efficiency',
      'Margins of error',
      'Known biases',
      'Questions used for each key area (1.3.3)',
    ]) {
      expect(note).toContain(`## ${heading}`)
    }
    expect(note).toContain('2,000 responses')
    expect(note).toMatch(/Kish effective sample size is \d+/)
    expect(note).toContain('How satisfied are you that we did what we said we would do?')
    // the report is printable HTML with print CSS and accessible tables
    const report = new TextDecoder().decode(file('report.html'))
    expect(report).toContain('@media print')
    expect(report).toContain('<caption>')
    expect(report).toContain('scope="col"')
    expect(report).not.toMatch(/<script/i)
    // the CSV in the pack and the XLSX agree on the dashboard's overall figure
    const dashboardCsv = parseCsv(new TextDecoder().decode(file('tables/dashboard.csv')))
    const header = dashboardCsv[0]!
    const overallRow = dashboardCsv.find(
      (r) => r[header.indexOf('group_code')] === 'all' && r[header.indexOf('measure')] === 'overall',
    )!
    expect(Number(overallRow[header.indexOf('pct_satisfied')])).toBe(ctx.insight.report.overall.cells.overall!.p)
    const workbook = new ExcelJS.Workbook()
    await workbook.xlsx.load(Buffer.from(file('tables/tables.xlsx')) as unknown as ArrayBuffer)
    expect(workbook.getWorksheet('Notes')).toBeDefined()
  }, 240_000)

  it('keeps earlier snapshots listed and downloadable, unchanged, and audits each creation', async () => {
    const first = (await listEvidencePacks(test.db, organisationId, surveyId))[0]!
    const later = await loadExportContext(test.db, organisationId, surveyId, {
      now: new Date(Date.now() + 60_000),
    })
    const second = await createEvidencePack(test.db, later!, null)
    const list = await listEvidencePacks(test.db, organisationId, surveyId)
    expect(list.map((p) => p.id)).toEqual([second.id, first.id])
    const again = (await getEvidencePack(test.db, organisationId, surveyId, first.id))!
    expect(sha256(again.zip)).toBe(first.contentHash)
    const audit = await listExportAudit(test.db, organisationId, surveyId)
    expect(audit.filter((a) => a.action === 'export.evidence_pack.create')).toHaveLength(2)
  }, 240_000)

  it("does not give one organisation's pack to another", async () => {
    const other = await createOrganisation(test.db, 'other-council', 'Other Council')
    const pack = (await listEvidencePacks(test.db, organisationId, surveyId))[0]!
    expect(await getEvidencePack(test.db, other.id, surveyId, pack.id)).toBeNull()
    expect(await listEvidencePacks(test.db, other.id, surveyId)).toEqual([])
    expect(await loadExportContext(test.db, other.id, surveyId)).toBeNull()
    expect(await getEvidencePack(test.db, organisationId, surveyId, 'not-a-uuid')).toBeNull()
  })
})
