import { readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { analyse } from '../../analysis/analyse'
import { countAggregatesFromRows, type ResponseRow } from '../../analysis/count-aggregates-from-rows'
import { createSurveyDesign } from '../../analysis/create-survey-design'
import { domainContrast } from '../../analysis/domain-contrast'
import { kishEffectiveSampleSize } from '../../analysis/kish-effective-sample-size'
import { parseAnalysisConfig } from '../../analysis/parse-analysis-config'
import { rake } from '../../analysis/rake'
import { raoScottTest } from '../../analysis/rao-scott-test'
import { readResponsesCsv } from '../../analysis/read-responses-csv'
import { satisfactionTable } from '../../analysis/satisfaction-table'
import { weightedProportion } from '../../analysis/weighted-proportion'
import { weightedTrend } from '../../analysis/weighted-trend'
import { weightedVsRest } from '../../analysis/weighted-vs-rest'
import { expectClose } from './helpers'

// R reference for Rao-Scott with an empty cell: tests/fixtures/rao-scott-empty-cell (make.R -> expected.json).
const emptyCellDir = resolve(__dirname, '../fixtures/rao-scott-empty-cell')
interface RsExpected {
  rao_scott_F: { statistic: number; ndf: number; ddf: number; p_value: number }
  rao_scott_chisq: { statistic: number; df: number; p_value: number }
}
const expected = JSON.parse(readFileSync(join(emptyCellDir, 'expected.json'), 'utf8')) as {
  population: Record<string, Record<string, number>>
  columns: string[]
  rows: Array<Array<string | number | null>>
  group_tests: Record<'group' | 'team', RsExpected>
  weighted_vs_rest: Record<string, Record<string, number>>
}
const config = parseAnalysisConfig({
  id: 'respondent_id',
  wave: 'wave',
  ratings: ['overall'],
  overall: 'overall',
  drivers: [],
  segments: ['group', 'team'],
  scale: { satisfied: [4, 5], neither: [3], dissatisfied: [1, 2] },
  raking: { variables: ['age_band', 'gender'], epsilon: 1e-10, maxPasses: 1000 },
  confidence: 0.95,
})
const rows: ResponseRow[] = expected.rows.map((r) => {
  const row: Record<string, string> = {}
  expected.columns.forEach((name, k) => {
    if (name !== 'weight') row[name] = r[k] === null ? '' : String(r[k])
  })
  return row
})
const rWeight = new Map(
  expected.rows.map((r) => [`${r[2]}|${r[3]}`, r[expected.columns.indexOf('weight')] as number]),
)
const aggregates = countAggregatesFromRows(rows, config)
const raked = rake(aggregates.cells, ['age_band', 'gender'], expected.population, {
  epsilon: 1e-10,
  maxPasses: 1000,
})
const levels = ['age_band', 'gender'].map((v) => Object.keys(expected.population[v]!))
const design = createSurveyDesign(
  aggregates.cells.map((c, i) => ({
    levels: c.rakingCell.map((l, v) => levels[v]!.indexOf(l)),
    count: c.count,
    weight: raked.weights[i]!,
  })),
  levels.map((l) => l.length),
)
const table = satisfactionTable(aggregates, { scale: config.scale, design })

describe('Rao-Scott with an empty cell, as R svychisq (tests/fixtures/rao-scott-empty-cell)', () => {
  it('the raking reproduces R weights', () => {
    aggregates.cells.forEach((c, i) =>
      expectClose(raked.weights[i], rWeight.get(c.rakingCell.join('|'))!, 1e-9),
    )
  })
  for (const segment of ['group', 'team'] as const) {
    it(`${segment}: one group is ${segment === 'group' ? '100%' : '0%'} satisfied and F and Chisq match R`, () => {
      const t = table.tests.overall![segment]!
      const counts = Object.values(t.table)
      expect(counts.some((c) => c.n_satisfied === 0 || c.n_not_satisfied === 0)).toBe(true)
      const r = expected.group_tests[segment]
      expect(t.rao_scott_F!.warnings).toEqual([])
      expectClose(t.rao_scott_F!.statistic, r.rao_scott_F.statistic, 1e-8)
      expectClose(t.rao_scott_F!.ndf, r.rao_scott_F.ndf, 1e-8)
      expectClose(t.rao_scott_F!.ddf, r.rao_scott_F.ddf, 1e-8)
      expectClose(t.rao_scott_F!.p_value, r.rao_scott_F.p_value, 1e-7)
      expectClose(t.rao_scott_chisq!.statistic, r.rao_scott_chisq.statistic, 1e-8)
      expect(t.rao_scott_chisq!.df).toBe(r.rao_scott_chisq.df)
      expectClose(t.rao_scott_chisq!.p_value, r.rao_scott_chisq.p_value, 1e-7)
    })
  }
  it('an empty column (no one satisfied anywhere) is still not computable', () => {
    const C = design.cells.length
    const ones = new Float64Array(C).fill(1)
    const r = raoScottTest(design, [
      [new Float64Array(C), ones],
      [new Float64Array(C), ones],
    ])
    expect(r.F.statistic).toBeNull()
    expect(r.F.warnings[0]).toMatch(/empty row or column/)
  })
})

describe('weighted group vs rest: design-based contrast under raking', () => {
  it('matches R svycontrast for every group, the 100% satisfied group included', () => {
    for (const [group, r] of Object.entries(expected.weighted_vs_rest)) {
      const w = table.cells.overall!.group![group]!.weighted_vs_rest!
      expectClose(w.p_group, r.p_group!, 1e-9, 1e-12)
      expectClose(w.p_rest, r.p_rest!, 1e-9)
      expectClose(w.se_group, r.se_group!, 1e-8, 1e-12)
      expectClose(w.se_rest, r.se_rest!, 1e-8)
      expectClose(w.difference, r.difference!, 1e-9)
      expectClose(w.se_difference, r.se_difference!, 1e-8)
      expectClose(w.z, r.z!, 1e-8)
      expectClose(w.p_value, r.p_value!, 1e-6)
    }
  })
  it('the covariance is not assumed zero: se_difference differs from √(se_group² + se_rest²)', () => {
    const w = table.cells.overall!.group!.B!.weighted_vs_rest!
    const independent = Math.hypot(w.se_group!, w.se_rest!)
    expect(Math.abs(w.se_difference! - independent) / independent).toBeGreaterThan(1e-3)
  })
  it('domain SEs equal weightedProportion se_raked; Holm and BH are over the segment', () => {
    const cells = table.cells.overall!.group!
    for (const cell of Object.values(cells)) {
      expectClose(cell.weighted_vs_rest!.se_group, cell.weighted!.se_raked!, 1e-9, 1e-15)
      expectClose(cell.weighted_vs_rest!.p_group, cell.weighted!.p_satisfied!, 1e-14)
    }
    const ps = ['A', 'B', 'C'].map((g) => cells[g]!.weighted_vs_rest!.p_value!)
    const sorted = [...ps].sort((a, b) => a - b)
    const holmMax = Math.min(1, Math.max(3 * sorted[0]!, 2 * sorted[1]!, sorted[2]!))
    expectClose(Math.max(...['A', 'B', 'C'].map((g) => cells[g]!.weighted_vs_rest!.p_holm!)), holmMax, 1e-14)
    expect(table.cells.overall!.all!.all!.weighted_vs_rest).toBeNull()
    const unweighted = satisfactionTable(aggregates, { scale: config.scale })
    expect(unweighted.cells.overall!.group!.A!.weighted_vs_rest).toBeNull()
  })
  it('a group that is the whole sample, or empty, gives nulls not numbers', () => {
    const C = design.cells.length
    const sat = new Float64Array(C).fill(1)
    const not = new Float64Array(C).fill(1)
    const [whole, none] = weightedVsRest(
      design,
      [
        { satisfied: sat, notSatisfied: not },
        { satisfied: new Float64Array(C), notSatisfied: new Float64Array(C) },
      ],
      { satisfied: sat, notSatisfied: not },
    )
    expect(whole!.p_rest).toBeNull()
    expect(whole!.p_value).toBeNull()
    expect(none!.p_group).toBeNull()
    expect(none!.p_holm).toBeNull()
    expect(() =>
      weightedVsRest(design, [{ satisfied: [1], notSatisfied: [1] }], { satisfied: sat, notSatisfied: not }),
    ).toThrow(/weightedVsRest/)
    expect(() => domainContrast(design, sat, not, sat, not, 1)).toThrow(/domainContrast: level/)
  })
})

describe('weighted trend and ess_valid on the public oracle', () => {
  const fixture = resolve(__dirname, '../fixtures/oracle-public')
  const oracleConfig = parseAnalysisConfig(JSON.parse(readFileSync(join(fixture, 'analysis.json'), 'utf8')))
  const population = JSON.parse(readFileSync(join(fixture, 'population.json'), 'utf8')) as {
    total: number
    margins: Record<string, Record<string, number>>
  }
  const oracleRows = readResponsesCsv(readFileSync(join(fixture, 'responses.csv'), 'utf8'), oracleConfig)
  const oracle = JSON.parse(readFileSync(join(fixture, 'results.json'), 'utf8')) as {
    weighted_trend: Record<string, Record<string, number>>
  }

  it('weightedTrend on per-cell wave counts gives R weighted_trend.overall (and p = weighted by wave)', () => {
    const agg = countAggregatesFromRows(oracleRows, oracleConfig)
    const r = rake(agg.cells, ['age_band', 'gender'], population.margins, { epsilon: 1e-10, maxPasses: 1000 })
    const lv = ['age_band', 'gender'].map((v) => Object.keys(population.margins[v]!))
    const d = createSurveyDesign(
      agg.cells.map((c, i) => ({
        levels: c.rakingCell.map((l, v) => lv[v]!.indexOf(l)),
        count: c.count,
        weight: r.weights[i]!,
      })),
      lv.map((l) => l.length),
    )
    const cellOf = new Map(agg.cells.map((c, i) => [c.rakingCell.join('|'), i]))
    const counts = (wave: string): { satisfied: Float64Array; notSatisfied: Float64Array } => {
      const out = {
        satisfied: new Float64Array(d.cells.length),
        notSatisfied: new Float64Array(d.cells.length),
      }
      for (const t of agg.tallies) {
        if (t.rating !== 'overall' || t.by !== 'wave' || t.group !== wave || t.value === null) continue
        const c = cellOf.get(t.rakingCell.join('|'))!
        const target = t.value >= 4 ? out.satisfied : out.notSatisfied
        target[c] = target[c]! + t.count
      }
      return out
    }
    const latest = counts('2026')
    const t = weightedTrend(d, latest, counts('2025'))
    const e = oracle.weighted_trend.overall!
    for (const k of ['p_latest', 'p_previous', 'difference', 'se_difference', 'z', 'p_value'] as const)
      expectClose(t[k], e[k]!, 1e-9)
    const ci = (e as unknown as { ci95: { lower: number; upper: number } }).ci95
    expectClose(t.ci95.lower, ci.lower, 1e-9)
    expectClose(t.ci95.upper, ci.upper, 1e-9)
    expectClose(t.p_latest, weightedProportion(d, latest.satisfied, latest.notSatisfied).p_satisfied!, 1e-14)
  })

  it('ess_valid counts the valid base only and never exceeds it', () => {
    const results = analyse(countAggregatesFromRows(oracleRows, oracleConfig), oracleConfig, population)
    const weights = new Map(results.cell_weights!.map((c) => [c.rakingCell.join('|'), c.weight]))
    const weighted = results.weighted as Record<
      string,
      Record<string, Record<string, { n_valid: number; ess_valid: number }>>
    >
    let checked = 0
    for (const byGroups of Object.values(weighted))
      for (const groups of Object.values(byGroups))
        for (const cell of Object.values(groups)) {
          expect(cell.ess_valid).toBeLessThanOrEqual(cell.n_valid + 1e-9)
          checked++
        }
    expect(checked).toBeGreaterThan(100)
    // row-level Kish over the valid answers of one group (16-34 have don't-know answers to timeliness)
    const valid = oracleRows.filter((r) => r.age_band === '16-34' && r.timeliness !== '')
    const rowLevel = kishEffectiveSampleSize(
      valid.map((r) => ({ count: 1, weight: weights.get(`${r.age_band}|${r.gender}`)! })),
    )
    const cell = weighted.timeliness!.age_band!['16-34']!
    expect(cell.n_valid).toBe(valid.length)
    const kishAll = (results.weighting!.kish as Record<string, Record<string, { n: number }>>).age_band![
      '16-34'
    ]!
    expect(kishAll.n).toBeGreaterThan(valid.length) // the old effective base counted don't-know answers too
    expectClose(cell.ess_valid, rowLevel.ess!, 1e-12)
  })

  it('analyse: weighted_trend is null without weighting and per rating with one wave', () => {
    const agg = countAggregatesFromRows(oracleRows, oracleConfig)
    const plain = analyse(agg, oracleConfig, null)
    expect(plain.weighted_vs_rest).toBeNull()
    expect(plain.weighted_trend).toBeNull()
    const oneWave = analyse(
      countAggregatesFromRows(
        oracleRows.filter((r) => String(r.wave) === '2026'),
        oracleConfig,
      ),
      oracleConfig,
      population,
    )
    expect(oneWave.weighted_trend).toEqual(Object.fromEntries(oracleConfig.ratings.map((r) => [r, null])))
    expect(Object.keys(oneWave.weighted_vs_rest!)).toEqual(oracleConfig.segments)
  })
})
