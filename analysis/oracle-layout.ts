import { finitePopulationFactor } from './finite-population-factor'
import type { InsightReport, ReportCell } from './insight-report-types'
import type { KeyDriverResults } from './key-driver-analysis'
import { wilsonInterval } from './wilson-interval'

/** Results in the layout of the oracle's results.json (plus the report's flags and extra fields). */
export interface AnalysisResults {
  meta: Record<string, unknown>
  unweighted: Record<string, Record<string, Record<string, Record<string, unknown>>>>
  weighting: Record<string, unknown> | null
  weighted: Record<string, Record<string, Record<string, Record<string, unknown>>>> | null
  group_tests: Record<string, Record<string, unknown>>
  /** overall rating, each group vs the rest under the raked design (null without weighting) */
  weighted_vs_rest: Record<string, Record<string, Record<string, unknown>>> | null
  trend: Record<string, Record<string, unknown>>
  /** latest vs previous wave under the raked design per rating (null without weighting; a rating is null
   * with fewer than two waves) */
  weighted_trend: Record<string, Record<string, unknown> | null> | null
  key_drivers: (Omit<KeyDriverResults, 'wave'> & { wave: string | number }) | null
  sample_size: Record<string, unknown> | null
  /** final weight per raking cell (for weights-out and for a database to store) */
  cell_weights: Array<{ rakingCell: string[]; count: number; weight: number }> | null
  /** the report's published decisions, per rating, breakdown and group */
  published: Record<
    string,
    Record<string, Record<string, Pick<ReportCell, 'status' | 'suppression' | 'step'>>>
  >
}

const waveLabel = (w: string): string | number =>
  w.trim() !== '' && Number.isFinite(Number(w)) ? Number(w) : w

/**
 * Renders an insight report in the layout of the oracle's results.json, the output of `npm run analyse`: every
 * exact estimate the report holds (report.estimates), never recomputed — except the 90% and 99% Wilson
 * intervals and the finite-population margins of the All row, which the layout asks for and no view shows.
 *
 * Definition: unweighted[rating][by][group] from the unweighted table; weighting (rake call, convergence,
 * margins, weight summary, Kish per group) and weighted[rating][by][group] from the raked table;
 * group_tests[segment] for the overall rating (Pearson on the unweighted table, Rao-Scott on the raked one,
 * each group vs the rest unweighted); weighted_vs_rest, trend, weighted_trend, key_drivers, sample_size.
 * `published` gives the report's decision for every cell (status, suppression, step).
 *
 * Reference: tests/fixtures/oracle-public/README.md (the R call behind every field).
 *
 * @param report the insight report.
 * @returns results in the oracle's layout.
 * @example
 * oracleLayout(buildInsightReport(input)).weighted?.overall.all.all.se_raked
 */
export function oracleLayout(report: InsightReport): AnalysisResults {
  const e = report.estimates
  const { config, population } = e
  const u = e.unweighted
  const w = e.weighted
  const segments = config.segments
  const unweighted: AnalysisResults['unweighted'] = {}
  for (const rating of u.ratings) {
    unweighted[rating] = {}
    for (const by of u.bys) {
      const out: Record<string, Record<string, unknown>> = {}
      for (const [group, cell] of Object.entries(u.cells[rating]![by]!)) {
        const x = cell.unweighted
        const entry: Record<string, unknown> = { ...x }
        if (by === 'all') {
          entry.wilson90 = wilsonInterval(x.n_satisfied, x.n_valid, 0.9)
          entry.wilson99 = wilsonInterval(x.n_satisfied, x.n_valid, 0.99)
          if (population && x.n_valid <= population.total) {
            const factor = finitePopulationFactor(population.total, x.n_valid)
            entry.fpc = {
              N: population.total,
              factor,
              normal_margin95_z196: x.normal_margin95_z196 === null ? null : x.normal_margin95_z196 * factor,
              normal_margin95_zexact:
                x.normal_margin95_zexact === null ? null : x.normal_margin95_zexact * factor,
            }
          }
        }
        out[group] = entry
      }
      unweighted[rating]![by] = out
    }
  }
  let weighting: AnalysisResults['weighting'] = null
  let weighted: AnalysisResults['weighted'] = null
  let weightedVsRest: AnalysisResults['weighted_vs_rest'] = null
  if (w && e.rake && config.raking) {
    weighting = {
      control: {
        maxit: config.raking.maxPasses,
        epsilon: config.raking.epsilon,
        ...(config.raking.cap !== undefined ? { cap: config.raking.cap } : {}),
      },
      epsilon_absolute: e.rake.epsilonAbsolute,
      convergence_rule:
        'stop when max |change| of any cell of the weighted cross-table of all raking variables between successive full passes < epsilon_absolute (= epsilon * n when epsilon < 1)',
      converged: e.rake.converged,
      passes_to_converge: e.rake.converged ? e.rake.passes : null,
      passes: e.rake.passes,
      rake_warnings: e.rake.warnings,
      max_abs_margin_error: e.rake.maxAbsMarginError,
      n_capped: e.rake.nCapped,
      margins: e.rake.margins,
      weight_summary: e.weightSummary,
      kish: e.kish,
    }
    weighted = {}
    for (const rating of w.ratings) {
      weighted[rating] = {}
      for (const by of w.bys) {
        const out: Record<string, Record<string, unknown>> = {}
        for (const [group, cell] of Object.entries(w.cells[rating]![by]!)) out[group] = { ...cell.weighted }
        weighted[rating]![by] = out
      }
    }
    weightedVsRest = {}
    for (const segment of segments) {
      const out: Record<string, Record<string, unknown>> = {}
      for (const [group, cell] of Object.entries(w.cells[config.overall]?.[segment] ?? {}))
        if (cell.unweighted.n_valid > 0 && cell.weighted_vs_rest) out[group] = { ...cell.weighted_vs_rest }
      weightedVsRest[segment] = out
    }
  }
  const groupTests: AnalysisResults['group_tests'] = {}
  for (const segment of segments) {
    const tests = u.tests[config.overall]?.[segment]
    if (!tests) continue
    const raked = w?.tests[config.overall]?.[segment]
    const vsRest: Record<string, unknown> = {}
    for (const [group, cell] of Object.entries(u.cells[config.overall]![segment]!))
      if (cell.unweighted.n_valid > 0) vsRest[group] = { ...cell.vs_rest }
    groupTests[segment] = {
      rating: config.overall,
      ...tests,
      rao_scott_F: raked?.rao_scott_F ?? null,
      rao_scott_chisq: raked?.rao_scott_chisq ?? null,
      vs_rest: vsRest,
    }
  }
  const trend: AnalysisResults['trend'] = {}
  for (const [rating, t] of Object.entries(e.trend)) {
    trend[rating] = {
      per_wave: t.per_wave,
      latest_vs_previous: t.latest_vs_previous
        ? {
            ...t.latest_vs_previous,
            latest: waveLabel(t.latest_vs_previous.latest),
            previous: waveLabel(t.latest_vs_previous.previous),
          }
        : null,
    }
  }
  const latest = e.waves.at(-1)
  const previous = e.waves.at(-2)
  const weightedTrend: AnalysisResults['weighted_trend'] =
    w && e.rake
      ? Object.fromEntries(
          u.ratings.map((r) => {
            const t = e.weightedTrend[r]
            return [
              r,
              t && latest !== undefined && previous !== undefined
                ? { latest: waveLabel(latest), previous: waveLabel(previous), ...t }
                : null,
            ]
          }),
        )
      : null
  const published: AnalysisResults['published'] = {}
  for (const row of [report.overall, ...report.waves, ...report.rows]) {
    for (const [rating, cell] of Object.entries(row.cells)) {
      ;((published[rating] ??= {})[row.by] ??= {})[row.group] = {
        status: cell.status,
        suppression: cell.suppression,
        step: cell.step,
      }
    }
  }
  return {
    meta: {
      n_respondents: report.meta.respondents,
      waves: e.waves.map(waveLabel),
      latest_wave: latest === undefined ? null : waveLabel(latest),
      previous_wave: previous === undefined ? null : waveLabel(previous),
      population_total: population?.total ?? null,
      rating_columns: e.aggregates.ratings,
      driver_columns: config.drivers,
      segment_columns: segments,
      by_columns: e.aggregates.bys,
      rake_variables: e.aggregates.rakingVariables,
      coding: config.scale,
      confidence: config.confidence,
      small_base: config.smallBase,
      weighted: report.meta.weighted,
      weighting_problem: report.weightingProblem,
      software: { engine: 'CSE Insight analysis (TypeScript)' },
    },
    unweighted,
    weighting,
    weighted,
    group_tests: groupTests,
    weighted_vs_rest: weightedVsRest,
    trend,
    weighted_trend: weightedTrend,
    key_drivers: e.keyDrivers ? { ...e.keyDrivers, wave: waveLabel(e.keyDrivers.wave) } : null,
    sample_size: e.sampleSize as Record<string, unknown> | null,
    cell_weights: e.cellWeights,
    published,
  }
}
