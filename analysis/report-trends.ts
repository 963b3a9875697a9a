import type { AnalysisAggregates } from './aggregates'
import type { ScaleCoding } from './code-rating'
import type { SurveyDesign } from './create-survey-design'
import type { ReportRow, TrendChange, TrendReport, WeightedTrendEstimate } from './insight-report-types'
import { judgeTarget } from './judge-target'
import { normalQuantile } from './normal-quantile'
import type { SatisfactionTable } from './satisfaction-table'
import { twoProportionTest } from './two-proportion-test'
import { weightedTrend } from './weighted-trend'
import { wilsonInterval } from './wilson-interval'

/** Inputs of {@link reportTrends}. */
export interface TrendInput {
  ratings: string[]
  ratingLabel: (rating: string) => string
  /** published wave rows, chronological */
  waves: ReportRow[]
  /** the published table (weighted when design is given) */
  table: SatisfactionTable
  /** the counts of that table (per raking cell, for the design-based contrast) */
  aggregates: AnalysisAggregates
  design: SurveyDesign | null
  scale: ScaleCoding
  confidence: number
  targets: Record<string, number>
  wording: Record<string, Record<string, string>>
}

/**
 * Trend and target judgement of every rating: the published figure of each wave, the latest wave against the
 * previous one, and the latest wave against the target.
 *
 * Definition: change = p(latest) − p(previous) in whole percentage points with its 95% interval and p-value —
 * under weighting the design-based contrast of the two wave domains in the raked design
 * (analysis/weighted-trend.ts, R: svycontrast on svyglm), otherwise the two-proportion test
 * (analysis/two-proportion-test.ts, R: prop.test without continuity correction). It is called an increase or a
 * decrease only when p < 0.05, otherwise "no clear change"; it is not shown when either wave is hidden.
 * Target: judged on the latest wave's interval at the report's confidence level (analysis/judge-target.ts),
 * from the exact interval, not the rounded one. A wording change between the two waves is warned about.
 *
 * Reference: PRODUCT.md §4 "Trends", "Targets"; docs/methodology.md.
 *
 * @param input see {@link TrendInput}.
 * @returns one trend per rating, with the exact weighted contrast kept for the estimates.
 * @example
 * reportTrends(input)[0].change?.verdict // 'no_clear_change'
 */
/** A difference of proportions in whole percentage points, halves away from zero, never −0. */
function wholePoints(d: number): number {
  const v = Math.sign(d) * Math.floor(Math.abs(d) * 100 + 0.5 + 1e-9)
  return v === 0 ? 0 : v
}

export function reportTrends(
  input: TrendInput,
): Array<TrendReport & { weightedEstimate: WeightedTrendEstimate | null }> {
  const { table, design, confidence } = input
  const z = normalQuantile((1 + confidence) / 2)
  const latestRow = input.waves.at(-1)
  const previousRow = input.waves.at(-2)
  const cellIndex = new Map(input.aggregates.cells.map((c, i) => [c.rakingCell.join('\u0001'), i]))
  const satisfied = new Set(input.scale.satisfied)
  const valid = new Set([...input.scale.satisfied, ...input.scale.neither, ...input.scale.dissatisfied])
  // The wave tallies, once (in their order, so every sum below adds in the same order as over all tallies).
  let waveTallies: AnalysisAggregates['tallies'] | null = null
  const perCell = (rating: string, wave: string) => {
    const C = input.aggregates.cells.length
    const sat = new Float64Array(C)
    const not = new Float64Array(C)
    waveTallies ??= input.aggregates.tallies.filter((t) => t.by === 'wave')
    for (const t of waveTallies) {
      if (
        t.rating !== rating ||
        t.group !== wave ||
        t.value === null ||
        !valid.has(t.value)
      )
        continue
      const c = cellIndex.get(t.rakingCell.join('\u0001'))
      if (c === undefined) continue
      if (satisfied.has(t.value)) sat[c] = sat[c]! + t.count
      else not[c] = not[c]! + t.count
    }
    return { sat, not }
  }
  return input.ratings.map((rating) => {
    const points = input.waves.map((row) => ({ wave: row.group, cell: row.cells[rating]! }))
    let change: TrendChange | null = null
    let weightedEstimate: WeightedTrendEstimate | null = null
    if (latestRow && previousRow) {
      const latest = latestRow.group
      const previous = previousRow.group
      const a = table.cells[rating]?.['wave']?.[latest]
      const b = table.cells[rating]?.['wave']?.[previous]
      const warnings: string[] = []
      const before = input.wording[rating]?.[previous]
      const after = input.wording[rating]?.[latest]
      if (before !== undefined && after !== undefined && before.trim() !== after.trim())
        warnings.push(
          `The wording of this question changed between ${previous} and ${latest}, so the change may not compare like with like.`,
        )
      let difference: number | null = null
      let lower: number | null = null
      let upper: number | null = null
      let pValue: number | null = null
      let method: TrendChange['method'] = 'two-proportion'
      if (design) {
        method = 'design-based'
        const x = perCell(rating, latest)
        const y = perCell(rating, previous)
        const c = weightedTrend(
          design,
          { satisfied: x.sat, notSatisfied: x.not },
          { satisfied: y.sat, notSatisfied: y.not },
        )
        weightedEstimate = {
          p_latest: c.p_latest,
          p_previous: c.p_previous,
          difference: c.difference,
          se_difference: c.se_difference,
          z: c.z,
          p_value: c.p_value,
          ci95: c.ci95,
        }
        difference = c.difference
        pValue = c.p_value
        lower = c.ci95.lower
        upper = c.ci95.upper
      } else if (a && b) {
        const t = twoProportionTest(
          a.unweighted.n_satisfied,
          a.unweighted.n_valid,
          b.unweighted.n_satisfied,
          b.unweighted.n_valid,
        )
        difference = t.difference
        lower = t.ci.lower
        upper = t.ci.upper
        pValue = t.p_value
        warnings.push(...t.warnings)
      }
      const shown =
        points.at(-1)?.cell.status !== 'suppressed' &&
        points.at(-2)?.cell.status !== 'suppressed' &&
        difference !== null
      if (shown) {
        const significant = pValue !== null && pValue < 0.05
        change = {
          latest,
          previous,
          method,
          // published like every percentage: to whole points (docs/decisions/013-disclosure-control.md)
          differencePoints: wholePoints(difference!),
          lowerPoints: lower === null ? null : wholePoints(lower),
          upperPoints: upper === null ? null : wholePoints(upper),
          pValue,
          significant,
          verdict: significant ? (difference! > 0 ? 'increase' : 'decrease') : 'no_clear_change',
          warnings,
        }
      }
    }
    const target = input.targets[rating] ?? null
    let targetVerdict: TrendReport['targetVerdict'] = null
    const lastWave = latestRow?.group ?? null
    if (target !== null && lastWave !== null && points.at(-1)?.cell.status !== 'suppressed') {
      const cell = table.cells[rating]?.['wave']?.[lastWave]
      if (cell) {
        let interval: { lower: number | null; upper: number | null }
        if (
          design &&
          cell.weighted &&
          cell.weighted.p_satisfied !== null &&
          cell.weighted.se_raked !== null
        ) {
          const p = cell.weighted.p_satisfied
          const se = cell.weighted.se_raked
          interval = { lower: Math.max(0, p - z * se), upper: Math.min(1, p + z * se) }
        } else interval = wilsonInterval(cell.unweighted.n_satisfied, cell.unweighted.n_valid, confidence)
        targetVerdict = judgeTarget(interval, target)
      }
    }
    return {
      rating,
      label: input.ratingLabel(rating),
      points,
      change,
      target,
      targetVerdict,
      targetWave: target !== null ? lastWave : null,
      weightedEstimate,
    }
  })
}
