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
  const all: AnalysisAggregates = {
    ...aggregates,
    rakingVariables: [],
    cells: collapse(aggregates.cells, () => ''),
    groupCells: collapse(aggregates.groupCells, (g) => g.by + sep + g.group),
    tallies: collapse(aggregates.tallies, (t) => [t.rating, t.by, t.group, String(t.value)].join(sep)),
  }
  if (levels === null) return { all, raked: null, excluded: 0 }
  if (levels.length !== aggregates.rakingVariables.length)
    throw new Error('splitAggregates: one list of levels per raking variable is needed')
  const sets = levels.map((l) => new Set(l))
  const inPopulation = (cell: ReadonlyArray<string>) => cell.every((level, v) => sets[v]!.has(level))
  const raked: AnalysisAggregates = {
    ...aggregates,
    cells: aggregates.cells.filter((c) => inPopulation(c.rakingCell)),
    groupCells: aggregates.groupCells.filter((c) => inPopulation(c.rakingCell)),
    tallies: aggregates.tallies.filter((c) => inPopulation(c.rakingCell)),
  }
  const total = (a: AnalysisAggregates) => a.cells.reduce((s, c) => s + c.count, 0)
  return { all, raked, excluded: total(all) - total(raked) }
}
