import { normalQuantile } from './normal-quantile'
import type { AnalysisConfig } from './parse-analysis-config'
import { sampleSize } from './sample-size'

/** The sample-size planner's table in the oracle's `sample_size` layout. */
export interface SampleSizePlan {
  z: number
  confidence: number
  p: number
  formula: string
  rows: Array<{
    margin: number
    population: number | null
    population_label: string
    n0: number
    n0_ceiling: number
    n: number
    n_ceiling: number
  }>
}

/**
 * The sample needed for each margin of error and population size of the configuration's planner.
 *
 * Definition: n0 = z² p (1 − p) / e², n = n0 / (1 + (n0 − 1) / N) (n = n0 when N is infinite), z the normal
 * quantile of the configured confidence (analysis/sample-size.ts).
 *
 * Reference: Cochran (1977) Sampling Techniques §4.4; PRODUCT.md §4 "Sample-size planner".
 *
 * @param config the analysis configuration (its sampleSize section).
 * @returns the plan, or null when the configuration has no planner.
 * @example
 * sampleSizePlan(config)?.rows[0].n_ceiling
 */
export function sampleSizePlan(config: AnalysisConfig): SampleSizePlan | null {
  const plan = config.sampleSize
  if (!plan) return null
  const z = normalQuantile((1 + config.confidence) / 2)
  return {
    z,
    confidence: config.confidence,
    p: plan.p,
    formula: 'n0 = z^2 p (1-p) / e^2;  n = n0 / (1 + (n0 - 1)/N)  (n = n0 when N is infinite)',
    rows: plan.margins.flatMap((margin) =>
      plan.populations.map((N) => {
        const r = sampleSize(margin, N, z, plan.p)
        return {
          margin: r.margin,
          population: r.population,
          population_label: N === null ? 'infinite' : String(N),
          n0: r.n0,
          n0_ceiling: r.n0_ceiling,
          n: r.n,
          n_ceiling: r.n_ceiling,
        }
      }),
    ),
  }
}
