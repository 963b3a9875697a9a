import { readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { linearRegression, sampleCorrelation } from 'simple-statistics'
import { describe, expect, it } from 'vitest'
import { countAggregatesFromRows } from '../../analysis/count-aggregates-from-rows'
import { driverMoments } from '../../analysis/driver-moments'
import { jacobiEigen } from '../../analysis/jacobi-eigen'
import { keyDriverAnalysis } from '../../analysis/key-driver-analysis'
import { lmgShapley } from '../../analysis/lmg-shapley'
import { olsFromMoments } from '../../analysis/ols-from-moments'
import { parseAnalysisConfig } from '../../analysis/parse-analysis-config'
import { readResponsesCsv } from '../../analysis/read-responses-csv'
import { relativeWeights } from '../../analysis/relative-weights'
import { expectClose } from './helpers'

const fixture = resolve(__dirname, '../fixtures/oracle-public')

function midRanks(xs: number[]): number[] {
  const order = xs.map((x, i) => [x, i] as const).sort((a, b) => a[0] - b[0])
  const ranks = new Array<number>(xs.length)
  for (let i = 0; i < order.length; ) {
    let j = i
    while (j + 1 < order.length && order[j + 1]![0] === order[i]![0]) j++
    for (let k = i; k <= j; k++) ranks[order[k]![1]] = (i + j) / 2 + 1
    i = j + 1
  }
  return ranks
}

describe('key drivers: pairwise counts = rows', () => {
  const config = parseAnalysisConfig(JSON.parse(readFileSync(join(fixture, 'analysis.json'), 'utf8')))
  const rows = readResponsesCsv(readFileSync(join(fixture, 'responses.csv'), 'utf8'), config)
  const agg = countAggregatesFromRows(rows, config)
  const vars = [config.overall, ...config.drivers]
  const complete = rows.filter((r) => r.wave === '2026' && vars.every((v) => r[v] !== ''))
  const col = (v: string): number[] => complete.map((r) => Number(r[v]))

  it('finds the oracle complete cases', () => {
    expect(agg.keyDrivers!.nWave).toBe(999)
    expect(complete.length).toBe(567)
    expect(driverMoments(agg.keyDrivers!.pairs, vars).n).toBe(567)
  })
  it('Pearson and Spearman from counts equal the row computation (simple-statistics)', () => {
    const k = keyDriverAnalysis(agg.keyDrivers!)
    for (const d of config.drivers) {
      expectClose(k.correlations[d]!.pearson, sampleCorrelation(col(d), col('overall')), 1e-12)
      expectClose(
        k.correlations[d]!.spearman,
        sampleCorrelation(midRanks(col(d)), midRanks(col('overall'))),
        1e-12,
      )
    }
  })
  it('one-predictor OLS from moments equals simple-statistics linearRegression on rows', () => {
    const m = driverMoments(agg.keyDrivers!.pairs, vars)
    const fit = olsFromMoments(m.n, m.means, m.sscp, m.variables, 0, [1])
    const lr = linearRegression(complete.map((r) => [Number(r.delivery), Number(r.overall)]))
    expectClose(fit.coefficients.delivery!.estimate, lr.m, 1e-12)
    expectClose(fit.coefficients['(Intercept)']!.estimate, lr.b, 1e-12)
    expectClose(fit.r_squared, sampleCorrelation(col('delivery'), col('overall')) ** 2, 1e-12)
    expect(() => olsFromMoments(2, m.means, m.sscp, m.variables, 0, [1, 2])).toThrow(/olsFromMoments/)
  })
})

describe('linear algebra and importance', () => {
  it('Jacobi eigen decomposes a symmetric matrix (A V = V Λ, orthonormal V)', () => {
    const a = [
      [4, 1, 0.5],
      [1, 3, 0.2],
      [0.5, 0.2, 1],
    ]
    const { values, vectors } = jacobiEigen(a)
    expect(values[0]).toBeGreaterThan(values[1]!)
    for (let k = 0; k < 3; k++) {
      for (let i = 0; i < 3; i++) {
        const av = a[i]!.reduce((acc, x, j) => acc + x * vectors[j]![k]!, 0)
        expectClose(av, values[k]! * vectors[i]![k]!, 1e-12, 1e-13)
      }
    }
    expectClose(
      values.reduce((x, y) => x + y, 0),
      8,
      1e-14,
    )
    const two = jacobiEigen([
      [2, 1],
      [1, 2],
    ]).values
    expectClose(two[0], 3, 1e-15)
    expectClose(two[1], 1, 1e-15)
    expect(() =>
      jacobiEigen([
        [1, 2],
        [0, 1],
      ]),
    ).toThrow(/symmetric/)
  })
  it('uncorrelated predictors: relative weights = LMG = r²', () => {
    const rxx = [
      [1, 0],
      [0, 1],
    ]
    const rw = relativeWeights(rxx, [0.5, 0.3])
    const lmg = lmgShapley(rxx, [0.5, 0.3])
    expectClose(rw.raw[0], 0.25, 1e-14)
    expectClose(lmg.raw[1], 0.09, 1e-14)
    expectClose(lmg.sum_raw, 0.34, 1e-14)
  })
  it('correlated predictors: shares sum to R², and LMG differs from relative weights', () => {
    const rxx = [
      [1, 0.6, 0.3],
      [0.6, 1, 0.2],
      [0.3, 0.2, 1],
    ]
    const rxy = [0.7, 0.5, 0.4]
    const rw = relativeWeights(rxx, rxy)
    const lmg = lmgShapley(rxx, rxy)
    expectClose(rw.sum_raw, lmg.sum_raw, 1e-12)
    expectClose(
      lmg.raw.reduce((a, b) => a + b, 0),
      lmg.subsetRSquared[7]!,
      1e-12,
    )
    expect(Math.abs(rw.raw[0]! - lmg.raw[0]!)).toBeGreaterThan(1e-6)
    expect(() =>
      relativeWeights(
        [
          [1, 1],
          [1, 1],
        ],
        [0.5, 0.5],
      ),
    ).toThrow(/singular/)
  })
})
