import type { AnalysisAggregates } from './aggregates'
import { createSurveyDesign, type SurveyDesign } from './create-survey-design'
import { finitePopulationFactor } from './finite-population-factor'
import { keyDriverAnalysis, type KeyDriverResults } from './key-driver-analysis'
import { kishEffectiveSampleSize, type KishSummary } from './kish-effective-sample-size'
import { normalQuantile } from './normal-quantile'
import type { AnalysisConfig } from './parse-analysis-config'
import type { Population } from './parse-population'
import { rake, type RakeResult } from './rake'
import { sampleSize } from './sample-size'
import { satisfactionTable, type SatisfactionTable } from './satisfaction-table'
import { twoProportionTest } from './two-proportion-test'
import { weightSummary, type WeightSummary } from './weight-summary'
import { wilsonInterval } from './wilson-interval'

/** Results in the layout of the oracle's results.json (plus advisory flags and extra fields). */
export interface AnalysisResults {
  meta: Record<string, unknown>
  unweighted: Record<string, Record<string, Record<string, Record<string, unknown>>>>
  weighting: Record<string, unknown> | null
  weighted: Record<string, Record<string, Record<string, Record<string, unknown>>>> | null
  group_tests: Record<string, Record<string, unknown>>
  trend: Record<string, Record<string, unknown>>
  key_drivers: (Omit<KeyDriverResults, 'wave'> & { wave: string | number }) | null
  sample_size: Record<string, unknown> | null
  /** final weight per raking cell (for weights-out and for a database to store) */
  cell_weights: Array<{ rakingCell: string[]; count: number; weight: number }> | null
}

/**
 * Runs the whole analysis from aggregates: unweighted table, raking with Kish and weight summary, weighted
 * table with raked and weights-only SEs, group tests for the overall rating (Pearson, Rao-Scott F and
 * first-order chi-square, each group vs the rest with Holm / BH), trend latest vs previous wave, key
 * drivers and the sample-size plan. Output keys follow the oracle's results.json.
 *
 * Definitions: PRODUCT.md §4 and the oracle README (each R call reproduced). Weighting needs `population`
 * and `config.raking`; without them `weighting` and `weighted` are null and the Rao-Scott fields are null.
 *
 * Reference: R 4.2.2 `stats` + survey 4.1.1, as documented in tests/fixtures/oracle-public/README.md.
 *
 * @param aggregates counts (from SQL or {@link countAggregatesFromRows}).
 * @param config validated configuration.
 * @param population population margins for raking (optional).
 * @returns the results.
 * @throws if raking margins cannot be met (population level without respondents, sample level absent from
 *   the population) or other invalid input.
 * @example
 * analyse(countAggregatesFromRows(rows, config), config, population).weighted.overall.all.all.se_raked
 */
export function analyse(
  aggregates: AnalysisAggregates,
  config: AnalysisConfig,
  population?: Population | null,
): AnalysisResults {
  const n = aggregates.cells.reduce((a, c) => a + c.count, 0)
  const waveLabel = (w: string): string | number =>
    w.trim() !== '' && Number.isFinite(Number(w)) ? Number(w) : w
  const latest = aggregates.waves[aggregates.waves.length - 1]
  const previous = aggregates.waves[aggregates.waves.length - 2]
  const segments = aggregates.bys.filter((b) => b !== 'all' && b !== 'wave')
  // ---- weighting
  let rakeResult: RakeResult | null = null
  let design: SurveyDesign | null = null
  if (population && config.raking && n > 0) {
    const variables = config.raking.variables
    rakeResult = rake(aggregates.cells, variables, population.margins, {
      epsilon: config.raking.epsilon,
      maxPasses: config.raking.maxPasses,
      ...(config.raking.cap !== undefined ? { cap: config.raking.cap } : {}),
    })
    const levelNames = variables.map((v) => Object.keys(population.margins[v] ?? {}))
    design = createSurveyDesign(
      aggregates.cells.map((c, i) => ({
        levels: c.rakingCell.map((level, v) => levelNames[v]!.indexOf(level)),
        count: c.count,
        weight: rakeResult!.weights[i]!,
      })),
      levelNames.map((l) => l.length),
    )
  }
  const table: SatisfactionTable = satisfactionTable(aggregates, {
    scale: config.scale,
    confidence: config.confidence,
    design,
    smallBase: config.smallBase,
  })
  // ---- unweighted
  const unweighted: AnalysisResults['unweighted'] = {}
  for (const rating of table.ratings) {
    unweighted[rating] = {}
    for (const by of table.bys) {
      const out: Record<string, Record<string, unknown>> = {}
      for (const [group, cell] of Object.entries(table.cells[rating]![by]!)) {
        const u = cell.unweighted
        const entry: Record<string, unknown> = { ...u, flag: cell.flag, suppression: cell.suppression }
        if (by === 'all') {
          entry.wilson90 = wilsonInterval(u.n_satisfied, u.n_valid, 0.9)
          entry.wilson99 = wilsonInterval(u.n_satisfied, u.n_valid, 0.99)
          if (population && u.n_valid <= population.total) {
            const factor = finitePopulationFactor(population.total, u.n_valid)
            entry.fpc = {
              N: population.total,
              factor,
              normal_margin95_z196: u.normal_margin95_z196 === null ? null : u.normal_margin95_z196 * factor,
              normal_margin95_zexact:
                u.normal_margin95_zexact === null ? null : u.normal_margin95_zexact * factor,
            }
          }
        }
        out[group] = entry
      }
      unweighted[rating]![by] = out
    }
  }
  // ---- weighting summary
  let weighting: AnalysisResults['weighting'] = null
  let cellWeights: AnalysisResults['cell_weights'] = null
  if (rakeResult && design && config.raking) {
    const weightOf = new Map(
      aggregates.cells.map((c, i) => [c.rakingCell.join('\u0001'), rakeResult!.weights[i]!]),
    )
    const kish: Record<string, Record<string, KishSummary>> = {}
    for (const by of aggregates.bys) {
      const groups = new Map<string, Array<{ count: number; weight: number }>>()
      for (const g of aggregates.groupCells) {
        if (g.by !== by) continue
        const weight = weightOf.get(g.rakingCell.join('\u0001'))
        if (weight === undefined)
          throw new Error(`analyse: raking cell ${g.rakingCell.join(' x ')} is not in aggregates.cells`)
        const list = groups.get(g.group) ?? []
        list.push({ count: g.count, weight })
        groups.set(g.group, list)
      }
      kish[by] = Object.fromEntries(
        [...groups].map(([group, cells]) => [group, kishEffectiveSampleSize(cells)]),
      )
    }
    const summary: WeightSummary = weightSummary(design.cells)
    weighting = {
      control: {
        maxit: config.raking.maxPasses,
        epsilon: config.raking.epsilon,
        ...(config.raking.cap !== undefined ? { cap: config.raking.cap } : {}),
      },
      epsilon_absolute: rakeResult.epsilonAbsolute,
      convergence_rule:
        'stop when max |change| of any cell of the weighted cross-table of all raking variables between successive full passes < epsilon_absolute (= epsilon * n when epsilon < 1)',
      converged: rakeResult.converged,
      passes_to_converge: rakeResult.converged ? rakeResult.passes : null,
      passes: rakeResult.passes,
      rake_warnings: rakeResult.warnings,
      max_abs_margin_error: rakeResult.maxAbsMarginError,
      n_capped: rakeResult.nCapped,
      margins: rakeResult.margins,
      weight_summary: summary,
      kish,
    }
    cellWeights = aggregates.cells.map((c, i) => ({
      rakingCell: [...c.rakingCell],
      count: c.count,
      weight: rakeResult!.weights[i]!,
    }))
  }
  // ---- weighted
  let weighted: AnalysisResults['weighted'] = null
  if (design) {
    weighted = {}
    for (const rating of table.ratings) {
      weighted[rating] = {}
      for (const by of table.bys) {
        const out: Record<string, Record<string, unknown>> = {}
        for (const [group, cell] of Object.entries(table.cells[rating]![by]!)) {
          out[group] = { ...cell.weighted, flag: cell.flag, suppression: cell.suppression }
        }
        weighted[rating]![by] = out
      }
    }
  }
  // ---- group tests (overall rating)
  const groupTests: AnalysisResults['group_tests'] = {}
  for (const segment of segments) {
    const tests = table.tests[config.overall]?.[segment]
    if (!tests) continue
    const vsRest: Record<string, unknown> = {}
    for (const [group, cell] of Object.entries(table.cells[config.overall]![segment]!)) {
      if (cell.unweighted.n_valid > 0)
        vsRest[group] = { ...cell.vs_rest, flag: cell.flag, suppression: cell.suppression }
    }
    groupTests[segment] = { rating: config.overall, ...tests, vs_rest: vsRest }
  }
  // ---- trend
  const trend: AnalysisResults['trend'] = {}
  for (const rating of table.ratings) {
    const perWave: Record<string, unknown> = {}
    const waveCells = table.cells[rating]!['wave'] ?? {}
    for (const wave of aggregates.waves) {
      const u = waveCells[wave]?.unweighted
      perWave[wave] = {
        n_valid: u?.n_valid ?? 0,
        n_satisfied: u?.n_satisfied ?? 0,
        p_satisfied: u?.p_satisfied ?? null,
      }
    }
    let latestVsPrevious: Record<string, unknown> | null = null
    if (latest !== undefined && previous !== undefined) {
      const a = waveCells[latest]?.unweighted
      const b = waveCells[previous]?.unweighted
      const t = twoProportionTest(a?.n_satisfied ?? 0, a?.n_valid ?? 0, b?.n_satisfied ?? 0, b?.n_valid ?? 0)
      latestVsPrevious = {
        latest: waveLabel(latest),
        previous: waveLabel(previous),
        p_latest: t.p1,
        p_previous: t.p2,
        difference: t.difference,
        statistic: t.statistic,
        df: t.df,
        p_value: t.p_value,
        ci95: t.ci,
        warnings: t.warnings,
      }
      const wording = aggregates.wording?.[rating]
      const before = wording?.[previous]
      const after = wording?.[latest]
      if (before !== undefined && after !== undefined && before.trim() !== after.trim()) {
        latestVsPrevious.warnings = [
          ...t.warnings,
          `question wording of ${rating} differs between waves ${previous} and ${latest}`,
        ]
      }
    }
    trend[rating] = { per_wave: perWave, latest_vs_previous: latestVsPrevious }
  }
  // ---- key drivers
  let keyDrivers: AnalysisResults['key_drivers'] = null
  if (aggregates.keyDrivers) {
    const k = keyDriverAnalysis(aggregates.keyDrivers)
    keyDrivers = { ...k, wave: waveLabel(k.wave) }
  }
  // ---- sample size
  let sample: AnalysisResults['sample_size'] = null
  if (config.sampleSize) {
    const z = normalQuantile((1 + config.confidence) / 2)
    const rows = config.sampleSize.margins.flatMap((margin) =>
      config.sampleSize!.populations.map((N) => {
        const r = sampleSize(margin, N, z, config.sampleSize!.p)
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
    )
    sample = {
      z,
      confidence: config.confidence,
      p: config.sampleSize.p,
      formula: 'n0 = z^2 p (1-p) / e^2;  n = n0 / (1 + (n0 - 1)/N)  (n = n0 when N is infinite)',
      rows,
    }
  }
  return {
    meta: {
      n_respondents: n,
      waves: aggregates.waves.map(waveLabel),
      latest_wave: latest === undefined ? null : waveLabel(latest),
      previous_wave: previous === undefined ? null : waveLabel(previous),
      population_total: population?.total ?? null,
      rating_columns: aggregates.ratings,
      driver_columns: config.drivers,
      segment_columns: segments,
      by_columns: aggregates.bys,
      rake_variables: aggregates.rakingVariables,
      coding: config.scale,
      confidence: config.confidence,
      small_base: config.smallBase,
      software: { engine: 'CSE Insight analysis (TypeScript)' },
    },
    unweighted,
    weighting,
    weighted,
    group_tests: groupTests,
    trend,
    key_drivers: keyDrivers,
    sample_size: sample,
    cell_weights: cellWeights,
  }
}
