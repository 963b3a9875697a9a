import type { AnalysisAggregates } from './aggregates'
import type { ScaleCoding } from './code-rating'
import type { SurveyDesign } from './create-survey-design'
import { kishEffectiveSampleSize } from './kish-effective-sample-size'
import { normalMargin } from './normal-margin'
import { normalQuantile } from './normal-quantile'
import { pAdjustBh } from './p-adjust-bh'
import { pAdjustHolm } from './p-adjust-holm'
import { pearsonChiSquare, type PearsonChiSquare } from './pearson-chi-square'
import { raoScottTest } from './rao-scott-test'
import { summariseRatings, type RatingSummary } from './summarise-ratings'
import { twoProportionTest } from './two-proportion-test'
import { weightedProportion, type WeightedProportion } from './weighted-proportion'
import { weightedVsRest, type WeightedVsRest } from './weighted-vs-rest'
import { wilsonInterval } from './wilson-interval'

type Interval = { lower: number | null; upper: number | null }

/** Options of {@link satisfactionTable}. */
export interface SatisfactionTableOptions {
  scale: ScaleCoding
  /** confidence level of `interval` (default 0.95); wilson95 and the *95 margins are always 95% */
  confidence?: number
  /** raked design whose cells are in `aggregates.cells` order; omit for an unweighted table */
  design?: SurveyDesign | null
  /** ratings to include (default all) */
  ratings?: string[]
  /** bys to include (default all: "all", "wave", segments) */
  bys?: string[]
  /** compute the segment tests (Pearson, Rao-Scott) — default true */
  tests?: boolean
}

/** One group against the rest of the sample (unweighted two-proportion test). */
export interface VsRest {
  n_group: number
  x_group: number
  n_rest: number
  x_rest: number
  p_group: number | null
  p_rest: number | null
  difference: number | null
  statistic: number | null
  p_value: number | null
  ci95: Interval
  warnings: string[]
  p_holm: number | null
  p_bh: number | null
}

/** One cell of the table: a rating in one group. */
export interface SatisfactionCell {
  unweighted: RatingSummary & {
    interval: Interval & { level: number }
    wilson95: Interval
    normal_margin95_z196: number | null
    normal_margin95_zexact: number | null
  }
  weighted:
    | (WeightedProportion & {
        margin95_raked: number | null
        margin95_weights_only: number | null
        /** Kish effective sample size of the respondents in the valid base (the same people as n_valid) */
        ess_valid: number | null
      })
    | null
  vs_rest: VsRest | null
  /** design-based group vs rest under the raked design (null without a design, and for "all") */
  weighted_vs_rest: WeightedVsRest | null
}

/** Tests across the groups of one segment for one rating. */
export interface SegmentTests {
  table: Record<string, { n_valid: number; n_satisfied: number; n_not_satisfied: number }>
  groups_dropped_no_valid: string[]
  pearson_chisq: PearsonChiSquare | null
  rao_scott_F: {
    statistic: number | null
    ndf: number | null
    ddf: number | null
    p_value: number | null
    warnings: string[]
  } | null
  rao_scott_chisq: { statistic: number | null; df: number; p_value: number | null } | null
}

/** The satisfaction table: cells[rating][by][group] and tests[rating][by]. */
export interface SatisfactionTable {
  ratings: string[]
  bys: string[]
  groups: Record<string, string[]>
  cells: Record<string, Record<string, Record<string, SatisfactionCell>>>
  tests: Record<string, Record<string, SegmentTests>>
}

/**
 * Full satisfaction table for ratings × segments from aggregates: counts, proportions, net, mean, Wilson
 * intervals and normal margins; when a raked design is given, weighted proportions with raked and
 * weights-only SEs, the Kish effective base of the valid answers, each group against the rest as a
 * design-based contrast and the Rao-Scott F; each group against the rest (unweighted) with Holm and BH
 * adjusted p-values; Pearson χ² across the groups. What may be published of each cell (small bases, suppression) is decided
 * afterwards, by analysis/publish-table.ts.
 *
 * Definitions: see {@link summariseRatings}, {@link wilsonInterval}, {@link weightedProportion},
 * {@link kishEffectiveSampleSize}, {@link weightedVsRest}, {@link twoProportionTest}, {@link pearsonChiSquare},
 * {@link raoScottTest}.
 * "Rest" = all respondents with a valid answer minus the group. This is the function the dashboard calls.
 *
 * Reference: PRODUCT.md §4.
 *
 * @param aggregates counts (see {@link AnalysisAggregates}).
 * @param options scale, confidence, design, selection, thresholds.
 * @returns the table.
 * @throws if a tally refers to a raking cell absent from `aggregates.cells` or a rating is off the scale.
 * @example
 * satisfactionTable(aggregates, { scale, design }).cells.overall.channel.phone.weighted.se_raked
 */
export function satisfactionTable(
  aggregates: AnalysisAggregates,
  options: SatisfactionTableOptions,
): SatisfactionTable {
  const scale = options.scale
  const level = options.confidence ?? 0.95
  const design = options.design ?? null
  const ratings = options.ratings ?? aggregates.ratings
  const bys = options.bys ?? aggregates.bys
  const runTests = options.tests ?? true
  const sep = '\u0001'
  const C = aggregates.cells.length
  if (design && design.cells.length !== C)
    throw new Error('satisfactionTable: the design must have one cell per aggregates cell')
  const cellIndex = new Map(aggregates.cells.map((c, i) => [c.rakingCell.join(sep), i]))
  // Tallies of one raking cell usually share its rakingCell array (db/queries/aggregates.ts makes them so):
  // the index by array identity saves a string join per tally; an unseen array falls back to the joined key.
  const cellOfArray = new Map<ReadonlyArray<string>, number | undefined>()
  const cellOf = (rakingCell: ReadonlyArray<string>): number | undefined => {
    if (cellOfArray.has(rakingCell)) return cellOfArray.get(rakingCell)
    const c = cellIndex.get(rakingCell.join(sep))
    cellOfArray.set(rakingCell, c)
    return c
  }
  const satisfiedSet = new Set(scale.satisfied)
  const validSet = new Set([...scale.satisfied, ...scale.neither, ...scale.dissatisfied])
  // groups in order of first appearance (waves in chronological order)
  const groups: Record<string, string[]> = {}
  const groupSets = new Map<string, Set<string>>()
  for (const by of bys) {
    groups[by] = by === 'wave' ? [...aggregates.waves] : by === 'all' ? ['all'] : []
    groupSets.set(by, new Set(groups[by]))
  }
  const addGroup = (by: string, group: string) => {
    const seen = groupSets.get(by)
    if (seen && !seen.has(group)) {
      seen.add(group)
      groups[by]!.push(group)
    }
  }
  for (const g of aggregates.groupCells) addGroup(g.by, g.group)
  for (const t of aggregates.tallies) addGroup(t.by, t.group)
  type Acc = { sat: Float64Array; not: Float64Array; values: Map<number | null, number> }
  // acc[rating][by][group]: nested maps, so that no key string is built per tally
  const acc = new Map<string, Map<string, Map<string, Acc>>>()
  const accOf = (rating: string, by: string, group: string): Acc | undefined =>
    acc.get(rating)?.get(by)?.get(group)
  const ratingSet = new Set(ratings)
  for (const t of aggregates.tallies) {
    // "all" is always accumulated: the rest of every group-vs-rest test is "all" minus the group
    if (!ratingSet.has(t.rating) || (!(t.by in groups) && t.by !== 'all')) continue
    let byRating = acc.get(t.rating)
    if (!byRating) acc.set(t.rating, (byRating = new Map()))
    let byBy = byRating.get(t.by)
    if (!byBy) byRating.set(t.by, (byBy = new Map()))
    let a = byBy.get(t.group)
    if (!a) {
      a = { sat: new Float64Array(C), not: new Float64Array(C), values: new Map() }
      byBy.set(t.group, a)
    }
    a.values.set(t.value, (a.values.get(t.value) ?? 0) + t.count)
    if (t.value === null) continue
    if (!validSet.has(t.value))
      throw new Error(`satisfactionTable: rating ${t.rating} value ${t.value} is outside the scale`)
    const c = cellOf(t.rakingCell)
    if (c === undefined)
      throw new Error(`satisfactionTable: raking cell ${t.rakingCell.join(' x ')} is not in aggregates.cells`)
    if (satisfiedSet.has(t.value)) a.sat[c] = a.sat[c]! + t.count
    else a.not[c] = a.not[c]! + t.count
  }
  const empty = (): Acc => ({ sat: new Float64Array(C), not: new Float64Array(C), values: new Map() })
  const zExact = normalQuantile(0.975)
  const cells: SatisfactionTable['cells'] = {}
  const tests: SatisfactionTable['tests'] = {}
  for (const rating of ratings) {
    cells[rating] = {}
    tests[rating] = {}
    const allAcc = accOf(rating, 'all', 'all') ?? empty()
    const allSummary = summariseRatings(
      [...allAcc.values].map(([value, count]) => ({ value, count })),
      scale,
    )
    for (const by of bys) {
      const out: Record<string, SatisfactionCell> = {}
      const list = groups[by]!
      const summaries = list.map((group) => {
        const a = accOf(rating, by, group) ?? empty()
        return {
          group,
          a,
          s: summariseRatings(
            [...a.values].map(([value, count]) => ({ value, count })),
            scale,
          ),
        }
      })
      const vsRest: Array<VsRest | null> = summaries.map(({ s }) => {
        if (by === 'all') return null
        const nRest = allSummary.n_valid - s.n_valid
        const xRest = allSummary.n_satisfied - s.n_satisfied
        const t = twoProportionTest(s.n_satisfied, s.n_valid, xRest, nRest)
        return {
          n_group: s.n_valid,
          x_group: s.n_satisfied,
          n_rest: nRest,
          x_rest: xRest,
          p_group: t.p1,
          p_rest: t.p2,
          difference: t.difference,
          statistic: t.statistic,
          p_value: t.p_value,
          ci95: t.ci,
          warnings: t.warnings,
          p_holm: null,
          p_bh: null,
        }
      })
      const weightedRest: Array<WeightedVsRest | null> =
        design && by !== 'all'
          ? weightedVsRest(
              design,
              summaries.map(({ a }) => ({ satisfied: a.sat, notSatisfied: a.not })),
              { satisfied: allAcc.sat, notSatisfied: allAcc.not },
            )
          : summaries.map(() => null)
      if (by !== 'all') {
        const ps = vsRest.map((v) => v?.p_value ?? null)
        const holm = pAdjustHolm(ps)
        const bh = pAdjustBh(ps)
        vsRest.forEach((v, i) => {
          if (v) {
            v.p_holm = holm[i] ?? null
            v.p_bh = bh[i] ?? null
          }
        })
      }
      summaries.forEach(({ group, a, s }, i) => {
        const p = s.p_satisfied
        const w = wilsonInterval(s.n_satisfied, s.n_valid, level)
        let weighted: SatisfactionCell['weighted'] = null
        if (design) {
          const wp = weightedProportion(design, a.sat, a.not)
          weighted = {
            ...wp,
            margin95_raked: wp.se_raked === null ? null : zExact * wp.se_raked,
            margin95_weights_only: wp.se_weights_only === null ? null : zExact * wp.se_weights_only,
            ess_valid: kishEffectiveSampleSize(
              design.cells.map((cell, c) => ({ count: a.sat[c]! + a.not[c]!, weight: cell.weight })),
            ).ess,
          }
        }
        out[group] = {
          unweighted: {
            ...s,
            interval: { level, ...w },
            wilson95:
              level === 0.95
                ? { lower: w.lower, upper: w.upper }
                : wilsonInterval(s.n_satisfied, s.n_valid, 0.95),
            normal_margin95_z196: p === null ? null : normalMargin(p, s.n_valid, 1.96),
            normal_margin95_zexact: p === null ? null : normalMargin(p, s.n_valid, zExact),
          },
          weighted,
          vs_rest: vsRest[i] ?? null,
          weighted_vs_rest: weightedRest[i] ?? null,
        }
      })
      cells[rating][by] = out
      if (by === 'all' || !runTests) continue
      const kept = summaries.filter((x) => x.s.n_valid > 0)
      const table: SegmentTests['table'] = {}
      for (const { group, s } of summaries) {
        table[group] = {
          n_valid: s.n_valid,
          n_satisfied: s.n_satisfied,
          n_not_satisfied: s.n_valid - s.n_satisfied,
        }
      }
      let pearson: PearsonChiSquare | null = null
      let rsF: SegmentTests['rao_scott_F'] = null
      let rsChisq: SegmentTests['rao_scott_chisq'] = null
      if (kept.length >= 2) {
        pearson = pearsonChiSquare(kept.map(({ s }) => [s.n_satisfied, s.n_valid - s.n_satisfied]))
        if (design) {
          const rs = raoScottTest(
            design,
            kept.map(({ a }) => [a.sat, a.not]),
          )
          rsF = rs.F
          rsChisq = rs.chisq
        }
      }
      tests[rating][by] = {
        table,
        groups_dropped_no_valid: summaries.filter((x) => x.s.n_valid === 0).map((x) => x.group),
        pearson_chisq: pearson,
        rao_scott_F: rsF,
        rao_scott_chisq: rsChisq,
      }
    }
  }
  return { ratings: [...ratings], bys: [...bys], groups, cells, tests }
}
