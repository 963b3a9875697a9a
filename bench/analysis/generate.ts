import { performance } from 'node:perf_hooks'
import type { AnalysisAggregates } from '../../analysis/aggregates'
import { countAggregatesFromRows, type ResponseRow } from '../../analysis/count-aggregates-from-rows'
import type { AnalysisConfig } from '../../analysis/parse-analysis-config'
import { parseAnalysisConfig } from '../../analysis/parse-analysis-config'

/** Benchmark configuration: 7 ratings, 5 segments, raked on age_band x gender (like the oracle). */
export const benchConfig: AnalysisConfig = parseAnalysisConfig({
  id: 'respondent_id',
  wave: 'wave',
  ratings: [
    'overall',
    'delivery',
    'timeliness',
    'information',
    'access',
    'professionalism',
    'staff_attitude',
  ],
  overall: 'overall',
  drivers: ['delivery', 'timeliness', 'information', 'access', 'professionalism', 'staff_attitude'],
  segments: ['channel', 'service', 'age_band', 'gender', 'disability'],
  scale: { satisfied: [4, 5], neither: [3], dissatisfied: [1, 2] },
  raking: { variables: ['age_band', 'gender'], epsilon: 1e-10, maxPasses: 1000 },
  confidence: 0.95,
  sampleSize: { margins: [0.03, 0.05], populations: [500, 5000, 48000, null] },
})

export const benchPopulation = {
  total: 2_000_000,
  margins: {
    age_band: { '16-34': 620_000, '35-54': 680_000, '55-74': 480_000, '75+': 220_000 },
    gender: { woman: 1_010_000, man: 950_000, other_or_prefer_not: 40_000 },
  },
}

const LEVELS = {
  wave: ['2025', '2026'],
  channel: ['phone', 'online', 'in_person', 'letter'],
  service: ['Waste and recycling', 'Council tax', 'Parking', 'Libraries'],
  age_band: ['16-34', '35-54', '55-74', '75+'],
  gender: ['woman', 'man', 'other_or_prefer_not'],
  disability: ['yes', 'no', 'prefer_not'],
}
const SHARES = {
  wave: [0.45, 0.55],
  channel: [0.36, 0.4, 0.14, 0.1],
  service: [0.33, 0.28, 0.24, 0.15],
  age_band: [0.15, 0.27, 0.39, 0.19],
  gender: [0.6, 0.36, 0.04],
  disability: [0.2, 0.72, 0.08],
}

/** Seeded PRNG (mulberry32). */
function prng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

function pick(u: number, levels: string[], shares: number[]): { level: string; index: number } {
  let c = 0
  for (let i = 0; i < shares.length; i++) {
    c += shares[i]!
    if (u < c) return { level: levels[i]!, index: i }
  }
  return { level: levels[levels.length - 1]!, index: levels.length - 1 }
}

/**
 * Generates `n` synthetic responses (latent-variable model: halo + segment effects, overall driven by the
 * six drivers, about 3% don't know per rating) and yields them in chunks.
 */
export function* generateResponses(n: number, seed = 20261122, chunk = 100_000): Generator<ResponseRow[]> {
  const rand = prng(seed)
  const normal = (): number => Math.sqrt(-2 * Math.log(rand() || 1e-300)) * Math.cos(2 * Math.PI * rand())
  const toRating = (latent: number): number => Math.min(5, Math.max(1, Math.round(3.6 + latent)))
  const weightsOverall = [0.38, 0.24, 0.1, 0.03, 0.07, 0.16]
  let rows: ResponseRow[] = []
  for (let i = 0; i < n; i++) {
    const wave = pick(rand(), LEVELS.wave, SHARES.wave)
    const channel = pick(rand(), LEVELS.channel, SHARES.channel)
    const service = pick(rand(), LEVELS.service, SHARES.service)
    const age = pick(rand(), LEVELS.age_band, SHARES.age_band)
    const gender = pick(rand(), LEVELS.gender, SHARES.gender)
    const disability = pick(rand(), LEVELS.disability, SHARES.disability)
    const shift =
      0.15 * age.index -
      0.2 * channel.index * (channel.index === 3 ? 1 : 0) -
      0.25 * (service.index === 2 ? 1 : 0) -
      0.2 * (disability.index === 0 ? 1 : 0)
    const halo = 0.6 * normal()
    const drivers = weightsOverall.map(
      (_, k) => shift + halo + 0.8 * normal() + (wave.index === 1 && k === 1 ? 0.35 : 0),
    )
    const overall = drivers.reduce((a, d, k) => a + weightsOverall[k]! * d, 0) + 0.5 * normal()
    const latents = [overall, ...drivers]
    const names = benchConfig.ratings
    const row: Record<string, string> = {
      respondent_id: `B${i}`,
      wave: wave.level,
      channel: channel.level,
      service: service.level,
      age_band: age.level,
      gender: gender.level,
      disability: disability.level,
    }
    names.forEach((name, k) => {
      row[name] = rand() < 0.03 ? '' : String(toRating(latents[k]!))
    })
    rows.push(row)
    if (rows.length === chunk) {
      yield rows
      rows = []
    }
  }
  if (rows.length > 0) yield rows
}

/** Adds aggregates of several chunks together (what SQL GROUP BY does in one pass). */
export function mergeAggregates(parts: AnalysisAggregates[]): AnalysisAggregates {
  const first = parts[0]!
  const sep = '\u0001'
  const sum = <T extends { count: number }>(lists: T[][], key: (x: T) => string): T[] => {
    const map = new Map<string, T>()
    for (const list of lists) {
      for (const x of list) {
        const k = key(x)
        const have = map.get(k)
        if (have) have.count += x.count
        else map.set(k, { ...x })
      }
    }
    return [...map.values()]
  }
  const waves = [...new Set(parts.flatMap((p) => p.waves))].sort()
  const latest = waves[waves.length - 1]!
  const kd = parts.map((p) => p.keyDrivers).filter((k) => k && k.wave === latest)
  return {
    rakingVariables: first.rakingVariables,
    ratings: first.ratings,
    bys: first.bys,
    waves,
    cells: sum(
      parts.map((p) => p.cells),
      (c) => c.rakingCell.join(sep),
    ),
    groupCells: sum(
      parts.map((p) => p.groupCells),
      (g) => [g.by, g.group, ...g.rakingCell].join(sep),
    ),
    tallies: sum(
      parts.map((p) => p.tallies),
      (t) => [t.rating, t.by, t.group, ...t.rakingCell, String(t.value)].join(sep),
    ),
    ...(kd.length > 0
      ? {
          keyDrivers: {
            wave: latest,
            variables: kd[0]!.variables,
            nWave: kd.reduce((a, k) => a + k!.nWave, 0),
            pairs: sum(
              kd.map((k) => k!.pairs),
              (p) => [p.x, p.y, p.xValue, p.yValue].join(sep),
            ),
          },
        }
      : {}),
  }
}

/** Generates n responses and counts them into aggregates chunk by chunk (rows never all in memory). */
export function generateAggregates(
  n: number,
  seed = 20261122,
): { aggregates: AnalysisAggregates; generateMs: number; countMs: number } {
  const parts: AnalysisAggregates[] = []
  let generateMs = 0
  let countMs = 0
  const it = generateResponses(n, seed)
  for (;;) {
    const t0 = performance.now()
    const next = it.next()
    generateMs += performance.now() - t0
    if (next.done) break
    const t1 = performance.now()
    parts.push(countAggregatesFromRows(next.value, { ...benchConfig, waves: LEVELS.wave }))
    countMs += performance.now() - t1
  }
  const t2 = performance.now()
  const aggregates = mergeAggregates(parts)
  countMs += performance.now() - t2
  return { aggregates, generateMs, countMs }
}
