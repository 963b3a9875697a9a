import type { AnalysisAggregates } from './aggregates'
import { createSurveyDesign, type SurveyDesign } from './create-survey-design'
import type {
  InsightEstimates,
  InsightInput,
  InsightReport,
  ReportCell,
  ReportNote,
  ReportRow,
  SegmentTest,
} from './insight-report-types'
import { keyDriverAnalysis, type KeyDriverResults } from './key-driver-analysis'
import { kishEffectiveSampleSize } from './kish-effective-sample-size'
import { orderGroups } from './order-groups'
import { orderWaves } from './order-waves'
import { publishTable } from './publish-table'
import { rake, type RakeResult } from './rake'
import { reportKeyDrivers } from './report-key-drivers'
import { reportRepresentativeness } from './report-representativeness'
import { reportTrends } from './report-trends'
import { sampleSizePlan } from './sample-size-plan'
import { satisfactionTable, type SatisfactionTable } from './satisfaction-table'
import { splitAggregates } from './split-aggregates'
import { unweightedTrend } from './unweighted-trend'
import { weightSummary, type WeightSummary } from './weight-summary'

/**
 * The insight engine: one pure function from counts to the report that every view renders
 * (docs/methodology.md). Pipeline, each step a function of its own: wave order → split counts into all and
 * raked respondents → rake (analysis/rake.ts) → design → satisfaction tables with tests
 * (analysis/satisfaction-table.ts) → disclosure decisions and published figures (analysis/publish-table.ts)
 * → trends and targets (analysis/report-trends.ts) → key drivers (analysis/report-key-drivers.ts) →
 * representativeness → notes.
 *
 * Definitions: PRODUCT.md §4 as implemented in docs/methodology.md; weighting is on only when asked for and
 * possible (a population with the raking variables); otherwise `weightingProblem` says why in plain English.
 *
 * Reference: R 4.2.2 `survey` 4.1.1 (tests/fixtures/oracle-public/README.md gives each R call).
 *
 * @param input counts, configuration, population, thresholds (config.smallBase), targets, wave order
 *   (config.waves), labels.
 * @returns the insight report.
 * @throws if the counts are inconsistent (a tally outside the scale or a raking cell).
 * @example
 * buildInsightReport({ aggregates, config, population, weighted: true }).overall.cells.overall.p
 */
export function buildInsightReport(input: InsightInput): InsightReport {
  const { config } = input
  const thresholds = { lowBase: config.smallBase.lowBase, suppress: config.smallBase.suppress }
  const confidence = config.confidence
  const labels = input.labels ?? {}
  const ratingLabel = (r: string) => labels.ratings?.[r] ?? (r === config.overall ? 'Overall' : r)
  const waves = orderWaves(input.aggregates.waves, config.waves)
  const aggregates: AnalysisAggregates = { ...input.aggregates, waves }
  const notes: ReportNote[] = []

  // ---- weighting
  const population = input.population ?? null
  let weightingProblem: string | null = null
  const wantWeighting = input.weighted === true
  const rakingVariables = config.raking?.variables ?? []
  const canWeight = population !== null && rakingVariables.length > 0
  if (wantWeighting && !canWeight)
    weightingProblem = population
      ? 'The population profile has no variable this survey collects, so the results cannot be weighted.'
      : 'No population profile is set, so the results cannot be weighted.'
  const levels = canWeight ? rakingVariables.map((v) => Object.keys(population!.margins[v] ?? {})) : null
  if (canWeight && aggregates.rakingVariables.join('\u0001') !== rakingVariables.join('\u0001'))
    throw new Error(
      'buildInsightReport: aggregates must be counted by the raking variables of the configuration',
    )
  const split = splitAggregates(aggregates, levels)
  let rakeResult: RakeResult | null = null
  let design: SurveyDesign | null = null
  const rakedCount = split.raked ? split.raked.cells.reduce((a, c) => a + c.count, 0) : 0
  if (canWeight && split.raked && rakedCount > 0) {
    try {
      rakeResult = rake(split.raked.cells, rakingVariables, population!.margins, {
        epsilon: config.raking!.epsilon,
        maxPasses: config.raking!.maxPasses,
        ...(config.raking!.cap !== undefined ? { cap: config.raking!.cap } : {}),
      })
      design = createSurveyDesign(
        split.raked.cells.map((c, i) => ({
          levels: c.rakingCell.map((level, v) => levels![v]!.indexOf(level)),
          count: c.count,
          weight: rakeResult!.weights[i]!,
        })),
        levels!.map((l) => l.length),
      )
    } catch (error) {
      rakeResult = null
      design = null
      if (wantWeighting)
        weightingProblem = `The results cannot be weighted: ${error instanceof Error ? error.message.replace(/^rake: /, '') : String(error)}`
    }
  } else if (wantWeighting && canWeight) {
    weightingProblem =
      'No respondent has values the population profile lists, so the results cannot be weighted.'
  }
  const weighted = wantWeighting && design !== null

  // ---- tables: every respondent unweighted; the raked respondents with the design
  const unweightedTable: SatisfactionTable = satisfactionTable(split.all, {
    scale: config.scale,
    confidence,
    ratings: config.ratings,
  })
  const weightedTable: SatisfactionTable | null =
    design && split.raked
      ? satisfactionTable(split.raked, {
          scale: config.scale,
          confidence,
          design,
          ratings: config.ratings,
        })
      : null
  const published = weighted ? weightedTable! : unweightedTable
  const publishedAggregates = weighted ? split.raked! : split.all
  const order = (by: string, groups: string[]) => orderGroups(groups, labels.groupOrder?.[by])
  const table = publishTable(published, publishedAggregates, {
    weighted,
    confidence,
    thresholds,
    labels,
    order,
  })

  // ---- segment tests (overall rating): shown only when at least two groups are published
  const segmentTests: SegmentTest[] = config.segments.map((segment) => {
    const t = published.tests[config.overall]?.[segment]
    const shownGroups = table.rows.filter(
      (r) => r.by === segment && r.cells[config.overall]?.status !== 'suppressed',
    ).length
    const stat = weighted ? t?.rao_scott_F : t?.pearson_chisq
    const pValue = stat?.p_value ?? null
    return {
      segment,
      shown: shownGroups >= 2 && pValue !== null,
      method: weighted ? 'rao-scott' : 'pearson',
      statistic: shownGroups >= 2 ? (stat?.statistic ?? null) : null,
      pValue: shownGroups >= 2 ? pValue : null,
      significant: shownGroups >= 2 && pValue !== null && pValue < 1 - confidence,
    }
  })

  // ---- weighting summary, Kish
  let weightSummaryResult: WeightSummary | null = null
  let kish: InsightEstimates['kish'] = null
  let cellWeights: InsightEstimates['cellWeights'] = null
  if (rakeResult && design && split.raked) {
    weightSummaryResult = weightSummary(design.cells)
    const weightOf = new Map(
      split.raked.cells.map((c, i) => [c.rakingCell.join('\u0001'), rakeResult!.weights[i]!]),
    )
    kish = {}
    const groups = new Map<string, Array<{ count: number; weight: number }>>()
    for (const g of split.raked.groupCells) {
      const key = g.by + '\u0001' + g.group
      const list = groups.get(key) ?? []
      list.push({ count: g.count, weight: weightOf.get(g.rakingCell.join('\u0001')) ?? 0 })
      groups.set(key, list)
    }
    for (const [key, cells] of groups) {
      const [by, group] = key.split('\u0001') as [string, string]
      ;(kish[by] ??= {})[group] = kishEffectiveSampleSize(cells)
    }
    cellWeights = split.raked.cells.map((c, i) => ({
      rakingCell: [...c.rakingCell],
      count: c.count,
      weight: rakeResult!.weights[i]!,
    }))
  }
  const overallKish = weighted && design ? kishEffectiveSampleSize(design.cells) : null

  // ---- trends and targets, key drivers, representativeness
  const trendResults = reportTrends({
    ratings: config.ratings,
    ratingLabel,
    waves: table.waves,
    table: published,
    aggregates: publishedAggregates,
    design: weighted ? design : null,
    scale: config.scale,
    confidence,
    targets: input.targets ?? {},
    wording: input.wording ?? aggregates.wording ?? {},
  })
  const trends = trendResults.map(({ weightedEstimate: _, ...t }) => t)
  let keyDriverResults: KeyDriverResults | null = null
  let keyDriverProblem: string | null = null
  const latestWave = waves.at(-1) ?? null
  if (aggregates.keyDrivers) {
    if (aggregates.keyDrivers.wave !== latestWave)
      keyDriverProblem = `Key drivers were counted for wave ${aggregates.keyDrivers.wave}, not the latest wave ${latestWave ?? ''}.`
    else {
      try {
        keyDriverResults = keyDriverAnalysis(aggregates.keyDrivers)
      } catch (error) {
        keyDriverProblem =
          error instanceof Error ? error.message.replace(/^keyDriverAnalysis: /, '') : String(error)
      }
    }
  } else if (config.drivers.length > 0) {
    keyDriverProblem = 'There are no responses to analyse for key drivers.'
  }
  const latestRow = table.waves.at(-1) ?? null
  const keyDrivers = keyDriverResults
    ? reportKeyDrivers(keyDriverResults, latestRow, published, latestWave!, weighted, ratingLabel)
    : null
  const representativeness = reportRepresentativeness(
    split.all,
    config.segments,
    population,
    thresholds,
    labels,
    order,
  )

  // ---- notes in plain English
  if (weighted)
    notes.push({
      code: 'weighted',
      text: 'Weighted: each % satisfied is adjusted to the population profile, and its interval allows for the adjustment.',
    })
  else
    notes.push({
      code: 'unweighted',
      text: `Intervals are ${Math.round(confidence * 100)}% Wilson score intervals.`,
    })
  if (weighted && split.excluded > 0)
    notes.push({
      code: 'excluded_from_weighting',
      text: `${split.excluded.toLocaleString('en-GB')} respondents who did not give ${rakingVariables.map((v) => (labels.segments?.[v] ?? v).toLowerCase()).join(' or ')} (or gave a value outside the population profile) are left out of the weighted figures.`,
    })
  if (rakeResult && !rakeResult.converged)
    notes.push({
      code: 'not_converged',
      text: `Weighting did not settle in ${rakeResult.passes} passes; weighted figures are approximate.`,
    })
  notes.push({
    code: 'flags',
    text: `▲/▼ mark a group that differs from everyone else (${weighted ? 'design-based test on the weighted figures' : 'two-proportion test'}, Holm-adjusted within each breakdown, p < ${(1 - confidence).toFixed(2)}).`,
  })
  notes.push(...disclosureNotes(table.decisions, thresholds, labels, ratingLabel))

  const withheld =
    input.excludedByFilters !== undefined &&
    input.excludedByFilters > 0 &&
    input.excludedByFilters < thresholds.suppress
  const report: InsightReport = {
    status: withheld ? 'withheld' : 'ok',
    withheldReason: withheld
      ? `These filters leave out fewer than ${thresholds.suppress} respondents. Comparing this view with the unfiltered one would reveal their answers, so it is not shown. Widen or remove a filter.`
      : null,
    meta: {
      respondents: split.all.cells.reduce((a, c) => a + c.count, 0),
      analysed: publishedAggregates.cells.reduce((a, c) => a + c.count, 0),
      excludedFromWeighting: weighted ? split.excluded : 0,
      waves,
      latestWave,
      previousWave: waves.at(-2) ?? null,
      ratings: config.ratings.map((name) => ({
        name,
        label: ratingLabel(name),
        isOverall: name === config.overall,
      })),
      overall: config.overall,
      segments: config.segments.map((name) => ({ name, label: labels.segments?.[name] ?? name })),
      confidence,
      thresholds,
      weighted,
    },
    weighting:
      weighted && rakeResult && overallKish
        ? {
            variables: rakingVariables,
            populationTotal: population!.total,
            converged: rakeResult.converged,
            passes: rakeResult.passes,
            ess: overallKish.ess,
            deff: overallKish.deff,
            maxOverMin: weightSummaryResult?.max_over_min ?? null,
          }
        : null,
    weightingProblem,
    overall: table.overall,
    waves: table.waves,
    rows: table.rows,
    segmentTests,
    trends,
    keyDrivers,
    keyDriverProblem,
    representativeness,
    notes,
    estimates: {
      config,
      population,
      waves,
      unweighted: unweightedTable,
      weighted: weightedTable,
      rake: rakeResult,
      cellWeights,
      weightSummary: weightSummaryResult,
      kish,
      keyDrivers: keyDriverResults,
      trend: unweightedTrend(unweightedTable, waves, input.wording ?? aggregates.wording ?? {}),
      sampleSize: sampleSizePlan(config),
      weightedTrend: Object.fromEntries(trendResults.map((t) => [t.rating, t.weightedEstimate])),
      aggregates,
    },
  }
  return withheld ? withholdFigures(report) : report
}

function disclosureNotes(
  decisions: Record<
    string,
    Record<string, { hidden: Record<string, string>; step: number; withheld: boolean }>
  >,
  thresholds: { lowBase: number; suppress: number },
  labels: NonNullable<InsightInput['labels']>,
  ratingLabel: (r: string) => string,
): ReportNote[] {
  const notes: ReportNote[] = [
    {
      code: 'small_groups',
      text: `Groups with fewer than ${thresholds.lowBase} answers are marked "low base: treat with caution". Groups with fewer than ${thresholds.suppress} answers are not shown. Percentages are given to the nearest whole percent and the number of satisfied people is never published, so a hidden group's answers cannot be worked out from the other figures.`,
    },
  ]
  const by = (b: string) => (b === 'wave' ? 'wave' : (labels.segments?.[b] ?? b))
  for (const [rating, perBy] of Object.entries(decisions)) {
    for (const [b, d] of Object.entries(perBy)) {
      const secondary = Object.values(d.hidden).filter((h) => h === 'secondary').length
      if (secondary > 0)
        notes.push({
          code: 'secondary_suppression',
          text: `${ratingLabel(rating)} by ${by(b).toLowerCase()}: ${secondary === 1 ? 'one more small group is' : `${secondary} more small groups are`} not shown, so that a hidden group's answers cannot be worked out by subtraction.`,
        })
      if (d.step > 0.01 && !d.withheld)
        notes.push({
          code: 'coarsened',
          text: `${ratingLabel(rating)} by ${by(b).toLowerCase()}: percentages are rounded to the nearest ${Math.round(d.step * 100)} points, so that a hidden group's answers cannot be worked out by subtraction.`,
        })
      if (d.withheld)
        notes.push({
          code: 'withheld',
          text: `${ratingLabel(rating)} by ${by(b).toLowerCase()}: percentages are not shown, because with so few answers a hidden group's answers could be worked out from them.`,
        })
    }
  }
  return notes
}

/** A withheld report keeps its structure and labels but no figure. */
function withholdFigures(report: InsightReport): InsightReport {
  const hide = (cell: ReportCell): ReportCell => ({
    ...cell,
    status: 'suppressed',
    suppression: 'withheld',
    n: null,
    p: null,
    lower: null,
    upper: null,
    ess: null,
    significance: null,
    pAdjusted: null,
  })
  const row = (r: ReportRow): ReportRow => ({
    ...r,
    respondents: 0,
    commentsShown: false,
    cells: Object.fromEntries(Object.entries(r.cells).map(([k, c]) => [k, hide(c)])),
  })
  return {
    ...report,
    overall: row(report.overall),
    waves: report.waves.map(row),
    rows: report.rows.map(row),
    segmentTests: report.segmentTests.map((t) => ({
      ...t,
      shown: false,
      statistic: null,
      pValue: null,
      significant: false,
    })),
    trends: report.trends.map((t) => ({
      ...t,
      points: t.points.map((p) => ({ ...p, cell: hide(p.cell) })),
      change: null,
      targetVerdict: null,
    })),
    keyDrivers: null,
    keyDriverProblem: report.withheldReason,
    representativeness: [],
  }
}
