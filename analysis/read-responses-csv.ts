import type { ResponseRow } from './count-aggregates-from-rows'
import type { AnalysisConfig } from './parse-analysis-config'
import { parseCsv } from './parse-csv'

/**
 * Reads a responses CSV (RFC 4180, header row) into respondent rows, checking that every column the
 * configuration names is present.
 *
 * Definition: header = first record; each further record becomes { column: field }. Required columns:
 * id, wave, every rating, every segment and every raking variable. Empty fields stay '' (don't know for
 * ratings). Rating values are checked later when counting.
 *
 * Reference: RFC 4180; oracle README "responses.csv".
 *
 * @param text the CSV text.
 * @param config validated configuration.
 * @returns the rows.
 * @throws "readResponsesCsv: missing column ..." / duplicate column / no data rows, or parseCsv's errors.
 * @example
 * readResponsesCsv(fs.readFileSync('responses.csv', 'utf8'), config).length // 1800
 */
export function readResponsesCsv(text: string, config: AnalysisConfig): ResponseRow[] {
  const records = parseCsv(text)
  const header = records[0]!
  const seen = new Set<string>()
  for (const h of header) {
    if (seen.has(h)) throw new Error(`readResponsesCsv: duplicate column "${h}"`)
    seen.add(h)
  }
  const required = [
    config.id,
    config.wave,
    ...config.ratings,
    ...config.segments,
    ...(config.raking?.variables ?? []),
  ]
  for (const column of required) {
    if (!seen.has(column)) throw new Error(`readResponsesCsv: missing column "${column}"`)
  }
  if (records.length < 2) throw new Error('readResponsesCsv: the file has a header but no responses')
  return records.slice(1).map((fields) => {
    const row: Record<string, string> = {}
    header.forEach((h, j) => {
      row[h] = fields[j]!
    })
    return row
  })
}
