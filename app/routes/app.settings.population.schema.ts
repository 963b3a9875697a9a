import { z } from 'zod'
import { parseCsv } from '#analysis/parse-csv.ts'

/*
 * The population profile forms, one schema each, shared by the page (checked before sending) and the action
 * (checked again). Margins are written as CSV, `variable,level,count`, whether typed into the box or uploaded
 * as a file, so one parser gives the same row-level errors for both.
 */

export const MARGINS_HEADER = ['variable', 'level', 'count'] as const
const VARIABLE = /^[a-z][a-z0-9_]{0,62}$/
const MAX_ROWS = 2000

export type Margins = Record<string, Record<string, number>>

export interface ParsedMargins {
  margins: Margins
  /** one message per problem, naming its row (the header is row 1) */
  errors: string[]
}

/** Reads `variable,level,count` CSV (RFC 4180) into margins, with an error for every bad row. */
export function parseMarginsCsv(text: string): ParsedMargins {
  const errors: string[] = []
  const margins: Margins = {}
  // Blank lines at the end are common in hand-made files; they are not records.
  const trimmed = text.replace(/^\uFEFF/, '').replace(/\s+$/, '')
  if (trimmed === '')
    return { margins, errors: ['Add the margins: a header line variable,level,count and one row per level'] }
  let records: string[][]
  try {
    records = parseCsv(`${trimmed}\n`)
  } catch (error) {
    const message =
      error instanceof Error
        ? error.message.replace(/^parseCsv: line (\d+): /, 'Row $1: ')
        : 'The CSV cannot be read'
    return { margins, errors: [message] }
  }
  const header = (records[0] ?? []).map((h) => h.trim().toLowerCase())
  if (header.join(',') !== MARGINS_HEADER.join(',')) {
    return {
      margins,
      errors: [
        `Row 1: the first row must be the header variable,level,count (found "${header.join(',').slice(0, 80)}")`,
      ],
    }
  }
  if (records.length - 1 > MAX_ROWS)
    return { margins, errors: [`There are ${records.length - 1} rows; at most ${MAX_ROWS} are allowed`] }
  const firstRow = new Map<string, number>()
  records.slice(1).forEach((record, index) => {
    const row = index + 2
    const [variableRaw = '', levelRaw = '', countRaw = ''] = record.map((f) => f.trim())
    const problems: string[] = []
    if (variableRaw === '') problems.push('the variable is empty')
    else if (!VARIABLE.test(variableRaw))
      problems.push(
        `the variable "${variableRaw.slice(0, 40)}" must be lower-case letters, digits and underscores, like age_band`,
      )
    if (levelRaw === '') problems.push('the level is empty')
    else if (levelRaw.length > 100) problems.push('the level is longer than 100 characters')
    if (countRaw === '') problems.push('the count is empty')
    else if (!/^\d{1,12}$/.test(countRaw.replace(/[,_ ]/g, '')))
      problems.push(`the count "${countRaw.slice(0, 20)}" is not a whole number`)
    else if (Number(countRaw.replace(/[,_ ]/g, '')) === 0)
      problems.push('the count is 0 (leave out levels with no population)')
    if (problems.length > 0) {
      errors.push(`Row ${row}: ${problems.join('; ')}`)
      return
    }
    const key = `${variableRaw}\u0000${levelRaw}`
    const seen = firstRow.get(key)
    if (seen !== undefined) {
      errors.push(`Row ${row}: ${variableRaw} = ${levelRaw} is listed twice (first on row ${seen})`)
      return
    }
    firstRow.set(key, row)
    ;(margins[variableRaw] ??= {})[levelRaw] = Number(countRaw.replace(/[,_ ]/g, ''))
  })
  if (records.length === 1) errors.push('Add at least one row under the header')
  return { margins, errors }
}

/** Each margin's sum; every one must equal the total (the same people counted by age and by sex). */
export function checkMarginTotals(
  margins: Margins,
  total: number | undefined,
): { total: number | null; errors: string[] } {
  const sums = Object.entries(margins).map(
    ([variable, levels]) => [variable, Object.values(levels).reduce((a, b) => a + b, 0)] as const,
  )
  if (sums.length === 0) return { total: total ?? null, errors: [] }
  const fmt = (x: number) => x.toLocaleString('en-GB')
  if (total === undefined) {
    const distinct = new Set(sums.map(([, s]) => s))
    if (distinct.size === 1) return { total: sums[0]![1], errors: [] }
    return {
      total: null,
      errors: [
        `The margins do not add up to the same total (${sums.map(([v, s]) => `${v}: ${fmt(s)}`).join(', ')}). Each must sum to the population total.`,
      ],
    }
  }
  const errors = sums
    .filter(([, s]) => s !== total)
    .map(([v, s]) => `${v}: the levels add up to ${fmt(s)}, not the total of ${fmt(total)}`)
  return { total, errors }
}

const byName = (a: string, b: string) => a.localeCompare(b, 'en', { numeric: true })

/**
 * Margins in a stable order (variables, then levels, numbers compared as numbers: 16-24 before 100_plus).
 * jsonb does not keep the order they were typed in, so the pages show them sorted.
 */
export function sortedMargins(
  margins: Margins,
): Array<{ variable: string; levels: Array<{ level: string; count: number }> }> {
  return Object.keys(margins)
    .sort(byName)
    .map((variable) => ({
      variable,
      levels: Object.keys(margins[variable] ?? {})
        .sort(byName)
        .map((level) => ({ level, count: margins[variable]![level]! })),
    }))
}

/** Margins back to the CSV the form shows (for editing). */
export function marginsToCsv(margins: Margins): string {
  const quote = (s: string) => (/[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s)
  const lines = [MARGINS_HEADER.join(',')]
  for (const { variable, levels } of sortedMargins(margins)) {
    for (const { level, count } of levels) lines.push(`${quote(variable)},${quote(level)},${count}`)
  }
  return `${lines.join('\n')}\n`
}

export const saveProfileSchema = z
  .object({
    intent: z.literal('save'),
    id: z.union([z.literal(''), z.uuid({ message: 'Unknown profile' })]).optional(),
    name: z
      .string()
      .trim()
      .min(1, 'Enter a name for the profile')
      .max(100, 'Keep the name under 100 characters'),
    total: z
      .string()
      .trim()
      .transform((v) => v.replace(/[,_ ]/g, ''))
      .refine(
        (v) => v === '' || (/^\d{1,12}$/.test(v) && Number(v) > 0),
        'Enter the population total as a whole number, like 120000',
      )
      .optional(),
    isDefault: z.literal('on').optional(),
    margins: z.string().max(200_000, 'The margins are too long (at most 200,000 characters)'),
  })
  .transform((form, ctx) => {
    const parsed = parseMarginsCsv(form.margins)
    for (const message of parsed.errors) ctx.addIssue({ code: 'custom', message, path: ['margins'] })
    const stated = form.total ? Number(form.total) : undefined
    const totals =
      parsed.errors.length === 0
        ? checkMarginTotals(parsed.margins, stated)
        : { total: stated ?? null, errors: [] }
    for (const message of totals.errors) ctx.addIssue({ code: 'custom', message, path: ['margins'] })
    if (parsed.errors.length > 0 || totals.errors.length > 0 || totals.total === null) return z.NEVER
    return {
      intent: form.intent,
      id: form.id ? form.id : undefined,
      name: form.name,
      total: totals.total,
      isDefault: form.isDefault === 'on',
      margins: parsed.margins,
    }
  })

export const deleteProfileSchema = z.object({
  intent: z.literal('delete'),
  id: z.uuid({ message: 'Unknown profile' }),
})

export const makeDefaultSchema = z.object({
  intent: z.literal('make-default'),
  id: z.uuid({ message: 'Unknown profile' }),
})

export interface ProfileFormErrors {
  name?: string
  total?: string
  margins?: string[]
  form?: string
}

/** zod issues → the page's error shape (every margins problem kept, one message for the other fields). */
export function profileFormErrors(
  issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string }>,
): ProfileFormErrors {
  const errors: ProfileFormErrors = {}
  for (const issue of issues) {
    const field = String(issue.path[0] ?? 'form')
    if (field === 'margins') (errors.margins ??= []).push(issue.message)
    else if (field === 'name' || field === 'total') errors[field] ??= issue.message
    else errors.form ??= issue.message
  }
  return errors
}
