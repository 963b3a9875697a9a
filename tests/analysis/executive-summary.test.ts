import { beforeAll, describe, expect, it } from 'vitest'
import { countAggregatesFromRows, type ResponseRow } from '#analysis/count-aggregates-from-rows.ts'
import { executiveSummary, type SummarySentence } from '#analysis/executive-summary.ts'
import { buildInsightReport } from '#analysis/insight-report.ts'
import type { InsightReport, ReportCell } from '#analysis/insight-report-types.ts'
import type { AnalysisConfig } from '#analysis/parse-analysis-config.ts'
import type { Population } from '#analysis/parse-population.ts'
import { loadOracleInputs } from './helpers.ts'

/*
 * Issue 14, item 4: every sentence of the executive summary is checked against the insight report's numbers.
 * Each figure a sentence claims is resolved independently in the report (JSON pointer) and compared; every
 * number printed in a sentence is one of its figures; no figure comes from a suppressed cell; and the claims
 * (flagged groups, priority drivers, target verdicts, change verdicts) are exactly the report's. Reports: the
 * public oracle unweighted and weighted with targets, one wave only (no trend), a small survey with
 * suppressed groups, and a withheld (filtered) view.
 */

let config: AnalysisConfig
let population: Population
let rows: ResponseRow[]

beforeAll(() => {
  ;({ config, population, rows } = loadOracleInputs())
})

const build = (
  r: ResponseRow[],
  options: { weighted?: boolean; targets?: Record<string, number>; excludedByFilters?: number } = {},
) =>
  buildInsightReport({
    aggregates: countAggregatesFromRows(r, config),
    config,
    population,
    weighted: options.weighted ?? false,
    ...(options.targets ? { targets: options.targets } : {}),
    ...(options.excludedByFilters !== undefined ? { excludedByFilters: options.excludedByFilters } : {}),
  })

/** Resolves an RFC 6901 pointer in the report. */
function at(report: InsightReport, pointer: string): unknown {
  let node: unknown = report
  for (const raw of pointer.split('/').slice(1)) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~')
    node = (node as Record<string, unknown>)[key]
  }
  return node
}

const signed = (x: number) => `${x > 0 ? '+' : x < 0 ? '−' : ''}${Math.abs(x)}`

/** The numbers printed in a text, after taking out the labels (wave names, group and measure labels). */
function printedNumbers(text: string, report: InsightReport): number[] {
  let t = text
  const labels = [
    ...report.meta.waves.map((w) => `wave ${w}`),
    ...report.rows.map((r) => r.groupLabel),
    ...report.meta.ratings.map((r) => r.label),
  ].sort((a, b) => b.length - a.length)
  for (const l of labels) t = t.split(l).join(' ')
  return [...t.matchAll(/([+−-]?)(\d[\d,]*)/g)].map((m) => {
    const v = Number(m[2]!.replace(/,/g, ''))
    return m[1] === '−' || m[1] === '-' ? -v : v
  })
}

/** The checks every summary must pass against its report. */
function checkAgainstReport(summary: SummarySentence[], report: InsightReport) {
  expect(new Set(summary.map((s) => s.id)).size).toBe(summary.length)
  for (const s of summary) {
    for (const f of s.figures) {
      const raw = at(report, f.source)
      expect(typeof raw, `${s.id} ${f.source}`).toBe('number')
      const x = raw as number
      const expected =
        f.unit === 'percent' ? Math.round(x * 100) : f.unit === 'share' ? Math.round(x) : x
      expect(f.value, `${s.id} ${f.source}`).toBe(expected)
      // the sentence prints it
      const printed =
        f.unit === 'percent' || f.unit === 'share'
          ? `${f.value}%`
          : f.unit === 'points'
            ? signed(f.value)
            : f.value.toLocaleString('en-GB')
      expect(s.text, `${s.id} prints ${printed}`).toContain(printed)
      // never a suppressed cell: a pointer into a cell names the cell's status
      const cellPath = f.source.match(/^(.*\/cells\/[^/]+|.*\/cell)\//)?.[1]
      if (cellPath) expect((at(report, cellPath) as ReportCell).status, f.source).not.toBe('suppressed')
    }
    // every number printed is a claimed figure (points printed with their sign, percent without)
    const claimed = s.figures.map((f) => f.value)
    for (const n of printedNumbers(s.text, report))
      expect(claimed.includes(n) || claimed.includes(Math.abs(n)), `${s.id}: ${n} in "${s.text}"`).toBe(true)
  }
}

describe('executiveSummary', () => {
  it('unweighted, two waves, targets: overall level, flagged groups, drivers, targets and change are the report’s', () => {
    const targets = { overall: 0.7, timeliness: 0.95, delivery: 0.5 }
    const report = build(rows, { targets })
    const summary = executiveSummary(report)
    checkAgainstReport(summary, report)

    const overall = summary.find((s) => s.id === 'overall')!
    const cell = report.overall.cells.overall!
    expect(overall.text).toBe(
      `${Math.round(cell.p! * 100)}% of customers were satisfied overall (between ${Math.round(cell.lower! * 100)}% and ${Math.round(cell.upper! * 100)}%), from ${cell.n!.toLocaleString('en-GB')} respondents.`,
    )
    expect(overall.table).toBe('satisfaction-overall')

    // exactly the groups the report flags on the overall measure, and no other
    const flagged = report.rows.filter(
      (r) => r.cells.overall!.significance !== null && r.cells.overall!.status !== 'suppressed',
    )
    expect(flagged.length).toBeGreaterThan(0)
    const groupText = summary.filter((s) => s.topic === 'groups').map((s) => s.text).join(' ')
    for (const r of flagged) {
      const s = summary.find((x) => x.id === `groups-${r.by}`)!
      expect(s.table).toBe(`satisfaction-by-${r.by}`)
      expect(s.text).toContain(
        `${r.groupLabel} ${r.cells.overall!.significance === 'higher' ? 'more' : 'less'} satisfied, ${Math.round(r.cells.overall!.p! * 100)}%`,
      )
    }
    for (const r of report.rows.filter((x) => x.cells.overall!.significance === null))
      expect(groupText).not.toMatch(new RegExp(`(^|: |; )${r.groupLabel} (more|less) satisfied`))

    // priority drivers: exactly the report's priority quadrant
    const drivers = summary.find((s) => s.id === 'drivers')!
    expect(drivers.table).toBe('key-drivers')
    for (const d of report.keyDrivers!.drivers)
      expect(drivers.text.includes(`${d.label} (importance`), d.driver).toBe(d.quadrant === 'priority')

    // targets: each measure with a target in the sentence of its verdict
    for (const t of report.trends.filter((x) => x.target !== null)) {
      const s = summary.find((x) => x.id === `targets-${t.targetVerdict}`)!
      expect(s.text).toContain(`${t.label} `)
      expect(s.text).toContain(`against a target of ${Math.round(t.target! * 100)}%`)
    }
    expect(summary.find((s) => s.id === 'targets-met')!.text).toMatch(/^Targets met/)

    // change: a change only when the report's verdict says so
    const overallTrend = report.trends.find((t) => t.rating === 'overall')!
    const change = summary.find((s) => s.id === 'change-overall')!
    expect(change.text).toContain(
      overallTrend.change!.verdict === 'no_clear_change'
        ? 'no clear change in overall satisfaction'
        : `a clear ${overallTrend.change!.verdict} in overall satisfaction`,
    )
    const measures = summary.find((s) => s.id === 'change-measures')!
    for (const t of report.trends.filter((x) => x.rating !== 'overall' && x.change))
      expect(measures.text.includes(`clear ${t.change!.verdict} in ${t.label}`), t.rating).toBe(
        t.change!.verdict !== 'no_clear_change',
      )
  })

  it('weighted: the weighted figures and the design-based change', () => {
    const report = build(rows, { weighted: true })
    expect(report.meta.weighted).toBe(true)
    const summary = executiveSummary(report)
    checkAgainstReport(summary, report)
    expect(summary[0]!.text).toContain('weighted to the population profile')
    const unweighted = executiveSummary(build(rows))
    // the summary follows the report it is given: the weighted overall differs from the unweighted one
    expect(summary[0]!.figures.map((f) => f.value)).not.toEqual(unweighted[0]!.figures.map((f) => f.value))
  })

  it('one wave: no trend, "no change can be judged"', () => {
    const report = build(rows.filter((r) => r.wave === '2026'))
    expect(report.meta.previousWave).toBeNull()
    const summary = executiveSummary(report)
    checkAgainstReport(summary, report)
    expect(summary.find((s) => s.id === 'change-overall')!.text).toBe(
      'There is only one wave so far, so no change can be judged.',
    )
    expect(summary.some((s) => /clear (increase|decrease)/.test(s.text))).toBe(false)
  })

  it('a small survey with suppressed groups: no suppressed figure is stated', () => {
    const small = rows.filter((_, i) => i % 12 === 0)
    const report = build(small, { targets: { overall: 0.6 } })
    const suppressed = report.rows.filter((r) => r.cells.overall!.status === 'suppressed')
    expect(suppressed.length).toBeGreaterThan(0)
    const summary = executiveSummary(report)
    checkAgainstReport(summary, report)
    const text = summary.map((s) => s.text).join(' ')
    for (const r of suppressed) expect(text).not.toMatch(new RegExp(`${r.groupLabel} (more|less) satisfied`))
  })

  it('a withheld view states only why', () => {
    const report = build(rows, { excludedByFilters: 3 })
    expect(report.status).toBe('withheld')
    const summary = executiveSummary(report)
    expect(summary).toHaveLength(1)
    expect(summary[0]!.text).toBe(report.withheldReason)
    expect(summary[0]!.figures).toEqual([])
  })

  it('a suppressed overall cell is not stated', () => {
    const report = build(rows.slice(0, 5))
    expect(report.overall.cells.overall!.status).toBe('suppressed')
    const summary = executiveSummary(report)
    checkAgainstReport(summary, report)
    expect(summary[0]!.text).toBe('There are too few responses to report overall satisfaction.')
  })
})
