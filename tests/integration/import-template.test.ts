import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseCsv } from '#analysis/parse-csv.ts'
import { countResponses } from '#db/queries/responses.ts'
import {
  downloadImportTemplate,
  handleImportForm,
  loadImportPage,
} from '#app/routes/app.surveys.$surveyId.import.server.ts'
import { codesCsv, templateCsv } from '#app/services/import-template.server.ts'
import { demoDatabase, staffRequest } from '#tests/support/collect-fixtures.ts'
import type { TestDatabase } from '#tests/support/database.ts'

/*
 * Issue 13, item 7: the import page shows each column's allowed codes, and the downloadable template, filled in
 * with those codes, imports cleanly on the first try.
 */

let test: TestDatabase
let organisationId: string
let surveyId: string
let userId: string

beforeAll(async () => {
  ;({ test, organisationId, surveyId, userId } = await demoDatabase(0))
})
afterAll(async () => {
  await test?.close()
})

const url = (suffix = '') => `http://localhost/app/surveys/${surveyId}/import${suffix}`
const get = async (suffix: string) =>
  downloadImportTemplate(await staffRequest(userId, organisationId, url(suffix)), surveyId)
/** CSV text as a spreadsheet shows it: without the byte-order mark. */
const rowsOf = async (response: Response) => parseCsv((await response.text()).replace(/^\uFEFF/, ''))

describe('the import page', () => {
  it('lists every column with the codes it accepts, including the ones first files get wrong', async () => {
    const page = await loadImportPage(await staffRequest(userId, organisationId, url()), surveyId)
    const byColumn = new Map(page.columns.map((c) => [c.column, c]))
    expect(page.columns[0]!.column).toBe('respondent_id')
    expect(byColumn.get('age_band')!.codes.map((c) => c.code)).toEqual([
      '16-24',
      '25-34',
      '35-44',
      '45-54',
      '55-64',
      '65-74',
      '75_plus',
      'prefer_not_to_say',
    ])
    expect(byColumn.get('overall')!.codes).toContainEqual({ code: 5, meaning: 'Very satisfied' })
    expect(byColumn.get('overall')!.codes).toContainEqual({
      code: 'dont_know',
      meaning: "Don't know / not applicable",
    })
    expect(byColumn.get('improve')!.rule).toMatch(/Any text, up to \d+ characters/)
  })
})

describe('the CSV template', () => {
  it('downloads as an attachment: a header row of every column, and a companion list of codes', async () => {
    const template = await get('/template')
    expect(template.status).toBe(200)
    expect(template.headers.get('Content-Type')).toBe('text/csv; charset=utf-8')
    expect(template.headers.get('Content-Disposition')).toMatch(
      /attachment; filename="demo-.*responses-template\.csv"/,
    )
    const [header, ...rest] = await rowsOf(template)
    expect(rest).toEqual([])
    const page = await loadImportPage(await staffRequest(userId, organisationId, url()), surveyId)
    expect(header).toEqual(page.columns.map((c) => c.column))

    const codes = await rowsOf(await get('/template?part=codes'))
    expect(codes[0]).toEqual(['column', 'question', 'what to enter', 'code', 'meaning'])
    expect(codes).toContainEqual(expect.arrayContaining(['age_band', '75_plus', '75 or over']))
  })

  it('filled in with allowed codes, imports cleanly as it is', async () => {
    const [header] = await rowsOf(await get('/template'))
    const codes = (await rowsOf(await get('/template?part=codes'))).slice(1)
    const allowed = new Map<string, string[]>()
    for (const [column, , , code] of codes) {
      if (code) allowed.set(column!, [...(allowed.get(column!) ?? []), code])
    }
    // Five respondents, each taking a different allowed code in every coded column, as a spreadsheet user would.
    const rows = Array.from({ length: 5 }, (_, i) =>
      header!.map((column) => {
        if (column === 'respondent_id') return `R${i + 1}`
        const options = allowed.get(column)
        if (options) return options[(i * 3) % options.length]!
        return i % 2 === 0 ? 'Quick and friendly, thank you' : ''
      }),
    )
    const template = (await (await get('/template')).text()).replace(/\r\n$/, '')
    const csv = [template, ...rows.map((r) => r.map((c) => `"${c}"`).join(','))].join('\r\n') + '\r\n'

    const form = new FormData()
    form.set('csv', new File([csv], 'filled.csv', { type: 'text/csv' }))
    const request = await staffRequest(userId, organisationId, url(), { method: 'POST', body: form })
    const result = await handleImportForm(request, surveyId)
    if ('error' in result) throw new Error(result.error)
    if (!result.report.ok) throw new Error(JSON.stringify(result.report.problems.slice(0, 5)))
    expect(result.report.inserted).toBe(5)
    expect(await countResponses(test.db, organisationId, surveyId)).toBeGreaterThanOrEqual(5)
  })

  it('neutralises formulas in texts but keeps numeric codes as numbers', () => {
    const columns = [
      {
        column: 'score',
        title: '=HYPERLINK("http://evil.example","Click")',
        rule: 'One code from the list. Leave empty for no answer.',
        codes: [
          { code: -1, meaning: '@SUM(A1:A9)' },
          { code: '+44', meaning: '-2 Very poor' },
        ],
      },
    ]
    const rows = parseCsv(codesCsv(columns).replace(/^\uFEFF/, ''))
    expect(rows[1]).toEqual([
      'score',
      `'=HYPERLINK("http://evil.example","Click")`,
      rows[1]![2],
      '-1',
      `'@SUM(A1:A9)`,
    ])
    expect(rows[2]![3]).toBe(`'+44`)
    expect(rows[2]![4]).toBe(`'-2 Very poor`)
    expect(parseCsv(templateCsv(columns).replace(/^\uFEFF/, ''))).toEqual([['score']])
  })

  it('is 404 for a survey outside the organisation', async () => {
    const foreign = await staffRequest(userId, organisationId, url('/template'))
    const other = await downloadImportTemplate(foreign, '00000000-0000-4000-8000-000000000000').catch(
      (r: unknown) => r,
    )
    expect((other as Response).status).toBe(404)
  })
})
