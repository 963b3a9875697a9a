import { describe, expect, it } from 'vitest'
import { chiSquareUpperTail } from '../../analysis/chi-square-upper-tail'
import { fUpperTail } from '../../analysis/f-upper-tail'
import { logBeta } from '../../analysis/log-beta'
import { logGamma } from '../../analysis/log-gamma'
import { normalQuantile } from '../../analysis/normal-quantile'
import { regularizedBeta } from '../../analysis/regularized-beta'
import { regularizedGamma } from '../../analysis/regularized-gamma'
import { tTwoSidedP } from '../../analysis/t-two-sided-p'
import { expectClose } from './helpers'

// Reference values: R where stated (oracle), otherwise mpmath at 40 digits / scipy.
describe('normalQuantile (AS 241)', () => {
  it('matches R and high-precision values', () => {
    expectClose(normalQuantile(0.975), 1.9599639845400536, 1e-15) // R qnorm(0.975), oracle sample_size.z
    expectClose(normalQuantile(0.3), -0.5244005127080408, 1e-15)
    expectClose(normalQuantile(1e-10), -6.361340902404057, 1e-15)
    expectClose(normalQuantile(1e-300), -37.0470962993612, 1e-14)
    expect(normalQuantile(0.5)).toBe(0)
    expect(normalQuantile(0)).toBe(-Infinity)
    expect(normalQuantile(1)).toBe(Infinity)
    expectClose(normalQuantile(0.025), -normalQuantile(0.975), 1e-15)
  })
  it('rejects p outside [0, 1]', () => {
    expect(() => normalQuantile(1.5)).toThrow(/normalQuantile/)
    expect(() => normalQuantile(Number.NaN)).toThrow(/normalQuantile/)
  })
})

describe('log gamma / log beta', () => {
  it('matches mpmath', () => {
    expectClose(logGamma(0.5), 0.5723649429247001, 1e-14)
    expectClose(logGamma(3.7), 1.428072326665388, 1e-14)
    expectClose(logGamma(2694.5), 18586.23859274475, 1e-15)
    expectClose(logGamma(1e-3), 6.907178885383853, 1e-14)
    expectClose(logBeta(0.5, 0.5), Math.log(Math.PI), 1e-14)
    expectClose(logBeta(2694, 1.5), logGamma(2694) + logGamma(1.5) - logGamma(2695.5), 1e-9)
    expect(() => logGamma(0)).toThrow(/logGamma/)
  })
})

describe('incomplete beta and gamma', () => {
  it('matches mpmath, including tiny tails', () => {
    expectClose(regularizedBeta(0.5, 2, 3), 0.6875, 1e-14)
    expectClose(regularizedBeta(0.7, 280, 0.5), 2.598710436920609e-45, 1e-11)
    expectClose(regularizedBeta(0.999, 0.5, 0.5, true), 0.0201350416333775, 1e-12)
    expectClose(regularizedGamma(2.5, 1.3), 0.2386347321549861, 1e-13)
    expectClose(regularizedGamma(10, 40, true), 3.925932226286188e-9, 1e-12)
    expect(regularizedGamma(2, 0)).toBe(0)
    expect(regularizedBeta(0, 2, 3)).toBe(0)
    expect(regularizedBeta(1, 2, 3)).toBe(1)
  })
})

describe('p-values', () => {
  it('chi-square upper tail matches R / mpmath', () => {
    expectClose(chiSquareUpperTail(3.841458820694124, 1), 0.05, 1e-13)
    expectClose(chiSquareUpperTail(200, 3), 4.2185411071920426e-43, 1e-11)
    expectClose(chiSquareUpperTail(0.5, 10), 0.999993388289439, 1e-13)
    expectClose(chiSquareUpperTail(30, 2.5), 6.747491852005865e-7, 1e-11)
    // R, oracle group_tests.service.pearson_chisq
    expectClose(chiSquareUpperTail(137.05876623516485, 3), 1.6277782338824647e-29, 1e-11)
    expect(chiSquareUpperTail(0, 3)).toBe(1)
  })
  it('F upper tail matches R (fractional df, Rao-Scott) and scipy', () => {
    expectClose(fUpperTail(4, 2, 10), 0.052922149401344654, 1e-12)
    expectClose(fUpperTail(50, 3, 5000), 7.824132711029066e-32, 1e-10)
    expectClose(fUpperTail(0.2, 7.5, 30.2), 0.9861580184622076, 1e-12)
    expectClose(
      fUpperTail(30.429818063303617, 2.989773894477711, 5378.603236165402),
      1.9215415870971406e-19,
      1e-10,
    )
  })
  it('two-sided t p-value matches R summary.lm and scipy', () => {
    expectClose(tTwoSidedP(2.2281388519649385, 10), 0.05000000000180864, 1e-12)
    expectClose(tTwoSidedP(20, 560), 1.4906814746427408e-67, 1e-10)
    expectClose(tTwoSidedP(-0.1, 3), 0.9266523488008059, 1e-12)
    expectClose(tTwoSidedP(14.054351200605469, 560), 1.1992391773248435e-38, 1e-10)
  })
})
