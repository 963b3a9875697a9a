import { describe, expect, it } from 'vitest'
import { codeRating } from '../../analysis/code-rating'
import { finitePopulationFactor } from '../../analysis/finite-population-factor'
import { normalMargin } from '../../analysis/normal-margin'
import { pAdjustBh } from '../../analysis/p-adjust-bh'
import { pAdjustHolm } from '../../analysis/p-adjust-holm'
import { pearsonChiSquare } from '../../analysis/pearson-chi-square'
import { sampleSize } from '../../analysis/sample-size'
import { summariseRatings } from '../../analysis/summarise-ratings'
import { twoProportionTest } from '../../analysis/two-proportion-test'
import { wilsonInterval } from '../../analysis/wilson-interval'
import { expectClose } from './helpers'

const scale = { satisfied: [4, 5], neither: [3], dissatisfied: [1, 2] }

describe('codeRating and summariseRatings', () => {
  it("codes the 5-point scale and don't know", () => {
    expect([1, 2, 3, 4, 5, null].map((v) => codeRating(v, scale))).toEqual([
      'dissatisfied',
      'dissatisfied',
      'neither',
      'satisfied',
      'satisfied',
      'dont_know',
    ])
    expect(() => codeRating(6, scale)).toThrow(/codeRating: rating 6 is outside the scale/)
  })
  it('supports a configurable scale (7 points)', () => {
    const seven = { satisfied: [5, 6, 7], neither: [4], dissatisfied: [1, 2, 3] }
    expect(codeRating(5, seven)).toBe('satisfied')
    expect(codeRating(3, seven)).toBe('dissatisfied')
  })
  it("summarises counts: proportions, net, mean; don't know outside the base", () => {
    const s = summariseRatings(
      [
        { value: 5, count: 3 },
        { value: 2, count: 1 },
        { value: null, count: 2 },
      ],
      scale,
    )
    expect(s).toEqual({
      n_rows: 6,
      n_valid: 4,
      n_satisfied: 3,
      n_neither: 0,
      n_dissatisfied: 1,
      p_satisfied: 0.75,
      p_dissatisfied: 0.25,
      net: 0.5,
      mean_score: 17 / 4,
    })
  })
  it("n = 0 and all don't know give nulls, not NaN", () => {
    expect(summariseRatings([], scale).p_satisfied).toBeNull()
    const dk = summariseRatings([{ value: null, count: 7 }], scale)
    expect(dk.n_rows).toBe(7)
    expect(dk.n_valid).toBe(0)
    expect([dk.p_satisfied, dk.net, dk.mean_score]).toEqual([null, null, null])
  })
})

describe('wilsonInterval', () => {
  it('matches R prop.test(correct = FALSE) at 90/95/99% (oracle overall all/all)', () => {
    const w = wilsonInterval(1318, 1766)
    expectClose(w.lower, 0.725506129746882, 1e-12)
    expectClose(w.upper, 0.766063324490963, 1e-12)
    expectClose(wilsonInterval(1318, 1766, 0.9).lower, 0.7289205249805718, 1e-12)
    expectClose(wilsonInterval(1318, 1766, 0.99).upper, 0.7720336943199735, 1e-12)
  })
  it('is exactly 0 at p = 0 and exactly 1 at p = 1, as R', () => {
    expect(wilsonInterval(0, 20).lower).toBe(0)
    expect(wilsonInterval(20, 20).upper).toBe(1)
    expect(wilsonInterval(0, 20).upper).toBeGreaterThan(0.1)
    expect(wilsonInterval(20, 20).lower).toBeLessThan(0.9)
  })
  it('n = 0 gives nulls; bad input throws naming the function', () => {
    expect(wilsonInterval(0, 0)).toEqual({ lower: null, upper: null })
    expect(() => wilsonInterval(5, 3)).toThrow(/^wilsonInterval:/)
    expect(() => wilsonInterval(1, 2.5)).toThrow(/wilsonInterval: n must be a non-negative integer/)
    expect(() => wilsonInterval(1, 2, 1)).toThrow(/wilsonInterval/)
  })
})

describe('normal margin, finite-population factor, sample size', () => {
  it('reproduce the oracle closed forms', () => {
    const p = 1318 / 1766
    expectClose(normalMargin(p, 1766), 0.020293956943494323, 1e-13)
    expectClose(finitePopulationFactor(48000, 1766), 0.9814420006254465, 1e-14)
    expect(normalMargin(0, 10)).toBe(0)
    expect(normalMargin(1, 10)).toBe(0)
    expect(finitePopulationFactor(100, 100)).toBe(0)
    expect(() => normalMargin(0.5, 0)).toThrow(/normalMargin/)
    expect(() => finitePopulationFactor(1, 0)).toThrow(/finitePopulationFactor/)
  })
  it('plans samples as R (oracle sample_size rows)', () => {
    const z = 1.9599639845400536
    expectClose(sampleSize(0.03, 500, z).n, 340.6841979257978, 1e-13)
    expect(sampleSize(0.05, 48000, z).n_ceiling).toBe(382)
    const inf = sampleSize(0.05, null, z)
    expect(inf.n).toBe(inf.n0)
    expect(inf.n_ceiling).toBe(385)
    expect(() => sampleSize(0, 10, z)).toThrow(/sampleSize/)
  })
})

describe('two-proportion test and Pearson chi-square', () => {
  it('matches R prop.test for the trend (oracle overall latest vs previous)', () => {
    const t = twoProportionTest(755, 983, 563, 783)
    expectClose(t.statistic, 5.533421097024753, 1e-12)
    expectClose(t.p_value, 0.018656592127208712, 1e-11)
    expectClose(t.ci.lower, 0.007950480132170923, 1e-11)
    expectClose(t.ci.upper, 0.09010470839202511, 1e-11)
    expect(t.warnings).toEqual([])
  })
  it('warns on small expected counts and handles p = 0 / 1 and empty samples', () => {
    expect(twoProportionTest(2, 4, 1, 5).warnings).toEqual(['Chi-squared approximation may be incorrect'])
    const allSat = twoProportionTest(10, 10, 20, 20)
    expect(allSat.statistic).toBeNull()
    expect(allSat.difference).toBe(0)
    const empty = twoProportionTest(0, 0, 3, 5)
    expect(empty.p_value).toBeNull()
    expect(empty.p2).toBe(0.6)
    // group all satisfied against a mixed rest still gives a test
    const g = twoProportionTest(30, 30, 60, 100)
    expect(g.p_value).toBeGreaterThan(0)
    expect(g.ci.upper).toBeLessThanOrEqual(1)
  })
  it('Pearson chi-square matches R chisq.test (oracle channel)', () => {
    const r = pearsonChiSquare([
      [477, 154],
      [526, 180],
      [200, 46],
      [115, 68],
    ])
    expectClose(r.statistic, 19.53024807228083, 1e-12)
    expect(r.df).toBe(3)
    expectClose(r.p_value, 0.00021236902433100212, 1e-11)
    expect(
      pearsonChiSquare([
        [3, 1],
        [1, 3],
      ]).warnings,
    ).toHaveLength(1)
    expect(
      pearsonChiSquare([
        [5, 0],
        [7, 0],
      ]).statistic,
    ).toBeNull()
    expect(() => pearsonChiSquare([[1, 2]])).toThrow(/pearsonChiSquare/)
  })
})

describe('p-value adjustment', () => {
  it('Holm and BH match R p.adjust (oracle channel vs_rest)', () => {
    const p = [0.4882999402827777, 0.9198333377409669, 0.009566372906754118, 0.00010807297273484061]
    const holm = pAdjustHolm(p)
    const bh = pAdjustBh(p)
    expectClose(holm[0], 0.9765998805655554, 1e-14)
    expectClose(holm[2], 0.028699118720262352, 1e-14)
    expectClose(bh[0], 0.6510665870437036, 1e-14)
    expectClose(bh[3], 0.00043229189093936245, 1e-14)
    expect(pAdjustHolm([0.01, 0.04, 0.03])).toEqual([0.03, 0.06, 0.06])
  })
  it('keeps nulls out of m, and caps at 1', () => {
    expect(pAdjustHolm([0.2, null, 0.6])).toEqual([0.4, null, 0.6])
    expect(pAdjustBh([null, 0.5])).toEqual([null, 0.5])
    expect(pAdjustHolm([0.9, 0.8])).toEqual([1, 1])
    expect(pAdjustBh([])).toEqual([])
  })
})

describe('judgeTarget', () => {
  it('judges on the interval: met, below target, not demonstrably different', async () => {
    const { judgeTarget } = await import('../../analysis/judge-target')
    expect(judgeTarget({ lower: 0.7255, upper: 0.7661 }, 0.7)).toBe('met')
    expect(judgeTarget({ lower: 0.7255, upper: 0.7661 }, 0.7255)).toBe('met')
    expect(judgeTarget({ lower: 0.7255, upper: 0.7661 }, 0.8)).toBe('below_target')
    expect(judgeTarget({ lower: 0.7255, upper: 0.7661 }, 0.75)).toBe('not_demonstrably_different')
    expect(judgeTarget({ lower: null, upper: null }, 0.75)).toBeNull()
    expect(() => judgeTarget({ lower: 0, upper: 1 }, 75)).toThrow(/judgeTarget/)
  })
})
