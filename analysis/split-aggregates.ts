import type { AnalysisAggregates } from './aggregates'

/**
 * Splits counts by raking cell into the two sets the engine analyses: every respondent with the raking cells
 * collapsed (the unweighted figures), and the respondents whose every raking level is one of the population's
 * (the weighted figures; the others cannot be raked to a margin that does not list them).
 *
 * Definition: `all` sums every row over its raking cell (rakingCell = []); `raked` keeps the rows whose
 * rakingCell[v] is a key of levels[v] for every raking variable v, unchanged. Key-driver input and wording are
 * carried over to both.
 *
 * Reference: docs/methodology.md, "Weighting".
 *
 * @param aggregates counts by raking cell.
 * @param levels population levels of each raking variable, in `aggregates.rakingVariables` order; null when
 *   there is no weighting.
 * @returns { all, raked } (raked null without levels), and `excluded`, the respondents left out of `raked`.
 * @example
 * splitAggregates(aggregates, [['16-24', '25-44'], ['female', 'male']]).excluded // respondents with '' age
 */
export function splitAggregates(
  aggregates: AnalysisAggregates,
  levels: ReadonlyArray<ReadonlyArray<string>> | null,
): { all: AnalysisAggregates; raked: AnalysisAggregates | null; excluded: number } {
  const sep = '\u0001'
  const collapse = <T extends { rakingCell: string[]; count: number }>(rows: T[], key: (r: T) => string) => {
    const map = new Map<string, T>()
    for (const r of rows) {
      const k = key(r)
      const prev = map.get(k)
      if (prev) prev.count += r.count
      else map.set(k, { ...r, rakingCell: [] })
    }
    return [...map.values()]
  }
  // Tallies collapse by (rating, by, group, value) in nested maps (no key string per tally), in order of first
  // appearance like the other two.
  const tallies: AnalysisAggregates['tallies'] = []
  const tallyMap = new Map<string, Map<string, Map<string, Map<number | null, AnalysisAggregates['tallies'][number]>>>>()
  for (const t of aggregates.tallies) {
    let byRating = tallyMap.get(t.rating)
    if (!byRating) tallyMap.set(t.rating, (byRating = new Map()))
    let byBy = byRating.get(t.by)
    if (!byBy) byRating.set(t.by, (byBy = new Map()))
    let byGroup = byBy.get(t.group)
    if (!byGroup) byBy.set(t.group, (byGroup = new Map()))
    const prev = byGroup.get(t.value)
    if (prev) prev.count += t.count
    else {
      const row = { ...t, rakingCell: [] }
      byGroup.set(t.value, row)
      tallies.push(row)
    }
  }
  const all: AnalysisAggregates = {
    ...aggregates,
    rakingVariables: [],
    cells: collapse(aggregates.cells, () => ''),
    groupCells: collapse(aggregates.groupCells, (g) => g.by + sep + g.group),
    tallies,
  }
  if (levels === null) return { all, raked: null, excluded: 0 }
  if (levels.length !== aggregates.rakingVariables.length)
    throw new Error('splitAggregates: one list of levels per raking variable is needed')
  const sets = levels.map((l) => new Set(l))
  // Rows of one raking cell usually share its rakingCell array: decided once per array.
  const decided = new Map<ReadonlyArray<string>, boolean>()
  const inPopulation = (cell: ReadonlyArray<string>) => {
    let inside = decided.get(cell)
    if (inside === undefined) decided.set(cell, (inside = cell.every((level, v) => sets[v]!.has(level))))
    return inside
  }
  const raked: AnalysisAggregates = {
    ...aggregates,
    cells: aggregates.cells.filter((c) => inPopulation(c.rakingCell)),
    groupCells: aggregates.groupCells.filter((c) => inPopulation(c.rakingCell)),
    tallies: aggregates.tallies.filter((c) => inPopulation(c.rakingCell)),
  }
  const total = (a: AnalysisAggregates) => a.cells.reduce((s, c) => s + c.count, 0)
  return { all, raked, excluded: total(all) - total(raked) }
}
