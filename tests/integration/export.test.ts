import { randomUUID } from 'node:crypto'
import ExcelJS from 'exceljs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseCsv } from '#analysis/parse-csv.ts'
import { loadExportContext, type ExportContext } from '#app/services/export-context.server.ts'
import { codebookCsv, microdataStream, type MicrodataOptions } from '#app/services/export-microdata.server.ts'
import { buildDashboard } from '#app/services/dashboard.server.ts'
import { buildExportTables, definitions, tableCsv } from '#app/services/export-tables.server.ts'
import { writeWorkbook } from '#app/utils/xlsx.server.ts'
import { findOrganisationBySlug } from '#db/queries/accounts.ts'
import { countResponses, storeResponse } from '#db/queries/responses.ts'
import { findPublishedSurveyBySlug } from '#db/queries/surveys.ts'
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
    expect(sat / valid).toBeCloseTo(ctx.table.cells.overall!.all!.all!.weighted!.p_satisfied!, 12)
  })

  it('gives the same file from the light (weights-only) context the download route uses', async () => {
    const light = (await loadExportContext(test.db, organisationId, surveyId, { detail: 'weights' }))!
    expect(light.dashboard).toBeNull()
    const [headerA, ...a] = parseCsv(await readAll(microdataStream(test.db, light, ALL)))
    const [headerB, ...b] = parseCsv(await readAll(microdataStream(test.db, ctx, ALL)))
    expect(headerA).toEqual(headerB)
    const w = headerA!.indexOf('weight')
    expect(a).toHaveLength(b.length)
    a.forEach((row, i) => {
      // raking sums the cells in the order SQL returns them, so weights agree to rounding, not to the bit
      expect(Math.abs(Number(row[w]) / Number(b[i]![w]) - 1)).toBeLessThan(1e-12)
      expect([...row.slice(0, w), ...row.slice(w + 1)]).toEqual([...b[i]!.slice(0, w), ...b[i]!.slice(w + 1)])
    })
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
  it("XLSX parsed back with exceljs holds the engine's numbers, CSE labels, flags and a notes sheet", async () => {
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
      const rating = String(row.getCell(1).value)
      const cell = ctx.table.cells[rating]!.all!.all!
      expect(row.getCell(at('Valid base (unweighted)')).value).toBe(cell.unweighted.n_valid)
      expect(row.getCell(at('Satisfied (unweighted proportion)')).value).toBe(cell.unweighted.p_satisfied)
      expect(row.getCell(at('95% interval lower (Wilson)')).value).toBe(cell.unweighted.wilson95.lower)
      expect(row.getCell(at('Satisfied (weighted proportion)')).value).toBe(cell.weighted!.p_satisfied)
      expect(row.getCell(at('Standard error (raked design)')).value).toBe(cell.weighted!.se_raked)
      checked++
    })
    expect(checked).toBe(ctx.ratings.length)
    const notes = workbook.getWorksheet('Notes')!
    const noteText = JSON.stringify((notes.getSheetValues() as unknown[]).flat())
    expect(noteText).toContain('Wilson score interval')
    expect(noteText).toContain('Suppressed')
  })

  it('the XLSX "Dashboard" sheet equals buildDashboard\'s numbers cell for cell', async () => {
    const dashboard = (await buildDashboard(test.db, organisationId, surveyId, { weighted: true }))!
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
      { n: unknown; p: unknown; lower: unknown; upper: unknown; flag: unknown }
    >()
    sheet.eachRow((row, r) => {
      if (r < 5) return
      const key = `${row.getCell(at('Group code')).value}|${row.getCell(at('Breakdown')).value}|${row.getCell(at('Measure')).value}`
      parsed.set(key, {
        n: row.getCell(at('Valid base (unweighted)')).value,
        p: row.getCell(at('% satisfied')).value,
        lower: row.getCell(at('Interval lower')).value,
        upper: row.getCell(at('Interval upper')).value,
        flag: row.getCell(at('Flag')).value,
      })
    })
    let compared = 0

    for (const row of [dashboard.overall, ...dashboard.rows]) {
      for (const rating of dashboard.ratings) {
        const c = row.cells[rating.name]!
        const x = parsed.get(`${row.group}|${row.segmentLabel}|${rating.name}`)
        expect(x, `${row.segment} ${row.group} ${rating.name}`).toBeDefined()
        if (c.suppressed) {
          expect(x!.n).toBeNull()
          expect(x!.p).toBeNull()
          expect(x!.flag).toBe('suppressed')
        } else {
          expect(x!.n).toBe(c.n)
          expect(x!.p).toBe(c.p)
          expect(x!.lower).toBe(c.lower)
          expect(x!.upper).toBe(c.upper)
        }
        compared++
      }
    }
    expect(parsed.size).toBe(compared)
    expect(compared).toBeGreaterThan(100)
    // the dashboard's weighted % equals the detailed table's weighted % (same engine, same aggregates)
    expect(dashboard.overall.cells.overall!.p).toBe(ctx.table.cells.overall!.all!.all!.weighted!.p_satisfied)
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
    expect(row.base).toBeUndefined()
    expect(row.pct_satisfied).toBeUndefined()
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
    const light = (await loadExportContext(test.db, organisationId, surveyId, { detail: 'weights' }))!
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
