import { eq, sql, type SQL } from 'drizzle-orm'
import type { AnalysisAggregates, GroupCellCount, PairTally, RatingTally } from '../../analysis/aggregates.ts'
import type { Database } from '../client.ts'
import { rowsOf } from '../client.ts'
import { organisations } from '../schema.ts'

/*
 * The SQL side of the statistics engine: PostgreSQL counts, Node computes. Every query here returns counts by
 * (raking cell × group × answer), never a response row, so the dashboard's cost grows with the number of
 * cells, not of responses (PRODUCT.md §6).
 *
 * Shape of the main query, one scan of the survey's responses: GROUP BY (wave, every segment, every raking
 * variable) with, per rating and scale value, a filtered count — the finest cells, at most a few thousand rows
 * whatever the number of responses. They are fanned out to (by, group) ∈ {all, wave, each segment} in memory,
 * which costs in proportion to the cells. Key drivers take a second scan of the latest wave's complete cases.
 */

/** Which responses: one survey, or every survey of a series (its waves). Always inside one organisation. */
export type AggregateScope =
  | { organisationId: string; surveyId: string; seriesId?: undefined }
  | { organisationId: string; seriesId: string; surveyId?: undefined }

/** Dashboard filters. Segment filters keep responses whose segment value is one of the listed values. */
export interface AggregateFilters {
  waves?: string[]
  /** submitted at or after (inclusive) */
  from?: Date
  /** submitted before (exclusive) */
  to?: Date
  segments?: Record<string, string[]>
}

/** What to count. Names are question names (answers keys) and segment names (segments keys). */
export interface AggregateSpec {
  /** rating questions, in report order */
  ratings: string[]
  /** every valid (on-scale) value; anything else (don't know, missing, off-scale) counts as null */
  scaleValues: number[]
  /** segment names, read from responses.segments */
  segments: string[]
  /** raking variables, read from responses.segments (empty for an unweighted analysis) */
  rakingVariables: string[]
  /**
   * When given, only respondents whose raking-variable values are among these levels are counted (the
   * population's levels): a respondent who did not state their age cannot be raked to an age margin.
   */
  rakingLevels?: Record<string, string[]>
  /** outcome first, then drivers: pairwise joint counts on complete cases of the latest wave */
  keyDriverVariables?: string[]
  /** chronological order of waves when they are not all numbers */
  waveOrder?: string[]
}

/**
 * A series scope turned into its survey ids (inside the organisation), so the big scans filter on literal ids:
 * with a sub-select the planner loses its parallel hash-aggregate plan and sorts every response instead.
 */
async function resolveScope(
  db: Database,
  scope: AggregateScope,
): Promise<AggregateScope | { organisationId: string; surveyIds: string[] }> {
  if (scope.surveyId !== undefined) return scope
  const rows = rowsOf<{ id: string }>(
    await db.execute(
      sql`select id from surveys where organisation_id = ${scope.organisationId}::uuid and series_id = ${scope.seriesId}::uuid`,
    ),
  )
  return { organisationId: scope.organisationId, surveyIds: rows.map((r) => r.id) }
}

function scopeCondition(scope: AggregateScope | { organisationId: string; surveyIds: string[] }): SQL {
  if ('surveyIds' in scope) {
    if (scope.surveyIds.length === 0) return sql`false`
    return sql`r.organisation_id = ${scope.organisationId}::uuid and r.survey_id in (${sql.join(
      scope.surveyIds.map((id) => sql`${id}::uuid`),
      sql`, `,
    )})`
  }
  if (scope.surveyId !== undefined) {
    return sql`r.organisation_id = ${scope.organisationId}::uuid and r.survey_id = ${scope.surveyId}::uuid`
  }
  // The series is resolved inside the organisation, so a foreign series id selects nothing.
  return sql`r.organisation_id = ${scope.organisationId}::uuid and r.survey_id in (
    select s.id from surveys s where s.organisation_id = ${scope.organisationId}::uuid and s.series_id = ${scope.seriesId}::uuid)`
}

function filterConditions(filters: AggregateFilters, spec?: Pick<AggregateSpec, 'rakingLevels'>): SQL[] {
  const out: SQL[] = []
  if (filters.waves && filters.waves.length > 0) out.push(sql`r.wave in (${list(filters.waves)})`)
  if (filters.from) out.push(sql`r.submitted_at >= ${filters.from.toISOString()}::timestamptz`)
  if (filters.to) out.push(sql`r.submitted_at < ${filters.to.toISOString()}::timestamptz`)
  for (const [segment, values] of Object.entries(filters.segments ?? {})) {
    if (values.length === 0) continue
    out.push(sql`r.segments->>${segment}::text in (${list(values)})`)
  }
  for (const [variable, levels] of Object.entries(spec?.rakingLevels ?? {})) {
    out.push(levels.length === 0 ? sql`false` : sql`r.segments->>${variable}::text in (${list(levels)})`)
  }
  return out
}

function list(values: ReadonlyArray<string | number>): SQL {
  return sql.join(
    values.map((v) => sql`${v}`),
    sql`, `,
  )
}

function whereClause(
  scope: AggregateScope | { organisationId: string; surveyIds: string[] },
  filters: AggregateFilters,
  spec?: Pick<AggregateSpec, 'rakingLevels'>,
): SQL {
  return sql.join([scopeCondition(scope), ...filterConditions(filters, spec)], sql` and `)
}

/** Chronological order: the given order, else numeric when every label is a number, else text order. */
export function orderWaves(found: ReadonlyArray<string>, configured?: ReadonlyArray<string>): string[] {
  if (configured)
    return [
      ...configured.filter((w) => found.includes(w)),
      ...found.filter((w) => !configured.includes(w)).sort(),
    ]
  const numeric = found.every((w) => w.trim() !== '' && Number.isFinite(Number(w)))
  return [...found].sort((a, b) => (numeric ? Number(a) - Number(b) : a < b ? -1 : a > b ? 1 : 0))
}

/**
 * One row per finest cell: wave × every segment × every raking variable, with the number of respondents and,
 * for each rating and each on-scale value, how many gave it. Counting inside one hash aggregate (packed sums, see
 * {@link CountMode}) keeps one small hash table (a few thousand cells) whatever the number of responses, instead
 * of fanning every response out to one row per rating; it is about 5× faster than unnesting (docs/benchmarks.md).
 */
export interface FinestCell {
  wave: string
  /** values of `columns` ('' when not stated) */
  values: string[]
  respondents: number
  /** counts[ratingIndex][scaleValueIndex] */
  counts: number[][]
}

/** Per wave and survey version: responses and the first and last submission (see {@link wavesFromFinestCells}). */
export interface WaveVersionFieldwork {
  wave: string
  versionId: string
  responses: number
  firstAt: Date | null
  lastAt: Date | null
}

export interface FinestCells {
  /** segment and raking-variable names, deduplicated, in the order of `values` */
  columns: string[]
  /**
   * One per (wave, values), sorted by wave then values: the order is fixed whatever order PostgreSQL's hash
   * aggregate returns rows in, so every path through these cells sums in the same order and gets the same
   * floating-point results to the last bit (the dashboard and the exports are compared cell for cell).
   */
  cells: FinestCell[]
  /** only when loaded with `fieldwork` */
  fieldwork?: WaveVersionFieldwork[]
}

/**
 * How the per-rating answer counts are computed. `packed` (the default): three 21-bit counters share one bigint
 * `sum(case …)`, 14 sums for seven 5-point ratings instead of 35 `count(*) filter (…)`; about 25% faster at
 * 100k and 1M responses (docs/benchmarks.md). A counter overflows only past 2,097,151 respondents in one finest
 * cell; when any cell is that large, the query is re-run `filtered`.
 */
export type CountMode = 'packed' | 'filtered'

const PACK_BITS = 21
const PACK_FIELDS = 3
const PACK_MAX_CELL = 2 ** PACK_BITS - 1

export async function loadFinestCells(
  db: Database,
  scope: AggregateScope,
  spec: Pick<AggregateSpec, 'ratings' | 'scaleValues' | 'segments' | 'rakingVariables'>,
  filters: AggregateFilters = {},
  options: {
    /** Also group by survey version and return each cell's first and last submission (for {@link wavesFromFinestCells}). */
    fieldwork?: boolean
    countMode?: CountMode
  } = {},
): Promise<FinestCells> {
  const mode = options.countMode ?? 'packed'
  const columns = [...new Set([...spec.segments, ...spec.rakingVariables])]
  const cols = columns.map((name, i) => ({ name, col: sql.identifier(`c${i}`) }))
  const answers = spec.ratings.map((rating, i) => ({ rating, col: sql.identifier(`a${i}`) }))
  const countExprs: SQL[] = []
  for (const a of answers) {
    if (mode === 'filtered') {
      for (const v of spec.scaleValues)
        countExprs.push(sql`count(*) filter (where t.${a.col} = ${String(v)}::text)`)
      continue
    }
    for (let start = 0; start < spec.scaleValues.length; start += PACK_FIELDS) {
      const whens = spec.scaleValues
        .slice(start, start + PACK_FIELDS)
        .map((v, k) => sql`when ${String(v)}::text then ${String(2 ** (PACK_BITS * k))}::bigint`)
      countExprs.push(sql`sum(case t.${a.col} ${sql.join(whens, sql` `)} else 0::bigint end)`)
    }
  }
  const inner = [
    sql`r.wave`,
    ...cols.map(({ name, col }) => sql`coalesce(r.segments->>${name}::text, '') as ${col}`),
    ...answers.map(({ rating, col }) => sql`r.answers->>${rating}::text as ${col}`),
    ...(options.fieldwork ? [sql`r.survey_version_id::text as v`, sql`r.submitted_at as at`] : []),
  ]
  const groupCols = [sql`t.wave`, ...cols.map((c) => sql`t.${c.col}`), ...(options.fieldwork ? [sql`t.v`] : [])]
  const fieldworkColumns = options.fieldwork ? sql`, min(t.at) as first_at, max(t.at) as last_at` : sql``
  // Text, so that both drivers hand back exact digits (a packed sum can pass 2^53).
  const countsColumn =
    countExprs.length > 0 ? sql`array[${sql.join(countExprs, sql`, `)}]::text[]` : sql`array[]::text[]`
  const resolved = await resolveScope(db, scope)
  const rows = await db.transaction(async (tx) => {
    // The planner cannot estimate how few distinct segment combinations there are and would sort every
    // response; a hash aggregate over the few thousand cells is the right plan.
    await tx.execute(sql`set local enable_sort = off`)
    await tx.execute(sql`set local work_mem = '64MB'`)
    return rowsOf<
      Record<string, unknown> & {
        wave: string
        n: number | string
        counts: string[] | null
        v?: string
        first_at?: string | Date | null
        last_at?: string | Date | null
      }
    >(
      await tx.execute(sql`
        select ${sql.join(groupCols, sql`, `)}, count(*)::bigint as n, ${countsColumn} as counts${fieldworkColumns}
          from (select ${sql.join(inner, sql`, `)} from responses r where ${whereClause(resolved, filters)}) t
         group by ${sql.join(groupCols, sql`, `)}`),
    )
  })
  if (mode === 'packed' && rows.some((row) => Number(row.n) > PACK_MAX_CELL))
    return loadFinestCells(db, scope, spec, filters, { ...options, countMode: 'filtered' })
  const width = spec.scaleValues.length
  const sumsPerRating = Math.ceil(width / PACK_FIELDS)
  const mask = (1n << BigInt(PACK_BITS)) - 1n
  const countsOf = (texts: string[]): number[][] => {
    if (mode === 'filtered') {
      const flat = texts.map(Number)
      return spec.ratings.map((_, i) => flat.slice(i * width, (i + 1) * width))
    }
    return spec.ratings.map((_, i) => {
      const out: number[] = []
      for (let j = 0; j < width; j++) {
        const packed = BigInt(texts[i * sumsPerRating + Math.floor(j / PACK_FIELDS)] ?? '0')
        out.push(Number((packed >> BigInt(PACK_BITS * (j % PACK_FIELDS))) & mask))
      }
      return out
    })
  }
  const dateOf = (value: string | Date | null | undefined) => (value == null ? null : new Date(value))
  // With `fieldwork` a (wave, values) cell comes once per survey version: merge those (counts are integers, so
  // the sums are exact), then fix the order.
  const SEP = '\u0001'
  const merged = new Map<string, FinestCell>()
  const fieldwork: WaveVersionFieldwork[] = []
  for (const row of rows) {
    const values = cols.map((_, i) => String(row[`c${i}`] ?? ''))
    const wave = String(row.wave)
    const respondents = Number(row.n)
    const counts = countsOf(row.counts ?? [])
    if (options.fieldwork)
      fieldwork.push({ wave, versionId: String(row.v), responses: respondents, firstAt: dateOf(row.first_at), lastAt: dateOf(row.last_at) })
    const key = wave + SEP + values.join(SEP)
    const cell = merged.get(key)
    if (!cell) {
      merged.set(key, { wave, values, respondents, counts })
      continue
    }
    cell.respondents += respondents
    counts.forEach((row, r) => row.forEach((count, j) => (cell.counts[r]![j]! += count)))
  }
  const cells = [...merged.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, cell]) => cell)
  return { columns, cells, ...(options.fieldwork ? { fieldwork } : {}) }
}

export interface WaveSummary {
  wave: string
  responses: number
  firstAt: Date | null
  lastAt: Date | null
  versionIds: string[]
}

/** Per-(wave, version) parts merged into one summary per wave, in chronological order. */
function summariseWaves(parts: ReadonlyArray<WaveVersionFieldwork>, waveOrder?: string[]): WaveSummary[] {
  const byWave = new Map<string, { n: number; firstAt: Date | null; lastAt: Date | null; versionIds: Set<string> }>()
  for (const part of parts) {
    let w = byWave.get(part.wave)
    if (!w) byWave.set(part.wave, (w = { n: 0, firstAt: null, lastAt: null, versionIds: new Set() }))
    w.n += part.responses
    w.versionIds.add(part.versionId)
    if (part.firstAt && (!w.firstAt || part.firstAt < w.firstAt)) w.firstAt = part.firstAt
    if (part.lastAt && (!w.lastAt || part.lastAt > w.lastAt)) w.lastAt = part.lastAt
  }
  return orderWaves([...byWave.keys()], waveOrder).map((wave) => {
    const w = byWave.get(wave)!
    return { wave, responses: w.n, firstAt: w.firstAt, lastAt: w.lastAt, versionIds: [...w.versionIds].sort() }
  })
}

/**
 * The wave list of {@link listWaves} (responses, fieldwork dates, versions per wave), from finest cells loaded
 * with `fieldwork` and no filters: it saves the dashboard a third scan of the responses.
 */
export function wavesFromFinestCells(finest: FinestCells, waveOrder?: string[]): WaveSummary[] {
  if (!finest.fieldwork) throw new Error('wavesFromFinestCells: load the cells with { fieldwork: true }')
  return summariseWaves(finest.fieldwork, waveOrder)
}

/** Segment values with respondent counts, most common first, from finest cells (no extra scan). */
export function segmentValuesFromFinestCells(
  finest: FinestCells,
  segments: ReadonlyArray<string>,
): Record<string, Array<{ value: string; count: number }>> {
  const out: Record<string, Array<{ value: string; count: number }>> = {}
  for (const segment of segments) {
    const i = finest.columns.indexOf(segment)
    const counts = new Map<string, number>()
    for (const cell of finest.cells) {
      const value = cell.values[i] ?? ''
      if (value !== '') counts.set(value, (counts.get(value) ?? 0) + cell.respondents)
    }
    out[segment] = [...counts].map(([value, count]) => ({ value, count })).sort((a, b) => b.count - a.count)
  }
  return out
}

/**
 * Fan finest cells out to the engine's input: every (by, group) of all / wave / each segment, per raking cell.
 * Pure and proportional to the number of cells. With `rakingLevels`, cells whose raking values are outside the
 * population's levels are left out (they cannot be raked).
 */
export function aggregatesFromFinestCells(
  finest: FinestCells,
  spec: Pick<
    AggregateSpec,
    'ratings' | 'scaleValues' | 'segments' | 'rakingVariables' | 'rakingLevels' | 'waveOrder'
  >,
): AnalysisAggregates {
  const index = new Map(finest.columns.map((c, i) => [c, i]))
  const rakeIdx = spec.rakingVariables.map((v) => index.get(v)!)
  const segIdx = spec.segments.map((s) => index.get(s)!)
  const levelSets = spec.rakingLevels
    ? spec.rakingVariables.map((v) => new Set(spec.rakingLevels![v] ?? []))
    : null
  const cellMap = new Map<string, { rakingCell: string[]; count: number }>()
  // Per (by, group, raking cell): its respondents and a flat counts array, ratings × (scale values + "no valid
  // answer"). Adding numbers into arrays keeps this to one Map look-up per group of each finest cell; it used to
  // be one string key per rating and value (about 140 ms a request at 100k responses, most of Node's share).
  // The finest cells come sorted, so the output order, and every floating-point sum downstream, is fixed.
  const width = spec.scaleValues.length + 1
  const size = spec.ratings.length * width
  const groupMap = new Map<string, { cell: GroupCellCount; counts: Float64Array }>()
  const waveSet = new Set<string>()
  const SEP = '\u0001'
  for (const cell of finest.cells) {
    const rakingCell = rakeIdx.map((i) => cell.values[i]!)
    if (levelSets && rakingCell.some((level, v) => !levelSets[v]!.has(level))) continue
    waveSet.add(cell.wave)
    const cellKey = rakingCell.join(SEP)
    const c = cellMap.get(cellKey)
    if (c) c.count += cell.respondents
    else cellMap.set(cellKey, { rakingCell, count: cell.respondents })
    for (let k = -2; k < spec.segments.length; k++) {
      const by = k === -2 ? 'all' : k === -1 ? 'wave' : spec.segments[k]!
      const group = k === -2 ? 'all' : k === -1 ? cell.wave : cell.values[segIdx[k]!]!
      const gKey = by + SEP + group + SEP + cellKey
      let g = groupMap.get(gKey)
      if (g) g.cell.count += cell.respondents
      else {
        g = { cell: { by, group, rakingCell, count: cell.respondents }, counts: new Float64Array(size) }
        groupMap.set(gKey, g)
      }
      for (let r = 0; r < spec.ratings.length; r++) {
        const counts = cell.counts[r]!
        let valid = 0
        for (let j = 0; j < width; j++) {
          const count = j < width - 1 ? counts[j]! : cell.respondents - valid
          if (j < width - 1) valid += count
          g.counts[r * width + j]! += count
        }
      }
    }
  }
  // Only non-zero counts become tallies, as the row path (countAggregatesFromRows) makes them.
  const tallies: RatingTally[] = []
  for (const { cell, counts } of groupMap.values()) {
    for (let at = 0; at < size; at++) {
      if (counts[at] === 0) continue
      const j = at % width
      tallies.push({
        rating: spec.ratings[Math.floor(at / width)]!,
        by: cell.by,
        group: cell.group,
        rakingCell: cell.rakingCell,
        value: j < width - 1 ? spec.scaleValues[j]! : null,
        count: counts[at]!,
      })
    }
  }
  return {
    rakingVariables: [...spec.rakingVariables],
    ratings: [...spec.ratings],
    bys: ['all', 'wave', ...spec.segments],
    waves: orderWaves([...waveSet], spec.waveOrder),
    cells: [...cellMap.values()],
    groupCells: [...groupMap.values()].map((g) => g.cell),
    tallies,
  }
}

/**
 * Counts the responses in scope into {@link AnalysisAggregates}, in PostgreSQL: one scan grouped to the finest
 * cells (see {@link loadFinestCells}), fanned out in memory; plus, when `keyDriverVariables` is set, one scan
 * of the latest wave for the joint counts of complete cases. A missing segment value is the group ''.
 *
 * @example
 * const aggregates = await loadAggregates(db, { organisationId, surveyId }, spec, { waves: ['2026'] })
 * analyse(aggregates, config, population)
 */
export async function loadAggregates(
  db: Database,
  scope: AggregateScope,
  spec: AggregateSpec,
  filters: AggregateFilters = {},
  preloaded?: FinestCells,
  preloadedPatterns?: AnswerPatterns,
): Promise<AnalysisAggregates> {
  const finest = preloaded ?? (await loadFinestCells(db, scope, spec, filters))
  const aggregates = aggregatesFromFinestCells(finest, spec)
  const latest = aggregates.waves[aggregates.waves.length - 1]
  const variables = spec.keyDriverVariables ?? []
  if (variables.length >= 2 && latest !== undefined) {
    const nWave = aggregates.groupCells
      .filter((g) => g.by === 'wave' && g.group === latest)
      .reduce((a, g) => a + g.count, 0)
    aggregates.keyDrivers = {
      wave: latest,
      variables: [...variables],
      nWave,
      pairs: pairTalliesFromPatterns(
        preloadedPatterns?.byWave.has(latest)
          ? preloadedPatterns
          : await loadAnswerPatterns(db, scope, spec, filters, variables, latest),
        latest,
      ),
    }
  }
  return aggregates
}

/** Complete-case answer patterns per wave, each packed into one integer (see {@link loadAnswerPatterns}). */
export interface AnswerPatterns {
  variables: string[]
  scaleValues: number[]
  byWave: Map<string, Array<{ pattern: number; count: number }>>
}

/**
 * The complete cases (every variable on the scale) grouped by wave and by their whole answer pattern, packed
 * into one integer: at most scale^k patterns per wave (78,125 for seven 5-point ratings), whatever the number
 * of responses. Every wave is counted in the same scan, so this can run alongside {@link loadFinestCells}
 * before anyone knows which wave is the latest under the filters.
 */
export async function loadAnswerPatterns(
  db: Database,
  scope: AggregateScope,
  spec: Pick<AggregateSpec, 'scaleValues' | 'rakingLevels'>,
  filters: AggregateFilters,
  variables: ReadonlyArray<string>,
  /** Count only this wave (the latest, for key drivers); all waves when absent. */
  wave?: string,
): Promise<AnswerPatterns> {
  const base = spec.scaleValues.length
  const out: AnswerPatterns = {
    variables: [...variables],
    scaleValues: [...spec.scaleValues],
    byWave: new Map(),
  }
  if (base === 0 || variables.length < 2) return out
  const scaleTexts = sql`array[${list(spec.scaleValues.map(String))}]::text[]`
  const positions = variables.map((v) => sql`(array_position(${scaleTexts}, r.answers->>${v}::text) - 1)`)
  const where = sql.join(
    [
      whereClause(await resolveScope(db, scope), filters, spec),
      ...(wave === undefined ? [] : [sql`r.wave = ${wave}::text`]),
      ...positions.map((p) => sql`${p} is not null`),
    ],
    sql` and `,
  )
  // Horner's rule: pattern = ((p0 * base + p1) * base + p2) …, exact in bigint for any realistic survey.
  let pattern: SQL = sql`${positions[0]!}::bigint`
  for (const p of positions.slice(1)) pattern = sql`(${pattern} * ${base}::bigint + ${p})`
  const rows = await db.transaction(async (tx) => {
    // Up to 78k patterns a wave: let the hash aggregate stay in memory rather than spill to a sort.
    await tx.execute(sql`set local work_mem = '64MB'`)
    await tx.execute(sql`set local enable_sort = off`)
    return rowsOf<{ wave: string; pattern: string | number; n: string | number }>(
      await tx.execute(
        sql`select r.wave, ${pattern} as pattern, count(*)::bigint as n from responses r where ${where} group by 1, 2`,
      ),
    )
  })
  for (const row of rows) {
    const list = out.byWave.get(row.wave) ?? []
    list.push({ pattern: Number(row.pattern), count: Number(row.n) })
    out.byWave.set(row.wave, list)
  }
  return out
}

/** Joint counts of every pair (i < j) of the variables, summed from one wave's answer patterns. */
export function pairTalliesFromPatterns(patterns: AnswerPatterns, wave: string): PairTally[] {
  const { variables, scaleValues } = patterns
  const base = scaleValues.length
  const k = variables.length
  // Counts in a flat array indexed by (i, j, x, y), not a string-keyed Map (that cost about 12 ms a request at
  // 100k responses); read out in that index order, so the output does not depend on the order of the patterns.
  const slot = (i: number, j: number, x: number, y: number) => ((i * k + j) * base + x) * base + y
  const counts = new Float64Array(k * k * base * base)
  const seen = new Uint8Array(counts.length)
  const digits = new Array<number>(k)
  for (const { pattern, count } of patterns.byWave.get(wave) ?? []) {
    let code = pattern
    for (let i = k - 1; i >= 0; i--) {
      digits[i] = code % base
      code = Math.floor(code / base)
    }
    for (let i = 0; i < k; i++) {
      for (let j = i + 1; j < k; j++) {
        const at = slot(i, j, digits[i]!, digits[j]!)
        counts[at]! += count
        seen[at] = 1
      }
    }
  }
  const out: PairTally[] = []
  for (let i = 0; i < k; i++)
    for (let j = i + 1; j < k; j++)
      for (let x = 0; x < base; x++)
        for (let y = 0; y < base; y++) {
          const at = slot(i, j, x, y)
          if (seen[at]) out.push({ x: variables[i]!, y: variables[j]!, xValue: scaleValues[x]!, yValue: scaleValues[y]!, count: counts[at]! })
        }
  return out
}

/** Responses in scope (after filters), and how many of them lack a raking level of the population. */
export async function countResponses(
  db: Database,
  scope: AggregateScope,
  filters: AggregateFilters = {},
  rakingLevels?: Record<string, string[]>,
): Promise<{ total: number; outsideRakingLevels: number }> {
  const conditions = Object.entries(rakingLevels ?? {}).map(([variable, levels]) =>
    levels.length === 0
      ? sql`true`
      : sql`coalesce(r.segments->>${variable}::text, '') not in (${list(levels)})`,
  )
  const outside = conditions.length > 0 ? sql.join(conditions, sql` or `) : sql`false`
  const rows = rowsOf<{ total: number | string; outside: number | string }>(
    await db.execute(
      sql`select count(*)::bigint as total, count(*) filter (where ${outside})::bigint as outside from responses r where ${whereClause(scope, filters)}`,
    ),
  )
  return { total: Number(rows[0]?.total ?? 0), outsideRakingLevels: Number(rows[0]?.outside ?? 0) }
}

/** Distinct values of each segment in scope with their respondent counts (for filter controls). */
export async function listSegmentValues(
  db: Database,
  scope: AggregateScope,
  segments: ReadonlyArray<string>,
): Promise<Record<string, Array<{ value: string; count: number }>>> {
  const out: Record<string, Array<{ value: string; count: number }>> = Object.fromEntries(
    segments.map((s) => [s, []]),
  )
  if (segments.length === 0) return out
  const rows = rowsOf<{ segment: string; value: string | null; n: number | string }>(
    await db.execute(sql`
      select s.segment, r.segments->>s.segment as value, count(*)::bigint as n
        from responses r
        cross join lateral (values ${sql.join(
          segments.map((s) => sql`(${s}::text)`),
          sql`, `,
        )}) as s(segment)
       where ${scopeCondition(scope)}
       group by 1, 2
       order by 1, 3 desc`),
  )
  for (const row of rows) {
    if (row.value === null) continue
    out[row.segment]?.push({ value: row.value, count: Number(row.n) })
  }
  return out
}

/** Waves in scope with response counts and fieldwork dates (for the trend view and the methods note). */
export async function listWaves(db: Database, scope: AggregateScope, waveOrder?: string[]): Promise<WaveSummary[]> {
  // Grouped by (wave, version) with plain aggregates: a hash aggregate, where array_agg(distinct …) per wave
  // would sort every response.
  const parts = rowsOf<{
    wave: string
    version_id: string
    n: number | string
    first_at: string | Date | null
    last_at: string | Date | null
  }>(
    await db.execute(sql`
      select r.wave, r.survey_version_id::text as version_id, count(*)::bigint as n,
             min(r.submitted_at) as first_at, max(r.submitted_at) as last_at
        from responses r where ${scopeCondition(await resolveScope(db, scope))} group by 1, 2`),
  )
  return summariseWaves(
    parts.map((p) => ({
      wave: p.wave,
      versionId: p.version_id,
      responses: Number(p.n),
      firstAt: p.first_at === null ? null : new Date(p.first_at),
      lastAt: p.last_at === null ? null : new Date(p.last_at),
    })),
    waveOrder,
  )
}

/**
 * The organisation's small-base thresholds (PRODUCT.md §4: organisation settings): flag under `lowBase`
 * (default 50), suppress under `suppress` (default 10). Read from organisations.settings, accepting
 * { lowBase, suppress } at the top level or under `smallBase`.
 */
export async function getReportingThresholds(
  db: Database,
  organisationId: string,
): Promise<{ lowBase: number; suppress: number }> {
  const rows = await db
    .select({ settings: organisations.settings })
    .from(organisations)
    .where(eq(organisations.id, organisationId))
    .limit(1)
  const settings = (rows[0]?.settings ?? {}) as Record<string, unknown>
  const nested = (
    typeof settings.smallBase === 'object' && settings.smallBase !== null ? settings.smallBase : {}
  ) as Record<string, unknown>
  const pick = (key: string, fallback: number): number => {
    const v = settings[key] ?? nested[key]
    return typeof v === 'number' && Number.isInteger(v) && v >= 0 ? v : fallback
  }
  const lowBase = pick('lowBase', 50)
  const suppress = Math.min(pick('suppress', 10), lowBase)
  return { lowBase, suppress }
}
