import { kishEffectiveSampleSize } from '#analysis/kish-effective-sample-size.ts'
import { weightSummary } from '#analysis/weight-summary.ts'
import type { SatisfactionCell } from '#analysis/satisfaction-table.ts'
import type { CsvValue } from '#app/utils/csv.ts'
import { toCsv } from '#app/utils/csv.ts'
import { UNDER_REPRESENTED_RATIO } from './dashboard.server.ts'
import {
  breakdownLabel,
  groupLabel,
  questionTitle,
  rakingCellKey,
  type ExportContext,
} from './export-context.server.ts'

/*
 * The tables of the evidence pack, built once and written as CSV, XLSX and HTML alike, so every format shows
 * the same numbers. Each table says which CSE elements it evidences. Suppressed cells (base under the
 * organisation's threshold, and secondary suppression) carry no count, percentage or interval in any format.
 */

export type ColumnType = 'text' | 'integer' | 'proportion' | 'number' | 'p_value'

export interface TableColumn {
  key: string
  header: string
  type: ColumnType
}

export interface ExportTable {
  id: string
  /** worksheet name (at most 31 characters, no []:*?/\) */
  sheetName: string
  title: string
  cseElements: string[]
  description: string
  columns: TableColumn[]
  rows: Array<Record<string, CsvValue>>
}

export const SIGNIFICANCE_LEVEL = 0.05
const Z95 = 1.959963984540054

const SATISFACTION_COLUMNS: TableColumn[] = [
  { key: 'measure', header: 'Measure', type: 'text' },
  { key: 'question', header: 'Question', type: 'text' },
  { key: 'breakdown', header: 'Breakdown', type: 'text' },
  { key: 'group', header: 'Group', type: 'text' },
  { key: 'group_code', header: 'Group code', type: 'text' },
  { key: 'base', header: 'Valid base (unweighted)', type: 'integer' },
  { key: 'n_satisfied', header: 'Satisfied (unweighted count)', type: 'integer' },
  { key: 'pct_satisfied', header: 'Satisfied (unweighted proportion)', type: 'proportion' },
  { key: 'ci_lower', header: '95% interval lower (Wilson)', type: 'proportion' },
  { key: 'ci_upper', header: '95% interval upper (Wilson)', type: 'proportion' },
  { key: 'pct_dissatisfied', header: 'Dissatisfied (unweighted proportion)', type: 'proportion' },
  { key: 'net', header: 'Net satisfaction (satisfied - dissatisfied)', type: 'proportion' },
  { key: 'weighted_pct_satisfied', header: 'Satisfied (weighted proportion)', type: 'proportion' },
  { key: 'weighted_ci_lower', header: 'Weighted 95% interval lower (raked SE)', type: 'proportion' },
  { key: 'weighted_ci_upper', header: 'Weighted 95% interval upper (raked SE)', type: 'proportion' },
  { key: 'se_raked', header: 'Standard error (raked design)', type: 'number' },
  { key: 'se_weights_only', header: 'Standard error (weights only)', type: 'number' },
  { key: 'p_vs_rest_holm', header: 'Versus the rest: p-value (Holm-adjusted)', type: 'p_value' },
  { key: 'difference', header: 'Difference from the rest', type: 'text' },
  { key: 'flag', header: 'Flag', type: 'text' },
]

function flagText(cell: SatisfactionCell): string {
  if (cell.suppression === 'primary') return 'suppressed: base under the threshold'
  if (cell.suppression === 'secondary') return 'suppressed: could be recovered by subtraction'
  if (cell.flag === 'low_base') return 'low base: treat with caution'
  return ''
}

function differenceText(cell: SatisfactionCell): string {
  const v = cell.vs_rest
  if (!v || v.p_holm === null || v.difference === null) return ''
  if (v.p_holm >= SIGNIFICANCE_LEVEL) return 'not significant'
  return v.difference > 0 ? 'significantly higher' : 'significantly lower'
}

function satisfactionRow(
  ctx: ExportContext,
  rating: string,
  by: string,
  group: string,
  cell: SatisfactionCell,
): Record<string, CsvValue> {
  const suppressed = cell.suppression !== null
  const u = cell.unweighted
  const w = cell.weighted
  const row: Record<string, CsvValue> = {
    measure: rating,
    question: questionTitle(ctx, rating),
    breakdown: breakdownLabel(ctx, by),
    group: groupLabel(ctx, by, group),
    group_code: group,
    flag: flagText(cell),
  }
  if (suppressed) return row
  const se = w?.se_raked ?? null
  const p = w?.p_satisfied ?? null
  return {
    ...row,
    base: u.n_valid,
    n_satisfied: u.n_satisfied,
    pct_satisfied: u.p_satisfied,
    ci_lower: u.wilson95.lower,
    ci_upper: u.wilson95.upper,
    pct_dissatisfied: u.p_dissatisfied,
    net: u.net,
    weighted_pct_satisfied: p,
    weighted_ci_lower: p === null || se === null ? null : Math.max(0, p - Z95 * se),
    weighted_ci_upper: p === null || se === null ? null : Math.min(1, p + Z95 * se),
    se_raked: se,
    se_weights_only: w?.se_weights_only ?? null,
    p_vs_rest_holm: cell.vs_rest?.p_holm ?? null,
    difference: differenceText(cell),
  }
}

function sheetName(text: string, used: Set<string>): string {
  const base =
    text
      .replace(/[[\]:*?/\\]/g, ' ')
      .slice(0, 31)
      .trim() || 'Table'
  let name = base
  for (let i = 2; used.has(name.toLowerCase()); i++) name = `${base.slice(0, 28)} ${i}`
  used.add(name.toLowerCase())
  return name
}

/** Every table of the pack, in reading order. */
export function buildExportTables(ctx: ExportContext): ExportTable[] {
  const used = new Set<string>(['notes'])
  const tables: ExportTable[] = []
  const dashboard = dashboardTable(ctx, used)
  if (dashboard) tables.push(dashboard)
  const segmentElements = (by: string) => {
    const equality = ctx.segments.find((s) => s.name === by)?.isEquality
    return equality ? ['1.1.1', '1.1.3', '1.3.2'] : ['1.1.1', '1.3.2']
  }
  for (const by of ctx.table.bys) {
    const rows: ExportTable['rows'] = []
    for (const rating of ctx.ratings) {
      for (const [group, cell] of Object.entries(ctx.table.cells[rating]?.[by] ?? {}))
        rows.push(satisfactionRow(ctx, rating, by, group, cell))
    }
    const label = breakdownLabel(ctx, by)
    const id =
      by === 'all' ? 'satisfaction-overall' : by === 'wave' ? 'satisfaction-by-wave' : `satisfaction-by-${by}`
    tables.push({
      id,
      sheetName: sheetName(by === 'all' ? 'Satisfaction' : `By ${label}`, used),
      title:
        by === 'all'
          ? 'Satisfaction with each key area, all respondents'
          : by === 'wave'
            ? 'Satisfaction by wave (trend)'
            : `Satisfaction by ${label.toLowerCase()}`,
      cseElements: by === 'all' ? ['1.3.2', '1.3.3'] : by === 'wave' ? ['1.3.4'] : segmentElements(by),
      description:
        by === 'all'
          ? 'Per cent satisfied with overall service and each key driver, with 95% intervals, unweighted and weighted.'
          : by === 'wave'
            ? 'Each measure in each wave, so change can be judged against the intervals.'
            : `Each measure for every ${label.toLowerCase()} group, each group tested against the rest of the sample (Holm-adjusted).`,
      columns: SATISFACTION_COLUMNS,
      rows,
    })
  }
  tables.push(keyAreasTable(ctx, used))
  tables.push(profileTable(ctx, used))
  if (ctx.weighting) tables.push(weightingTable(ctx, used))
  return tables
}

function keyAreasTable(ctx: ExportContext, used: Set<string>): ExportTable {
  return {
    id: 'key-areas',
    sheetName: sheetName('Key areas', used),
    title: 'Questions used for each key area',
    cseElements: ['1.3.3'],
    description:
      'The question that measures each CSE key area (delivery, timeliness, information, access, professionalism, staff attitude) and overall satisfaction.',
    columns: [
      { key: 'driver', header: 'Key area', type: 'text' },
      { key: 'measure', header: 'Measure', type: 'text' },
      { key: 'question', header: 'Question wording', type: 'text' },
      { key: 'satisfied_codes', header: 'Counted as satisfied', type: 'text' },
    ],
    rows: ctx.ratings.map((rating) => {
      const meta = ctx.metadata.ratings[rating]!
      return {
        driver: meta.driver.replace(/_/g, ' '),
        measure: rating,
        question: questionTitle(ctx, rating),
        satisfied_codes: meta.coding.satisfied.join(', '),
      }
    }),
  }
}

function profileTable(ctx: ExportContext, used: Set<string>): ExportTable {
  // The dashboard's representativeness rows, so the pack and the dashboard flag the same groups.
  const rows: ExportTable['rows'] = (ctx.dashboard?.representativeness ?? []).map((r) => ({
    segment: r.segmentLabel,
    group: r.groupLabel,
    group_code: r.group,
    respondents: r.n,
    sample_share: r.sampleShare,
    population_share: r.populationShare,
    representation_ratio: r.ratio,
    flag: [
      r.underRepresented ? 'under-represented' : '',
      r.unreportable ? 'suppressed: base under the threshold' : '',
      r.lowBase ? 'low base: treat with caution' : '',
    ]
      .filter(Boolean)
      .join('; '),
  }))
  return {
    id: 'respondent-profile',
    sheetName: sheetName('Respondent profile', used),
    title: 'Who responded, beside the population',
    cseElements: ['1.1.1', '1.1.3', '1.2.3'],
    description: `Respondents in each customer group, their share of those who answered and, where the population is known, of the population. A group is flagged under-represented when its sample share is below ${Math.round(UNDER_REPRESENTED_RATIO * 100)}% of its population share; groups too small to report are hard to reach (1.1.3).`,
    columns: [
      { key: 'segment', header: 'Customer group', type: 'text' },
      { key: 'group', header: 'Group', type: 'text' },
      { key: 'group_code', header: 'Group code', type: 'text' },
      { key: 'respondents', header: 'Respondents', type: 'integer' },
      { key: 'sample_share', header: 'Share of sample (stated)', type: 'proportion' },
      { key: 'population_share', header: 'Share of population', type: 'proportion' },
      { key: 'representation_ratio', header: 'Sample share / population share', type: 'number' },
      { key: 'flag', header: 'Flag', type: 'text' },
    ],
    rows,
  }
}

/** The dashboard's satisfaction grid exactly as a manager sees it: one row per group and measure. */
function dashboardTable(ctx: ExportContext, used: Set<string>): ExportTable | null {
  const d = ctx.dashboard
  if (!d) return null
  const rows: ExportTable['rows'] = []
  for (const row of [d.overall, ...d.rows]) {
    for (const rating of d.ratings) {
      const c = row.cells[rating.name]
      if (!c) continue
      rows.push({
        breakdown: row.segmentLabel,
        group: row.groupLabel,
        group_code: row.group,
        measure: rating.name,
        measure_label: rating.label,
        base: c.n,
        pct_satisfied: c.p,
        lower: c.lower,
        upper: c.upper,
        effective_base: c.ess,
        p_vs_rest_holm: c.pHolm,
        difference:
          c.significance === 'higher'
            ? 'significantly higher'
            : c.significance === 'lower'
              ? 'significantly lower'
              : '',
        flag: c.suppressed ? 'suppressed' : c.flag === 'low_base' ? 'low base: treat with caution' : '',
      })
    }
  }
  const weighted = d.options.weighted
  return {
    id: 'dashboard',
    sheetName: sheetName('Dashboard', used),
    title: `Satisfaction by customer group as on the dashboard (${weighted ? 'weighted' : 'unweighted'})`,
    cseElements: ['1.3.2', '1.3.3'],
    description: weighted
      ? `% satisfied raked to "${d.weighting?.populationName ?? ''}", with ${Math.round(d.options.confidence * 100)}% intervals from the calibration-adjusted standard error.`
      : `% satisfied with ${Math.round(d.options.confidence * 100)}% Wilson score intervals.`,
    columns: [
      { key: 'breakdown', header: 'Breakdown', type: 'text' },
      { key: 'group', header: 'Group', type: 'text' },
      { key: 'group_code', header: 'Group code', type: 'text' },
      { key: 'measure', header: 'Measure', type: 'text' },
      { key: 'measure_label', header: 'Key area', type: 'text' },
      { key: 'base', header: 'Valid base (unweighted)', type: 'integer' },
      { key: 'pct_satisfied', header: '% satisfied', type: 'proportion' },
      { key: 'lower', header: 'Interval lower', type: 'proportion' },
      { key: 'upper', header: 'Interval upper', type: 'proportion' },
      { key: 'effective_base', header: 'Effective base (Kish)', type: 'number' },
      { key: 'p_vs_rest_holm', header: 'Versus the rest: p-value (Holm-adjusted)', type: 'p_value' },
      { key: 'difference', header: 'Difference from the rest', type: 'text' },
      { key: 'flag', header: 'Flag', type: 'text' },
    ],
    rows,
  }
}

/** Weighting efficiency: Kish effective sample size and design effect overall and by wave, plus weight spread. */
export function weightingSummary(ctx: ExportContext) {
  const w = ctx.weighting!
  const cells = ctx.aggregates.cells.map((c) => ({
    count: c.count,
    weight: w.cellWeights.get(rakingCellKey(c.rakingCell)) ?? 0,
  }))
  const kish = kishEffectiveSampleSize(cells)
  const summary = weightSummary(cells)
  return {
    kish,
    summary,
    converged: w.result.converged,
    passes: w.result.passes,
    maxAbsMarginError: w.result.maxAbsMarginError,
  }
}

function weightingTable(ctx: ExportContext, used: Set<string>): ExportTable {
  const { kish, summary, converged, passes, maxAbsMarginError } = weightingSummary(ctx)
  const w = ctx.weighting!
  const rows: ExportTable['rows'] = [
    { item: 'Population profile', value: w.profile.name },
    { item: 'Raking variables', value: w.variables.join(', ') },
    { item: 'Converged', value: converged ? 'yes' : 'no' },
    { item: 'Passes', value: passes },
    { item: 'Largest difference from a population margin', value: maxAbsMarginError },
    { item: 'Respondents weighted', value: summary.n },
    { item: 'Sum of weights', value: summary.sum },
    { item: 'Smallest weight', value: summary.min },
    { item: 'Largest weight', value: summary.max },
    { item: 'Largest / smallest weight', value: summary.max_over_min },
    { item: 'Kish effective sample size', value: kish.ess },
    { item: 'Design effect due to weighting (n / effective n)', value: kish.deff },
    {
      item: 'Weighting efficiency (effective n / n)',
      value: kish.ess === null || kish.n === 0 ? null : kish.ess / kish.n,
    },
  ]
  return {
    id: 'weighting',
    sheetName: sheetName('Weighting', used),
    title: 'Weighting and its efficiency',
    cseElements: ['1.2.3', '1.3.1'],
    description: 'How the sample was weighted to the population, and how much precision the weighting costs.',
    columns: [
      { key: 'item', header: 'Item', type: 'text' },
      { key: 'value', header: 'Value', type: 'text' },
    ],
    rows,
  }
}

/** One table as CSV: a first line naming the table and its CSE elements would break parsers, so they go in columns. */
export function tableCsv(table: ExportTable, options: { bom?: boolean } = {}): string {
  return toCsv(
    ['table', 'cse_elements', ...table.columns.map((c) => c.key)],
    table.rows.map((row) => [
      table.title,
      table.cseElements.join(' '),
      ...table.columns.map((c) => row[c.key] ?? null),
    ]),
    options,
  )
}

/** The definitions written to every notes sheet and methods note. */
export function definitions(ctx: ExportContext): Array<{ term: string; definition: string }> {
  const c = ctx.scale
  return [
    {
      term: 'Satisfied',
      definition: `Answers ${c.satisfied.join(' or ')} on the ${c.satisfied.length + c.neither.length + c.dissatisfied.length}-point scale (top-two box).`,
    },
    { term: 'Dissatisfied', definition: `Answers ${c.dissatisfied.join(' or ')}.` },
    {
      term: 'Valid base',
      definition: '"Don\'t know / not applicable" and unanswered questions are left out of the base.',
    },
    {
      term: 'Net satisfaction',
      definition: 'Proportion satisfied minus proportion dissatisfied (proportions, not percentage points).',
    },
    { term: '95% interval (unweighted)', definition: 'Wilson score interval without continuity correction.' },
    {
      term: 'Weighted proportion',
      definition: ctx.weighting
        ? `Raked to the population profile "${ctx.weighting.profile.name}" on ${ctx.weighting.variables.join(' and ')}; 95% interval = p +/- 1.96 x SE of the raked design (linearisation, calibration-adjusted).`
        : 'Not available: the results are unweighted.',
    },
    {
      term: 'Standard error (weights only)',
      definition:
        "As R's svydesign(ids=~1, weights=~weight): ignores that the weights were calibrated; shown for comparison.",
    },
    {
      term: 'Versus the rest',
      definition: `Two-proportion test of each group against all other respondents, p-values Holm-adjusted within each breakdown; "significantly" means adjusted p < ${SIGNIFICANCE_LEVEL}.`,
    },
    {
      term: 'Low base',
      definition: `Unweighted valid base under ${ctx.smallBase.lowBase}: treat with caution.`,
    },
    {
      term: 'Suppressed',
      definition: `Base under ${ctx.smallBase.suppress}: no count, percentage or interval is shown. Where one suppressed group could be recovered by subtraction, a second group is suppressed too.`,
    },
    {
      term: 'Proportions',
      definition:
        'Written as proportions between 0 and 1 at full precision; the XLSX shows them formatted as percentages.',
    },
    {
      term: 'Formula safety',
      definition:
        'Text starting with = + - @, tab or a line break is prefixed with an apostrophe so spreadsheets treat it as text.',
    },
  ]
}
