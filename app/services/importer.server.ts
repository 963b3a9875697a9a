import { createHash } from 'node:crypto'
import { parseCsv } from '#analysis/parse-csv.ts'
import { parseAnalysisConfig } from '#analysis/parse-analysis-config.ts'
import { orderWaves } from '#analysis/order-waves.ts'
import type { Database } from '#db/client.ts'
import { findOrganisationBySlug } from '#db/queries/accounts.ts'
import { insertImportedResponses, type ImportedResponse } from '#db/queries/responses.ts'
import { createSurvey, findPublishedSurveyBySlug, publishSurvey } from '#db/queries/surveys.ts'
import { DONT_KNOW, SATISFACTION_5, questionNameSchema, templateMetadataSchema, type TemplateMetadata } from '#templates/metadata.ts'
import { describeSurvey, parseMetadata, type SurveyDescriptor } from './survey-definition.server.ts'
import { validateAnswers } from './validate-answers.server.ts'

/**
 * Imports of responses from other channels (paper, telephone, earlier tools), for the `npm run import` CLI
 * and the staff upload page alike. Every row goes through the same validator as web answers; a file with
 * any invalid row imports nothing and the report lists every problem by row and column. Rows are numbered
 * as a spreadsheet shows them: the header is row 1, the first response row 2.
 */

export interface ImportProblem {
  row: number
  column: string
  message: string
}

/** Which columns hold the respondent id and the wave; the rest are matched to questions by name. */
export interface ImportColumns {
  id?: string
  wave?: string
}

export type ImportPhase = 'reading' | 'validating' | 'writing' | 'done'
export type ProgressCallback = (phase: ImportPhase, done: number, total: number) => void

export type ImportReport =
  | { ok: true; surveyId: string; slug: string; created: boolean; rows: number; inserted: number; skipped: number; waves: string[] }
  | { ok: false; problems: ImportProblem[]; rows: number }

const MAX_PROBLEMS = 1_000
const WAVE_PATTERN = /^[\p{L}\p{N} _./-]{1,40}$/u

export class ImportError extends Error {
  override name = 'ImportError'
}

/** Decode bytes as UTF-8; if some are not UTF-8, say which cells hold them instead of importing mojibake. */
export function decodeImportFile(bytes: Uint8Array): { text: string; brokenEncoding: boolean } {
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes), brokenEncoding: false }
  } catch {
    return { text: new TextDecoder('utf-8').decode(bytes), brokenEncoding: true }
  }
}

export interface ParsedFile {
  header: string[]
  records: string[][]
}

export function parseImportFile(text: string): { file?: ParsedFile; problems: ImportProblem[] } {
  let records: string[][]
  try {
    records = parseCsv(text)
  } catch (error) {
    const message = error instanceof Error ? error.message.replace(/^parseCsv: /, '') : 'the file is not valid CSV'
    return { problems: [{ row: 0, column: '', message: `The file is not valid CSV: ${message}` }] }
  }
  const header = records[0]!
  const problems: ImportProblem[] = []
  const seen = new Set<string>()
  header.forEach((h) => {
    if (seen.has(h)) problems.push({ row: 1, column: h, message: 'This column name appears twice' })
    seen.add(h)
  })
  if (records.length < 2) problems.push({ row: 1, column: '', message: 'The file has a header row but no responses' })
  return { file: { header, records: records.slice(1) }, problems }
}

/** A stable UUID for a respondent of an import, so importing the same file twice adds nothing the second time. */
export function importClientId(surveyId: string, key: string): string {
  const h = createHash('sha256').update(`import\u0000${surveyId}\u0000${key}`).digest('hex')
  // Shaped as an RFC 9562 version 8 (custom) UUID.
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-8${h.slice(13, 16)}-${((parseInt(h[16]!, 16) & 3) | 8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`
}

function cellValue(descriptor: SurveyDescriptor, column: string, cell: string): unknown {
  const q = descriptor.questions.get(column)!
  switch (q.kind) {
    case 'checkbox':
      return cell.split(';').map((s) => s.trim()).filter((s) => s !== '')
    case 'boolean': {
      const v = cell.trim().toLowerCase()
      if (['true', 'yes', 'y', '1'].includes(v)) return true
      if (['false', 'no', 'n', '0'].includes(v)) return false
      return cell
    }
    default:
      return cell
  }
}

export interface PrepareInput {
  surveyId: string
  defaultWave: string
  descriptor: SurveyDescriptor
  metadata: TemplateMetadata
  file: ParsedFile
  columns: ImportColumns
  brokenEncoding?: boolean
  onProgress?: ProgressCallback
}

/** Validate every row and turn it into a response; collects every problem rather than stopping at the first. */
export function prepareRows(input: PrepareInput): { rows: ImportedResponse[]; problems: ImportProblem[] } {
  const { descriptor, metadata, file, columns } = input
  const problems: ImportProblem[] = []
  const urlParams = new Set(metadata.urlSegments.map((s) => s.param))
  const roles = file.header.map((h) => {
    if (h === columns.id) return 'id' as const
    if (h === columns.wave) return 'wave' as const
    if (descriptor.questions.has(h)) return 'question' as const
    if (urlParams.has(h)) return 'segment' as const
    problems.push({ row: 1, column: h, message: 'This column is not a question or group of the survey' })
    return 'unknown' as const
  })
  if (columns.id && !file.header.includes(columns.id)) problems.push({ row: 1, column: columns.id, message: 'The id column is missing' })
  if (columns.wave && !file.header.includes(columns.wave)) problems.push({ row: 1, column: columns.wave, message: 'The wave column is missing' })

  const rows: ImportedResponse[] = []
  const firstRowOfId = new Map<string, number>()
  const total = file.records.length
  for (let r = 0; r < total; r++) {
    const rowNumber = r + 2
    const record = file.records[r]!
    const answers: Record<string, unknown> = {}
    const segments: Record<string, string> = {}
    let wave = input.defaultWave
    let key = `row:${rowNumber}`
    for (let c = 0; c < record.length; c++) {
      const cell = record[c]!
      const column = file.header[c]!
      if (input.brokenEncoding && cell.includes('\uFFFD')) {
        problems.push({ row: rowNumber, column, message: 'This cell has bytes that are not UTF-8 text; save the file as UTF-8' })
        continue
      }
      switch (roles[c]) {
        case 'id': {
          if (cell.trim() === '') problems.push({ row: rowNumber, column, message: 'The respondent id is empty' })
          const first = firstRowOfId.get(cell)
          if (first !== undefined) problems.push({ row: rowNumber, column, message: `This respondent id is also on row ${first}` })
          else firstRowOfId.set(cell, rowNumber)
          key = `id:${cell}`
          break
        }
        case 'wave':
          if (!WAVE_PATTERN.test(cell)) problems.push({ row: rowNumber, column, message: `"${cell.slice(0, 40)}" is not a wave label (1–40 letters, digits, spaces, . _ / -)` })
          else wave = cell
          break
        case 'question':
          if (cell !== '') answers[column] = cellValue(descriptor, column, cell)
          break
        case 'segment':
          if (cell !== '') segments[column] = cell
          break
        default:
          break
      }
    }
    const checked = validateAnswers(descriptor, metadata, answers, segments, { enforceRequired: false })
    if (!checked.ok) {
      for (const p of checked.problems) {
        problems.push({ row: rowNumber, column: p.question.replace(/^segments\./, ''), message: p.message })
      }
    } else {
      rows.push({ clientId: importClientId(input.surveyId, key), wave, answers: checked.answers, segments: checked.segments })
    }
    if (problems.length > MAX_PROBLEMS) {
      problems.push({ row: rowNumber, column: '', message: `Stopped after ${MAX_PROBLEMS} problems; fix these and import again` })
      break
    }
    if ((r + 1) % 5_000 === 0) input.onProgress?.('validating', r + 1, total)
  }
  input.onProgress?.('validating', total, total)
  return { rows, problems }
}

function humanise(name: string): string {
  const words = name.replace(/_/g, ' ').trim()
  return words.charAt(0).toUpperCase() + words.slice(1)
}

const RATING_CHOICES = [
  { value: 5, text: 'Very satisfied' },
  { value: 4, text: 'Fairly satisfied' },
  { value: 3, text: 'Neither satisfied nor dissatisfied' },
  { value: 2, text: 'Fairly dissatisfied' },
  { value: 1, text: 'Very dissatisfied' },
  { value: DONT_KNOW, text: "Don't know / not applicable" },
]

export interface GeneratedSurvey {
  definition: Record<string, unknown>
  metadata: TemplateMetadata
  wave: string
}

/**
 * A survey made from an analysis configuration and the file itself: ratings become 5-point satisfaction
 * questions with their driver tags (the core template's scale and coding), segments become choice questions
 * offering the values found in the file, the wave column sets the wave, and other columns become comments.
 */
export function surveyFromConfig(title: string, config: ReturnType<typeof parseAnalysisConfig>, file: ParsedFile): { survey?: GeneratedSurvey; problems: ImportProblem[] } {
  const problems: ImportProblem[] = []
  const present = new Set(file.header)
  for (const column of [config.id, config.wave, ...config.ratings, ...config.segments]) {
    if (!present.has(column)) problems.push({ row: 1, column, message: 'The configuration names this column but the file does not have it' })
  }
  const special = new Set([config.id, config.wave])
  const ratings = config.ratings
  const segmentColumns = config.segments.filter((s) => !ratings.includes(s))
  const comments = file.header.filter((h) => !special.has(h) && !ratings.includes(h) && !segmentColumns.includes(h))
  for (const name of [...ratings, ...segmentColumns, ...comments]) {
    if (!questionNameSchema.safeParse(name).success) {
      problems.push({ row: 1, column: name, message: 'Column names that become questions must be lower-case letters, digits and underscores' })
    }
  }
  if (problems.length > 0) return { problems }
  const index = new Map(file.header.map((h, i) => [h, i]))
  const distinct = (column: string) => {
    const i = index.get(column)!
    const values = new Set<string>()
    for (const record of file.records) if (record[i] !== '') values.add(record[i]!)
    return [...values]
  }
  const waves = orderWaves(distinct(config.wave), config.waves)
  const wave = waves.at(-1) ?? new Date().getFullYear().toString()

  const ratingElements = ratings.map((name) => ({
    type: 'radiogroup',
    name,
    title: name === config.overall ? 'Overall, how satisfied are you with the service you received?' : `How satisfied are you with ${humanise(name).toLowerCase()}?`,
    choices: RATING_CHOICES,
  }))
  const segmentElements = segmentColumns.map((name) => ({
    type: 'radiogroup',
    name,
    title: humanise(name),
    choices: distinct(name).map((v) => ({ value: v, text: v })),
  }))
  const commentElements = comments.map((name) => ({ type: 'comment', name, title: humanise(name), maxLength: 5000 }))
  const pages = [
    { name: 'ratings', title: 'Your satisfaction', elements: ratingElements },
    ...(segmentElements.length > 0 ? [{ name: 'about', title: 'About you and your contact', elements: segmentElements }] : []),
    ...(commentElements.length > 0 ? [{ name: 'comments', title: 'Your comments', elements: commentElements }] : []),
  ]
  const definition = { title, pages }
  const metadata = templateMetadataSchema.parse({
    id: 'imported',
    title,
    description: 'Made from an imported file and its analysis configuration.',
    cseElements: ['1.3.3'],
    ratings: Object.fromEntries(
      ratings.map((name) => [name, { driver: name === config.overall ? 'overall' : name, coding: SATISFACTION_5 }]),
    ),
    comments: commentElements.map((c) => ({ question: c.name })),
    segments: segmentElements.map((s) => ({ question: s.name, label: s.title })),
    locales: ['en'],
  })
  return { survey: { definition, metadata, wave }, problems }
}

export interface RunImportInput {
  /** The raw file; decoded here so broken encodings are reported per cell. */
  csv: Uint8Array
  /** An analysis configuration (oracle format): required with `create`, else optional (id and wave columns). */
  config?: unknown
  slug: string
  organisationSlug?: string
  /** When set, the organisation is this id (the upload page); organisationSlug is ignored. */
  organisationId?: string
  create?: boolean
  onProgress?: ProgressCallback
}

/** Read, validate and store a file of responses, or store nothing and report every problem. */
export async function runImport(db: Database, input: RunImportInput): Promise<ImportReport> {
  const progress = input.onProgress
  progress?.('reading', 0, 1)
  const { text, brokenEncoding } = decodeImportFile(input.csv)
  const parsedFile = parseImportFile(text)
  if (!parsedFile.file || parsedFile.problems.length > 0) return { ok: false, problems: parsedFile.problems, rows: parsedFile.file?.records.length ?? 0 }
  const file = parsedFile.file
  progress?.('reading', 1, 1)

  let config: ReturnType<typeof parseAnalysisConfig> | null = null
  if (input.config !== undefined) {
    try {
      config = parseAnalysisConfig(input.config)
    } catch (error) {
      return { ok: false, rows: file.records.length, problems: [{ row: 0, column: '', message: `The configuration is not valid: ${(error as Error).message}` }] }
    }
  }
  const columns: ImportColumns = config
    ? { id: config.id, wave: config.wave }
    : { id: file.header.includes('respondent_id') ? 'respondent_id' : undefined, wave: file.header.includes('wave') ? 'wave' : undefined }

  const organisationId =
    input.organisationId ?? (await findOrganisationBySlug(db, input.organisationSlug ?? 'demo-council'))?.id
  if (!organisationId) throw new ImportError(`There is no organisation "${input.organisationSlug ?? 'demo-council'}"`)

  const existing = await findPublishedSurveyBySlug(db, input.slug)
  if (input.create) {
    if (!config) throw new ImportError('--create needs --config: the configuration says which columns are ratings and segments')
    if (existing) throw new ImportError(`A survey with the address "${input.slug}" already exists; import into it without --create`)
    const generated = surveyFromConfig(`Imported survey ${input.slug}`, config, file)
    if (!generated.survey) return { ok: false, problems: generated.problems, rows: file.records.length }
    const descriptor = describeSurvey(generated.survey.definition)
    const placeholderId = `new:${input.slug}`
    const prepared = prepareRows({ surveyId: placeholderId, defaultWave: generated.survey.wave, descriptor, metadata: generated.survey.metadata, file, columns, brokenEncoding, onProgress: progress })
    if (prepared.problems.length > 0) return { ok: false, problems: prepared.problems, rows: file.records.length }
    const survey = generated.survey
    const outcome = await db.transaction(async (tx) => {
      const t = tx as unknown as Database
      const row = await createSurvey(t, { organisationId, slug: input.slug, title: survey.definition.title as string, wave: survey.wave, templateId: null, definition: survey.definition, metadata: survey.metadata })
      const version = await publishSurvey(t, organisationId, row.id, null)
      // Client ids depend on the survey id, which exists only now.
      const rows = prepared.rows.map((r, i) => ({ ...r, clientId: importClientId(row.id, importKey(file, columns, i)) }))
      const inserted = await insertImportedResponses(t, { organisationId, surveyId: row.id, surveyVersionId: version.id }, rows, (done) => progress?.('writing', done, rows.length))
      return { surveyId: row.id, inserted }
    })
    progress?.('done', prepared.rows.length, prepared.rows.length)
    return { ok: true, surveyId: outcome.surveyId, slug: input.slug, created: true, rows: prepared.rows.length, inserted: outcome.inserted, skipped: prepared.rows.length - outcome.inserted, waves: distinctWaves(prepared.rows) }
  }

  if (!existing || existing.survey.organisationId !== organisationId) {
    throw new ImportError(`There is no published survey "${input.slug}" in this organisation (use --create to make one from the configuration)`)
  }
  const descriptor = describeSurvey(existing.version.definition, existing.version.id)
  const metadata = parseMetadata(existing.version.metadata)
  const prepared = prepareRows({ surveyId: existing.survey.id, defaultWave: existing.survey.wave, descriptor, metadata, file, columns, brokenEncoding, onProgress: progress })
  if (prepared.problems.length > 0) return { ok: false, problems: prepared.problems, rows: file.records.length }
  const inserted = await db.transaction(async (tx) =>
    insertImportedResponses(tx as unknown as Database, { organisationId, surveyId: existing.survey.id, surveyVersionId: existing.version.id }, prepared.rows, (done) =>
      progress?.('writing', done, prepared.rows.length),
    ),
  )
  progress?.('done', prepared.rows.length, prepared.rows.length)
  return { ok: true, surveyId: existing.survey.id, slug: input.slug, created: false, rows: prepared.rows.length, inserted, skipped: prepared.rows.length - inserted, waves: distinctWaves(prepared.rows) }
}

function importKey(file: ParsedFile, columns: ImportColumns, recordIndex: number): string {
  const idIndex = columns.id ? file.header.indexOf(columns.id) : -1
  return idIndex >= 0 ? `id:${file.records[recordIndex]![idIndex]}` : `row:${recordIndex + 2}`
}

function distinctWaves(rows: ImportedResponse[]): string[] {
  return [...new Set(rows.map((r) => r.wave))].sort()
}

/** One line per problem, for the CLI and the page: "row 17, column overall: …". */
export function formatProblem(p: ImportProblem): string {
  const where = p.row === 0 ? 'file' : `row ${p.row}${p.column ? `, column ${p.column}` : ''}`
  return `${where}: ${p.message}`
}
