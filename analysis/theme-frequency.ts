import { protectPartitions, type PartitionDecision } from './protect-partitions'
import { publishProportion } from './publish-proportion'

/** Coded comments that share the same groups and the same themes, with how many there are. */
export interface ThemeCodedCell {
  /** the comments' group in each breakdown (breakdown name → group; missing = '', "not stated") */
  groups: Readonly<Record<string, string>>
  /** ids of the themes the comments carry (a coded comment carries at least one) */
  themes: ReadonlyArray<string>
  /** number of coded comments in the cell (a non-negative integer) */
  count: number
}

/** A breakdown to publish (a customer-group segment, or the drivers the comment questions belong to). */
export interface ThemeBreakdown {
  by: string
  label: string
  /**
   * its groups in display order; `commentsShown` is the insight report's decision (ReportRow.commentsShown):
   * a group whose comments the report holds back shows no theme figure either
   */
  groups: ReadonlyArray<{ group: string; label: string; commentsShown: boolean }>
}

/** Everything {@link themeFrequency} needs. */
export interface ThemeFrequencyInput {
  themes: ReadonlyArray<{ id: string; name: string }>
  cells: ReadonlyArray<ThemeCodedCell>
  breakdowns: ReadonlyArray<ThemeBreakdown>
  /** the insight report lets the survey as a whole show comments (report.overall.commentsShown) */
  overallShown: boolean
  /** confidence level of the intervals (the report's meta.confidence) */
  confidence: number
  /** the report's thresholds (meta.thresholds) */
  thresholds: { lowBase: number; suppress: number }
}

/** A published theme figure: hidden cells carry no number at all (as ReportCell). */
export interface ThemeCell {
  status: 'ok' | 'low_base' | 'suppressed'
  suppression: 'primary' | 'secondary' | 'withheld' | null
  /** coded comments in the group (the base) */
  n: number | null
  /** share of the group's coded comments that carry the theme, rounded to `step` */
  p: number | null
  lower: number | null
  upper: number | null
  /** publication step of p and the interval: 0.01, 0.05 or 0.1 */
  step: number
}

/** Theme frequency of one survey: for each theme, the overall figure and one row per group of each breakdown. */
export interface ThemeFrequency {
  /** coded comments in all (null when the survey's comments are held back) */
  coded: number | null
  confidence: number
  thresholds: { lowBase: number; suppress: number }
  themes: Array<{
    id: string
    name: string
    overall: ThemeCell
    breakdowns: Array<{ by: string; label: string; rows: Array<{ group: string; label: string; cell: ThemeCell }> }>
  }>
}

const hiddenCell = (suppression: ThemeCell['suppression'], step = 0.01): ThemeCell => ({
  status: 'suppressed',
  suppression,
  n: null,
  p: null,
  lower: null,
  upper: null,
  step,
})

/**
 * How often each theme of a coding frame occurs among the coded comments, overall and in each group of each
 * breakdown (customer groups, drivers), with intervals and the insight report's disclosure control.
 *
 * Definition. The unit is a coded comment (one answer to one free-text question that carries at least one
 * theme). For a theme t and a group g: n = coded comments of g, x = those carrying t, p = x / n, and the
 * interval is the Wilson score interval at `confidence`, all rounded to the breakdown's publication step
 * (analysis/publish-proportion.ts, as every unweighted proportion of the report). Suppression is the report's
 * rule (analysis/protect-partitions.ts, docs/decisions/013-disclosure-control.md), run per theme over every
 * breakdown: a group is hidden (primary) when n < suppress or when the report holds back its comments
 * (`commentsShown` false); further groups are hidden, or the breakdown's rounding coarsened, until no hidden
 * count can be recovered by subtraction. n < lowBase is published with status "low_base". When the report
 * holds back the survey's comments, or the overall base is under `suppress`, nothing is published.
 *
 * Formula (Wilson): with z = Φ⁻¹((1 + confidence)/2), centre (p + z²/2n)/(1 + z²/n), half-width
 * z √(p(1−p)/n + z²/4n²)/(1 + z²/n).
 *
 * Reference: E. B. Wilson (1927), JASA 22, 209–212; docs/methodology.md, "Comment themes". Comments of one
 * respondent to several questions are counted as separate units, so the interval ignores that clustering.
 *
 * @param input themes, counted cells of coded comments, breakdowns with the report's decisions, thresholds.
 * @returns the published figure of every theme, overall and by group.
 * @throws if a count is not a non-negative integer, a cell names an unknown theme, or the confidence is not in (0, 1).
 * @example
 * themeFrequency({ themes: [{ id: 't', name: 'Waiting' }], breakdowns: [], overallShown: true,
 *   cells: [{ groups: {}, themes: ['t'], count: 30 }, { groups: {}, themes: [], count: 70 }],
 *   confidence: 0.95, thresholds: { lowBase: 50, suppress: 10 } }).themes[0].overall
 *   // { status: 'ok', suppression: null, n: 100, p: 0.3, lower: 0.22, upper: 0.4, step: 0.01 }
 */
export function themeFrequency(input: ThemeFrequencyInput): ThemeFrequency {
  const { themes, cells, breakdowns, confidence, thresholds } = input
  if (!(confidence > 0 && confidence < 1)) throw new Error('themeFrequency: confidence must be in (0, 1)')
  const ids = new Set(themes.map((t) => t.id))
  for (const c of cells) {
    if (!Number.isInteger(c.count) || c.count < 0)
      throw new Error('themeFrequency: every count must be a non-negative integer')
    for (const t of c.themes) if (!ids.has(t)) throw new Error(`themeFrequency: unknown theme '${t}'`)
  }
  const total = cells.reduce((a, c) => a + c.count, 0)
  // groups of each breakdown: those listed, then any the cells hold that the list lacks (hidden: the report
  // has no decision for them, so their comments are not known to be showable)
  const groupsOf = breakdowns.map((b) => {
    const listed = [...b.groups]
    const seen = new Set(listed.map((g) => g.group))
    for (const c of cells) {
      const g = c.groups[b.by] ?? ''
      if (!seen.has(g)) {
        seen.add(g)
        listed.push({ group: g, label: g === '' ? 'Not stated' : g, commentsShown: false })
      }
    }
    return listed
  })
  const alsoHide = Object.fromEntries(
    breakdowns.map((b, i) => [b.by, groupsOf[i]!.filter((g) => !g.commentsShown).map((g) => g.group)]),
  )
  const withheldAll = !input.overallShown || total < thresholds.suppress

  const cellOf = (n: number, x: number, d: PartitionDecision | null, group: string): ThemeCell => {
    const step = d?.step ?? 0.01
    if (withheldAll) return hiddenCell('primary')
    if (d?.withheld) return hiddenCell('withheld', step)
    const hidden = d?.hidden[group]
    if (hidden) return hiddenCell(hidden, step)
    if (n < thresholds.suppress) return hiddenCell('primary', step)
    return {
      status: n < thresholds.lowBase ? 'low_base' : 'ok',
      suppression: null,
      n,
      ...publishProportion(x, n, confidence, step),
      step,
    }
  }

  return {
    coded: withheldAll ? null : total,
    confidence,
    thresholds: { ...thresholds },
    themes: themes.map((theme) => {
      const count = (match: (c: ThemeCodedCell) => boolean) => {
        let n = 0
        let x = 0
        for (const c of cells) {
          if (!match(c)) continue
          n += c.count
          if (c.themes.includes(theme.id)) x += c.count
        }
        return { n, x }
      }
      const all = count(() => true)
      const partitions = breakdowns.map((b, i) => ({
        by: b.by,
        groups: groupsOf[i]!.map((g) => ({ group: g.group, ...count((c) => (c.groups[b.by] ?? '') === g.group) })),
      }))
      const decisions = withheldAll
        ? {}
        : protectPartitions(all, partitions, {
            suppress: thresholds.suppress,
            lowBase: thresholds.lowBase,
            level: confidence,
            alsoHide,
          })
      return {
        id: theme.id,
        name: theme.name,
        overall: cellOf(all.n, all.x, null, ''),
        breakdowns: breakdowns.map((b, i) => ({
          by: b.by,
          label: b.label,
          rows: groupsOf[i]!.map((g, j) => {
            const { n, x } = partitions[i]!.groups[j]!
            return { group: g.group, label: g.label, cell: cellOf(n, x, decisions[b.by] ?? null, g.group) }
          }),
        })),
      }
    }),
  }
}
