import { describe, expect, it } from 'vitest'
import type { AnalysisAggregates } from '../../analysis/aggregates'
import { buildInsightReport } from '../../analysis/insight-report'
import { countAggregatesFromRows } from '../../analysis/count-aggregates-from-rows'
import { createSurveyDesign } from '../../analysis/create-survey-design'
import { rake } from '../../analysis/rake'
import { satisfactionTable } from '../../analysis/satisfaction-table'
import { splitAggregates } from '../../analysis/split-aggregates'
import { loadOracleInputs } from './helpers'

/*
 * satisfactionTable and splitAggregates look a raking cell up once per rakingCell array (the database path,
 * db/queries/aggregates.ts, hands many tallies the same array) and fall back to its content for an array they
 * have not seen. Whether the arrays are shared or every row has its own copy must not change a single number.
 */
const { config, population, rows } = loadOracleInputs()
const counted = countAggregatesFromRows(rows, config)

/** The same counts with one rakingCell array per distinct raking cell, shared by every row of that cell. */
function shared(a: AnalysisAggregates): AnalysisAggregates {
  const byKey = new Map<string, string[]>()
  const one = (cell: string[]) => {
    const key = JSON.stringify(cell)
    let array = byKey.get(key)
    if (!array) byKey.set(key, (array = [...cell]))
    return array
  }
  return {
    ...a,
    cells: a.cells.map((c) => ({ ...c, rakingCell: one(c.rakingCell) })),
    groupCells: a.groupCells.map((g) => ({ ...g, rakingCell: one(g.rakingCell) })),
    tallies: a.tallies.map((t) => ({ ...t, rakingCell: one(t.rakingCell) })),
  }
}

/** The same counts with a fresh rakingCell array on every row. */
function copied(a: AnalysisAggregates): AnalysisAggregates {
  return {
    ...a,
    cells: a.cells.map((c) => ({ ...c, rakingCell: [...c.rakingCell] })),
    groupCells: a.groupCells.map((g) => ({ ...g, rakingCell: [...g.rakingCell] })),
    tallies: a.tallies.map((t) => ({ ...t, rakingCell: [...t.rakingCell] })),
  }
}

const variables = config.raking!.variables
const levels = variables.map((v) => Object.keys(population.margins[v] ?? {}))

function weightedTable(a: AnalysisAggregates) {
  const { raked } = splitAggregates(a, levels)
  const weights = rake(raked!.cells, variables, population.margins, { epsilon: 1e-10, maxPasses: 1000 }).weights
  const design = createSurveyDesign(
    raked!.cells.map((c, i) => ({
      levels: c.rakingCell.map((l, v) => levels[v]!.indexOf(l)),
      count: c.count,
      weight: weights[i]!,
    })),
    levels.map((l) => l.length),
  )
  return satisfactionTable(raked!, { scale: config.scale, design })
}

describe('shared or copied rakingCell arrays give the same figures to the bit', () => {
  it('splitAggregates', () => {
    expect(splitAggregates(shared(counted), levels)).toStrictEqual(splitAggregates(copied(counted), levels))
  })

  it('satisfactionTable, weighted', () => {
    expect(weightedTable(shared(counted))).toStrictEqual(weightedTable(copied(counted)))
  })

  it('the insight report, weighted and unweighted', () => {
    for (const weighted of [true, false]) {
      const report = (a: AnalysisAggregates) => buildInsightReport({ aggregates: a, config, population, weighted })
      const a = report(shared(counted))
      const b = report(copied(counted))
      expect({ ...a, estimates: { ...a.estimates, aggregates: null } }).toStrictEqual({
        ...b,
        estimates: { ...b.estimates, aggregates: null },
      })
    }
  })

  it('a shared array of a raking cell missing from the cells is still refused', () => {
    const a = shared(counted)
    const stray = ['nowhere', 'nobody']
    const tallies = a.tallies.map((t, i) => (i === a.tallies.length - 1 && t.value !== null ? { ...t, rakingCell: stray } : t))
    const last = tallies.at(-1)!
    if (last.rakingCell !== stray) tallies.push({ ...last, value: config.scale.satisfied[0]!, rakingCell: stray })
    expect(() => satisfactionTable({ ...a, tallies }, { scale: config.scale })).toThrow(/not in aggregates.cells/)
  })
})
