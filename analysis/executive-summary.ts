import type { InsightReport, ReportCell } from './insight-report-types'

/** A number a summary sentence states, with where it comes from in the insight report. */
export interface SummaryFigure {
  /** the number as the sentence prints it (whole percent, whole points, a count) */
  value: number
  /**
   * how `value` is made from the report's value: 'percent' = round(x × 100) of a proportion; 'points' = x
   * (already whole percentage points); 'share' = round(x) of a figure already in percent; 'count' = x
   */
  unit: 'percent' | 'points' | 'share' | 'count'
  /** JSON pointer (RFC 6901) into the insight report, e.g. /overall/cells/overall/p */
  source: string
}

/** One sentence of the executive summary and the table behind it. */
export interface SummarySentence {
  /** unique within the summary, stable between runs (e.g. 'overall', 'groups-age_band', 'change-overall') */
  id: string
  topic: 'withheld' | 'overall' | 'groups' | 'drivers' | 'targets' | 'change'
  text: string
  /**
   * anchor of the table behind the sentence: the export tables' ids (app/services/export-tables.server.ts):
   * 'satisfaction-overall', 'satisfaction-by-<segment>', 'dashboard', 'key-drivers', 'trends'
   */
  table: string
  figures: SummaryFigure[]
}

/**
 * The executive summary of an insight report: plain-English sentences a service manager reads first, each
 * naming the table behind it and the numbers it states.
 *
 * Definition (issue 14, item 4; every statement is the report's own, nothing is recomputed or re-judged):
 * 1. overall level: the published overall cell of all respondents with its interval ("78% … (between 75% and
 *    81%)"), its base and the low-base caution when the report marks it;
 * 2. groups that differ: per segment, the groups whose overall cell the report flags ▲/▼ (significance), in
 *    the report's group order; "no group … differed clearly" when none is flagged;
 * 3. priority drivers: the drivers the report puts in the 'priority' quadrant, in the report's order, with
 *    importance (relative weight, % of R²) and performance;
 * 4. targets: each measure with a target, by the report's verdict on the target wave's interval;
 * 5. change since the last wave: the overall measure's change, called an increase or decrease only when the
 *    report's verdict says so, otherwise "no clear change"; then the other measures whose verdict is a change.
 * Suppressed cells are never stated (a suppressed cell carries no number); a withheld report gives only its
 * reason. Percentages are the published ones (already rounded to the publication step), printed as whole
 * percent; changes are the report's whole percentage points.
 *
 * Reference: docs/methodology.md (published figures, flags, trends, targets, key drivers);
 * docs/decisions/013-disclosure-control.md (what may be published).
 *
 * @param report the insight report (analysis/insight-report.ts).
 * @returns the sentences, in reading order.
 * @example
 * executiveSummary(report)[0].text // '78% of customers were satisfied overall (between 75% and 81%), from 1,204 respondents.'
 */
export function executiveSummary(report: InsightReport): SummarySentence[] {
  const pct = (p: number) => Math.round(p * 100)
  const signed = (x: number) => `${x > 0 ? '+' : x < 0 ? '−' : ''}${Math.abs(x)}`
  const count = (n: number) => n.toLocaleString('en-GB')
  const list = (items: string[]) =>
    items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`
  const shown = (cell: ReportCell | undefined): cell is ReportCell & { p: number; lower: number; upper: number } =>
    !!cell && cell.status !== 'suppressed' && cell.p !== null && cell.lower !== null && cell.upper !== null
  /** "78% (between 75% and 81%)" with its three figures */
  const level = (cell: ReportCell & { p: number; lower: number; upper: number }, at: string) => ({
    text: `${pct(cell.p)}% (between ${pct(cell.lower)}% and ${pct(cell.upper)}%)`,
    figures: [
      { value: pct(cell.p), unit: 'percent' as const, source: `${at}/p` },
      { value: pct(cell.lower), unit: 'percent' as const, source: `${at}/lower` },
      { value: pct(cell.upper), unit: 'percent' as const, source: `${at}/upper` },
    ],
  })
  const esc = (key: string) => key.replace(/~/g, '~0').replace(/\//g, '~1')
  const overall = report.meta.overall
  const measure = (rating: string) =>
    rating === overall
      ? 'overall satisfaction'
      : (report.meta.ratings.find((r) => r.name === rating)?.label ?? rating)
  const out: SummarySentence[] = []

  if (report.status === 'withheld') {
    out.push({
      id: 'withheld',
      topic: 'withheld',
      text: report.withheldReason ?? 'The figures of this view are withheld.',
      table: 'satisfaction-overall',
      figures: [],
    })
    return out
  }

  // 1. overall level
  const cell = report.overall.cells[overall]
  const at = `/overall/cells/${esc(overall)}`
  if (shown(cell) && cell.n !== null) {
    const l = level(cell, at)
    out.push({
      id: 'overall',
      topic: 'overall',
      text: `${pct(cell.p)}% of customers were satisfied overall (between ${pct(cell.lower)}% and ${pct(cell.upper)}%), from ${count(cell.n)} respondents${report.meta.weighted ? ', weighted to the population profile' : ''}.${cell.status === 'low_base' ? ' This is a low base: treat it with caution.' : ''}`,
      table: 'satisfaction-overall',
      figures: [...l.figures, { value: cell.n, unit: 'count', source: `${at}/n` }],
    })
  } else {
    out.push({
      id: 'overall',
      topic: 'overall',
      text: 'There are too few responses to report overall satisfaction.',
      table: 'satisfaction-overall',
      figures: [],
    })
  }

  // 2. groups the report flags as differing from the rest, per segment, in the report's order
  let anyFlag = false
  for (const segment of report.meta.segments) {
    const parts: string[] = []
    const figures: SummaryFigure[] = []
    report.rows.forEach((row, i) => {
      if (row.by !== segment.name) return
      const c = row.cells[overall]
      if (!shown(c) || c.significance === null) return
      const l = level(c, `/rows/${i}/cells/${esc(overall)}`)
      parts.push(`${row.groupLabel} ${c.significance === 'higher' ? 'more' : 'less'} satisfied, ${l.text}`)
      figures.push(...l.figures)
    })
    if (parts.length === 0) continue
    anyFlag = true
    out.push({
      id: `groups-${segment.name}`,
      topic: 'groups',
      text: `By ${segment.label.toLowerCase()}, compared with all other customers: ${parts.join('; ')}.`,
      table: `satisfaction-by-${segment.name}`,
      figures,
    })
  }
  if (!anyFlag && report.meta.segments.length > 0)
    out.push({
      id: 'groups',
      topic: 'groups',
      text: 'No customer group differed clearly from the rest in overall satisfaction.',
      table: 'dashboard',
      figures: [],
    })

  // 3. priority drivers
  const kd = report.keyDrivers
  if (kd) {
    const parts: string[] = []
    const figures: SummaryFigure[] = []
    kd.drivers.forEach((d, i) => {
      if (d.quadrant !== 'priority') return
      const importance = Math.round(d.relativeWeightPercent)
      figures.push({ value: importance, unit: 'share', source: `/keyDrivers/drivers/${i}/relativeWeightPercent` })
      if (d.performance !== null) {
        figures.push({ value: pct(d.performance), unit: 'percent', source: `/keyDrivers/drivers/${i}/performance` })
        parts.push(`${d.label} (importance ${importance}%, ${pct(d.performance)}% satisfied)`)
      } else parts.push(`${d.label} (importance ${importance}%)`)
    })
    out.push({
      id: 'drivers',
      topic: 'drivers',
      text:
        parts.length > 0
          ? `Priorities for improvement in wave ${kd.wave}, important to overall satisfaction but performing below the other drivers: ${list(parts)}.`
          : `No driver of overall satisfaction was both important and performing below the others in wave ${kd.wave}.`,
      table: 'key-drivers',
      figures,
    })
  } else if (report.keyDriverProblem) {
    out.push({
      id: 'drivers',
      topic: 'drivers',
      text: 'Key drivers could not be estimated for this view; the key-driver section says why.',
      table: 'key-drivers',
      figures: [],
    })
  }

  // 4. targets, by the report's verdict
  const verdicts = [
    ['met', 'Targets met'],
    ['below_target', 'Targets missed'],
    ['not_demonstrably_different', 'Not clearly above or below target'],
  ] as const
  const withTarget = report.trends.map((t, i) => ({ t, i })).filter(({ t }) => t.target !== null)
  for (const [verdict, heading] of verdicts) {
    const parts: string[] = []
    const figures: SummaryFigure[] = []
    for (const { t, i } of withTarget) {
      if (t.targetVerdict !== verdict) continue
      const j = t.points.findIndex((p) => p.wave === t.targetWave)
      const c = t.points[j]?.cell
      const target = pct(t.target!)
      figures.push({ value: target, unit: 'percent', source: `/trends/${i}/target` })
      if (shown(c)) {
        const l = level(c, `/trends/${i}/points/${j}/cell`)
        parts.push(`${t.label} ${l.text} against a target of ${target}%`)
        figures.push(...l.figures)
      } else parts.push(`${t.label} against a target of ${target}%`)
    }
    if (parts.length === 0) continue
    const wave = withTarget.find(({ t }) => t.targetVerdict === verdict)?.t.targetWave
    out.push({
      id: `targets-${verdict}`,
      topic: 'targets',
      text: `${heading}${wave ? ` in wave ${wave}` : ''}, judged on the interval: ${parts.join('; ')}.`,
      table: 'trends',
      figures,
    })
  }
  const unjudged = withTarget.filter(({ t }) => t.targetVerdict === null).map(({ t }) => t.label)
  if (unjudged.length > 0)
    out.push({
      id: 'targets-unjudged',
      topic: 'targets',
      text: `Too few responses to judge against its target: ${list(unjudged)}.`,
      table: 'trends',
      figures: [],
    })

  // 5. change since the last wave: stated as a change only when the report's test says so
  if (report.meta.previousWave === null) {
    out.push({
      id: 'change-overall',
      topic: 'change',
      text: 'There is only one wave so far, so no change can be judged.',
      table: 'trends',
      figures: [],
    })
    return out
  }
  const describe = (i: number) => {
    const t = report.trends[i]!
    const c = t.change!
    const figures: SummaryFigure[] = []
    const base = `/trends/${i}/change`
    let numbers = ''
    if (c.differencePoints !== null && c.lowerPoints !== null && c.upperPoints !== null) {
      numbers = ` (${signed(c.differencePoints)} percentage points, between ${signed(c.lowerPoints)} and ${signed(c.upperPoints)})`
      figures.push(
        { value: c.differencePoints, unit: 'points', source: `${base}/differencePoints` },
        { value: c.lowerPoints, unit: 'points', source: `${base}/lowerPoints` },
        { value: c.upperPoints, unit: 'points', source: `${base}/upperPoints` },
      )
    }
    const what =
      c.verdict === 'increase'
        ? `a clear increase in ${measure(t.rating)}`
        : c.verdict === 'decrease'
          ? `a clear decrease in ${measure(t.rating)}`
          : `no clear change in ${measure(t.rating)}`
    return { text: `${what}${numbers}`, figures, warned: c.warnings.length > 0 }
  }
  const overallIndex = report.trends.findIndex((t) => t.rating === overall)
  const overallTrend = report.trends[overallIndex]
  if (overallTrend?.change) {
    const d = describe(overallIndex)
    const c = overallTrend.change
    out.push({
      id: 'change-overall',
      topic: 'change',
      text: `Since wave ${c.previous}, wave ${c.latest} shows ${d.text}.${d.warned ? ' The question was worded differently in the two waves.' : ''}`,
      table: 'trends',
      figures: d.figures,
    })
  } else {
    out.push({
      id: 'change-overall',
      topic: 'change',
      text: `The change in overall satisfaction since wave ${report.meta.previousWave} cannot be judged: a wave has too few responses to report.`,
      table: 'trends',
      figures: [],
    })
  }
  const changed = report.trends
    .map((t, i) => ({ t, i }))
    .filter(({ t }) => t.rating !== overall && t.change !== null && t.change.verdict !== 'no_clear_change')
  const others = report.trends.filter((t) => t.rating !== overall).length
  const unchanged = report.trends.filter(
    (t) => t.rating !== overall && t.change !== null && t.change.verdict === 'no_clear_change',
  ).length
  if (changed.length > 0) {
    const parts = changed.map(({ i }) => describe(i))
    out.push({
      id: 'change-measures',
      topic: 'change',
      text: `Other measures: ${list(parts.map((p) => p.text))}${unchanged > 0 ? '; no clear change in the others' : ''}.`,
      table: 'trends',
      figures: parts.flatMap((p) => p.figures),
    })
  } else if (others > 0) {
    out.push({
      id: 'change-measures',
      topic: 'change',
      text: 'No other measure changed clearly since the previous wave.',
      table: 'trends',
      figures: [],
    })
  }
  return out
}
