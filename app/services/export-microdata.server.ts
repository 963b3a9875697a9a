import type { Database } from '#db/client.ts'
import {
  fetchCsvLineBatch,
  fetchResponseBatch,
  type ExportCursor,
  type SqlCsvColumn,
} from '#db/queries/exports.ts'
import { csvRecord, toCsv, UTF8_BOM, type CsvValue } from '#app/utils/csv.ts'
import { rakingCellKey, type ExportContext } from './export-context.server.ts'

/*
 * Response-level export (microdata): one row per response of the survey's series (every wave, as the insight
 * report and the dashboard cover), the answers as stored codes, the segment values
 * and the raking weight. Rows are read in keyset-paginated batches and written to a pull-based stream, so
 * memory stays constant whatever the number of responses; the weight comes from the insight report's raking-cell
 * weights (report.estimates.cellWeights, a few dozen entries, app/services/export-context.server.ts), joined row
 * by row as the rows stream past, so the file carries exactly the weights behind the published figures.
 */

export interface MicrodataOptions {
  /** include free-text answers (comments); they can identify people, so they are off by default */
  includeFreeText: boolean
  /** include equality-monitoring answers (special-category data) */
  includeEquality: boolean
  /** start the CSV with a UTF-8 byte-order mark for Excel */
  bom: boolean
}

export const DEFAULT_MICRODATA_OPTIONS: MicrodataOptions = {
  includeFreeText: false,
  includeEquality: true,
  bom: false,
}

export type ColumnSource =
  | { kind: 'respondent' }
  | { kind: 'wave' }
  | { kind: 'submitted_on' }
  | { kind: 'source' }
  | { kind: 'answer'; question: string }
  | { kind: 'segment'; segment: string }
  | { kind: 'weight' }

export interface MicrodataColumn {
  name: string
  label: string
  source: ColumnSource
  type: 'integer' | 'number' | 'text' | 'code' | 'codes' | 'date'
  codes: Array<{ value: string | number; label: string }>
  notes: string
}

export function segmentColumnName(segment: string): string {
  return `segment_${segment}`
}

/** The columns of the microdata file, in order, for these options. */
export function microdataColumns(ctx: ExportContext, options: MicrodataOptions): MicrodataColumn[] {
  const columns: MicrodataColumn[] = [
    {
      name: 'respondent',
      label: 'Row number in this file (not a stored identifier)',
      source: { kind: 'respondent' },
      type: 'integer',
      codes: [],
      notes: '',
    },
    {
      name: 'wave',
      label: 'Wave (fieldwork period) of the response',
      source: { kind: 'wave' },
      type: 'text',
      codes: [],
      notes: '',
    },
    {
      name: 'submitted_on',
      label: 'Date the response was submitted (UTC)',
      source: { kind: 'submitted_on' },
      type: 'date',
      codes: [],
      notes: 'YYYY-MM-DD',
    },
    {
      name: 'source',
      label: 'How the response arrived',
      source: { kind: 'source' },
      type: 'code',
      codes: [
        { value: 'web', label: 'Web form (JavaScript)' },
        { value: 'nojs', label: 'Web form without JavaScript' },
        { value: 'api', label: 'Public API' },
        { value: 'import', label: 'Imported from a file' },
        { value: 'invitation', label: 'Single-use invitation link' },
      ],
      notes: '',
    },
  ]
  for (const q of ctx.questions) {
    if (q.isFreeText && !options.includeFreeText) continue
    if (q.isEquality && !options.includeEquality) continue
    const rating = ctx.metadata.ratings[q.name]
    let notes = ''
    if (rating) {
      const c = rating.coding
      notes = `Rating (driver: ${rating.driver}). Satisfied = ${c.satisfied.join(', ')}; neither = ${c.neither.join(', ') || 'none'}; dissatisfied = ${c.dissatisfied.join(', ')}; ${c.dontKnow.join(', ')} = don't know, outside the valid base.`
    } else if (q.isFreeText) {
      notes =
        'Free text as typed by the respondent. Text starting with = + - @ is prefixed with an apostrophe so spreadsheets do not run it.'
    }
    if (q.isEquality)
      notes =
        `${notes} Special-category (equality) data: never report it for groups under the suppression threshold.`.trim()
    columns.push({
      name: q.name,
      label: q.title,
      source: { kind: 'answer', question: q.name },
      type: q.type === 'checkbox' ? 'codes' : q.isFreeText ? 'text' : q.codes.length > 0 ? 'code' : 'text',
      codes: q.codes,
      notes: q.type === 'checkbox' ? `${notes} Several codes separated by ";".`.trim() : notes,
    })
  }
  for (const s of ctx.segments) {
    if (s.isEquality && !options.includeEquality) continue
    const q = ctx.questions.find((x) => x.name === s.name)
    const url = ctx.metadata.urlSegments.find((u) => u.param === s.name)
    const codes = q?.codes ?? url?.values.map((v) => ({ value: v.value, label: v.label })) ?? []
    const raking = ctx.weighting?.variables.includes(s.name) ?? false
    columns.push({
      name: segmentColumnName(s.name),
      label: `Customer group: ${s.label}`,
      source: { kind: 'segment', segment: s.name },
      type: 'code',
      codes,
      notes: [
        'The group the dashboard and the tables use (from the answer or the link the respondent followed). Empty = not stated.',
        raking ? 'Raking variable of the weights.' : '',
      ]
        .filter(Boolean)
        .join(' '),
    })
  }
  if (ctx.weighting) {
    columns.push({
      name: 'weight',
      label: 'Raking weight to the population profile',
      source: { kind: 'weight' },
      type: 'number',
      codes: [],
      notes: `Raked (iterative proportional fitting, epsilon ${ctx.weighting.epsilon}) on ${ctx.weighting.variables.join(' x ')} to "${ctx.weighting.profile.name}" (total ${ctx.weighting.profile.total}), as the published figures are. Every respondent of a raking cell has the same weight; weights sum to the population total. Empty = outside the population's levels, so not in the weighted analysis.`,
    })
  }
  return columns
}

function answerCell(value: unknown): CsvValue {
  if (value === null || value === undefined) return null
  if (typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean') return value
  if (Array.isArray(value)) return value.map((v) => String(v)).join(';')
  return JSON.stringify(value)
}

/** Builds one microdata record for a response. */
function recordFor(
  columns: MicrodataColumn[],
  row: {
    wave: string
    submittedAt: string
    source: string
    answers: Record<string, unknown>
    segments: Record<string, string>
  },
  index: number,
  ctx: ExportContext,
): CsvValue[] {
  return columns.map((c) => {
    switch (c.source.kind) {
      case 'respondent':
        return index
      case 'wave':
        return row.wave
      case 'submitted_on':
        return row.submittedAt
      case 'source':
        return row.source
      case 'answer':
        return answerCell(row.answers[c.source.question])
      case 'segment':
        return row.segments[c.source.segment] ?? null
      case 'weight': {
        const w = ctx.weighting!
        const levels = w.variables.map((v) => row.segments[v] ?? '')
        return w.cellWeights.get(rakingCellKey(levels)) ?? null
      }
    }
  })
}

export interface MicrodataProgress {
  rows: number
}

/**
 * The microdata CSV as a pull-based byte stream: a batch is read from the database only when the consumer
 * asks for more, so a slow download never piles rows up in memory.
 */
export function microdataStream(
  db: Database,
  ctx: ExportContext,
  options: MicrodataOptions,
  hooks: {
    batchSize?: number
    onDone?: (progress: MicrodataProgress) => void
    /** 'sql' (default): PostgreSQL formats each record; 'node': app/utils/csv.ts does (the reference) */
    formatter?: 'sql' | 'node'
  } = {},
): ReadableStream<Uint8Array> {
  const columns = microdataColumns(ctx, options)
  const formatter = hooks.formatter ?? 'sql'
  const sqlColumns: SqlCsvColumn[] = columns.slice(1).map((c) => {
    if (c.source.kind === 'respondent')
      throw new Error('microdataStream: respondent must be the first column')
    return c.source
  })
  const weights = ctx.weighting
    ? {
        variables: ctx.weighting.variables,
        byCell: Object.fromEntries([...ctx.weighting.cellWeights].map(([k, w]) => [k, String(w)])),
      }
    : null
  const encoder = new TextEncoder()
  // 1,000 rows: each batch is one string of about 200 kB; at 2,000 the process peaked 10-15 MB higher for 10% more
  // speed (docs/benchmarks.md, exports).
  const batchSize = hooks.batchSize ?? 1000
  let cursor: ExportCursor | null = null
  let rows = 0
  let headerSent = false
  let done = false
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        if (!headerSent) {
          headerSent = true
          controller.enqueue(
            encoder.encode((options.bom ? UTF8_BOM : '') + csvRecord(columns.map((c) => c.name))),
          )
          return
        }
        if (done) return
        if (formatter === 'sql') {
          if (columns[0]?.source.kind !== 'respondent')
            throw new Error('microdataStream: respondent must be the first column')
          const batch = await fetchCsvLineBatch(
            db,
            ctx.organisationId,
            ctx.seriesSurveyIds,
            cursor,
            batchSize,
            sqlColumns,
            weights,
            rows,
          )
          if (!batch) {
            done = true
            controller.close()
            hooks.onDone?.({ rows })
            return
          }
          rows += batch.rows
          cursor = batch.cursor
          controller.enqueue(encoder.encode(batch.text))
          return
        }
        const batch = await fetchResponseBatch(db, ctx.organisationId, ctx.seriesSurveyIds, cursor, batchSize)
        if (batch.length === 0) {
          done = true
          controller.close()
          hooks.onDone?.({ rows })
          return
        }
        let text = ''
        for (const row of batch) {
          rows++
          text += csvRecord(recordFor(columns, row, rows, ctx))
        }
        const last = batch[batch.length - 1]!
        cursor = { submittedAt: last.cursor, id: last.id }
        controller.enqueue(encoder.encode(text))
      },
    },
    { highWaterMark: 1 },
  )
}

/** The codebook: one row per column and code, with question text and labels. */
export function codebookCsv(ctx: ExportContext, options: MicrodataOptions): string {
  const rows: CsvValue[][] = []
  for (const c of microdataColumns(ctx, options)) {
    if (c.codes.length === 0) rows.push([c.name, c.label, c.type, null, null, c.notes])
    else for (const code of c.codes) rows.push([c.name, c.label, c.type, code.value, code.label, c.notes])
  }
  return toCsv(['column', 'question_or_meaning', 'type', 'code', 'label', 'notes'], rows, {
    bom: options.bom,
  })
}
