import type { AnalysisAggregates } from './aggregates'
import type { TargetVerdict } from './judge-target'
import type { KeyDriverResults } from './key-driver-analysis'
import type { AnalysisConfig } from './parse-analysis-config'
import type { Population } from './parse-population'
import type { RakeResult } from './rake'
import type { SampleSizePlan } from './sample-size-plan'
import type { SatisfactionTable } from './satisfaction-table'
import type { UnweightedTrend } from './unweighted-trend'
import type { WeightSummary } from './weight-summary'

/*
 * The insight report: every number, decision and sentence that any view of a survey shows (dashboard, staff
 * home, comments filters, exports, evidence pack, public page, `npm run analyse`). Views render it; none of
 * them rakes, tests, suppresses, orders waves or judges a target (docs/methodology.md).
 */

/** Human labels for the report's sentences; names are used where a label is missing. */
export interface InsightLabels {
  ratings?: Record<string, string>
  segments?: Record<string, string>
  /** groups[segment][value]; the value '' (not stated) is "Not stated" unless given */
  groups?: Record<string, Record<string, string>>
  /** order of the groups of a segment as the question offers them; unlisted values follow, '' last */
  groupOrder?: Record<string, string[]>
}

/** Everything the engine needs: counts, configuration, population, thresholds, targets and wave order. */
export interface InsightInput {
  /**
   * Counts by raking cell over `config.raking.variables` (levels as stored, '' = not stated), or with empty
   * raking cells when there is no raking. Respondents whose levels are outside the population are kept: they
   * count in the unweighted figures and are left out of the weighted ones.
   */
  aggregates: AnalysisAggregates
  /** configuration: ratings (report order), overall, drivers, segments, scale, raking, confidence,
   * smallBase (the organisation's thresholds) and waves (the configured chronological order, if any) */
  config: AnalysisConfig
  population?: Population | null
  /** publish weighted figures (needs a population and config.raking); default false */
  weighted?: boolean
  /** target proportion per rating */
  targets?: Record<string, number>
  labels?: InsightLabels
  /**
   * How many respondents the active filters leave out of the unfiltered scope (0 or absent when unfiltered).
   * A filter that leaves out 1..suppress−1 respondents would let a reader recover their answers by comparing
   * with the unfiltered view, so the report is withheld.
   */
  excludedByFilters?: number
  /** question wording signature per rating and wave, to warn when the trend compares different questions */
  wording?: Record<string, Record<string, string>>
}

/** A published figure of one rating in one group. Suppressed figures carry no numbers at all. */
export interface ReportCell {
  status: 'ok' | 'low_base' | 'suppressed'
  suppression: 'primary' | 'secondary' | 'withheld' | null
  /** unweighted valid base */
  n: number | null
  /** % satisfied (weighted when the report is weighted), rounded to `step` */
  p: number | null
  lower: number | null
  upper: number | null
  /** publication step of p and the interval: 0.01 (whole percent), 0.05 or 0.1 */
  step: number
  /** Kish effective base of the same respondents as n (weighted only) */
  ess: number | null
  /** differs from the rest of the sample on the adjusted p-value of the test the report uses */
  significance: 'higher' | 'lower' | null
  /** Holm-adjusted p-value of the group-vs-rest test */
  pAdjusted: number | null
}

/** A group of a breakdown, with its figure for every rating. */
export interface ReportRow {
  by: string
  byLabel: string
  group: string
  groupLabel: string
  /** respondents in the group (all, with or without a valid answer) */
  respondents: number
  /** comments from the group may be shown (it has at least `suppress` respondents) */
  commentsShown: boolean
  cells: Record<string, ReportCell>
}

/** Whole-table tests of one segment for the overall rating. */
export interface SegmentTest {
  segment: string
  /** false when fewer than two groups are published: then no test is shown */
  shown: boolean
  method: 'pearson' | 'rao-scott'
  statistic: number | null
  pValue: number | null
  significant: boolean
}

export interface TrendChange {
  latest: string
  previous: string
  method: 'two-proportion' | 'design-based'
  /** difference latest − previous in whole percentage points (exact: report.estimates) */
  differencePoints: number | null
  lowerPoints: number | null
  upperPoints: number | null
  pValue: number | null
  significant: boolean
  /** "increase", "decrease" only when the test says so */
  verdict: 'increase' | 'decrease' | 'no_clear_change'
  warnings: string[]
}

export interface TrendReport {
  rating: string
  label: string
  points: Array<{ wave: string; cell: ReportCell }>
  change: TrendChange | null
  target: number | null
  /** judged on the latest wave's interval */
  targetVerdict: TargetVerdict | null
  targetWave: string | null
}

export interface KeyDriverReport {
  wave: string
  outcome: string
  nComplete: number
  rSquared: number
  drivers: Array<{
    driver: string
    label: string
    relativeWeightPercent: number
    shapleyPercent: number
    pearson: number
    spearman: number
    standardisedBeta: number | null
    /** % satisfied with the driver in the same wave as the importance (published cell) */
    performance: number | null
    quadrant: 'priority' | 'maintain' | 'secondary' | 'low_priority'
  }>
}

export interface RepresentativenessRow {
  segment: string
  segmentLabel: string
  group: string
  groupLabel: string
  /** respondents (null when the group is too small to report) */
  respondents: number | null
  sampleShare: number | null
  populationShare: number | null
  ratio: number | null
  underRepresented: boolean
  unreportable: boolean
  lowBase: boolean
}

export interface ReportNote {
  code: string
  text: string
}

export interface InsightReport {
  status: 'ok' | 'withheld'
  /** plain-English reason when withheld */
  withheldReason: string | null
  meta: {
    respondents: number
    /** respondents in the published (weighted or unweighted) figures */
    analysed: number
    excludedFromWeighting: number
    waves: string[]
    latestWave: string | null
    previousWave: string | null
    ratings: Array<{ name: string; label: string; isOverall: boolean }>
    overall: string
    segments: Array<{ name: string; label: string }>
    confidence: number
    thresholds: { lowBase: number; suppress: number }
    weighted: boolean
  }
  weighting: null | {
    variables: string[]
    populationTotal: number
    converged: boolean
    passes: number
    ess: number | null
    deff: number | null
    maxOverMin: number | null
  }
  weightingProblem: string | null
  overall: ReportRow
  /** one row per wave, chronological */
  waves: ReportRow[]
  /** segment rows, in the engine's group order */
  rows: ReportRow[]
  segmentTests: SegmentTest[]
  trends: TrendReport[]
  keyDrivers: KeyDriverReport | null
  keyDriverProblem: string | null
  representativeness: RepresentativenessRow[]
  notes: ReportNote[]
  /** the exact estimates behind the published figures, for analysts' tools (never shown in published views) */
  estimates: InsightEstimates
}

/** Exact estimates: the pipeline's intermediate results (the `npm run analyse` layout is built from them). */
export interface InsightEstimates {
  config: AnalysisConfig
  population: Population | null
  waves: string[]
  /** unweighted table of every respondent */
  unweighted: SatisfactionTable
  /** table of the raked respondents with the raked design (null without weighting) */
  weighted: SatisfactionTable | null
  rake: RakeResult | null
  /** raking cells of the raked respondents with their counts and final weights */
  cellWeights: Array<{ rakingCell: string[]; count: number; weight: number }> | null
  weightSummary: WeightSummary | null
  /** Kish per by and group over every raked respondent of the group */
  kish: Record<
    string,
    Record<string, { n: number; sum_w: number; sum_w2: number; ess: number | null; deff: number | null }>
  > | null
  keyDrivers: KeyDriverResults | null
  /** unweighted per-wave figures and latest-vs-previous test per rating */
  trend: Record<string, UnweightedTrend>
  sampleSize: SampleSizePlan | null
  /** weighted latest-vs-previous contrast per rating (null without weighting or two waves) */
  weightedTrend: Record<string, WeightedTrendEstimate | null>
  aggregates: AnalysisAggregates
}

export interface WeightedTrendEstimate {
  p_latest: number | null
  p_previous: number | null
  difference: number | null
  se_difference: number | null
  z: number | null
  p_value: number | null
  ci95: { lower: number | null; upper: number | null }
}
