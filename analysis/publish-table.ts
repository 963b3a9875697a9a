import type { AnalysisAggregates } from './aggregates'
import type { InsightLabels, ReportCell, ReportRow } from './insight-report-types'
import { normalQuantile } from './normal-quantile'
import { protectPartitions, type PartitionDecision } from './protect-partitions'
import { publishProportion, roundToStep } from './publish-proportion'
import type { SatisfactionCell, SatisfactionTable } from './satisfaction-table'

/** Options of {@link publishTable}. */
export interface PublishTableOptions {
  /** publish weighted proportions and intervals (the table must have a design) */
  weighted: boolean
  confidence: number
  thresholds: { lowBase: number; suppress: number }
  labels?: InsightLabels
  /** groups of each segment in the order to show them */
  order: (by: string, groups: string[]) => string[]
}

/** The published rows of a satisfaction table and the disclosure decisions behind them. */
export interface PublishedTable {
  overall: ReportRow
  waves: ReportRow[]
  rows: ReportRow[]
  /** decisions[rating][by] */
  decisions: Record<string, Record<string, PartitionDecision>>
}

/**
 * Turns a satisfaction table into what every view publishes: for each rating and group, the base, the
 * proportion and interval rounded to the partition's step, the small-base status, and the group-vs-rest flag;
 * hidden cells carry no number. The disclosure decisions come from {@link protectPartitions} on the unweighted
 * counts of the table's respondents, per rating, over the waves and every segment.
 *
 * Definition: status "suppressed" when hidden (primary: base < suppress; secondary or withheld: see
 * protectPartitions); "low_base" when base < lowBase; else "ok". Weighted: p = weighted proportion, interval
 * p ± z·SE(raked), clipped to [0, 1]; unweighted: Wilson. Significance: the Holm-adjusted p-value of the
 * group-vs-rest test (design-based contrast when weighted, two-proportion test otherwise) below 1 − confidence.
 *
 * Reference: docs/methodology.md ("Small groups", "What is published", "Group differences").
 *
 * @param table the satisfaction table (with a design when weighted).
 * @param aggregates the counts the table was computed from (respondents per group).
 * @param options weighting, confidence, thresholds, labels and group order.
 * @returns rows for All, each wave and each segment group, and the decisions.
 * @example
 * publishTable(table, aggregates, { weighted: false, confidence: 0.95, thresholds, order }).overall.cells.overall.p
 */
export function publishTable(
  table: SatisfactionTable,
  aggregates: AnalysisAggregates,
  options: PublishTableOptions,
): PublishedTable {
  const { confidence, thresholds, labels, weighted } = options
  const alpha = 1 - confidence
  const z = normalQuantile((1 + confidence) / 2)
  const decisions: PublishedTable['decisions'] = {}
  for (const rating of table.ratings) {
    const all = table.cells[rating]?.['all']?.['all']
    const total = { n: all?.unweighted.n_valid ?? 0, x: all?.unweighted.n_satisfied ?? 0 }
    const partitions = table.bys
      .filter((by) => by !== 'all')
      .map((by) => ({
        by,
        groups: Object.entries(table.cells[rating]?.[by] ?? {}).map(([group, c]) => ({
          group,
          n: c.unweighted.n_valid,
          x: c.unweighted.n_satisfied,
        })),
      }))
      // a breakdown that does not cover every respondent (a wave filter) is checked on what it covers
      .filter((p) => p.groups.reduce((a, g) => a + g.n, 0) === total.n)
    decisions[rating] = protectPartitions(total, partitions, {
      suppress: thresholds.suppress,
      lowBase: thresholds.lowBase,
      level: confidence,
    })
  }
  const respondents = new Map<string, number>()
  for (const g of aggregates.groupCells) {
    const key = g.by + '\u0001' + g.group
    respondents.set(key, (respondents.get(key) ?? 0) + g.count)
  }
  const cellOf = (
    rating: string,
    by: string,
    group: string,
    cell: SatisfactionCell | undefined,
  ): ReportCell => {
    const d = by === 'all' ? undefined : decisions[rating]?.[by]
    const hidden = d?.hidden[group] ?? (d?.withheld ? 'withheld' : undefined)
    const n = cell?.unweighted.n_valid ?? 0
    if (!cell || hidden !== undefined || n < thresholds.suppress) {
      return {
        status: 'suppressed',
        suppression: hidden ?? 'primary',
        n: null,
        p: null,
        lower: null,
        upper: null,
        step: d?.step ?? 0.01,
        ess: null,
        significance: null,
        pAdjusted: null,
      }
    }
    const step = d?.step ?? 0.01
    let p = publishProportion(cell.unweighted.n_satisfied, n, confidence, step)
    let ess: number | null = null
    if (weighted && cell.weighted) {
      const w = cell.weighted
      const se = w.se_raked
      const clamp = (v: number) => Math.min(1, Math.max(0, v))
      p = {
        p: roundToStep(w.p_satisfied, step),
        lower:
          w.p_satisfied === null || se === null ? null : roundToStep(clamp(w.p_satisfied - z * se), step),
        upper:
          w.p_satisfied === null || se === null ? null : roundToStep(clamp(w.p_satisfied + z * se), step),
      }
      ess = w.ess_valid ?? null
    }
    const test = weighted ? cell.weighted_vs_rest : cell.vs_rest
    const pAdjusted = by === 'all' ? null : (test?.p_holm ?? null)
    const difference = test?.difference ?? null
    return {
      status: n < thresholds.lowBase ? 'low_base' : 'ok',
      suppression: null,
      n,
      ...p,
      step,
      ess,
      significance:
        pAdjusted !== null && pAdjusted < alpha && difference !== null && difference !== 0
          ? difference > 0
            ? 'higher'
            : 'lower'
          : null,
      pAdjusted,
    }
  }
  const rowOf = (by: string, group: string): ReportRow => {
    const count = respondents.get(by + '\u0001' + group) ?? 0
    return {
      by,
      byLabel: by === 'all' ? 'All respondents' : by === 'wave' ? 'Wave' : (labels?.segments?.[by] ?? by),
      group,
      groupLabel:
        by === 'all'
          ? 'All respondents'
          : (labels?.groups?.[by]?.[group] ?? (group === '' ? 'Not stated' : by === 'wave' ? group : group)),
      respondents: count,
      commentsShown: count >= thresholds.suppress,
      cells: Object.fromEntries(
        table.ratings.map((r) => [r, cellOf(r, by, group, table.cells[r]?.[by]?.[group])]),
      ),
    }
  }
  const rows: ReportRow[] = []
  for (const by of table.bys) {
    if (by === 'all' || by === 'wave') continue
    for (const group of options.order(by, table.groups[by] ?? [])) rows.push(rowOf(by, group))
  }
  return {
    overall: rowOf('all', 'all'),
    waves: (table.groups['wave'] ?? []).map((w) => rowOf('wave', w)),
    rows,
    decisions,
  }
}
