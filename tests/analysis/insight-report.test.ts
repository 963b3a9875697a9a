import { readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { countAggregatesFromRows, type ResponseRow } from '#analysis/count-aggregates-from-rows.ts'
import { buildInsightReport } from '#analysis/insight-report.ts'
import type { InsightReport, ReportRow } from '#analysis/insight-report-types.ts'
import type { AnalysisConfig } from '#analysis/parse-analysis-config.ts'
import type { Population } from '#analysis/parse-population.ts'
import { wilsonInterval } from '#analysis/wilson-interval.ts'
import { loadOracleInputs } from './helpers.ts'

const DIR = resolve(__dirname, '../fixtures/oracle-public')
const oracle = JSON.parse(readFileSync(join(DIR, 'results.json'), 'utf8')) as {
  weighted_vs_rest: Record<string, Record<string, { p_holm: number; difference: number }>>
  weighted_trend: Record<
    string,
    { difference: number; p_value: number; ci95: { lower: number; upper: number } }
  >
  trend: Record<string, { latest_vs_previous: { difference: number; p_value: number } }>
}

let config: AnalysisConfig
let population: Population
let rows: ResponseRow[]

beforeAll(() => {
  ;({ config, population, rows } = loadOracleInputs())
})

const report = (
  r: ResponseRow[],
  options: {
    weighted?: boolean
    cfg?: AnalysisConfig
    excludedByFilters?: number
    targets?: Record<string, number>
  } = {},
) =>
  buildInsightReport({
    aggregates: countAggregatesFromRows(r, options.cfg ?? config),
    config: options.cfg ?? config,
    population,
    weighted: options.weighted ?? false,
    ...(options.targets ? { targets: options.targets } : {}),
    ...(options.excludedByFilters !== undefined ? { excludedByFilters: options.excludedByFilters } : {}),
  })

const allRows = (r: InsightReport): ReportRow[] => [r.overall, ...r.waves, ...r.rows]

describe('buildInsightReport', () => {
  it('one partial response hides no group that was shown before (issue 11)', () => {
    const before = report(rows)
    const partial: ResponseRow = {
      ...Object.fromEntries(Object.keys(rows[0]!).map((k) => [k, null])),
      ...Object.fromEntries(config.segments.map((s) => [s, ''])),
      respondent_id: 'PARTIAL',
      wave: '2026',
      overall: 4,
    }
    const after = report([...rows, partial])
    const shown = new Map<string, boolean>()
    for (const row of allRows(after))
      for (const [rating, cell] of Object.entries(row.cells))
        shown.set(`${rating}|${row.by}|${row.group}`, cell.status !== 'suppressed')
    for (const row of allRows(before))
      for (const [rating, cell] of Object.entries(row.cells)) {
        if (cell.status === 'suppressed') continue
        expect(shown.get(`${rating}|${row.by}|${row.group}`), `${rating} ${row.by} ${row.group}`).toBe(true)
      }
    // the partial respondent's own "not stated" groups are hidden, with no numbers
    const notStated = after.rows.find((r) => r.by === 'gender' && r.group === '')!
    expect(notStated.cells.overall!).toMatchObject({
      status: 'suppressed',
      n: null,
      p: null,
      lower: null,
      upper: null,
    })
  })

  it('publishes whole percentages and the Wilson interval, never a satisfied count', () => {
    const r = report(rows)
    const all = r.estimates.unweighted.cells.overall!.all!.all!.unweighted
    const w = wilsonInterval(all.n_satisfied, all.n_valid, 0.95)
    expect(r.overall.cells.overall).toMatchObject({
      n: all.n_valid,
      p: Math.round((all.n_satisfied / all.n_valid) * 100) / 100,
      lower: Math.round(w.lower! * 100) / 100,
      upper: Math.round(w.upper! * 100) / 100,
      step: 0.01,
    })
    const json = JSON.stringify({ ...r, estimates: undefined })
    expect(json).not.toMatch(/n_satisfied|x_group|x_rest/)
  })

  it('weighted mode: flags from the design-based test, the trend from the weighted contrast, in percentage points', () => {
    const r = report(rows, { weighted: true })
    expect(r.meta.weighted).toBe(true)
    for (const row of r.rows.filter((x) => x.by in oracle.weighted_vs_rest)) {
      const cell = row.cells.overall!
      if (cell.status === 'suppressed') continue
      const R = oracle.weighted_vs_rest[row.by]![row.group]!
      expect(cell.pAdjusted).toBeCloseTo(R.p_holm, 9)
      expect(cell.significance).toBe(R.p_holm < 0.05 ? (R.difference > 0 ? 'higher' : 'lower') : null)
    }
    for (const t of r.trends) {
      const R = oracle.weighted_trend[t.rating]!
      expect(t.change?.method).toBe('design-based')
      // published in whole points; the exact contrast is kept in the estimates
      expect(t.change!.differencePoints).toBe(
        Math.sign(R.difference) * Math.round(Math.abs(R.difference) * 100) || 0,
      )
      expect(t.change!.lowerPoints).toBe(
        Math.sign(R.ci95.lower) * Math.round(Math.abs(R.ci95.lower) * 100) || 0,
      )
      expect(r.estimates.weightedTrend[t.rating]!.difference).toBeCloseTo(R.difference, 12)
      expect(t.change!.verdict).toBe(
        R.p_value < 0.05 ? (R.difference > 0 ? 'increase' : 'decrease') : 'no_clear_change',
      )
    }
    const unweighted = report(rows)
    expect(unweighted.trends[0]!.change!.method).toBe('two-proportion')
    expect(unweighted.trends[0]!.change!.differencePoints).toBe(
      Math.round(oracle.trend.overall!.latest_vs_previous.difference * 100),
    )
    expect(unweighted.estimates.trend.overall!.latest_vs_previous!.difference).toBeCloseTo(
      oracle.trend.overall!.latest_vs_previous.difference,
      12,
    )
  })

  it('the effective base never exceeds the base beside it', () => {
    const r = report(rows, { weighted: true })
    for (const row of allRows(r))
      for (const cell of Object.values(row.cells))
        if (cell.ess !== null) expect(cell.ess).toBeLessThanOrEqual(cell.n! + 1e-9)
  })

  it('key-driver performance comes from the wave the importance comes from', () => {
    const r = report(rows)
    expect(r.keyDrivers!.wave).toBe(r.meta.latestWave)
    const latest = r.waves.at(-1)!
    for (const d of r.keyDrivers!.drivers) expect(d.performance).toBe(latest.cells[d.driver]!.p)
  })

  it('lists key drivers most important first, the order every view shows', () => {
    const weights = report(rows).keyDrivers!.drivers.map((d) => d.relativeWeightPercent)
    expect(weights.length).toBeGreaterThan(2)
    expect(weights).toEqual([...weights].sort((a, b) => b - a))
  })

  it('shows no test for a segment whose groups are all hidden', () => {
    const small = rows.slice(0, 40).map((x, i) => ({ ...x, disability: i < 5 ? 'yes' : i < 9 ? 'no' : '' }))
    const r = report(small)
    const test = r.segmentTests.find((t) => t.segment === 'disability')!
    expect(
      r.rows.filter((x) => x.by === 'disability').every((x) => x.cells.overall!.status === 'suppressed'),
    ).toBe(true)
    expect(test).toMatchObject({ shown: false, pValue: null, statistic: null })
  })

  it('withholds every figure when a filter leaves out 1..suppress−1 respondents', () => {
    const r = report(rows, { excludedByFilters: 3 })
    expect(r.status).toBe('withheld')
    for (const row of allRows(r)) for (const cell of Object.values(row.cells)) expect(cell.p).toBeNull()
    expect(report(rows, { excludedByFilters: 10 }).status).toBe('ok')
  })

  it('orders waves naturally (Wave 9 before Wave 10) and judges targets on the latest wave', () => {
    const relabelled = rows.map((x) => ({ ...x, wave: x.wave === '2026' ? 'Wave 10' : 'Wave 9' }))
    const r = report(relabelled, { targets: { overall: 0.5, delivery: 0.99 } })
    expect(r.meta.waves).toEqual(['Wave 9', 'Wave 10'])
    expect(r.meta.latestWave).toBe('Wave 10')
    const overall = r.trends.find((t) => t.rating === 'overall')!
    expect(overall.targetWave).toBe('Wave 10')
    expect(overall.targetVerdict).toBe('met')
    expect(r.trends.find((t) => t.rating === 'delivery')!.targetVerdict).toBe('below_target')
  })

  it('says why it cannot weight, and stays unweighted', () => {
    const r = buildInsightReport({
      aggregates: countAggregatesFromRows(rows, { ...config, raking: undefined }),
      config: { ...config, raking: undefined },
      population,
      weighted: true,
    })
    expect(r.meta.weighted).toBe(false)
    expect(r.weightingProblem).toMatch(/cannot be weighted/)
  })
})
