import type { AnalysisAggregates } from './aggregates'
import type { InsightLabels, RepresentativenessRow } from './insight-report-types'
import type { Population } from './parse-population'

/** A group counts as under-represented when its sample share is below this fraction of its population share. */
export const UNDER_REPRESENTED_RATIO = 2 / 3

/**
 * Who answered, against who the customers are (CSE 1.1.1, 1.1.3, 1.2.3): respondents per group of every
 * segment beside the population's share where the profile gives one.
 *
 * Definition: sample share = respondents in the group / respondents who stated a value of the segment;
 * population share = the profile's count / its total; ratio = sample / population share. A group is
 * under-represented when the ratio < 2/3, and unreportable (its count is not shown) when it has fewer
 * respondents than the suppression threshold; "Not stated" is listed but never judged. Population levels with
 * no respondent are listed with 0.
 *
 * Reference: PRODUCT.md §2 (1.1.3 hard-to-reach groups); docs/methodology.md, "Representativeness".
 *
 * @param all counts of every respondent (raking cells collapsed or not).
 * @param segments segment names.
 * @param population the population profile, or null.
 * @param thresholds reporting thresholds.
 * @param labels labels of segments and groups.
 * @param order the engine's group order of a segment.
 * @returns one row per group of every segment.
 * @example
 * reportRepresentativeness(all, ['age_band'], population, { lowBase: 50, suppress: 10 }, {}, (b, g) => g)
 */
export function reportRepresentativeness(
  all: AnalysisAggregates,
  segments: ReadonlyArray<string>,
  population: Population | null,
  thresholds: { lowBase: number; suppress: number },
  labels: InsightLabels,
  order: (by: string, groups: string[]) => string[],
): RepresentativenessRow[] {
  const rows: RepresentativenessRow[] = []
  for (const segment of segments) {
    const counts = new Map<string, number>()
    for (const g of all.groupCells)
      if (g.by === segment) counts.set(g.group, (counts.get(g.group) ?? 0) + g.count)
    const margin = population?.margins[segment]
    for (const level of Object.keys(margin ?? {})) if (!counts.has(level)) counts.set(level, 0)
    const stated = [...counts].filter(([g]) => g !== '').reduce((a, [, n]) => a + n, 0)
    for (const group of order(segment, [...counts.keys()])) {
      const n = counts.get(group)!
      const sampleShare = group === '' || stated === 0 ? null : n / stated
      const populationShare =
        margin && group in margin && population ? margin[group]! / population.total : null
      const ratio = sampleShare !== null && populationShare ? sampleShare / populationShare : null
      const unreportable = n < thresholds.suppress && n > 0
      rows.push({
        segment,
        segmentLabel: labels.segments?.[segment] ?? segment,
        group,
        groupLabel: labels.groups?.[segment]?.[group] ?? (group === '' ? 'Not stated' : group),
        respondents: unreportable ? null : n,
        sampleShare: unreportable ? null : sampleShare,
        populationShare,
        ratio: unreportable ? null : ratio,
        underRepresented: group !== '' && ratio !== null && ratio < UNDER_REPRESENTED_RATIO,
        unreportable: unreportable && group !== '',
        lowBase: n >= thresholds.suppress && n < thresholds.lowBase,
      })
    }
  }
  return rows
}
