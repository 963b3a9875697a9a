import { eq, sql, type SQL } from 'drizzle-orm'
import type { AnalysisAggregates, GroupCellCount, PairTally, RatingTally } from '../../analysis/aggregates.ts'
import type { Database } from '../client.ts'
import { rowsOf } from '../client.ts'
import { foldQueuedResponses } from './aggregate-queue.ts'
import { loadDriverPairs } from './driver-pairs.ts'
import { organisations } from '../schema.ts'
import { orderWaves } from '../../analysis/order-waves.ts'

/*
 * The SQL side of the statistics engine: PostgreSQL counts, Node computes. Nothing here reads a response row:
 * every function reads the aggregate tables kept equal to the responses as they arrive, are purged or erased
 * (db/schema.ts, db/migrations/0001_maintained_aggregates.sql; new responses are queued and folded in first,
 * db/migrations/0012_aggregate_queue.sql and {@link resolveAggregateScope}; docs/decisions/009-maintained-aggregates.md), so a request costs in proportion to the number of cells, not
 * of responses. The tables hold raw values; the rating scale and the segments to cross come from the caller
 * (the survey's current metadata) at read time.
 *
 * Which table answers which request:
 * - without a date filter: `response_segment_cells` (wave × every segment, numeric answer counts) and, for key
 *   drivers without segment filters, `response_driver_pairs` (wave × pair of variables × their values, per
 *   registered set: db/queries/driver-pairs.ts, db/migrations/0013_driver_pairs.sql), or
 *   `response_answer_patterns` (wave × whole answer pattern) for a scale that is not plain numbers;
 * - with a date filter: `response_calendar_cells` (the same counts per wave × UTC day and × UTC month), read as
 *   whole months plus edge days (see calendarRange), so bounded by segment combinations × (months + edge days);
 * - key drivers with a date or segment filter: `response_day_cells` (wave × UTC day × segments × answer
 *   pattern), whose size is bounded by days × segment combinations × patterns, in practice close to one row
 *   per response;
 * - the wave list: `response_fieldwork` (wave × version × UTC day, with first and last submission).
 * Date filters are whole UTC days (the dashboard's, app/routes/app.surveys.$surveyId.dashboard.server.ts);
 * any other instant is refused rather than answered inexactly.
 *
 * The same functions by a scan of the responses, the definition these must equal, are in
 * db/queries/aggregates-scan.ts.
 */

/**
 * Which responses: one survey, or every survey of a series (its waves), or surveys already resolved by
 * {@link resolveAggregateScope} (so that a request that makes several reads looks the series up once). Always
 * inside one organisation.
 */
export type AggregateScope =
  | { organisationId: string; surveyId: string; seriesId?: undefined; surveyIds?: undefined }
  | { organisationId: string; seriesId: string; surveyId?: undefined; surveyIds?: undefined }
  | ResolvedScope

/** Dashboard filters. Segment filters keep responses whose segment value is one of the listed values. */
export interface AggregateFilters {
  waves?: string[]
  /** submitted at or after (inclusive); a UTC midnight */
  from?: Date
  /** submitted before (exclusive); a UTC midnight */
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
 * Survey ids inside one organisation: the scope of every read once resolved. Make it with
 * {@link resolveAggregateScope} only: resolving also folds the scope's queued responses, and a read given a
 * resolved scope does not fold again.
 */
export type ResolvedScope = { organisationId: string; surveyIds: string[]; surveyId?: undefined; seriesId?: undefined }

/** A series scope turned into its survey ids (inside the organisation); a foreign series selects nothing. */
export async function resolveAggregateScope(db: Database, scope: AggregateScope): Promise<ResolvedScope> {
  if (scope.surveyIds !== undefined) return scope
  let resolved: ResolvedScope
  if (scope.surveyId !== undefined) resolved = { organisationId: scope.organisationId, surveyIds: [scope.surveyId] }
  else {
    const rows = rowsOf<{ id: string }>(
      await db.execute(
        sql`select id from surveys where organisation_id = ${scope.organisationId}::uuid and series_id = ${scope.seriesId}::uuid`,
      ),
    )
    resolved = { organisationId: scope.organisationId, surveyIds: rows.map((r) => r.id) }
  }
  // Every read passes here once: count what is still queued (db/queries/aggregate-queue.ts), so the read is exact.
  await foldQueuedResponses(db, resolved.organisationId, resolved.surveyIds)
  return resolved
}

/** `object[key]` when `object` is a plain object that has `key` as its own property (never an inherited one). */
function ownEntry(object: unknown, key: string): unknown {
  return typeof object === 'object' && object !== null && !Array.isArray(object) && Object.hasOwn(object, key)
    ? (object as Record<string, unknown>)[key]
    : undefined
}

function list(values: ReadonlyArray<string | number>): SQL {
  return sql.join(
    values.map((v) => sql`${v}`),
    sql`, `,
  )
}

const DAY_MS = 86_400_000

/** The filters' dates as UTC days ('YYYY-MM-DD'); an instant that is not a UTC midnight is an error. */
function filterDays(filters: AggregateFilters, caller: string): { from?: string; to?: string } {
  const day = (date: Date | undefined, name: string) => {
    if (date === undefined) return undefined
    if (!Number.isFinite(date.getTime()) || date.getTime() % DAY_MS !== 0)
      throw new Error(`${caller}: filter "${name}" must be a UTC midnight (whole days are counted), got ${String(date)}`)
    return date.toISOString().slice(0, 10)
  }
  return { from: day(filters.from, 'from'), to: day(filters.to, 'to') }
}

const hasDates = (filters: AggregateFilters) => filters.from !== undefined || filters.to !== undefined
const hasSegmentFilters = (filters: AggregateFilters) =>
  Object.values(filters.segments ?? {}).some((values) => values.length > 0)

/**
 * WHERE over an aggregate table aliased `c`: organisation and surveys, then waves, days (only on tables with a
 * `day`), segment values and raking levels, with the very expressions the scan applies to a response
 * (`segments->>name`), since the tables keep each response's segments as text.
 */
function whereClause(
  scope: ResolvedScope,
  filters: AggregateFilters,
  options: {
    caller: string
    /** the table has a `day`, or (`'calendar'`) a `period` and `period_start` (response_calendar_cells) */
    days: boolean | 'calendar'
    rakingLevels?: Record<string, string[]>
  },
): SQL {
  if (scope.surveyIds.length === 0) return sql`false`
  const out: SQL[] = [
    sql`c.organisation_id = ${scope.organisationId}::uuid`,
    sql`c.survey_id in (${sql.join(
      scope.surveyIds.map((id) => sql`${id}::uuid`),
      sql`, `,
    )})`,
  ]
  if (filters.waves && filters.waves.length > 0) out.push(sql`c.wave in (${list(filters.waves)})`)
  const days = filterDays(filters, options.caller)
  if ((days.from || days.to) && !options.days)
    throw new Error(`${options.caller}: this table has no days; read response_day_cells for date filters`)
  if (options.days === 'calendar') {
    if (days.from || days.to) out.push(calendarRange(days.from, days.to))
  } else {
    if (days.from) out.push(sql`c.day >= ${days.from}::date`)
    if (days.to) out.push(sql`c.day < ${days.to}::date`)
  }
  for (const [segment, values] of Object.entries(filters.segments ?? {})) {
    if (values.length === 0) continue
    out.push(sql`c.segments->>${segment}::text in (${list(values)})`)
  }
  for (const [variable, levels] of Object.entries(options.rakingLevels ?? {})) {
    out.push(levels.length === 0 ? sql`false` : sql`c.segments->>${variable}::text in (${list(levels)})`)
  }
  return sql.join(out, sql` and `)
}

/** The first day of the month after the one `day` ('YYYY-MM-DD') falls in. */
function nextMonthStart(day: string): string {
  const year = Number(day.slice(0, 4))
  const month = Number(day.slice(5, 7))
  return month === 12 ? `${year + 1}-01-01` : `${day.slice(0, 4)}-${String(month + 1).padStart(2, '0')}-01`
}

/**
 * The days [from, to) over `response_calendar_cells` (alias `c`) as whole months plus edge days: the month rows
 * of every month that lies wholly inside the range, and the day rows of the days before the first and after
 * the last whole month. Each response counts once in its day row and once in its month row, and the two parts
 * are disjoint, so the sum is exactly the responses of the range (checked against a scan of the responses in
 * tests/integration/aggregates-maintained.test.ts). A quarter reads three month rows per segment combination.
 */
function calendarRange(from: string | undefined, to: string | undefined): SQL {
  // Whole months: [firstMonth, endMonth), each a first of month ('YYYY-MM-DD' strings compare as dates).
  const firstMonth = from === undefined ? undefined : from.endsWith('-01') ? from : nextMonthStart(from)
  const endMonth = to === undefined ? undefined : `${to.slice(0, 8)}01`
  if (firstMonth !== undefined && endMonth !== undefined && firstMonth >= endMonth) {
    return sql`(c.period = 'day' and c.period_start >= ${from}::date and c.period_start < ${to}::date)`
  }
  const months: SQL[] = [sql`c.period = 'month'`]
  if (firstMonth !== undefined) months.push(sql`c.period_start >= ${firstMonth}::date`)
  if (endMonth !== undefined) months.push(sql`c.period_start < ${endMonth}::date`)
  const edges: SQL[] = []
  if (from !== undefined && from !== firstMonth)
    edges.push(sql`(c.period_start >= ${from}::date and c.period_start < ${firstMonth}::date)`)
  if (to !== undefined && to !== endMonth)
    edges.push(sql`(c.period_start >= ${endMonth}::date and c.period_start < ${to}::date)`)
  const monthPart = sql`(${sql.join(months, sql` and `)})`
  return edges.length === 0
    ? monthPart
    : sql`(${monthPart} or (c.period = 'day' and (${sql.join(edges, sql` or `)})))`
}

/** Chronological order of waves: the engine's one rule (analysis/order-waves.ts). */
export { orderWaves }

/**
 * One row per finest cell: wave × every segment × every raking variable, with the number of respondents and,
 * for each rating and each on-scale value, how many gave it. A few thousand rows whatever the number of
 * responses; summed in SQL from the maintained tables (see {@link loadFinestCells}).
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
 * The finest cells of the responses in scope, after filters: `response_segment_cells` summed to (wave, the
 * requested segments and raking variables), or `response_day_cells` when a date filter is set. A missing
 * segment value is ''.
 *
 * @example
 * const finest = await loadFinestCells(db, { organisationId, seriesId }, spec, { waves: ['2026'] }, { fieldwork: false })
 */
export async function loadFinestCells(
  db: Database,
  scope: AggregateScope,
  spec: Pick<AggregateSpec, 'ratings' | 'scaleValues' | 'segments' | 'rakingVariables'>,
  filters: AggregateFilters = {},
  options: {
    /**
     * Also return, per wave and survey version, the responses and first and last submission (for
     * {@link wavesFromFinestCells}). Wave and date filters apply to it; segment filters cannot (the fieldwork
     * table has no segments), so asking for both is an error.
     */
    fieldwork?: boolean
  } = {},
): Promise<FinestCells> {
  const columns = [...new Set([...spec.segments, ...spec.rakingVariables])]
  const cols = columns.map((name, i) => sql`coalesce(c.segments->>${name}::text, '') as ${sql.identifier(`c${i}`)}`)
  const dated = hasDates(filters)
  const resolved = await resolveAggregateScope(db, scope)
  const where = whereClause(resolved, filters, { caller: 'loadFinestCells', days: dated ? 'calendar' : false })
  // The rows as stored, summed here: each row's count map is parsed once by the driver, where summing
  // `answers->rating->>value` in SQL read the JSONB once per rating and value (35 reads a row for seven 5-point
  // ratings; 45 ms of PostgreSQL at 1M responses against about 5 ms of Node, docs/benchmarks.md). Rows with the
  // same wave and values (segments outside `columns`, or several surveys of a series) are summed into one cell.
  const rows = rowsOf<Record<string, unknown> & { wave: string; n: number | string; answers: unknown }>(
    await db.execute(sql`
      select c.wave${columns.length > 0 ? sql`, ${sql.join(cols, sql`, `)}` : sql``}, c.responses as n, c.answers
        from ${dated ? sql`response_calendar_cells` : sql`response_segment_cells`} c
       where ${where}`),
  )
  const width = spec.scaleValues.length
  const valueKeys = spec.scaleValues.map(String)
  const SEP = '\u0001'
  const cellsByKey = new Map<string, { wave: string; values: string[]; respondents: number; flat: number[] }>()
  for (const row of rows) {
    const wave = String(row.wave)
    const values = columns.map((_, i) => String(row[`c${i}`] ?? ''))
    const key = wave + SEP + values.join(SEP)
    let cell = cellsByKey.get(key)
    if (!cell) cellsByKey.set(key, (cell = { wave, values, respondents: 0, flat: new Array<number>(spec.ratings.length * width).fill(0) }))
    cell.respondents += Number(row.n)
    const answers = typeof row.answers === 'string' ? (JSON.parse(row.answers) as unknown) : row.answers
    for (let r = 0; r < spec.ratings.length; r++) {
      const byValue = ownEntry(answers, spec.ratings[r]!)
      if (byValue === undefined) continue
      for (let j = 0; j < width; j++) {
        const count = ownEntry(byValue, valueKeys[j]!)
        if (count !== undefined) cell.flat[r * width + j]! += Number(count)
      }
    }
  }
  const keyed: Array<[string, FinestCell]> = []
  for (const [key, cell] of cellsByKey) {
    if (cell.respondents === 0) continue
    keyed.push([
      key,
      {
        wave: cell.wave,
        values: cell.values,
        respondents: cell.respondents,
        counts: spec.ratings.map((_, i) => cell.flat.slice(i * width, (i + 1) * width)),
      },
    ])
  }
  keyed.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
  const out: FinestCells = { columns, cells: keyed.map(([, cell]) => cell) }
  if (options.fieldwork) {
    if (hasSegmentFilters(filters))
      throw new Error('loadFinestCells: fieldwork is kept per wave and day, not per segment; drop the segment filters')
    out.fieldwork = await loadFieldwork(db, resolved, filters, 'loadFinestCells')
  }
  return out
}

/** Per (wave, version): responses and first and last submission, from `response_fieldwork`. */
async function loadFieldwork(
  db: Database,
  scope: ResolvedScope,
  filters: AggregateFilters,
  caller: string,
): Promise<WaveVersionFieldwork[]> {
  const rows = rowsOf<{ wave: string; version_id: string; n: string | number; first_at: string | Date; last_at: string | Date }>(
    await db.execute(sql`
      select c.wave, c.survey_version_id::text as version_id, sum(c.responses)::bigint as n,
             min(c.first_at) as first_at, max(c.last_at) as last_at
        from response_fieldwork c
       where ${whereClause(scope, { ...filters, segments: {} }, { caller, days: true })}
       group by 1, 2 order by 1, 2`),
  )
  return rows
    .filter((p) => Number(p.n) > 0)
    .map((p) => ({
      wave: p.wave,
      versionId: p.version_id,
      responses: Number(p.n),
      firstAt: new Date(p.first_at),
      lastAt: new Date(p.last_at),
    }))
}

export interface WaveSummary {
  wave: string
  responses: number
  firstAt: Date | null
  lastAt: Date | null
  versionIds: string[]
}


/** Per-(wave, version) parts merged into one summary per wave, in chronological order. */
export function summariseWaves(parts: ReadonlyArray<WaveVersionFieldwork>, waveOrder?: string[]): WaveSummary[] {
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
  // In order of creation (the output order), and found through one map per by: group → raking cell key, so that
  // no key string is built per group of each finest cell.
  const groupList: Array<{ cell: GroupCellCount; counts: Float64Array }> = []
  const groupMaps = Array.from(
    { length: spec.segments.length + 2 },
    () => new Map<string, Map<string, { cell: GroupCellCount; counts: Float64Array }>>(),
  )
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
      const byGroup = groupMaps[k + 2]!
      let byCell = byGroup.get(group)
      if (!byCell) byGroup.set(group, (byCell = new Map()))
      let g = byCell.get(cellKey)
      if (g) g.cell.count += cell.respondents
      else {
        g = { cell: { by, group, rakingCell, count: cell.respondents }, counts: new Float64Array(size) }
        byCell.set(cellKey, g)
        groupList.push(g)
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
  for (const { cell, counts } of groupList) {
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
    groupCells: groupList.map((g) => g.cell),
    tallies,
  }
}

/**
 * Counts the responses in scope into {@link AnalysisAggregates}, in PostgreSQL: one read of the finest cells
 * (see {@link loadFinestCells}), fanned out in memory; plus, when `keyDriverVariables` is set, the latest wave's
 * key-driver pair tallies (see {@link keyDriverPairs}). A missing segment value is the group ''.
 *
 * The latest wave is only known once the finest cells are in (the latest wave that has respondents after the
 * filters). `latestWaveGuess`, when given (the caller's wave list, e.g. from `response_fieldwork`), lets the
 * pair read start beside the cell read instead of after it; if the guess turns out wrong, the pairs are
 * read again for the right wave, so the result never depends on the guess.
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
  latestWaveGuess?: Promise<string | undefined>,
): Promise<AnalysisAggregates> {
  const resolved = await resolveAggregateScope(db, scope)
  const variables = spec.keyDriverVariables ?? []
  const wantPairs = variables.length >= 2
  const readPairs = (wave: string) => keyDriverPairs(db, resolved, spec, filters, variables, wave)
  const guessed =
    wantPairs && latestWaveGuess
      ? latestWaveGuess.then((wave) => (wave === undefined ? undefined : readPairs(wave).then((pairs) => ({ wave, pairs }))))
      : undefined
  // Settled on its own so that a failed speculative read cannot go unhandled while the cells load.
  const guessedSettled = guessed?.then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  )
  const finest = preloaded ?? (await loadFinestCells(db, resolved, spec, filters))
  const aggregates = aggregatesFromFinestCells(finest, spec)
  const latest = aggregates.waves[aggregates.waves.length - 1]
  if (wantPairs && latest !== undefined) {
    const nWave = aggregates.groupCells
      .filter((g) => g.by === 'wave' && g.group === latest)
      .reduce((a, g) => a + g.count, 0)
    let pairs: PairTally[] | undefined
    if (guessedSettled) {
      const outcome = await guessedSettled
      if (!outcome.ok) throw outcome.error
      if (outcome.value?.wave === latest) pairs = outcome.value.pairs
    }
    aggregates.keyDrivers = { wave: latest, variables: [...variables], nWave, pairs: pairs ?? (await readPairs(latest)) }
  } else if (guessedSettled) await guessedSettled
  return aggregates
}

/**
 * One wave's key-driver pair tallies: from the pairs the fold keeps (db/queries/driver-pairs.ts) when nothing but
 * waves filters the responses, else summed from the answer patterns of response_day_cells (see
 * {@link loadAnswerPatterns}), which keep days and segments. Both give what a scan gives.
 */
export async function keyDriverPairs(
  db: Database,
  scope: ResolvedScope,
  spec: Pick<AggregateSpec, 'scaleValues' | 'rakingLevels'>,
  filters: AggregateFilters,
  variables: ReadonlyArray<string>,
  wave: string,
): Promise<PairTally[]> {
  if (filters.waves && filters.waves.length > 0 && !filters.waves.includes(wave)) return []
  const detailed = hasDates(filters) || hasSegmentFilters(filters) || spec.rakingLevels !== undefined
  // The kept pairs compare answer texts with the scale's (db/migrations/0013_driver_pairs.sql), so they need a
  // scale of plain decimal numbers, as the patterns keep them (cse_numeric_answers); any other goes the long way.
  const plainScale = spec.scaleValues.every((v) => /^-?[0-9]{1,15}([.][0-9]{1,15})?$/.test(String(v)))
  if (!detailed && plainScale && new Set(variables).size === variables.length)
    return loadDriverPairs(db, scope, spec.scaleValues, variables, wave)
  return pairTalliesFromPatterns(await loadAnswerPatterns(db, scope, spec, filters, variables, wave), wave)
}

/** Complete-case answer patterns per wave, each packed into one integer (see {@link loadAnswerPatterns}). */
export interface AnswerPatterns {
  variables: string[]
  scaleValues: number[]
  /** the waves that were read (every pattern of them is in byWave); undefined when all waves were read */
  waves?: string[]
  /** each wave's distinct patterns with their counts, in no particular order (pairTalliesFromPatterns needs none) */
  byWave: Map<string, Array<{ pattern: number; count: number }>>
}


/**
 * The complete cases (every variable on the scale) grouped by wave and by their whole answer pattern, packed
 * into one integer: at most scale^k patterns per wave (78,125 for seven 5-point ratings). Read from
 * `response_answer_patterns` when nothing but waves filters the responses, else from `response_day_cells`,
 * which also keeps days and segments.
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
    ...(wave === undefined ? {} : { waves: [wave] }),
    byWave: new Map(),
  }
  if (base === 0 || variables.length < 2) return out
  const detailed = hasDates(filters) || hasSegmentFilters(filters) || spec.rakingLevels !== undefined
  const scaleTexts = sql`array[${list(spec.scaleValues.map(String))}]::text[]`
  // Each variable's position on the scale, (array_position(scale, value) - 1), null when the value is off the
  // scale; the pattern packed by Horner's rule, ((p0 * base + p1) * base + p2) …, null when any position is.
  // The positions are computed once per row: the filter only asks that every variable be answered (`->>`, the
  // cheapest JSONB read), and a pattern with a value off the scale packs to null and is dropped below.
  const position = (v: string) => sql`(array_position(${scaleTexts}, c.pattern->>${v}::text) - 1)`
  let packed: SQL = sql`${position(variables[0]!)}::bigint`
  for (const v of variables.slice(1)) packed = sql`(${packed} * ${base}::bigint + ${position(v)})`
  const where = sql.join(
    [
      whereClause(await resolveAggregateScope(db, scope), filters, {
        caller: 'loadAnswerPatterns',
        days: detailed,
        ...(spec.rakingLevels ? { rakingLevels: spec.rakingLevels } : {}),
      }),
      ...(wave === undefined ? [] : [sql`c.wave = ${wave}::text`]),
      ...variables.map((v) => sql`c.pattern->>${v}::text is not null`),
    ],
    sql` and `,
  )
  // `response_answer_patterns` holds one row per distinct pattern of a survey and wave, so its rows are sent as
  // they are and summed here (a series, or a numeric question outside the variables, can repeat a packed
  // pattern): on the 1M bench PostgreSQL's GROUP BY over them cost more CPU than it saved (docs/benchmarks.md).
  // `response_day_cells` repeats each pattern per day and segment combination, so it is grouped in SQL.
  // float8 (exact below 2^53, like the Number() of a bigint before) is parsed by the driver without a string.
  // With one wave asked for, the wave column is left out (one string less per row to parse).
  const rows = rowsOf<{ wave?: string; pattern: number | null; n: number }>(
    await db.execute(
      detailed
        ? sql`select c.wave, (${packed})::float8 as pattern, sum(c.responses)::float8 as n
                from response_day_cells c where ${where} group by 1, 2`
        : sql`select ${wave === undefined ? sql`c.wave, ` : sql``}(${packed})::float8 as pattern, c.responses::float8 as n
                from response_answer_patterns c where ${where}`,
    ),
  )
  const counts = new Map<string, Map<number, number>>()
  for (const row of rows) {
    const n = Number(row.n)
    if (row.pattern === null || n === 0) continue
    const pattern = Number(row.pattern)
    const w = row.wave ?? wave!
    let byPattern = counts.get(w)
    if (!byPattern) counts.set(w, (byPattern = new Map()))
    byPattern.set(pattern, (byPattern.get(pattern) ?? 0) + n)
  }
  for (const [w, byPattern] of counts) out.byWave.set(w, Array.from(byPattern, ([pattern, count]) => ({ pattern, count })))
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
      : sql`coalesce(c.segments->>${variable}::text, '') not in (${list(levels)})`,
  )
  const outside = conditions.length > 0 ? sql.join(conditions, sql` or `) : sql`false`
  const dated = hasDates(filters)
  const where = whereClause(await resolveAggregateScope(db, scope), filters, {
    caller: 'countResponses',
    days: dated ? 'calendar' : false,
  })
  const rows = rowsOf<{ total: number | string | null; outside: number | string | null }>(
    await db.execute(sql`
      select sum(c.responses)::bigint as total, sum(c.responses) filter (where ${outside})::bigint as outside
        from ${dated ? sql`response_calendar_cells` : sql`response_segment_cells`} c where ${where}`),
  )
  return { total: Number(rows[0]?.total ?? 0), outsideRakingLevels: Number(rows[0]?.outside ?? 0) }
}

/** Distinct values of each segment in scope with their respondent counts (for filter controls), most common first. */
export async function listSegmentValues(
  db: Database,
  scope: AggregateScope,
  segments: ReadonlyArray<string>,
): Promise<Record<string, Array<{ value: string; count: number }>>> {
  const out: Record<string, Array<{ value: string; count: number }>> = Object.fromEntries(
    segments.map((s) => [s, []]),
  )
  if (segments.length === 0) return out
  const where = whereClause(await resolveAggregateScope(db, scope), {}, { caller: 'listSegmentValues', days: false })
  const rows = rowsOf<{ segment: string; value: string | null; n: number | string }>(
    await db.execute(sql`
      select s.segment, c.segments->>s.segment as value, sum(c.responses)::bigint as n
        from response_segment_cells c
        cross join lateral (values ${sql.join(
          segments.map((s) => sql`(${s}::text)`),
          sql`, `,
        )}) as s(segment)
       where ${where}
       group by 1, 2
       order by 1, 3 desc, 2`),
  )
  for (const row of rows) {
    if (row.value === null || Number(row.n) === 0) continue
    out[row.segment]?.push({ value: row.value, count: Number(row.n) })
  }
  return out
}

/** Waves in scope with response counts and fieldwork dates (for the trend view and the methods note). */
export async function listWaves(db: Database, scope: AggregateScope, waveOrder?: string[]): Promise<WaveSummary[]> {
  return summariseWaves(await loadFieldwork(db, await resolveAggregateScope(db, scope), {}, 'listWaves'), waveOrder)
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
