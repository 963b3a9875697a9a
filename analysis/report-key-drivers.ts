import type { KeyDriverReport, ReportRow } from './insight-report-types'
import type { KeyDriverResults } from './key-driver-analysis'
import type { SatisfactionTable } from './satisfaction-table'

/**
 * The key-driver chart of the report: importance against performance, both from the same wave.
 *
 * Definition: importance = Johnson's relative weight as a % of R² (analysis/relative-weights.ts), with the
 * Shapley/LMG share beside it; performance = % satisfied with the driver in the wave the drivers were analysed
 * on (the latest), weighted when the report is. Quadrants split at the mean importance (100 / number of drivers)
 * and the mean performance of the drivers, on exact figures: high importance and low performance = "priority",
 * high and high = "maintain", low and high = "secondary", low and low = "low_priority". The published
 * performance is the rounded figure of the wave row; it is null when that cell is hidden.
 *
 * Reference: PRODUCT.md §4 "Key drivers"; docs/methodology.md, "Key drivers".
 *
 * @param k key-driver results of the latest wave.
 * @param latestRow the published row of that wave (null when there are no waves).
 * @param table the published table (for exact performance).
 * @param wave the wave analysed.
 * @param weighted whether the table's figures are weighted.
 * @param ratingLabel label of a rating.
 * @returns the chart's data.
 * @example
 * reportKeyDrivers(k, latestRow, table, '2026', false, (r) => r).drivers[0].quadrant
 */
export function reportKeyDrivers(
  k: KeyDriverResults,
  latestRow: ReportRow | null,
  table: SatisfactionTable,
  wave: string,
  weighted: boolean,
  ratingLabel: (rating: string) => string,
): KeyDriverReport {
  const exact = (d: string): number | null => {
    const cell = table.cells[d]?.['wave']?.[wave]
    if (!cell) return null
    return weighted ? (cell.weighted?.p_satisfied ?? null) : cell.unweighted.p_satisfied
  }
  const meanImportance = 100 / k.drivers.length
  const known = k.drivers.map(exact).filter((p): p is number => p !== null)
  const meanPerformance = known.length > 0 ? known.reduce((a, b) => a + b, 0) / known.length : 0
  return {
    wave,
    outcome: k.outcome,
    nComplete: k.n_complete,
    rSquared: k.ols.r_squared,
    // The report decides the order every view lists drivers in: most important first (exact weights), ties
    // in the configuration's order (Array.prototype.sort is stable).
    drivers: [...k.drivers]
      .sort((a, b) => (k.relative_weights.percent[b] ?? 0) - (k.relative_weights.percent[a] ?? 0))
      .map((d) => {
        const importance = k.relative_weights.percent[d] ?? 0
        const performance = exact(d)
        const high = importance >= meanImportance
        const good = performance !== null && performance >= meanPerformance
        const cell = latestRow?.cells[d]
        return {
          driver: d,
          label: ratingLabel(d),
          relativeWeightPercent: importance,
          shapleyPercent: k.lmg.percent[d] ?? 0,
          pearson: k.correlations[d]?.pearson ?? 0,
          spearman: k.correlations[d]?.spearman ?? 0,
          standardisedBeta: k.ols.standardized_beta[d] ?? null,
          performance: cell && cell.status !== 'suppressed' ? cell.p : null,
          quadrant: high ? (good ? 'maintain' : 'priority') : good ? 'secondary' : 'low_priority',
        }
      }),
  }
}
