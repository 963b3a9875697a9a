import type { ReportCell, ReportRow } from '#analysis/insight-report-types.ts'
import type { CsvValue } from '#app/utils/csv.ts'
import { toCsv } from '#app/utils/csv.ts'
import { breakdownLabel, questionTitle, type ExportContext } from './export-context.server.ts'
import { THEME_COLUMNS, themeTableRows } from './export-themes-table.server.ts'

/*
 * The tables of the evidence pack, built once from the insight report (ctx.insight.report, the one the dashboard
 * renders) and written as CSV, XLSX and HTML alike, so every format shows the same numbers as the dashboard.
 * Each table says which CSE elements it evidences. Nothing here computes a figure: percentages and intervals are
 * the report's published values (already rounded to their publication step), hidden cells carry no number in
 * any format, and no satisfied count is ever written (docs/decisions/013-disclosure-control.md).
 */

/**
 * 'percent': a published % satisfied (0..1, already rounded to whole percent or coarser), shown as "57%";
 * 'proportion': any other share (of respondents, of the population), shown to one decimal.
 */
export type ColumnType = 'text' | 'integer' | 'percent' | 'proportion' | 'number' | 'p_value'

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

/** The columns of every satisfaction table: one row per group and measure, as on the dashboard. */
const SATISFACTION_COLUMNS: TableColumn[] = [
  { key: 'breakdown', header: 'Breakdown', type: 'text' },
  { key: 'group', header: 'Group', type: 'text' },
  { key: 'group_code', header: 'Group code', type: 'text' },
  { key: 'measure', header: 'Measure', type: 'text' },
  { key: 'measure_label', header: 'Key area', type: 'text' },
  { key: 'question', header: 'Question', type: 'text' },
  { key: 'respondents', header: 'Respondents', type: 'integer' },
  { key: 'base', header: 'Valid base (unweighted)', type: 'integer' },
  { key: 'pct_satisfied', header: '% satisfied', type: 'percent' },
  { key: 'lower', header: 'Interval lower', type: 'percent' },
  { key: 'upper', header: 'Interval upper', type: 'percent' },
  { key: 'effective_base', header: 'Effective base (Kish)', type: 'number' },
  { key: 'p_vs_rest_holm', header: 'Versus the rest: p-value (Holm-adjusted)', type: 'p_value' },
  { key: 'difference', header: 'Difference from the rest', type: 'text' },
  { key: 'flag', header: 'Flag', type: 'text' },
]

/** The flag text of a published cell (the dashboard's [s], low base and suppression reasons in words). */
export function flagText(cell: ReportCell | undefined): string {
  if (!cell || cell.status === 'suppressed') {
    if (cell?.suppression === 'secondary') return 'suppressed: hidden so that a small group cannot be worked out'
    if (cell?.suppression === 'withheld') return 'suppressed: not shown for these filters'
    return 'suppressed: too few responses to report'
  }
  if (cell.status === 'low_base') return 'low base: treat with caution'
  return ''
}

/** "significantly higher" / "significantly lower" when the report flags the group (▲/▼ on the dashboard). */
export function differenceText(cell: ReportCell | undefined): string {
  if (!cell || cell.status === 'suppressed') return ''
  if (cell.significance === 'higher') return 'significantly higher'
  if (cell.significance === 'lower') return 'significantly lower'
  return cell.pAdjusted === null ? '' : 'no clear difference'
}

function satisfactionRows(ctx: ExportContext, rows: ReportRow[]): ExportTable['rows'] {
  const out: ExportTable['rows'] = []
  for (const row of rows) {
    for (const rating of ctx.insight.report.meta.ratings) {
      const c = row.cells[rating.name]
      const shown = c !== undefined && c.status !== 'suppressed'
      out.push({
        breakdown: row.byLabel,
        group: row.groupLabel,
        group_code: row.group,
        measure: rating.name,
        measure_label: rating.label,
        question: questionTitle(ctx, rating.name),
        // a group under the suppression threshold has its size withheld too, as in the report's profile
        respondents: row.commentsShown ? row.respondents : null,
        base: shown ? c.n : null,
        pct_satisfied: shown ? c.p : null,
        lower: shown ? c.lower : null,
        upper: shown ? c.upper : null,
        effective_base: shown ? c.ess : null,
        p_vs_rest_holm: shown ? c.pAdjusted : null,
        difference: differenceText(c),
        flag: flagText(c),
      })
    }
  }
  return out
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

/** How the published figures were made, in one sentence (weighted or not, the interval). */
function figuresDescription(ctx: ExportContext): string {
  const { meta } = ctx.insight.report
  const level = `${Math.round(meta.confidence * 100)}%`
  return meta.weighted
    ? `% satisfied weighted to the population profile "${ctx.insight.context.profile?.name ?? ''}", with ${level} intervals that allow for the weighting; percentages to the nearest whole percent.`
    : `% satisfied (unweighted) with ${level} Wilson score intervals; percentages to the nearest whole percent.`
}

/** Every table of the pack, in reading order. */
export function buildExportTables(ctx: ExportContext): ExportTable[] {
  const report = ctx.insight.report
  const used = new Set<string>(['notes'])
  const tables: ExportTable[] = []
  const weighted = report.meta.weighted ? 'weighted' : 'unweighted'
  tables.push({
    id: 'dashboard',
    sheetName: sheetName('Dashboard', used),
    title: `Satisfaction by customer group as on the dashboard (${weighted})`,
    cseElements: ['1.3.2', '1.3.3'],
    description: figuresDescription(ctx),
    columns: SATISFACTION_COLUMNS,
    rows: satisfactionRows(ctx, [report.overall, ...report.rows]),
  })
  tables.push({
    id: 'satisfaction-overall',
    sheetName: sheetName('Satisfaction', used),
    title: 'Satisfaction with each key area, all respondents',
    cseElements: ['1.3.2', '1.3.3'],
    description: `Per cent satisfied with overall service and each key area. ${figuresDescription(ctx)}`,
    columns: SATISFACTION_COLUMNS,
    rows: satisfactionRows(ctx, [report.overall]),
  })
  tables.push({
    id: 'satisfaction-by-wave',
    sheetName: sheetName('By wave', used),
    title: 'Satisfaction by wave (trend)',
    cseElements: ['1.3.4'],
    description: `Each measure in each wave, so change can be judged against the intervals. ${figuresDescription(ctx)}`,
    columns: SATISFACTION_COLUMNS,
    rows: satisfactionRows(ctx, report.waves),
  })
  const segments = new Map(ctx.segments.map((s) => [s.name, s]))
  for (const segment of report.meta.segments) {
    const label = breakdownLabel(ctx, segment.name)
    tables.push({
      id: `satisfaction-by-${segment.name}`,
      sheetName: sheetName(`By ${label}`, used),
      title: `Satisfaction by ${label.toLowerCase()}`,
      cseElements: segments.get(segment.name)?.isEquality ? ['1.1.1', '1.1.3', '1.3.2'] : ['1.1.1', '1.3.2'],
      description: `Each measure for every ${label.toLowerCase()} group, each group tested against the rest of the sample (Holm-adjusted). ${figuresDescription(ctx)}`,
      columns: SATISFACTION_COLUMNS,
      rows: satisfactionRows(
        ctx,
        report.rows.filter((r) => r.by === segment.name),
      ),
    })
  }
  tables.push(trendsTable(ctx, used))
  tables.push(segmentTestsTable(ctx, used))
  if (report.keyDrivers) tables.push(keyDriversTable(ctx, used))
  tables.push(keyAreasTable(ctx, used))
  tables.push(profileTable(ctx, used))
  if (report.weighting) tables.push(weightingTable(ctx, used))
  const themes = ctx.themes?.frequency
  if (themes && themes.themes.length > 0) {
    const level = `${Math.round(themes.confidence * 100)}%`
    tables.push({
      id: 'comment-themes',
      sheetName: sheetName('Comment themes', used),
      title: 'Comment themes by customer group and by driver',
      cseElements: ['1.3.5'],
      description: `The share of coded comments that carry each theme, with ${level} Wilson score intervals, to the nearest whole percent unless flagged; groups with fewer than ${themes.thresholds.suppress} coded comments or respondents are hidden, as on the dashboard (docs/methodology.md, "Comment themes").`,
      columns: THEME_COLUMNS,
      rows: themeTableRows(themes),
    })
  }
  return tables
}

/** The trend sentence's verdict, as the dashboard words it. */
export function verdictText(verdict: 'increase' | 'decrease' | 'no_clear_change'): string {
  return verdict === 'increase' ? 'a clear increase' : verdict === 'decrease' ? 'a clear decrease' : 'no clear change'
}

/** A target verdict in words, as the dashboard words it. */
export function targetVerdictText(verdict: string | null): string {
  return verdict === 'met'
    ? 'met'
    : verdict === 'below_target'
      ? 'below target'
      : verdict === 'not_demonstrably_different'
        ? 'not demonstrably different'
        : 'not assessable'
}

function trendsTable(ctx: ExportContext, used: Set<string>): ExportTable {
  const report = ctx.insight.report
  const rows: ExportTable['rows'] = report.trends.map((t) => {
    const latest = t.change ? t.points.find((p) => p.wave === t.change!.latest)?.cell : undefined
    const previous = t.change ? t.points.find((p) => p.wave === t.change!.previous)?.cell : undefined
    const shown = (c: ReportCell | undefined) => (c && c.status !== 'suppressed' ? c.p : null)
    return {
      measure: t.rating,
      measure_label: t.label,
      latest_wave: t.change?.latest ?? report.meta.latestWave ?? null,
      previous_wave: t.change?.previous ?? null,
      latest_pct: shown(latest),
      previous_pct: shown(previous),
      // published by the report in whole percentage points, like every percentage
      change_points: t.change?.differencePoints ?? null,
      change_lower_points: t.change?.lowerPoints ?? null,
      change_upper_points: t.change?.upperPoints ?? null,
      p_value: t.change?.pValue ?? null,
      test: t.change ? (t.change.method === 'design-based' ? 'design-based (weighted)' : 'two-proportion') : null,
      verdict: t.change ? verdictText(t.change.verdict) : 'only one wave: no change to judge',
      warnings: t.change?.warnings.join(' ') ?? '',
      target: t.target,
      target_wave: t.targetWave,
      target_verdict: t.target === null ? null : targetVerdictText(t.targetVerdict),
    }
  })
  return {
    id: 'trends',
    sheetName: sheetName('Trends and targets', used),
    title: 'Change since the previous wave, and targets',
    cseElements: ['1.3.4'],
    description: `The latest wave against the previous one for each measure: the change in percentage points with its ${Math.round(report.meta.confidence * 100)}% interval and test, and each target judged on the latest wave's interval.`,
    columns: [
      { key: 'measure', header: 'Measure', type: 'text' },
      { key: 'measure_label', header: 'Key area', type: 'text' },
      { key: 'latest_wave', header: 'Latest wave', type: 'text' },
      { key: 'previous_wave', header: 'Previous wave', type: 'text' },
      { key: 'latest_pct', header: '% satisfied, latest wave', type: 'percent' },
      { key: 'previous_pct', header: '% satisfied, previous wave', type: 'percent' },
      { key: 'change_points', header: 'Change (percentage points)', type: 'number' },
      { key: 'change_lower_points', header: 'Change interval lower (percentage points)', type: 'number' },
      { key: 'change_upper_points', header: 'Change interval upper (percentage points)', type: 'number' },
      { key: 'p_value', header: 'p-value of the change', type: 'p_value' },
      { key: 'test', header: 'Test', type: 'text' },
      { key: 'verdict', header: 'Verdict', type: 'text' },
      { key: 'warnings', header: 'Warnings', type: 'text' },
      { key: 'target', header: 'Target', type: 'percent' },
      { key: 'target_wave', header: 'Target judged on wave', type: 'text' },
      { key: 'target_verdict', header: 'Target', type: 'text' },
    ],
    rows,
  }
}

function segmentTestsTable(ctx: ExportContext, used: Set<string>): ExportTable {
  const report = ctx.insight.report
  const overall = report.meta.ratings.find((r) => r.isOverall)?.label ?? 'Overall'
  return {
    id: 'segment-tests',
    sheetName: sheetName('Tests across groups', used),
    title: `Do the groups differ? (${overall.toLowerCase()} satisfaction)`,
    cseElements: ['1.1.1', '1.3.2'],
    description:
      'One test per breakdown of whether overall satisfaction differs across its groups (Rao-Scott when weighted, Pearson chi-squared otherwise). No test is given where fewer than two groups are published.',
    columns: [
      { key: 'breakdown', header: 'Breakdown', type: 'text' },
      { key: 'test', header: 'Test', type: 'text' },
      { key: 'statistic', header: 'Statistic', type: 'number' },
      { key: 'p_value', header: 'p-value', type: 'p_value' },
      { key: 'result', header: 'Result', type: 'text' },
    ],
    rows: report.segmentTests.map((t) => ({
      breakdown: breakdownLabel(ctx, t.segment),
      test: t.method === 'rao-scott' ? 'Rao-Scott F' : 'Pearson chi-squared',
      statistic: t.shown ? t.statistic : null,
      p_value: t.shown ? t.pValue : null,
      result: !t.shown
        ? 'not shown: fewer than two groups are published'
        : t.significant
          ? 'the groups differ'
          : 'no clear difference between the groups',
    })),
  }
}

function keyDriversTable(ctx: ExportContext, used: Set<string>): ExportTable {
  const kd = ctx.insight.report.keyDrivers!
  const quadrant: Record<string, string> = {
    priority: 'priority: more important than average, performing below average',
    maintain: 'maintain: more important than average, performing above average',
    secondary: 'secondary: less important than average, performing above average',
    low_priority: 'low priority: less important than average, performing below average',
  }
  return {
    id: 'key-drivers',
    sheetName: sheetName('Key drivers', used),
    title: `What drives overall satisfaction (wave ${kd.wave})`,
    cseElements: ['1.3.3'],
    description: `Importance of each key area for overall satisfaction in wave ${kd.wave} (${kd.nComplete.toLocaleString('en-GB')} respondents who answered every key area), beside its % satisfied in the same wave.`,
    columns: [
      { key: 'driver', header: 'Measure', type: 'text' },
      { key: 'label', header: 'Key area', type: 'text' },
      { key: 'importance', header: 'Importance (relative weight, % of R²)', type: 'number' },
      { key: 'shapley', header: 'Shapley (LMG) share, % of R²', type: 'number' },
      { key: 'performance', header: '% satisfied (same wave)', type: 'percent' },
      { key: 'quadrant', header: 'Priority', type: 'text' },
    ],
    rows: kd.drivers.map((d) => ({
      driver: d.driver,
      label: d.label,
      importance: d.relativeWeightPercent,
      shapley: d.shapleyPercent,
      performance: d.performance,
      quadrant: quadrant[d.quadrant] ?? d.quadrant,
    })),
  }
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
  // The report's representativeness rows, so the pack and the dashboard flag the same groups.
  const rows: ExportTable['rows'] = ctx.insight.report.representativeness.map((r) => ({
    segment: r.segmentLabel,
    group: r.groupLabel,
    group_code: r.group,
    respondents: r.respondents,
    sample_share: r.sampleShare,
    population_share: r.populationShare,
    representation_ratio: r.ratio,
    flag: [
      r.underRepresented ? 'under-represented' : '',
      r.unreportable ? 'too small to report' : '',
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
    description:
      'Respondents in each customer group, their share of those who stated the group and, where the population is known, of the population. A group is flagged under-represented when its sample share is below two-thirds of its population share; groups too small to report are hard to reach (1.1.3).',
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

function weightingTable(ctx: ExportContext, used: Set<string>): ExportTable {
  const report = ctx.insight.report
  const w = report.weighting!
  const rows: ExportTable['rows'] = [
    { item: 'Population profile', value: ctx.insight.context.profile?.name ?? '' },
    { item: 'Population total', value: w.populationTotal },
    { item: 'Raking variables', value: w.variables.map((v) => breakdownLabel(ctx, v)).join(', ') },
    { item: 'Converged', value: w.converged ? 'yes' : 'no' },
    { item: 'Passes', value: w.passes },
    { item: 'Respondents in the weighted figures', value: report.meta.analysed },
    { item: 'Respondents left out of the weighted figures', value: report.meta.excludedFromWeighting },
    { item: 'Largest / smallest weight', value: w.maxOverMin },
    { item: 'Kish effective sample size', value: w.ess },
    { item: 'Design effect due to weighting (n / effective n)', value: w.deff },
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

/**
 * The definitions written to every notes sheet and methods note: the scale, then the report's own notes
 * (weighting, flags, small groups, secondary suppression, coarsening: report.notes), word for word.
 */
export function definitions(ctx: ExportContext): Array<{ term: string; definition: string }> {
  const c = ctx.scale
  const report = ctx.insight.report
  const level = `${Math.round(report.meta.confidence * 100)}%`
  const noteTerm: Record<string, string> = {
    weighted: 'Weighting',
    unweighted: 'Intervals',
    excluded_from_weighting: 'Left out of the weighted figures',
    not_converged: 'Weighting did not settle',
    flags: 'Versus the rest (significantly higher / lower)',
    small_groups: 'Small groups',
    secondary_suppression: 'Secondary suppression',
    coarsened: 'Coarser rounding',
    withheld: 'Percentages not shown',
  }
  return [
    {
      term: 'Satisfied',
      definition: `Answers ${c.satisfied.join(' or ')} on the ${c.satisfied.length + c.neither.length + c.dissatisfied.length}-point scale (top-two box).`,
    },
    {
      term: 'Valid base',
      definition: '"Don\'t know / not applicable" and unanswered questions are left out of the base.',
    },
    {
      term: '% satisfied',
      definition: `${report.meta.weighted ? 'Weighted' : 'Unweighted'} per cent satisfied of the valid base with its ${level} interval, as on the dashboard. Written as a proportion between 0 and 1, already rounded to its publication step (nearest whole percent unless a note says otherwise); the XLSX shows it as a percentage.`,
    },
    {
      term: 'Change',
      definition: 'Differences between waves are in whole percentage points, as on the dashboard.',
    },
    ...report.notes.map((n) => ({ term: noteTerm[n.code] ?? 'Note', definition: n.text })),
    {
      term: 'Formula safety',
      definition:
        'Text starting with = + - @, tab or a line break is prefixed with an apostrophe so spreadsheets treat it as text.',
    },
  ]
}
