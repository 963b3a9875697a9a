import { performance } from 'node:perf_hooks'
import { analyse } from '../../analysis/analyse'
import { createSurveyDesign } from '../../analysis/create-survey-design'
import { rake } from '../../analysis/rake'
import { satisfactionTable } from '../../analysis/satisfaction-table'
import { benchConfig, benchPopulation, generateAggregates } from './generate'

// Usage: npx tsx bench/analysis/run.ts [n=1000000] [repeats=5]
const n = Number(process.argv[2] ?? 1_000_000)
const repeats = Number(process.argv[3] ?? 5)

function median(xs: number[]): number {
  const s = xs.slice().sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2
}

const { aggregates, generateMs, countMs } = generateAggregates(n)
const respondents = aggregates.cells.reduce((a, c) => a + c.count, 0)

function rakedTable(): { ratings: number; segments: number; groups: number; rsTests: number } {
  const variables = benchConfig.raking!.variables
  const r = rake(aggregates.cells, variables, benchPopulation.margins, { epsilon: 1e-10, maxPasses: 1000 })
  const levels = variables.map((v) =>
    Object.keys(benchPopulation.margins[v as keyof typeof benchPopulation.margins]),
  )
  const design = createSurveyDesign(
    aggregates.cells.map((c, i) => ({
      levels: c.rakingCell.map((l, v) => levels[v]!.indexOf(l)),
      count: c.count,
      weight: r.weights[i]!,
    })),
    levels.map((l) => l.length),
  )
  const table = satisfactionTable(aggregates, {
    scale: benchConfig.scale,
    design,
    bys: ['all', ...benchConfig.segments],
  })
  let groups = 0
  let rsTests = 0
  for (const rating of table.ratings) {
    for (const by of benchConfig.segments) {
      groups += Object.keys(table.cells[rating]![by]!).length
      if (table.tests[rating]![by]!.rao_scott_F?.p_value != null) rsTests++
      const cell = Object.values(table.cells[rating]![by]!)[0]!
      if (cell.weighted?.se_raked == null || cell.vs_rest?.p_holm == null)
        throw new Error('bench: missing result')
    }
  }
  return { ratings: table.ratings.length, segments: benchConfig.segments.length, groups, rsTests }
}

const tableTimes: number[] = []
let shape = rakedTable() // warm-up
for (let i = 0; i < repeats; i++) {
  const s = performance.now()
  shape = rakedTable()
  tableTimes.push(performance.now() - s)
}
const analyseTimes: number[] = []
for (let i = 0; i < repeats; i++) {
  const s = performance.now()
  analyse(aggregates, benchConfig, benchPopulation)
  analyseTimes.push(performance.now() - s)
}

const fmt = (ms: number): string => (ms / 1000).toFixed(3)
console.log(
  `respondents: ${respondents}; raking cells: ${aggregates.cells.length}; tallies: ${aggregates.tallies.length}; key-driver pair rows: ${aggregates.keyDrivers?.pairs.length ?? 0}`,
)
console.log(
  `table: ${shape.ratings} ratings x ${shape.segments} segments = ${shape.groups} group estimates (+${shape.ratings} overall), ${shape.rsTests} Rao-Scott tests`,
)
console.log('')
console.log('| step | runs (s) | median (s) |')
console.log('|---|---|---|')
console.log(
  `| generate ${n} synthetic rows (once, not in target) | ${fmt(generateMs)} | ${fmt(generateMs)} |`,
)
console.log(
  `| count rows to aggregates, countAggregatesFromRows in 100k chunks + merge (the CSV path; SQL GROUP BY replaces it) | ${fmt(countMs)} | ${fmt(countMs)} |`,
)
console.log(
  `| raked table from aggregates: rake + design + p, se_raked, se_weights_only, vs-rest (Holm/BH), Pearson, Rao-Scott | ${tableTimes.map(fmt).join(', ')} | ${fmt(median(tableTimes))} |`,
)
console.log(
  `| full analyse() from aggregates (adds unweighted/wave tables, Kish, trend, key drivers, sample size) | ${analyseTimes.map(fmt).join(', ')} | ${fmt(median(analyseTimes))} |`,
)
console.log('')
console.log(`target < 1 s for the raked table: ${median(tableTimes) < 1000 ? 'met' : 'NOT met'}`)
