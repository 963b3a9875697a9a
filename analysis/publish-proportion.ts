import { wilsonInterval } from './wilson-interval'

/** A proportion and its interval as published: rounded to the publication step. */
export interface PublishedProportion {
  p: number | null
  lower: number | null
  upper: number | null
}

/**
 * Rounds a proportion to a publication step (0.01 = whole percent, 0.05, 0.1), as every published output shows
 * it (docs/methodology.md, "What is published").
 *
 * Definition: round(v / step) × step, halves rounded up, computed in whole percentage points so that the result
 * is an exact number of percent (0.57, never 0.5700000000000001).
 *
 * Reference: docs/decisions/013-disclosure-control.md (published precision is part of disclosure control).
 *
 * @param value proportion in [0, 1], or null.
 * @param step publication step: 0.01, 0.05 or 0.1.
 * @returns the rounded proportion, or null.
 * @example
 * roundToStep(0.5649, 0.01) // 0.56
 * roundToStep(0.5649, 0.05) // 0.55
 */
export function roundToStep(value: number | null, step: number): number | null {
  if (value === null || !Number.isFinite(value)) return null
  const points = Math.round(step * 100)
  if (!(points >= 1)) throw new Error('roundToStep: step must be at least 0.01')
  // 1e-9 absorbs floating error so that 28.5 / 100 rounds the way 28.5 does.
  return (Math.floor((value * 100) / points + 0.5 + 1e-9) * points) / 100
}

/**
 * The published form of an unweighted proportion x/n with its Wilson interval, at a publication step.
 *
 * Definition: p = x / n, [lower, upper] = Wilson score interval at `level` (analysis/wilson-interval.ts), each
 * rounded with {@link roundToStep}. It is monotone in x for fixed n, which the disclosure check relies on.
 *
 * Reference: docs/methodology.md, "What is published".
 *
 * @param x satisfied count.
 * @param n valid base.
 * @param level confidence level of the interval.
 * @param step publication step.
 * @returns the published proportion and interval (nulls when n = 0).
 * @example
 * publishProportion(45, 80, 0.95, 0.01) // { p: 0.56, lower: 0.45, upper: 0.67 }
 */
export function publishProportion(x: number, n: number, level: number, step: number): PublishedProportion {
  if (n === 0) return { p: null, lower: null, upper: null }
  const w = wilsonInterval(x, n, level)
  return {
    p: roundToStep(x / n, step),
    lower: roundToStep(w.lower, step),
    upper: roundToStep(w.upper, step),
  }
}
