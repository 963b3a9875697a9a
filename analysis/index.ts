/**
 * Public API of the CSE Insight statistics engine (pure TypeScript, no app / db imports).
 * Input is aggregates (counts), see {@link AnalysisAggregates}; `countAggregatesFromRows` is the row path.
 */
export type {
  AnalysisAggregates,
  GroupCellCount,
  KeyDriverAggregates,
  PairTally,
  RakingCellCount,
  RatingTally,
} from './aggregates'
export { analyse, type AnalysisResults } from './analyse'
export { capWeights } from './cap-weights'
export { chiSquareUpperTail } from './chi-square-upper-tail'
export { codeRating, type RatingCode, type ScaleCoding } from './code-rating'
export { countAggregatesFromRows, type ResponseRow } from './count-aggregates-from-rows'
export { createSurveyDesign, type SurveyDesign } from './create-survey-design'
export { driverMoments, type DriverMoments } from './driver-moments'
export { fUpperTail } from './f-upper-tail'
export { finitePopulationFactor } from './finite-population-factor'
export { jacobiEigen } from './jacobi-eigen'
export { judgeTarget, type TargetVerdict } from './judge-target'
export { keyDriverAnalysis, type KeyDriverResults } from './key-driver-analysis'
export { kishEffectiveSampleSize, type KishSummary } from './kish-effective-sample-size'
export { linearisedCovariance, type LinearisedCovariance } from './linearised-covariance'
export { lmgShapley } from './lmg-shapley'
export { logBeta } from './log-beta'
export { logGamma } from './log-gamma'
export { normalMargin } from './normal-margin'
export { normalQuantile } from './normal-quantile'
export { olsFromMoments, type OlsFit } from './ols-from-moments'
export { pAdjustBh } from './p-adjust-bh'
export { pAdjustHolm } from './p-adjust-holm'
export { parseAnalysisConfig, type AnalysisConfig } from './parse-analysis-config'
export { parseCsv } from './parse-csv'
export { parsePopulation, type Population } from './parse-population'
export { pearsonChiSquare, type PearsonChiSquare } from './pearson-chi-square'
export { pseudoInverseSymmetric } from './pseudo-inverse-symmetric'
export { rake, type RakeOptions, type RakeResult } from './rake'
export { raoScottTest, type RaoScottTest } from './rao-scott-test'
export { readResponsesCsv } from './read-responses-csv'
export { regularizedBeta } from './regularized-beta'
export { regularizedGamma } from './regularized-gamma'
export { relativeWeights } from './relative-weights'
export { sampleSize, type SampleSizeRow } from './sample-size'
export {
  satisfactionTable,
  type SatisfactionCell,
  type SatisfactionTable,
  type SatisfactionTableOptions,
  type SegmentTests,
  type VsRest,
} from './satisfaction-table'
export { protectPartitions, type Partition, type PartitionDecision } from './protect-partitions'
export { publishProportion, roundToStep } from './publish-proportion'
export { buildInsightReport } from './insight-report'
export { orderWaves } from './order-waves'
export { solveLinearSystem } from './solve-linear-system'
export { stirlingCorrection } from './stirling-correction'
export { summariseRatings, type RatingSummary } from './summarise-ratings'
export { tTwoSidedP } from './t-two-sided-p'
export { twoProportionTest, type TwoProportionTest } from './two-proportion-test'
export { weightSummary, type WeightSummary } from './weight-summary'
export { weightedProportion, type WeightedProportion } from './weighted-proportion'
export { wilsonInterval } from './wilson-interval'
