import { choiceValue, isRecord, listQuestions, type ElementJSON } from '#templates/definition.ts'
import type { TemplateMetadata } from '#templates/metadata.ts'
import { toCsv } from '#app/utils/csv.ts'
import { textOf } from './survey-labels.server.ts'
import type { QuestionDescriptor, SurveyDescriptor } from './survey-definition.server.ts'

/*
 * What the response importer (app/services/importer.server.ts) accepts, column by column, for the import page and
 * the downloadable CSV template (issue 13, item 7: a first file usually failed on codes such as `75_plus`). The
 * template is a header row the importer takes as it is; the allowed codes travel in a companion CSV, one row per
 * code, because a CSV has no second sheet and any extra row in the template would be read as a response.
 */

export const ID_COLUMN = 'respondent_id'

export interface ImportColumn {
  column: string
  title: string
  /** What to type in the cell, in plain English. */
  rule: string
  /** Numbers stay numbers, so the CSV writer never prefixes a negative code as if it were a formula. */
  codes: Array<{ code: string | number; meaning: string }>
}

function choiceMeanings(element: ElementJSON | undefined): Map<string, string> {
  const meanings = new Map<string, string>()
  if (!element) return meanings
  const items = [
    ...(Array.isArray(element.choices) ? element.choices : []),
    ...(Array.isArray(element.rateValues) ? element.rateValues : []),
  ]
  for (const item of items) {
    const value = choiceValue(item)
    if (value !== undefined)
      meanings.set(String(value), (isRecord(item) ? textOf(item.text) : '') || String(value))
  }
  if (element.type === 'rating' && meanings.size === 0) {
    const min = textOf(element.minRateDescription)
    const max = textOf(element.maxRateDescription)
    if (typeof element.rateMin === 'number' || min) meanings.set(String(element.rateMin ?? 1), min)
    if (typeof element.rateMax === 'number' || max) meanings.set(String(element.rateMax ?? 5), max)
  }
  return meanings
}

function questionRule(q: QuestionDescriptor): string {
  switch (q.kind) {
    case 'checkbox':
      return 'One or more codes from the list, separated by ";". Leave empty for no answer.'
    case 'boolean':
      return 'yes or no. Leave empty for no answer.'
    case 'text':
      if (q.inputType === 'number')
        return `A number${q.min !== undefined ? ` from ${q.min}` : ''}${q.max !== undefined ? ` to ${q.max}` : ''}. Leave empty for no answer.`
      return `Any text, up to ${q.maxLength} characters. Leave empty for no answer.`
    case 'comment':
      return `Any text, up to ${q.maxLength} characters. Leave empty for no answer.`
    default:
      return 'One code from the list. Leave empty for no answer.'
  }
}

/** Every column the importer accepts for this published version, in the order of the template. */
export function importColumns(
  definition: unknown,
  descriptor: SurveyDescriptor,
  metadata: TemplateMetadata,
): ImportColumn[] {
  const elements = new Map(listQuestions(definition).map((q) => [q.name, q.element]))
  const columns: ImportColumn[] = [
    {
      column: ID_COLUMN,
      title: 'Respondent id',
      rule: 'A different id on every row, for example 1, 2, 3. Importing the same id again adds nothing.',
      codes: [],
    },
  ]
  for (const q of descriptor.questions.values()) {
    const meanings = choiceMeanings(elements.get(q.name))
    const codes =
      q.kind === 'boolean'
        ? [
            { code: 'yes', meaning: 'Yes' },
            { code: 'no', meaning: 'No' },
          ]
        : q.allowed.map((v) => ({ code: v, meaning: meanings.get(String(v)) ?? '' }))
    columns.push({ column: q.name, title: q.title, rule: questionRule(q), codes })
  }
  for (const segment of metadata.urlSegments) {
    if (descriptor.questions.has(segment.param)) continue
    columns.push({
      column: segment.param,
      title: segment.label,
      rule: 'One code from the list. Leave empty if not known.',
      codes: segment.values.map((v) => ({ code: v.value, meaning: v.label })),
    })
  }
  return columns
}

/** The template: one header row naming every column, ready to fill in and import as it is. */
export function templateCsv(columns: ImportColumn[]): string {
  return toCsv(
    columns.map((c) => c.column),
    [],
    { bom: true },
  )
}

/** The companion list: one row per allowed code (or one row with the rule, for free text), text neutralised. */
export function codesCsv(columns: ImportColumn[]): string {
  const rows: Array<Array<string | number>> = []
  for (const c of columns) {
    if (c.codes.length === 0) rows.push([c.column, c.title, c.rule, '', ''])
    for (const code of c.codes) rows.push([c.column, c.title, c.rule, code.code, code.meaning])
  }
  return toCsv(['column', 'question', 'what to enter', 'code', 'meaning'], rows, { bom: true })
}
