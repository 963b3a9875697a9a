import { groupLabelsOf, label, textOf } from '#app/services/survey-labels.server.ts'
import type { AnalysisAggregates } from '#analysis/aggregates.ts'
import { createSurveyDesign, type SurveyDesign } from '#analysis/create-survey-design.ts'
import { keyDriverAnalysis } from '#analysis/key-driver-analysis.ts'
import { kishEffectiveSampleSize } from '#analysis/kish-effective-sample-size.ts'
import { normalQuantile } from '#analysis/normal-quantile.ts'
import type { AnalysisConfig } from '#analysis/parse-analysis-config.ts'
import { rake } from '#analysis/rake.ts'
import {
  satisfactionTable,
  type SatisfactionCell,
  type SatisfactionTable,
} from '#analysis/satisfaction-table.ts'
import { twoProportionTest } from '#analysis/two-proportion-test.ts'
import { weightSummary } from '#analysis/weight-summary.ts'
import { analysisConfigFromMetadata } from '#db/analyse-survey.ts'
import type { Database } from '#db/client.ts'
import {
  getReportingThresholds,
  listSegmentValues,
  listWaves,
  loadAggregates,
  loadAnswerPatterns,
  loadFinestCells,
  wavesFromFinestCells,
  orderWaves,
  segmentValuesFromFinestCells,
  type AggregateFilters,
  type AggregateScope,
} from '#db/queries/aggregates.ts'
import { getDefaultPopulationProfile } from '#db/queries/population.ts'
import { getSurveyForOrganisation, getVersion } from '#db/queries/surveys.ts'
import { listTargets } from '#db/queries/targets.ts'
import { listQuestions } from '#templates/definition.ts'
import { compareWaveWording } from './builder-waves.server.ts'
import { parseMetadata } from './survey-definition.server.ts'

/*
 * Everything the insight dashboard shows, computed from SQL aggregates (db/queries/aggregates.ts) by the
 * statistics engine (analysis/). No Request in sight: the page, the exports and the evidence pack all call
 * buildDashboard, so suppression is applied here once — a suppressed cell leaves this module without numbers.
 */

/** A group counts as under-represented when its sample share is below this fraction of its population share. */
export const UNDER_REPRESENTED_RATIO = 2 / 3

export interface DashboardOptions {
  weighted?: boolean
  /** confidence level of the intervals (default 0.95) */
  confidence?: number
  filters?: AggregateFilters
}

export interface DashboardCell {
  suppressed: boolean
  suppression: 'primary' | 'secondary' | null
  flag: 'ok' | 'low_base' | 'suppressed'
  /** unweighted valid base (null when suppressed) */
  n: number | null
  /** % satisfied as a proportion (weighted when weighting is on) */
  p: number | null
  lower: number | null
  upper: number | null
  /** effective sample size of the valid base (weighted only) */
  ess: number | null
  /** significantly different from the rest of the sample on the Holm-adjusted p-value */
  significance: 'higher' | 'lower' | null
  pHolm: number | null
}

export interface DashboardRow {
  segment: string
  segmentLabel: string
  group: string
  groupLabel: string
  cells: Record<string, DashboardCell>
}

export interface RepresentativenessRow {
  segment: string
  segmentLabel: string
  group: string
  groupLabel: string
  /** respondents (null when suppressed) */
  n: number | null
  sampleShare: number | null
  populationShare: number | null
  /** sample share / population share */
  ratio: number | null
  underRepresented: boolean
  unreportable: boolean
  lowBase: boolean
  hardToReach: boolean
}

export interface KeyDriverRow {
  driver: string
  label: string
  relativeWeightPercent: number
  shapleyPercent: number
  pearson: number
  standardisedBeta: number | null
  /** % satisfied with the driver (performance axis) */
  performance: number | null
  quadrant: 'priority' | 'maintain' | 'secondary' | 'low_priority'
}

export interface TrendPoint {
  wave: string
  n: number | null
  p: number | null
  lower: number | null
  upper: number | null
  suppressed: boolean
}

export interface TrendRow {
  rating: string
  label: string
  points: TrendPoint[]
  latestVsPrevious: null | {
    latest: string
    previous: string
    difference: number | null
    lower: number | null
    upper: number | null
    pValue: number | null
    significant: boolean
  }
  wordingChanges: string[]
  target: number | null
  targetStatus: 'met' | 'below' | 'not_different' | null
}

export interface Dashboard {
  survey: { id: string; title: string; slug: string; wave: string; seriesId: string }
  options: { weighted: boolean; confidence: number; filters: AggregateFilters }
  thresholds: { lowBase: number; suppress: number }
  ratings: Array<{ name: string; label: string; isOverall: boolean; title: string }>
  /** segments with every value present in the series (for the filter controls), unfiltered */
  segments: Array<{
    name: string
    label: string
    groups: Array<{ value: string; label: string; count: number }>
  }>
  waves: Array<{ wave: string; responses: number; firstAt: string | null; lastAt: string | null }>
  totals: { responses: number; analysed: number; excludedFromWeighting: number }
  weighting: null | {
    populationName: string
    populationTotal: number
    variables: string[]
    converged: boolean
    passes: number
    ess: number | null
    deff: number | null
    maxOverMin: number | null
  }
  /** why weighting is off although it was asked for (no population profile, margins cannot be met…) */
  weightingProblem: string | null
  overall: DashboardRow
  rows: DashboardRow[]
  segmentTests: Record<string, { pearsonP: number | null; raoScottP: number | null }>
  representativeness: RepresentativenessRow[]
  keyDrivers: null | {
    wave: string
    outcome: string
    nComplete: number
    rSquared: number
    drivers: KeyDriverRow[]
  }
  keyDriverProblem: string | null
  trends: TrendRow[]
  notes: string[]
}

function clamp(x: number): number {
  return Math.min(1, Math.max(0, x))
}

/**
 * Builds the dashboard of one survey of one organisation (null when the survey is not in it). The survey's
 * series supplies the waves; filters narrow the responses; `weighted` rakes to the organisation's default
 * population profile. Suppressed groups come back without any count, % or interval.
 */
export async function buildDashboard(
  db: Database,
  organisationId: string,
  surveyId: string,
  options: DashboardOptions = {},
): Promise<Dashboard | null> {
  const survey = await getSurveyForOrganisation(db, organisationId, surveyId)
  if (!survey) return null
  const confidence = options.confidence ?? 0.95
  const filters = options.filters ?? {}
  const version = survey.currentVersionId
    ? await getVersion(db, organisationId, survey.currentVersionId)
    : null
  const metadata = parseMetadata(version?.metadata ?? survey.draftMetadata)
  const definition = version?.definition ?? survey.draftDefinition
  const thresholds = await getReportingThresholds(db, organisationId)
  const profile = await getDefaultPopulationProfile(db, organisationId)
  const population = profile
    ? { total: profile.total, margins: profile.margins as Record<string, Record<string, number>> }
    : null
  const notes: string[] = []
  let weightingProblem: string | null = null
  let wantWeighting = options.weighted === true
  if (wantWeighting && !population) {
    weightingProblem =
      'No default population profile is set, so the results cannot be weighted. Add one under Settings › Population.'
    wantWeighting = false
  }
  // jsonb does not keep key order, so ratings follow the questionnaire: overall first, then as asked.
  const questionOrder = listQuestions(definition).map((q) => q.name)
  const derived = analysisConfigFromMetadata(metadata, wantWeighting ? population : null)
  const position = (name: string) =>
    name === derived.overall ? -1 : questionOrder.indexOf(name) >= 0 ? questionOrder.indexOf(name) : 1e9
  const orderedRatings = [...derived.ratings].sort((a, b) => position(a) - position(b))
  const config: AnalysisConfig = analysisConfigFromMetadata(metadata, wantWeighting ? population : null, {
    ratings: orderedRatings,
    drivers: orderedRatings.filter((r) => r !== derived.overall),
    confidence,
    smallBase: thresholds,
  })
  const questionTitles = new Map(listQuestions(definition).map((q) => [q.name, textOf(q.element.title)]))
  const ratingLabel = (name: string) =>
    name === config.overall ? 'Overall' : label(metadata.ratings[name]?.driver ?? name)
  const segmentLabel = (name: string) =>
    metadata.segments.find((s) => s.question === name)?.label ??
    metadata.urlSegments.find((u) => u.param === name)?.label ??
    label(name)
  const groupLabels = groupLabelsOf(definition, metadata)
  const groupLabel = (segment: string, group: string) =>
    group === '' ? 'Not stated' : (groupLabels.get(segment)?.get(group) ?? group)

  const scope: AggregateScope = { organisationId, seriesId: survey.seriesId }
  const rakingLevels =
    wantWeighting && population
      ? Object.fromEntries(Object.entries(population.margins).map(([v, m]) => [v, Object.keys(m)]))
      : undefined
  const spec = {
    ratings: config.ratings,
    scaleValues: [...config.scale.satisfied, ...config.scale.neither, ...config.scale.dissatisfied],
    segments: config.segments,
    rakingVariables: wantWeighting && config.raking ? config.raking.variables : [],
    keyDriverVariables: config.drivers.length > 0 ? [config.overall, ...config.drivers] : [],
  }
  // One scan of the responses to the finest cells (wave × segments × raking variables) serves everything: the
  // all-respondent aggregates (representativeness), the raked ones (only respondents with a population level),
  // the filter choices and, unfiltered, the wave list. Key drivers take one more scan of the latest wave.
  const noFilters =
    !filters.waves?.length &&
    !filters.from &&
    !filters.to &&
    !Object.values(filters.segments ?? {}).some((v) => v.length > 0)
  const keyDriverVariables = spec.keyDriverVariables
  // One after another: each scan already uses PostgreSQL's parallel workers, and on a small machine running
  // them side by side only makes them fight for the same cores (measured: 20% slower at 1M responses).
  // Unfiltered, the same scan also gives the wave list (fieldwork dates and versions); filtered, it cannot.
  const finest = await loadFinestCells(db, scope, spec, filters, { fieldwork: noFilters })
  const waves = noFilters ? wavesFromFinestCells(finest) : await listWaves(db, scope)
  const unfilteredValues = noFilters ? null : await listSegmentValues(db, scope, config.segments)
  // Key drivers are unweighted (PRODUCT.md §4): every complete case counts, raked or not.
  const latestWave = orderWaves([...new Set(finest.cells.map((c) => c.wave))]).at(-1)
  const patterns =
    keyDriverVariables.length >= 2 && latestWave !== undefined
      ? await loadAnswerPatterns(db, scope, spec, filters, keyDriverVariables, latestWave)
      : undefined
  const segmentValues = unfilteredValues ?? segmentValuesFromFinestCells(finest, config.segments)
  const allAggregates = await loadAggregates(
    db,
    scope,
    { ...spec, rakingVariables: [], keyDriverVariables: wantWeighting ? [] : spec.keyDriverVariables },
    filters,
    finest,
    patterns,
  )
  const responsesInScope = allAggregates.cells.reduce((a, c) => a + c.count, 0)
  let aggregates: AnalysisAggregates = allAggregates
  let design: SurveyDesign | null = null
  let weighting: Dashboard['weighting'] = null
  if (wantWeighting && population && config.raking) {
    aggregates = await loadAggregates(
      db,
      scope,
      { ...spec, ...(rakingLevels ? { rakingLevels } : {}) },
      filters,
      finest,
      patterns,
    )
    try {
      const variables = config.raking.variables
      const result = rake(aggregates.cells, variables, population.margins, {
        epsilon: config.raking.epsilon,
        maxPasses: config.raking.maxPasses,
      })
      const levelNames = variables.map((v) => Object.keys(population.margins[v] ?? {}))
      design = createSurveyDesign(
        aggregates.cells.map((c, i) => ({
          levels: c.rakingCell.map((level, v) => levelNames[v]!.indexOf(level)),
          count: c.count,
          weight: result.weights[i]!,
        })),
        levelNames.map((l) => l.length),
      )
      const kish = kishEffectiveSampleSize(
        aggregates.cells.map((c, i) => ({ count: c.count, weight: result.weights[i]! })),
      )
      weighting = {
        populationName: profile!.name,
        populationTotal: population.total,
        variables,
        converged: result.converged,
        passes: result.passes,
        ess: kish.ess,
        deff: kish.deff,
        maxOverMin: weightSummary(design.cells).max_over_min,
      }
      if (!result.converged)
        notes.push(`Raking did not converge in ${result.passes} passes; weighted figures are approximate.`)
    } catch (error) {
      weightingProblem = `The results cannot be weighted to “${profile!.name}”: ${error instanceof Error ? error.message : String(error)}`
      design = null
      aggregates = await loadAggregates(
        db,
        scope,
        { ...spec, rakingVariables: [] },
        filters,
        finest,
        patterns,
      )
    }
  }
  const analysed = aggregates.cells.reduce((a, c) => a + c.count, 0)
  if (design && analysed < responsesInScope) {
    notes.push(
      `${(responsesInScope - analysed).toLocaleString('en-GB')} respondents who did not give ${config.raking!.variables.map(segmentLabel).join(' or ').toLowerCase()} (or gave a value outside the population profile) are left out of the weighted figures.`,
    )
  }

  const table: SatisfactionTable = satisfactionTable(aggregates, {
    scale: config.scale,
    confidence,
    design,
    smallBase: thresholds,
  })
  const z = normalQuantile((1 + confidence) / 2)
  const alpha = 1 - confidence
  // Kish's effective base depends on the group, not the rating: compute it once per group.
  const weightOf = design
    ? new Map(aggregates.cells.map((c, i) => [c.rakingCell.join('\u0001'), design!.cells[i]!.weight]))
    : null
  const kishByGroup = new Map<string, number | null>()
  const kishOf = (by: string, group: string): number | null => {
    if (!weightOf) return null
    const key = `${by}\u0001${group}`
    if (kishByGroup.has(key)) return kishByGroup.get(key) as number | null
    const cells = aggregates.groupCells
      .filter((g) => g.by === by && g.group === group)
      .map((g) => ({ count: g.count, weight: weightOf.get(g.rakingCell.join('\u0001')) ?? 0 }))
    const ess = kishEffectiveSampleSize(cells).ess
    kishByGroup.set(key, ess)
    return ess
  }
  const toCell = (cell: SatisfactionCell | undefined, by: string, group: string): DashboardCell => {
    if (!cell || cell.flag === 'suppressed') {
      return {
        suppressed: true,
        suppression: cell?.suppression ?? 'primary',
        flag: 'suppressed',
        n: null,
        p: null,
        lower: null,
        upper: null,
        ess: null,
        significance: null,
        pHolm: null,
      }
    }
    const u = cell.unweighted
    let p = u.p_satisfied
    let lower = u.interval.lower
    let upper = u.interval.upper
    if (design && cell.weighted) {
      p = cell.weighted.p_satisfied
      const se = cell.weighted.se_raked
      lower = p === null || se === null ? null : clamp(p - z * se)
      upper = p === null || se === null ? null : clamp(p + z * se)
    }
    const v = cell.vs_rest
    const significant = v && v.p_holm !== null && v.p_holm < alpha && v.difference !== null
    return {
      suppressed: false,
      suppression: null,
      flag: cell.flag,
      n: u.n_valid,
      p,
      lower,
      upper,
      ess: design ? kishOf(by, group) : null,
      significance: significant ? (v!.difference! > 0 ? 'higher' : 'lower') : null,
      pHolm: v?.p_holm ?? null,
    }
  }
  const rowOf = (by: string, group: string): DashboardRow => ({
    segment: by,
    segmentLabel: by === 'all' ? 'All respondents' : segmentLabel(by),
    group,
    groupLabel: by === 'all' ? 'All respondents' : groupLabel(by, group),
    cells: Object.fromEntries(
      config.ratings.map((r) => [r, toCell(table.cells[r]?.[by]?.[group], by, group)]),
    ),
  })
  const overall = rowOf('all', 'all')
  const rows: DashboardRow[] = []
  const segmentTests: Dashboard['segmentTests'] = {}
  for (const segment of config.segments) {
    // Groups in the order the question offers them (age bands ascending), unlisted values after, "not stated" last.
    const choiceOrder = [...(groupLabels.get(segment)?.keys() ?? [])]
    const rank = (g: string) => (g === '' ? 2e9 : choiceOrder.indexOf(g) >= 0 ? choiceOrder.indexOf(g) : 1e9)
    for (const group of [...(table.groups[segment] ?? [])].sort((a, b) => rank(a) - rank(b)))
      rows.push(rowOf(segment, group))
    const t = table.tests[config.overall]?.[segment]
    segmentTests[segment] = {
      pearsonP: t?.pearson_chisq?.p_value ?? null,
      raoScottP: t?.rao_scott_F?.p_value ?? null,
    }
  }

  // ---- representativeness: respondents per group against the population's shares
  const representativeness: RepresentativenessRow[] = []
  for (const segment of config.segments) {
    const counts = new Map<string, number>()
    for (const g of allAggregates.groupCells)
      if (g.by === segment) counts.set(g.group, (counts.get(g.group) ?? 0) + g.count)
    const margin = population?.margins[segment]
    for (const level of Object.keys(margin ?? {})) if (!counts.has(level)) counts.set(level, 0)
    const stated = [...counts].filter(([g]) => g !== '').reduce((a, [, n]) => a + n, 0)
    const overallCells = table.cells[config.overall]?.[segment] ?? {}
    for (const [group, n] of counts) {
      const sampleShare = group === '' || stated === 0 ? null : n / stated
      const populationShare =
        margin && group in margin && population ? margin[group]! / population.total : null
      const ratio = sampleShare !== null && populationShare ? sampleShare / populationShare : null
      const cellFlag =
        overallCells[group]?.flag ??
        (n < thresholds.suppress ? 'suppressed' : n < thresholds.lowBase ? 'low_base' : 'ok')
      const unreportable = cellFlag === 'suppressed' && group !== ''
      const underRepresented = ratio !== null && ratio < UNDER_REPRESENTED_RATIO
      representativeness.push({
        segment,
        segmentLabel: segmentLabel(segment),
        group,
        groupLabel: groupLabel(segment, group),
        n: unreportable ? null : n,
        sampleShare: unreportable ? null : sampleShare,
        populationShare,
        ratio: unreportable ? null : ratio,
        underRepresented,
        unreportable,
        lowBase: cellFlag === 'low_base',
        hardToReach: underRepresented || unreportable,
      })
    }
  }

  // ---- key drivers on complete cases of the latest wave (unweighted, as the statistics issue defines them)
  let keyDrivers: Dashboard['keyDrivers'] = null
  let keyDriverProblem: string | null = null
  if (aggregates.keyDrivers) {
    try {
      const k = keyDriverAnalysis(aggregates.keyDrivers)
      const perf = (d: string) => overall.cells[d]?.p ?? null
      const meanImportance = 100 / k.drivers.length
      const performances = k.drivers.map(perf).filter((p): p is number => p !== null)
      const meanPerformance =
        performances.length > 0 ? performances.reduce((a, b) => a + b, 0) / performances.length : 0
      keyDrivers = {
        wave: k.wave,
        outcome: k.outcome,
        nComplete: k.n_complete,
        rSquared: k.ols.r_squared,
        drivers: k.drivers.map((d) => {
          const importance = k.relative_weights.percent[d] ?? 0
          const performance = perf(d)
          const high = importance >= meanImportance
          const good = performance !== null && performance >= meanPerformance
          return {
            driver: d,
            label: ratingLabel(d),
            relativeWeightPercent: importance,
            shapleyPercent: k.lmg.percent[d] ?? 0,
            pearson: k.correlations[d]?.pearson ?? 0,
            standardisedBeta: k.ols.standardized_beta[d] ?? null,
            performance,
            quadrant: high ? (good ? 'maintain' : 'priority') : good ? 'secondary' : 'low_priority',
          }
        }),
      }
    } catch (error) {
      keyDriverProblem =
        error instanceof Error ? error.message.replace(/^keyDriverAnalysis: /, '') : String(error)
    }
  }

  // ---- trends and targets
  const targets = new Map(
    (await listTargets(db, organisationId, survey.seriesId)).map((t) => [t.measure, t.target]),
  )
  const waveVersions = new Map(waves.map((w) => [w.wave, w.versionIds]))
  const latest = aggregates.waves[aggregates.waves.length - 1]
  const previous = aggregates.waves[aggregates.waves.length - 2]
  const wordingByQuestion = new Map<string, string[]>()
  if (latest !== undefined && previous !== undefined) {
    const defs = async (wave: string) =>
      Promise.all(
        (waveVersions.get(wave) ?? []).map(
          async (id) => (await getVersion(db, organisationId, id))?.definition,
        ),
      )
    const [before, after] = await Promise.all([defs(previous), defs(latest)])
    for (const a of before) {
      for (const b of after) {
        if (!a || !b) continue
        for (const change of compareWaveWording(a, b)) {
          const list = wordingByQuestion.get(change.question) ?? []
          if (!list.includes(change.message)) list.push(change.message)
          wordingByQuestion.set(change.question, list)
        }
      }
    }
  }
  const trends: TrendRow[] = config.ratings.map((rating) => {
    const waveCells = table.cells[rating]?.wave ?? {}
    const points: TrendPoint[] = aggregates.waves.map((wave) => {
      const c = toCell(waveCells[wave], 'wave', wave)
      return { wave, n: c.n, p: c.p, lower: c.lower, upper: c.upper, suppressed: c.suppressed }
    })
    let latestVsPrevious: TrendRow['latestVsPrevious'] = null
    if (latest !== undefined && previous !== undefined) {
      const a = waveCells[latest]?.unweighted
      const b = waveCells[previous]?.unweighted
      if (a && b && waveCells[latest]?.flag !== 'suppressed' && waveCells[previous]?.flag !== 'suppressed') {
        const t = twoProportionTest(a.n_satisfied, a.n_valid, b.n_satisfied, b.n_valid)
        latestVsPrevious = {
          latest,
          previous,
          difference: t.difference,
          lower: t.ci.lower,
          upper: t.ci.upper,
          pValue: t.p_value,
          significant: t.p_value !== null && t.p_value < 0.05,
        }
      }
    }
    const target = targets.get(rating) ?? null
    const last = points[points.length - 1]
    let targetStatus: TrendRow['targetStatus'] = null
    if (target !== null && last && last.lower !== null && last.upper !== null) {
      targetStatus = last.lower >= target ? 'met' : last.upper < target ? 'below' : 'not_different'
    }
    return {
      rating,
      label: ratingLabel(rating),
      points,
      latestVsPrevious,
      wordingChanges: wordingByQuestion.get(rating) ?? [],
      target,
      targetStatus,
    }
  })
  if (design)
    notes.push(
      'Weighted: % satisfied is raked to the population profile; intervals use the calibration-adjusted (raked) standard error.',
    )
  else notes.push(`Intervals are ${Math.round(confidence * 100)}% Wilson score intervals.`)
  notes.push(
    `▲/▼ mark a group that differs from the rest of the sample (two-proportion test on unweighted counts, Holm-adjusted within each segment, p < ${alpha.toFixed(2)}).`,
  )

  return {
    survey: {
      id: survey.id,
      title: survey.title,
      slug: survey.slug,
      wave: survey.wave,
      seriesId: survey.seriesId,
    },
    options: { weighted: design !== null, confidence, filters },
    thresholds,
    ratings: config.ratings.map((name) => ({
      name,
      label: ratingLabel(name),
      isOverall: name === config.overall,
      title: questionTitles.get(name) ?? '',
    })),
    segments: config.segments.map((name) => ({
      name,
      label: segmentLabel(name),
      groups: (segmentValues[name] ?? []).map(({ value, count }) => ({
        value,
        label: groupLabel(name, value),
        count,
      })),
    })),
    waves: waves.map((w) => ({
      wave: w.wave,
      responses: w.responses,
      firstAt: w.firstAt?.toISOString() ?? null,
      lastAt: w.lastAt?.toISOString() ?? null,
    })),
    totals: {
      responses: responsesInScope,
      analysed,
      excludedFromWeighting: design ? responsesInScope - analysed : 0,
    },
    weighting,
    weightingProblem,
    overall,
    rows,
    segmentTests,
    representativeness,
    keyDrivers,
    keyDriverProblem,
    trends,
    notes,
  }
}
