import type { AnalysisAggregates, PairTally } from './aggregates'
import { orderWaves } from './order-waves'
import type { AnalysisConfig } from './parse-analysis-config'

/** One respondent as plain values (a parsed CSV record or a JSON object). Empty / null rating = don't know. */
export type ResponseRow = Readonly<Record<string, string | number | null | undefined>>

/**
 * Counts respondent rows into {@link AnalysisAggregates} (the CSV / row path; a SQL loader produces the
 * same structure with GROUP BY).
 *
 * Definition: tallies per (rating, by, group, raking cell, value) with by = "all", "wave" and each segment;
 * all respondents per raking cell and per (by, group, raking cell); for the latest wave, joint counts of every
 * pair of [overall, ...drivers] over complete cases. Ratings must be integers on the configured scale;
 * empty / null = don't know.
 *
 * Reference: PRODUCT.md §4; oracle README (counting rules).
 *
 * @param rows respondents.
 * @param config validated analysis configuration.
 * @returns the aggregates.
 * @throws if a column is missing, or a rating is not an integer on the scale (naming the respondent).
 * @example
 * countAggregatesFromRows(rows, config).cells // [{ rakingCell: ['55-74', 'woman'], count: 700 }, ...]
 */
export function countAggregatesFromRows(
  rows: ReadonlyArray<ResponseRow>,
  config: AnalysisConfig,
): AnalysisAggregates {
  const rakingVariables = config.raking?.variables ?? []
  const bys = ['all', 'wave', ...config.segments]
  const onScale = new Set([...config.scale.satisfied, ...config.scale.neither, ...config.scale.dissatisfied])
  const required = [config.wave, ...config.ratings, ...config.segments, ...rakingVariables]
  const first = rows[0]
  if (first) {
    for (const column of required) {
      if (!(column in first)) throw new Error(`countAggregatesFromRows: missing column "${column}"`)
    }
  }
  const sep = '\u0001'
  // integer ids keep the per-row work to a few Map lookups (1M rows in a few seconds)
  const cellIds = new Map<string, number>()
  const cellList: Array<{ rakingCell: string[]; count: number }> = []
  const groupIds = new Map<string, number>()
  const groupList: Array<{ by: string; group: string }> = []
  const groupCellCounts = new Map<number, number>()
  const tallyCounts = new Map<number, number>()
  const valueCodes = [null, ...[...onScale].sort((a, b) => a - b)]
  const valueIndex = new Map<number, number>(valueCodes.slice(1).map((v, i) => [v as number, i + 1]))
  const V = valueCodes.length
  const waveSet = new Set<string>()
  const parsed: Array<{ wave: string; values: Array<number | null> }> = []
  const groupOf = new Array<number>(bys.length)
  rows.forEach((row, index) => {
    const who =
      config.id in row && row[config.id] != null ? `respondent ${String(row[config.id])}` : `row ${index + 1}`
    const text = (column: string): string => {
      if (!(column in row)) throw new Error(`countAggregatesFromRows: missing column "${column}" (${who})`)
      const v = row[column]
      return v === null || v === undefined ? '' : String(v)
    }
    const wave = text(config.wave)
    waveSet.add(wave)
    const rakingCell = rakingVariables.map(text)
    const cellKey = rakingCell.join(sep)
    let c = cellIds.get(cellKey)
    if (c === undefined) {
      c = cellList.length
      cellIds.set(cellKey, c)
      cellList.push({ rakingCell, count: 0 })
    }
    cellList[c]!.count++
    for (let b = 0; b < bys.length; b++) {
      const by = bys[b]!
      const group = by === 'all' ? 'all' : by === 'wave' ? wave : text(by)
      const key = by + sep + group
      let g = groupIds.get(key)
      if (g === undefined) {
        g = groupList.length
        groupIds.set(key, g)
        groupList.push({ by, group })
      }
      groupOf[b] = g
      const gc = g * 4096 + c
      groupCellCounts.set(gc, (groupCellCounts.get(gc) ?? 0) + 1)
    }
    const values = config.ratings.map((rating) => {
      const raw = row[rating]
      if (raw === undefined && !(rating in row))
        throw new Error(`countAggregatesFromRows: missing column "${rating}" (${who})`)
      if (raw === null || raw === undefined || (typeof raw === 'string' && raw.trim() === '')) return null
      const value = typeof raw === 'number' ? raw : Number(raw.trim())
      if (!Number.isInteger(value) || !onScale.has(value)) {
        throw new Error(
          `countAggregatesFromRows: ${who}: rating "${rating}" = "${String(raw)}" is outside the scale`,
        )
      }
      return value
    })
    for (let r = 0; r < values.length; r++) {
      const value = values[r]!
      const vi = value === null ? 0 : valueIndex.get(value)!
      for (let b = 0; b < bys.length; b++) {
        const key = ((r * 65536 + groupOf[b]!) * 4096 + c) * V + vi
        tallyCounts.set(key, (tallyCounts.get(key) ?? 0) + 1)
      }
    }
    parsed.push({ wave, values })
  })
  if (cellList.length >= 4096 || groupList.length >= 65536)
    throw new Error('countAggregatesFromRows: too many raking cells or groups')
  const cellMap = cellList
  const groupMap = [...groupCellCounts].map(([key, count]) => {
    const g = groupList[Math.floor(key / 4096)]!
    return { by: g.by, group: g.group, rakingCell: cellList[key % 4096]!.rakingCell, count }
  })
  const tallyMap = [...tallyCounts].map(([key, count]) => {
    const vi = key % V
    const rest = (key - vi) / V
    const c = rest % 4096
    const rg = (rest - c) / 4096
    const g = rg % 65536
    const r = (rg - g) / 65536
    const group = groupList[g]!
    return {
      rating: config.ratings[r]!,
      by: group.by,
      group: group.group,
      rakingCell: cellList[c]!.rakingCell,
      value: valueCodes[vi]!,
      count,
    }
  })
  if (config.waves) {
    const extra = [...waveSet].filter((w) => !config.waves!.includes(w))
    if (extra.length > 0)
      throw new Error(`countAggregatesFromRows: wave "${extra[0]}" is not in config.waves`)
  }
  const waves = orderWaves([...waveSet], config.waves)
  const aggregates: AnalysisAggregates = {
    rakingVariables: [...rakingVariables],
    ratings: [...config.ratings],
    bys,
    waves,
    cells: cellMap,
    groupCells: groupMap,
    tallies: tallyMap,
  }
  const latest = waves[waves.length - 1]
  if (config.drivers.length > 0 && latest !== undefined) {
    const variables = [config.overall, ...config.drivers]
    const indices = variables.map((v) => config.ratings.indexOf(v))
    const k = variables.length
    const pairCounts = new Map<number, number>()
    let nWave = 0
    for (const { wave, values } of parsed) {
      if (wave !== latest) continue
      nWave++
      const xs = indices.map((i) => values[i]!)
      if (xs.some((x) => x === null)) continue
      const vs = xs.map((x) => valueIndex.get(x as number)!)
      for (let i = 0; i < k; i++) {
        for (let j = i + 1; j < k; j++) {
          const key = ((i * k + j) * V + vs[i]!) * V + vs[j]!
          pairCounts.set(key, (pairCounts.get(key) ?? 0) + 1)
        }
      }
    }
    const pairs: PairTally[] = [...pairCounts].map(([key, count]) => {
      const yi = key % V
      const xi = ((key - yi) / V) % V
      const ij = ((key - yi) / V - xi) / V
      const j = ij % k
      const i = (ij - j) / k
      return {
        x: variables[i]!,
        y: variables[j]!,
        xValue: valueCodes[xi] as number,
        yValue: valueCodes[yi] as number,
        count,
      }
    })
    aggregates.keyDrivers = { wave: latest, variables, nWave, pairs }
  }
  return aggregates
}
