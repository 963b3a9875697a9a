import { randomUUID } from 'node:crypto'
import ExcelJS from 'exceljs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseCsv } from '#analysis/parse-csv.ts'
import { loadExportContext, type ExportContext } from '#app/services/export-context.server.ts'
import { codebookCsv, microdataStream, type MicrodataOptions } from '#app/services/export-microdata.server.ts'
import { appHeadline } from '#app/services/export-r-script.server.ts'
import { buildDashboard } from '#app/services/dashboard.server.ts'
import { buildExportTables, definitions, tableCsv } from '#app/services/export-tables.server.ts'
import { writeWorkbook } from '#app/utils/xlsx.server.ts'
import { findOrganisationBySlug } from '#db/queries/accounts.ts'
import { countResponses, storeResponse } from '#db/queries/responses.ts'
import { duplicateSurveyForWave, findPublishedSurveyBySlug, publishSurvey } from '#db/queries/surveys.ts'
import { DEMO_ORGANISATION, DEMO_POPULATION, DEMO_SURVEY_SLUG, seedDemo } from '#db/seed.ts'
import { createTestDatabase, type TestDatabase } from '#tests/support/database.ts'

let test: TestDatabase
let organisationId: string
let surveyId: string
let ctx: ExportContext

async function readAll(stream: ReadableStream<Uint8Array>): Promise<string> {
  // ignoreBOM keeps a byte-order mark in the text, so a test can see it
  return new TextDecoder('utf-8', { ignoreBOM: true }).decode(await new Response(stream).arrayBuffer())
}

const ALL: MicrodataOptions = { includeFreeText: true, includeEquality: true, bom: false }

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

describe('microdata export', () => {
  it('has one row per response, with raking weights that reproduce the population margins', async () => {
    const text = await readAll(microdataStream(test.db, ctx, ALL, { batchSize: 333 }))
    const [header, ...rows] = parseCsv(text)
    expect(rows).toHaveLength(await countResponses(test.db, organisationId, surveyId))
    expect(rows).toHaveLength(2000)
    const col = (name: string) => header!.indexOf(name)
    expect(col('weight')).toBeGreaterThan(0)
    expect(new Set(rows.map((r) => r[col('respondent')])).size).toBe(2000)
    // every respondent of a raking cell shares one weight
    const byCell = new Map<string, Set<string>>()
    for (const r of rows) {
      const key = `${r[col('segment_age_band')]}|${r[col('segment_sex')]}`
      byCell.set(key, (byCell.get(key) ?? new Set()).add(r[col('weight')]!))
    }
    for (const weights of byCell.values()) expect(weights.size).toBe(1)
    // the weights sum to each population margin
    for (const [variable, margin] of Object.entries(DEMO_POPULATION.margins)) {
      for (const [level, population] of Object.entries(margin)) {
        const sum = rows
          .filter((r) => r[col(`segment_${variable}`)] === level)
          .reduce((a, r) => a + Number(r[col('weight')]), 0)
        expect(Math.abs(sum - population) / population).toBeLessThan(1e-9)
      }
    }
    // the weighted proportion satisfied in the file equals the app's weighted figure
    const sat = rows
      .filter((r) => ['4', '5'].includes(r[col('overall')]!))
      .reduce((a, r) => a + Number(r[col('weight')]), 0)
    const valid = rows
      .filter((r) => ['1', '2', '3', '4', '5'].includes(r[col('overall')]!))
      .reduce((a, r) => a + Number(r[col('weight')]), 0)
    expect(sat / valid).toBeCloseTo(
      ctx.insight.report.estimates.weighted!.cells.overall!.all!.all!.weighted!.p_satisfied!,
      12,
    )
  })

  it("carries exactly the insight report's raking-cell weights, the ones behind the published figures", async () => {
    const [header, ...rows] = parseCsv(await readAll(microdataStream(test.db, ctx, ALL)))
    const col = (name: string) => header!.indexOf(name)
    const estimates = ctx.insight.report.estimates
    expect(ctx.insight.report.meta.weighted).toBe(true)
    const variables = estimates.config.raking!.variables
    const byCell = new Map(estimates.cellWeights!.map((c) => [c.rakingCell.join('|'), c]))
    const seen = new Map<string, number>()
    for (const r of rows) {
      const key = variables.map((v) => r[col(`segment_${v}`)]).join('|')
      const cell = byCell.get(key)
      if (!cell) {
        expect(r[col('weight')], key).toBe('')
        continue
      }
      expect(Number(r[col('weight')])).toBe(cell.weight)
      seen.set(key, (seen.get(key) ?? 0) + 1)
    }
    // every raked respondent of the report is in the file, once
    for (const [key, c] of byCell) expect(seen.get(key) ?? 0, key).toBe(c.count)
  })

  it('gives the same file whatever the batch size (keyset pagination loses and repeats nothing)', async () => {
    const small = await readAll(microdataStream(test.db, ctx, ALL, { batchSize: 7 }))
    const large = await readAll(microdataStream(test.db, ctx, ALL, { batchSize: 5000 }))
    expect(small).toBe(large)
  })

  it('leaves out free text and equality answers when asked, and adds a BOM for Excel', async () => {
    const text = await readAll(
      microdataStream(test.db, ctx, { includeFreeText: false, includeEquality: false, bom: true }),
    )
    expect(text.charCodeAt(0)).toBe(0xfeff)
    const header = parseCsv(text)[0]!
    for (const name of [
      'improve',
      'age_band',
      'sex',
      'ethnic_group',
      'sexual_orientation',
      'segment_age_band',
      'segment_sex',
      'gender_identity_text',
    ]) {
      expect(header).not.toContain(name)
    }
    for (const name of ['overall', 'timeliness', 'segment_channel', 'segment_service', 'weight'])
      expect(header).toContain(name)
  })

  it('writes a codebook with question text, codes and labels', () => {
    const [header, ...rows] = parseCsv(codebookCsv(ctx, ALL))
    expect(header).toEqual(['column', 'question_or_meaning', 'type', 'code', 'label', 'notes'])
    const overall = rows.filter((r) => r[0] === 'overall')
    expect(overall.map((r) => [r[3], r[4]])).toContainEqual(['5', 'Very satisfied'])
    expect(overall.map((r) => [r[3], r[4]])).toContainEqual(['dont_know', "Don't know / not applicable"])
    expect(overall[0]![1]).toMatch(/satisfied/i)
    expect(rows.some((r) => r[0] === 'weight')).toBe(true)
  })
})

describe('tables (CSV and XLSX)', () => {
  it("XLSX parsed back with exceljs holds the report's published numbers, CSE labels, flags and a notes sheet", async () => {
    const report = ctx.insight.report
    const tables = buildExportTables(ctx)
    const bytes = await writeWorkbook({
      title: 'T',
      subtitle: 'S',
      tables,
      notes: definitions(ctx),
      created: new Date(0),
    })
    const workbook = new ExcelJS.Workbook()
    await workbook.xlsx.load(Buffer.from(bytes) as unknown as ArrayBuffer)
    expect(workbook.worksheets.map((s) => s.name)).toEqual([...tables.map((t) => t.sheetName), 'Notes'])
    const sheet = workbook.getWorksheet('Satisfaction')!
    expect(String(sheet.getCell('A2').value)).toContain('1.3.3')
    const headers = (sheet.getRow(4).values as unknown[]).slice(1).map(String)
    const at = (name: string) => headers.indexOf(name) + 1
    let checked = 0
    sheet.eachRow((row, r) => {
      if (r < 5) return
      const rating = String(row.getCell(at('Measure')).value)
      const cell = report.overall.cells[rating]!
      expect(cell.status).not.toBe('suppressed')
      expect(row.getCell(at('Valid base (unweighted)')).value).toBe(cell.n)
      expect(row.getCell(at('% satisfied')).value).toBe(cell.p)
      expect(row.getCell(at('% satisfied')).numFmt).toBe('0%')
      expect(row.getCell(at('Interval lower')).value).toBe(cell.lower)
      expect(row.getCell(at('Interval upper')).value).toBe(cell.upper)
      expect(row.getCell(at('Effective base (Kish)')).value).toBe(cell.ess)
      // published to whole percent, as on the dashboard
      expect(Math.abs(cell.p! * 100 - Math.round(cell.p! * 100))).toBeLessThan(1e-9)
      checked++
    })
    expect(checked).toBe(report.meta.ratings.length)
    const notes = workbook.getWorksheet('Notes')!
    const noteText = JSON.stringify((notes.getSheetValues() as unknown[]).flat())
    // the report's own notes, word for word
    for (const note of report.notes) expect(noteText).toContain(note.text.replace(/"/g, '\\"'))
    expect(noteText).toContain('percentage points')
    // no satisfied count is published anywhere in the workbook
    for (const t of tables)
      for (const c of t.columns) expect(c.key, t.id).not.toMatch(/n_satisfied|x_group|x_rest|satisfied_count/)
  })

  it('the XLSX "Dashboard" sheet equals buildDashboard\'s numbers cell for cell', async () => {
    // the exports and the dashboard both open on the default view: weighted, as a population profile is set
    const dashboard = (await buildDashboard(test.db, organisationId, surveyId))!
    expect(dashboard.options.weighted).toBe(true)
    const tables = buildExportTables(ctx)
    const bytes = await writeWorkbook({ title: 'T', subtitle: 'S', tables, notes: [], created: new Date(0) })
    const workbook = new ExcelJS.Workbook()
    await workbook.xlsx.load(Buffer.from(bytes) as unknown as ArrayBuffer)
    const sheet = workbook.getWorksheet('Dashboard')!
    const headers = (sheet.getRow(4).values as unknown[]).slice(1).map(String)
    const at = (name: string) => headers.indexOf(name) + 1
    const parsed = new Map<
      string,
      { n: unknown; p: unknown; lower: unknown; upper: unknown; ess: unknown; flag: unknown; difference: unknown }
    >()
    sheet.eachRow((row, r) => {
      if (r < 5) return
      const key = `${row.getCell(at('Group code')).value}|${row.getCell(at('Breakdown')).value}|${row.getCell(at('Measure')).value}`
      parsed.set(key, {
        n: row.getCell(at('Valid base (unweighted)')).value,
        p: row.getCell(at('% satisfied')).value,
        lower: row.getCell(at('Interval lower')).value,
        upper: row.getCell(at('Interval upper')).value,
        ess: row.getCell(at('Effective base (Kish)')).value,
        flag: row.getCell(at('Flag')).value,
        difference: row.getCell(at('Difference from the rest')).value,
      })
    })
    let compared = 0

    for (const row of [dashboard.overall, ...dashboard.rows]) {
      for (const rating of dashboard.meta.ratings) {
        const c = row.cells[rating.name]!
        const x = parsed.get(`${row.group}|${row.segmentLabel}|${rating.name}`)
        expect(x, `${row.segment} ${row.group} ${rating.name}`).toBeDefined()
        if (c.suppressed) {
          expect(x!.n).toBeNull()
          expect(x!.p).toBeNull()
          expect(x!.lower).toBeNull()
          expect(String(x!.flag)).toMatch(/^suppressed/)
        } else {
          expect(x!.n).toBe(c.n)
          expect(x!.p).toBe(c.p)
          expect(x!.lower).toBe(c.lower)
          expect(x!.upper).toBe(c.upper)
          expect(x!.ess).toBe(c.ess)
          expect(x!.flag ?? '').toBe(c.flag === 'low_base' ? 'low base: treat with caution' : '')
          expect(x!.difference ?? '').toMatch(
            c.significance === 'higher'
              ? /^significantly higher$/
              : c.significance === 'lower'
                ? /^significantly lower$/
                : /^(no clear difference)?$/,
          )
        }
        compared++
      }
    }
    expect(parsed.size).toBe(compared)
    expect(compared).toBeGreaterThan(100)
    expect(dashboard.overall.cells.overall!.p).toBe(ctx.insight.report.overall.cells.overall!.p)
  })

  it('CSV tables parse back and name their CSE elements on every row', () => {
    const table = buildExportTables(ctx).find((t) => t.id === 'satisfaction-by-channel')!
    const [header, ...rows] = parseCsv(tableCsv(table))
    expect(header!.slice(0, 2)).toEqual(['table', 'cse_elements'])
    expect(rows.length).toBe(table.rows.length)
    for (const r of rows) expect(r[1]).toBe('1.1.1 1.3.2')
  })

  it('suppresses small groups and neutralises a hostile group label in CSV and XLSX', async () => {
    const published = (await findPublishedSurveyBySlug(test.db, DEMO_SURVEY_SLUG))!
    for (let i = 0; i < 3; i++) {
      await storeResponse(test.db, {
        organisationId,
        surveyId,
        surveyVersionId: published.version.id,
        clientId: randomUUID(),
        wave: '2026',
        answers: { overall: 5 },
        segments: {
          channel: '=HYPERLINK("http://evil.example","x")',
          age_band: '25-34',
          sex: 'male',
          service: 'parking',
        },
        source: 'api',
      })
    }
    const hostile = (await loadExportContext(test.db, organisationId, surveyId))!
    const table = buildExportTables(hostile).find((t) => t.id === 'satisfaction-by-channel')!
    const row = table.rows.find(
      (r) => r.group_code === '=HYPERLINK("http://evil.example","x")' && r.measure === 'overall',
    )!
    expect(row.flag).toMatch(/suppressed/)
    expect(row.base).toBeNull()
    expect(row.pct_satisfied).toBeNull()
    expect(row.lower).toBeNull()
    const csvRows = parseCsv(tableCsv(table))
    const csvRow = csvRows.find((r) => r.includes('\'=HYPERLINK("http://evil.example","x")'))!
    expect(csvRow).toBeDefined()
    const bytes = await writeWorkbook({
      title: 'T',
      subtitle: 'S',
      tables: [table],
      notes: [],
      created: new Date(0),
    })
    const workbook = new ExcelJS.Workbook()
    await workbook.xlsx.load(Buffer.from(bytes) as unknown as ArrayBuffer)
    let formulas = 0
    let found = false
    workbook.eachSheet((sheet) =>
      sheet.eachRow((r) =>
        r.eachCell((c) => {
          if (c.type === ExcelJS.ValueType.Formula) formulas++
          if (c.value === '\'=HYPERLINK("http://evil.example","x")') found = true
        }),
      ),
    )
    expect(formulas).toBe(0)
    expect(found).toBe(true)
  })
})

describe('microdata formatted by PostgreSQL', () => {
  it('gives the same bytes as the reference CSV writer, hostile answers included', async () => {
    const published = (await findPublishedSurveyBySlug(test.db, DEMO_SURVEY_SLUG))!
    const hostile = [
      "=cmd|' /C calc'!A0",
      '-1 stars',
      '+44 20 7946 0018',
      '@SUM(1)',
      '\t=1',
      '\r=1',
      'first\r\n=second',
      'a "quoted", word',
      'Gwasanaeth â gwên 😊',
      '',
    ]
    for (const [i, text] of hostile.entries()) {
      await storeResponse(test.db, {
        organisationId,
        surveyId,
        surveyVersionId: published.version.id,
        clientId: randomUUID(),
        wave: i % 2 ? '2026' : '=2025',
        answers: {
          overall: (i % 5) + 1,
          improve: text,
          gender_identity_text: text,
          age_band: '25-34',
          sex: i % 2 ? 'male' : 'not_in_profile',
        },
        segments: {
          channel: text,
          age_band: '25-34',
          sex: i % 2 ? 'male' : 'not_in_profile',
          service: '-parking',
        },
        source: 'api',
      })
    }
    const light = (await loadExportContext(test.db, organisationId, surveyId))!
    for (const options of [ALL, { includeFreeText: false, includeEquality: false, bom: true }]) {
      const viaSql = await readAll(
        microdataStream(test.db, light, options, { formatter: 'sql', batchSize: 500 }),
      )
      const viaNode = await readAll(
        microdataStream(test.db, light, options, { formatter: 'node', batchSize: 500 }),
      )
      expect(viaSql.length).toBeGreaterThan(100_000)
      expect(viaSql).toBe(viaNode)
    }
    const rows = parseCsv(await readAll(microdataStream(test.db, light, ALL)))
    const improve = rows[0]!.indexOf('improve')
    expect(rows.some((r) => r[improve] === "'=cmd|' /C calc'!A0")).toBe(true)
    expect(rows.some((r) => r[improve] === 'first\r\n=second')).toBe(true)
  })
})

describe('microdata of a series of surveys (one per wave)', () => {
  it('covers every wave of the series, as the report does, with the report’s weights', async () => {
    const next = (await duplicateSurveyForWave(test.db, organisationId, surveyId, {
      slug: `demo-next-${randomUUID().slice(0, 8)}`,
      title: 'Customer satisfaction, next wave',
      wave: '2027',
    }))!
    const version = await publishSurvey(test.db, organisationId, next.id, null)
    for (let i = 0; i < 12; i++) {
      const stored = await storeResponse(test.db, {
        organisationId,
        surveyId: next.id,
        surveyVersionId: version.id,
        clientId: randomUUID(),
        wave: '2027',
        answers: { overall: (i % 5) + 1, age_band: '35-44', sex: i % 2 ? 'male' : 'female' },
        segments: { channel: 'online', age_band: '35-44', sex: i % 2 ? 'male' : 'female', service: 'parking' },
        source: 'api',
      })
      expect(stored.status).toBe('created')
    }
    const series = (await loadExportContext(test.db, organisationId, next.id))!
    expect(series.seriesSurveyIds.sort()).toEqual([surveyId, next.id].sort())
    expect(series.insight.report.meta.waves).toContain('2027')
    const [header, ...rows] = parseCsv(await readAll(microdataStream(test.db, series, ALL)))
    const col = (name: string) => header!.indexOf(name)
    // one row per respondent of the series: both surveys' responses
    expect(rows).toHaveLength(series.insight.report.meta.respondents)
    expect(rows.filter((r) => r[col('wave')] === '2027')).toHaveLength(12)
    // the weights are the report's, and they still sum to every population margin over the whole file
    for (const [variable, margin] of Object.entries(DEMO_POPULATION.margins)) {
      for (const [level, population] of Object.entries(margin)) {
        const sum = rows
          .filter((r) => r[col(`segment_${variable}`)] === level)
          .reduce((a, r) => a + Number(r[col('weight')] || 0), 0)
        expect(Math.abs(sum - population) / population).toBeLessThan(1e-9)
      }
    }
    // and the R script's expected values count the same respondents as the file's weighted rows
    expect(appHeadline(series, ALL).n_respondents).toBe(rows.filter((r) => r[col('weight')] !== '').length)
  })
})
