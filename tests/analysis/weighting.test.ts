import { readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { capWeights } from '../../analysis/cap-weights'
import { countAggregatesFromRows, type ResponseRow } from '../../analysis/count-aggregates-from-rows'
import { createSurveyDesign } from '../../analysis/create-survey-design'
import { kishEffectiveSampleSize } from '../../analysis/kish-effective-sample-size'
import { parseAnalysisConfig } from '../../analysis/parse-analysis-config'
import { rake } from '../../analysis/rake'
import { raoScottTest } from '../../analysis/rao-scott-test'
import { readResponsesCsv } from '../../analysis/read-responses-csv'
import { satisfactionTable } from '../../analysis/satisfaction-table'
import { weightSummary } from '../../analysis/weight-summary'
import { weightedProportion } from '../../analysis/weighted-proportion'
import { expectClose } from './helpers'

const fixture = resolve(__dirname, '../fixtures/oracle-public')

/** Row-level reference: the README closed forms computed directly on rows (independent of the cell code). */
function rowLevelSe(
  rows: Array<{ w: number; inDomain: boolean; y: number | null; levels: number[] }>,
  levelCounts: number[],
): { p: number; seWeightsOnly: number; seRaked: number } {
  const n = rows.length
  const dom = rows.filter((r) => r.inDomain && r.y !== null)
  const W = dom.reduce((a, r) => a + r.w, 0)
  const p = dom.reduce((a, r) => a + r.w * (r.y as number), 0) / W
  const v = rows.map((r) => (r.inDomain && r.y !== null ? ((r.y as number) - p) / W : 0))
  // full-rank design: intercept + all levels but the first of each variable
  const X = rows.map((r) => {
    const x = [1]
    r.levels.forEach((lv, k) => {
      for (let j = 1; j < levelCounts[k]!; j++) x.push(lv === j ? 1 : 0)
    })
    return x
  })
  const P = X[0]!.length
  const A = Array.from({ length: P }, (_, i) => [
    ...Array.from({ length: P }, (_, j) => X.reduce((a, x) => a + x[i]! * x[j]!, 0)),
    X.reduce((a, x, k) => a + x[i]! * v[k]!, 0),
  ])
  for (let c = 0; c < P; c++) {
    let piv = c
    for (let r = c + 1; r < P; r++) if (Math.abs(A[r]![c]!) > Math.abs(A[piv]![c]!)) piv = r
    ;[A[c], A[piv]] = [A[piv]!, A[c]!]
    for (let r = 0; r < P; r++) {
      if (r === c) continue
      const f = A[r]![c]! / A[c]![c]!
      for (let k = c; k <= P; k++) A[r]![k] = A[r]![k]! - f * A[c]![k]!
    }
  }
  const b = A.map((row, i) => row[P]! / row[i]!)
  const variance = (e: number[]): number => {
    const mean = e.reduce((a, x) => a + x, 0) / n
    return (n / (n - 1)) * e.reduce((a, x) => a + (x - mean) ** 2, 0)
  }
  const eRaked = rows.map((r, i) => r.w * (v[i]! - X[i]!.reduce((a, x, j) => a + x * b[j]!, 0)))
  const ePlain = rows.map((r, i) => r.w * v[i]!)
  return { p, seWeightsOnly: Math.sqrt(variance(ePlain)), seRaked: Math.sqrt(variance(eRaked)) }
}

describe('rake', () => {
  const cells = [
    { rakingCell: ['a1', 'b1'], count: 30 },
    { rakingCell: ['a1', 'b2'], count: 10 },
    { rakingCell: ['a2', 'b1'], count: 20 },
    { rakingCell: ['a2', 'b2'], count: 40 },
  ]
  const margins = { A: { a1: 500, a2: 500 }, B: { b1: 300, b2: 700 } }

  it('meets the margins and reports passes and convergence', () => {
    const r = rake(cells, ['A', 'B'], margins)
    expect(r.converged).toBe(true)
    expect(r.passes).toBeGreaterThan(1)
    expect(r.epsilonAbsolute).toBeCloseTo(1e-10 * 100, 20)
    expect(r.maxAbsMarginError).toBeLessThan(1e-6)
    expectClose(r.margins.B!.b2!.weighted_total, 700, 1e-9)
    expect(r.margins.A!.a1!.sample_n).toBe(40)
  })
  it('reports non-convergence when the pass limit is reached', () => {
    const r = rake(cells, ['A', 'B'], margins, { maxPasses: 2, epsilon: 1e-14 })
    expect(r.converged).toBe(false)
    expect(r.passes).toBe(2)
    expect(r.warnings).toContain('raking did not converge after 2 passes')
  })
  it('refuses a population level with no respondents (empty population cell)', () => {
    expect(() => rake(cells, ['A', 'B'], { A: { a1: 400, a2: 400, a3: 200 }, B: margins.B })).toThrow(
      'rake: population level "a3" of A has no respondents, so the margin cannot be met',
    )
  })
  it('refuses a sample level absent from the population', () => {
    expect(() => rake(cells, ['A', 'B'], { A: { a1: 1000 }, B: margins.B })).toThrow(
      'rake: sample level "a2" of A is absent from the population margins',
    )
  })
  it('caps weights inside the passes', () => {
    const skew = [
      { rakingCell: ['a1'], count: 95 },
      { rakingCell: ['a2'], count: 5 },
    ]
    const free = rake(skew, ['A'], { A: { a1: 500, a2: 500 } })
    expect(Math.max(...free.weights) / 10).toBeGreaterThan(5) // mean weight is 10
    const capped = rake(skew, ['A'], { A: { a1: 500, a2: 500 } }, { cap: 3, maxPasses: 50 })
    expect(Math.max(...capped.weights)).toBeLessThanOrEqual(3 * 10 + 1e-9)
    expect(capped.nCapped).toBe(5)
    expect(capWeights([1, 1, 10], [1, 1, 1], 2)).toEqual({ weights: [1, 1, 8], nCapped: 1 })
    expect(() => capWeights([1], [1], 1)).toThrow(/capWeights/)
  })
})

describe('Kish and weight summary', () => {
  it('computes ess, deff and the summary from cells', () => {
    const k = kishEffectiveSampleSize([
      { count: 2, weight: 1 },
      { count: 2, weight: 3 },
    ])
    expect(k).toEqual({ n: 4, sum_w: 8, sum_w2: 20, ess: 3.2, deff: 1.25 })
    expect(kishEffectiveSampleSize([]).ess).toBeNull()
    const s = weightSummary([
      { count: 3, weight: 1 },
      { count: 1, weight: 5 },
    ])
    expect(s.median).toBe(1)
    expect(s.max_over_min).toBe(5)
    expect(
      weightSummary([
        { count: 2, weight: 1 },
        { count: 2, weight: 3 },
      ]).median,
    ).toBe(2)
    expect(
      weightSummary([
        { count: 1, weight: 100 },
        { count: 20, weight: 1 },
      ]).n_over_10x_mean,
    ).toBe(1)
  })
})

describe('weighted proportion: aggregate path = row path', () => {
  const config = parseAnalysisConfig(JSON.parse(readFileSync(join(fixture, 'analysis.json'), 'utf8')))
  const population = JSON.parse(readFileSync(join(fixture, 'population.json'), 'utf8')) as {
    margins: Record<string, Record<string, number>>
  }
  const rows = readResponsesCsv(readFileSync(join(fixture, 'responses.csv'), 'utf8'), config)
  const rWeights = new Map(
    readFileSync(join(fixture, 'weights.csv'), 'utf8')
      .trim()
      .split(/\r\n/)
      .slice(1)
      .map((l) => {
        const [id, w] = l.split(',')
        return [id!, Number(w)] as const
      }),
  )
  const agg = countAggregatesFromRows(rows, config)
  const raked = rake(agg.cells, config.raking!.variables, population.margins, {
    epsilon: 1e-10,
    maxPasses: 1000,
  })
  const levels = config.raking!.variables.map((v) => Object.keys(population.margins[v]!))
  const design = createSurveyDesign(
    agg.cells.map((c, i) => ({
      levels: c.rakingCell.map((l, v) => levels[v]!.indexOf(l)),
      count: c.count,
      weight: raked.weights[i]!,
    })),
    levels.map((l) => l.length),
  )
  const cellOf = new Map(agg.cells.map((c, i) => [c.rakingCell.join('|'), i]))

  for (const [rating, by, group] of [
    ['overall', 'channel', 'letter'],
    ['timeliness', 'gender', 'other_or_prefer_not'],
    ['access', 'all', 'all'],
  ] as const) {
    it(`${rating} / ${by} = ${group}: both SEs agree with rows × R weights`, () => {
      const ref = rowLevelSe(
        rows.map((r: ResponseRow) => ({
          w: rWeights.get(String(r.respondent_id))!,
          inDomain: by === 'all' || r[by] === group,
          y: r[rating] === '' ? null : Number(r[rating]) >= 4 ? 1 : 0,
          levels: config.raking!.variables.map((v, k) => levels[k]!.indexOf(String(r[v]))),
        })),
        levels.map((l) => l.length),
      )
      const sat = new Float64Array(agg.cells.length)
      const not = new Float64Array(agg.cells.length)
      for (const t of agg.tallies) {
        if (t.rating !== rating || t.by !== by || t.group !== group || t.value === null) continue
        const c = cellOf.get(t.rakingCell.join('|'))!
        if (t.value >= 4) sat[c] = sat[c]! + t.count
        else not[c] = not[c]! + t.count
      }
      const wp = weightedProportion(design, sat, not)
      expectClose(wp.p_satisfied, ref.p, 1e-12)
      expectClose(wp.se_weights_only, ref.seWeightsOnly, 1e-9)
      expectClose(wp.se_raked, ref.seRaked, 1e-9)
      // and with the oracle
      const oracle = JSON.parse(readFileSync(join(fixture, 'results.json'), 'utf8')) as {
        weighted: Record<
          string,
          Record<string, Record<string, { se_raked: number; se_weights_only: number }>>
        >
      }
      expectClose(ref.seRaked, oracle.weighted[rating]![by]![group]!.se_raked, 1e-9)
    })
  }

  it("a group whose every answer is satisfied has p = 1 and SE ~ 0; all don't know gives nulls", () => {
    const C = agg.cells.length
    const sat = new Float64Array(C)
    sat[0] = 12
    sat[1] = 3
    const all = weightedProportion(design, sat, new Float64Array(C))
    expectClose(all.p_satisfied, 1, 0, 1e-12)
    expectClose(all.se_raked, 0, 0, 1e-12)
    expectClose(all.se_weights_only, 0, 0, 1e-12)
    const none = weightedProportion(design, new Float64Array(C), new Float64Array(C))
    expect(none).toEqual({
      n_valid: 0,
      sum_weights_valid: 0,
      p_satisfied: null,
      se_raked: null,
      se_weights_only: null,
    })
    expect(() => weightedProportion(design, [1], [1])).toThrow(/weightedProportion/)
  })

  it('Rao-Scott is computed when a table cell is empty (as R; checked against R in weighted-contrasts.test.ts)', () => {
    const C = agg.cells.length
    const full = new Float64Array(C).fill(1)
    const r = raoScottTest(design, [
      [full, full],
      [full, new Float64Array(C)],
    ])
    expect(r.F.warnings).toEqual([])
    expect(r.F.statistic).toBeGreaterThan(0)
    expect(r.F.p_value).toBeGreaterThan(0)
    expect(r.F.p_value).toBeLessThan(1)
    expect(r.chisq.p_value).toBeGreaterThan(0)
  })

  it("satisfaction table: single group segment, all don't know, group all satisfied", () => {
    const small = parseAnalysisConfig({
      ...config,
      ratings: ['overall', 'delivery'],
      drivers: [],
      segments: ['region', 'team'],
      sampleSize: undefined,
    })
    const mk = (i: number): ResponseRow => ({
      respondent_id: `R${i}`,
      wave: '2026',
      region: 'north',
      team: i < 12 ? 'A' : 'B',
      age_band: i % 2 ? '16-34' : '35-54',
      gender: i % 3 ? 'man' : 'woman',
      overall: i < 12 ? '5' : String((i % 5) + 1),
      delivery: '',
    })
    const a = countAggregatesFromRows(
      Array.from({ length: 60 }, (_, i) => mk(i)),
      small,
    )
    const t = satisfactionTable(a, { scale: small.scale })
    expect(Object.keys(t.cells.overall!.region!)).toEqual(['north'])
    expect(t.tests.overall!.region!.pearson_chisq).toBeNull() // one group: no test
    expect(t.cells.overall!.region!.north!.vs_rest!.p_value).toBeNull() // empty rest
    const dk = t.cells.delivery!.all!.all!
    expect(dk.unweighted.n_valid).toBe(0)
    expect(dk.unweighted.wilson95).toEqual({ lower: null, upper: null })
    const teamA = t.cells.overall!.team!.A!
    expect(teamA.unweighted.p_satisfied).toBe(1)
    expect(teamA.unweighted.wilson95.upper).toBe(1)
  })
})

describe('trend wording check', () => {
  it('warns when the question wording differs between the two waves', async () => {
    const { analyse } = await import('../../analysis/analyse')
    const config = parseAnalysisConfig({
      id: 'id',
      wave: 'wave',
      ratings: ['overall'],
      overall: 'overall',
      drivers: [],
      segments: ['team'],
      scale: { satisfied: [4, 5], neither: [3], dissatisfied: [1, 2] },
    })
    const rows = Array.from({ length: 40 }, (_, i) => ({
      id: `R${i}`,
      wave: i < 20 ? '2025' : '2026',
      team: i % 2 ? 'A' : 'B',
      overall: String((i % 5) + 1),
    }))
    const agg = countAggregatesFromRows(rows, config)
    const same = analyse(
      { ...agg, wording: { overall: { '2025': 'How satisfied?', '2026': 'How satisfied? ' } } },
      config,
    )
    expect((same.trend.overall!.latest_vs_previous as { warnings: string[] }).warnings).toEqual([])
    const changed = analyse(
      { ...agg, wording: { overall: { '2025': 'How satisfied?', '2026': 'Overall, how satisfied?' } } },
      config,
    )
    expect((changed.trend.overall!.latest_vs_previous as { warnings: string[] }).warnings).toEqual([
      'question wording of overall differs between waves 2025 and 2026',
    ])
    expect(changed.weighted).toBeNull()
    expect(changed.key_drivers).toBeNull()
  })
})
