import { readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { expect } from 'vitest'
import type { ResponseRow } from '#analysis/count-aggregates-from-rows.ts'
import { parseAnalysisConfig, type AnalysisConfig } from '#analysis/parse-analysis-config.ts'
import { parsePopulation, type Population } from '#analysis/parse-population.ts'
import { readResponsesCsv } from '#analysis/read-responses-csv.ts'

/** Asserts |actual - expected| <= abs or <= rel * |expected|. */
export function expectClose(actual: number | null | undefined, expected: number, rel = 1e-12, abs = 0): void {
  expect(typeof actual).toBe('number')
  const a = actual as number
  const ok = Math.abs(a - expected) <= abs || Math.abs(a - expected) <= rel * Math.abs(expected)
  if (!ok) expect.fail(`expected ${a} to be within rel ${rel} / abs ${abs} of ${expected}`)
}

/** The public oracle's configuration, population and response rows (tests/fixtures/oracle-public). */
export function loadOracleInputs(): { config: AnalysisConfig; population: Population; rows: ResponseRow[] } {
  const dir = resolve(__dirname, '../fixtures/oracle-public')
  const config = parseAnalysisConfig(JSON.parse(readFileSync(join(dir, 'analysis.json'), 'utf8')))
  const population = parsePopulation(JSON.parse(readFileSync(join(dir, 'population.json'), 'utf8')))
  const rows = readResponsesCsv(readFileSync(join(dir, 'responses.csv'), 'utf8'), config)
  return { config, population, rows }
}
