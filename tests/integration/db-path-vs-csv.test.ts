import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { analyse, type AnalysisResults } from '#analysis/analyse.ts'
import { countAggregatesFromRows } from '#analysis/count-aggregates-from-rows.ts'
import { parseAnalysisConfig } from '#analysis/parse-analysis-config.ts'
import { parsePopulation } from '#analysis/parse-population.ts'
import { readResponsesCsv } from '#analysis/read-responses-csv.ts'
import { analyseSurvey, main } from '../../cli/analyse-survey.ts'
import { createTestDatabase, type TestDatabase } from '#tests/support/database.ts'
import { importOracleFixture, ORACLE_DIR, oracleConfigJson, oraclePopulationJson } from './aggregates-fixtures.ts'

// The database path (PostgreSQL GROUP BY → analyse) must give the CSV path's numbers, and R's.
const oracle = JSON.parse(readFileSync(join(ORACLE_DIR, 'results.json'), 'utf8')) as Record<string, unknown>
const SECTIONS = ['unweighted', 'weighting', 'weighted', 'group_tests', 'weighted_vs_rest', 'trend', 'weighted_trend', 'key_drivers', 'sample_size'] as const
const TEXT = new Set(['weighting.call', 'weighting.convergence_rule', 'key_drivers.relative_weights.method', 'key_drivers.lmg.method'])

/** Issue 3's tolerances: raked weights / SEs / Rao-Scott 1e-6 relative, closed forms 1e-9 relative (or 1e-12 absolute). */
function tolerance(path: string): number {
  if (path.startsWith('weighting.') || path.startsWith('weighted.') || /\.rao_scott_(F|chisq)\./.test(path)) return 1e-6
  return 1e-9
}

function compare(expected: unknown, actual: unknown, path: string, out: string[], count: { n: number }, exact = false): void {
  if (TEXT.has(path)) return
  if (expected === null || typeof expected === 'string' || typeof expected === 'boolean') {
    if (expected !== actual) out.push(`${path}: expected ${String(expected)}, got ${JSON.stringify(actual)}`)
    return
  }
  if (typeof expected === 'number') {
    count.n++
    if (typeof actual !== 'number') return void out.push(`${path}: expected ${expected}, got ${JSON.stringify(actual)}`)
    if (path === 'weighting.max_abs_margin_error' && !exact) {
      if (!(Math.abs(actual) < 1e-6)) out.push(`${path}: ${actual}`)
      return
    }
    const diff = Math.abs(actual - expected)
    const ok = exact ? Object.is(actual, expected) || diff <= 1e-12 * Math.max(1, Math.abs(expected)) : diff <= 1e-12 || diff <= tolerance(path) * Math.abs(expected)
    if (!ok) out.push(`${path}: expected ${expected}, got ${actual}`)
    return
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual) || actual.length !== expected.length) return void out.push(`${path}: array length differs`)
    expected.forEach((e, i) => compare(e, actual[i], `${path}[${i}]`, out, count, exact))
    return
  }
  if (typeof expected === 'object') {
    if (typeof actual !== 'object' || actual === null) return void out.push(`${path}: missing object`)
    for (const [k, v] of Object.entries(expected as Record<string, unknown>)) {
      if (!(k in actual)) {
        if (!TEXT.has(`${path}.${k}`)) out.push(`${path}.${k}: missing`)
        continue
      }
      compare(v, (actual as Record<string, unknown>)[k], `${path}.${k}`, out, count, exact)
    }
  }
}

describe('database path vs CSV path vs R (public oracle fixture)', () => {
  let test: TestDatabase
  let fromDb: AnalysisResults
  let fromCsv: AnalysisResults
  let slug: string

  beforeAll(async () => {
    test = await createTestDatabase()
    ;({ slug } = await importOracleFixture(test.db))
    const configJson = oracleConfigJson()
    const population = parsePopulation(oraclePopulationJson())
    fromDb = await analyseSurvey(test.db, slug, { config: configJson, population })
    const config = parseAnalysisConfig(configJson)
    const rows = readResponsesCsv(readFileSync(join(ORACLE_DIR, 'responses.csv'), 'utf8'), config)
    fromCsv = analyse(countAggregatesFromRows(rows, config), config, population)
  }, 120_000)
  afterAll(async () => {
    await test?.close()
  })

  for (const section of SECTIONS) {
    it(`${section}: the database path reproduces R within the issue's tolerances`, () => {
      const problems: string[] = []
      const count = { n: 0 }
      compare(oracle[section], (fromDb as unknown as Record<string, unknown>)[section], section, problems, count)
      expect(count.n).toBeGreaterThan(0)
      expect(problems).toEqual([])
    })
    it(`${section}: the database path equals the CSV path`, () => {
      const problems: string[] = []
      const count = { n: 0 }
      // Same counts in, so the same arithmetic out: compared at 1e-12, not at R's tolerance.
      compare((fromCsv as unknown as Record<string, unknown>)[section], (fromDb as unknown as Record<string, unknown>)[section], section, problems, count, true)
      expect(count.n).toBeGreaterThan(0)
      expect(problems).toEqual([])
    })
  }

  it('the --survey command prints the same JSON and refuses an unknown survey with exit code 2', async () => {
    const out: string[] = []
    const err: string[] = []
    const io = { stdout: (t: string) => void out.push(t), stderr: (t: string) => void err.push(t) }
    const code = await main(['--survey', slug, '--config', join(ORACLE_DIR, 'analysis.json'), '--population', join(ORACLE_DIR, 'population.json')], io, test.db)
    expect(err.join('')).toBe('')
    expect(code).toBe(0)
    const printed = JSON.parse(out.join('')) as Record<string, unknown>
    const problems: string[] = []
    compare(oracle.weighted, printed.weighted, 'weighted', problems, { n: 0 })
    expect(problems).toEqual([])
    expect(printed).not.toHaveProperty('cell_weights')

    const err2: string[] = []
    const code2 = await main(['--survey', 'no-such-survey'], { stdout: () => undefined, stderr: (t) => void err2.push(t) }, test.db)
    expect(code2).toBe(2)
    expect(err2.join('')).toMatch(/no survey with slug "no-such-survey"/)
  })
})
