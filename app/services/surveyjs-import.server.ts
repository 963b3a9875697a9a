import { Model } from 'survey-core'
import { z } from 'zod'
import {
  checkTemplate,
  FREE_TEXT_TYPES,
  hasLocale,
  isRecord,
  listQuestions,
  listTexts,
  localized,
  templateMetadataSchema,
  type LocalizableString,
  type SurveyJSON,
  type TemplateProblem,
} from '#templates/index.ts'
import { sanitizeDefinition } from '#app/utils/sanitize-html.server.ts'
import type { Draft } from './builder-draft.server.ts'
import { isReservedName } from './request-body.server.ts'

/*
 * A plain SurveyJS definition, as SurveyJS Creator saves it, imported as a draft with no mapping yet
 * (docs/decisions/023-surveyjs-import-and-mapping.md). The analyst then maps its ratings to drivers and codings
 * on the mapping page (app/services/survey-mapping.server.ts); until something measures overall satisfaction,
 * checkTemplate reports `no_overall_measure` and publishing is refused.
 */

/** More than any real questionnaire; a definition past these is refused before survey-core reads it. */
export const CREATOR_LIMITS = { pages: 100, elementsPerPage: 300, questions: 1000 } as const

const localizableSchema = z.union([z.string().max(20_000), z.record(z.string(), z.string().max(20_000))])

/** The shape we rely on; everything else SurveyJS Creator writes (logoPosition, widthMode…) is kept as it is. */
export const creatorDefinitionSchema = z
  .object({
    title: localizableSchema.optional(),
    description: localizableSchema.optional(),
    pages: z
      .array(
        z
          .object({
            name: z.string().max(200).optional(),
            elements: z
              .array(
                z
                  .object({ type: z.string().min(1).max(60), name: z.string().max(200).optional() })
                  .passthrough(),
              )
              .max(CREATOR_LIMITS.elementsPerPage, 'A page has too many questions.')
              .optional(),
          })
          .passthrough(),
      )
      .min(1, 'The survey has no pages.')
      .max(CREATOR_LIMITS.pages, 'The survey has too many pages.'),
  })
  .passthrough()

export type CreatorImport =
  | { ok: true; value: { draft: Draft; title: string | null; retentionDays: null } }
  | { ok: false; problems: Array<{ message: string; field?: string }> }

/** Problems an imported draft may not carry: the rest (unmapped ratings, unsupported types…) the analyst fixes. */
const REFUSED_ON_IMPORT: ReadonlySet<string> = new Set([
  'invalid_definition',
  'invalid_metadata',
  'missing_name',
  'duplicate_name',
])

const refuse = (message: string): CreatorImport => ({ ok: false, problems: [{ field: 'json', message }] })

/** A question name of ours: lower-case letters, digits and underscores, starting with a letter. */
export function normaliseName(name: string, index: number): string {
  const base = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, 56)
  if (base === '') return `question_${index}`
  return /^[a-z]/.test(base) ? base : `q_${base}`
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

/** Keys whose string values are SurveyJS expressions that refer to questions as `{name}`. */
const EXPRESSION_KEY = /(If|expression|Expression|condition)$/

/**
 * Give every question a name our metadata accepts (Creator allows "Q1 Overall"), unique across the survey, and
 * rewrite `{old name}` in conditions to match, so visibleIf and the like keep working.
 */
function normaliseNames(definition: SurveyJSON): Map<string, string> {
  const renames = new Map<string, string>()
  const used = new Set<string>()
  let index = 0
  const visitElements = (elements: unknown): void => {
    if (!Array.isArray(elements)) return
    for (const element of elements) {
      if (!isRecord(element) || typeof element.type !== 'string') continue
      index++
      if (element.type === 'panel') {
        visitElements(element.elements)
        continue
      }
      const original = typeof element.name === 'string' ? element.name : ''
      let name = normaliseName(original, index)
      for (let n = 2; used.has(name); n++) name = `${normaliseName(original, index).slice(0, 56)}_${n}`
      used.add(name)
      if (name !== original) {
        if (original !== '' && !renames.has(original)) renames.set(original, name)
        element.name = name
      }
    }
  }
  for (const page of definition.pages) visitElements(page.elements)
  if (renames.size === 0) return renames
  const rewrite = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(rewrite)
    if (!isRecord(node)) return
    for (const [key, value] of Object.entries(node)) {
      if (typeof value === 'string' && EXPRESSION_KEY.test(key)) {
        let expression = value
        for (const [from, to] of renames)
          expression = expression.replace(new RegExp(`\\{${escapeRegExp(from)}([.}\\[])`, 'g'), `{${to}$1`)
        node[key] = expression
      } else rewrite(value)
    }
  }
  rewrite(definition)
  return renames
}

/** The first key that could reach Object.prototype (`__proto__`, `constructor`…), or null. */
function reservedKeyIn(root: unknown): string | null {
  const stack: unknown[] = [root]
  while (stack.length > 0) {
    const node = stack.pop()
    if (Array.isArray(node)) stack.push(...node)
    else if (isRecord(node)) {
      for (const key of Object.keys(node)) {
        if (isReservedName(key)) return key
        stack.push(node[key])
      }
    }
  }
  return null
}

function metadataId(title: string): string {
  const id = title
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 50)
    .replace(/-+$/, '')
  return /^[a-z][a-z0-9-]{1,62}$/.test(id) ? id : 'imported-survey'
}

/**
 * Read a plain SurveyJS definition (already JSON-parsed, untrusted) into a draft: zod for the shape, survey-core for
 * the meaning (it must load there, with at least one question), names made ours, HTML cleaned, and metadata that
 * lists free-text questions as comments and maps no rating yet. Never throws on bad input.
 */
export function importCreatorDefinition(data: Record<string, unknown>): CreatorImport {
  const reserved = reservedKeyIn(data)
  if (reserved !== null) return refuse(`The JSON contains the key "${reserved}", which no survey uses.`)
  const shape = creatorDefinitionSchema.safeParse(data)
  if (!shape.success) {
    const issue = shape.error.issues[0]!
    const where = issue.path.length > 0 ? ` (at ${issue.path.join('.')})` : ''
    return refuse(`This does not look like a SurveyJS survey${where}: ${issue.message}`)
  }
  const badText = listTexts(data).find(
    (t) =>
      t.value !== undefined &&
      typeof t.value !== 'string' &&
      !(isRecord(t.value) && Object.values(t.value).every((v) => typeof v === 'string')),
  )
  if (badText)
    return refuse(`This does not look like a SurveyJS survey (at ${badText.path}): texts must be strings.`)
  const definition = sanitizeDefinition(structuredClone(data)) as SurveyJSON
  const renames = normaliseNames(definition)

  let questionCount: number
  try {
    const model = new Model(definition)
    // html, expression and image elements show or compute something; they ask nothing.
    questionCount = model
      .getAllQuestions(false, false, true)
      .filter((q) => !['html', 'expression', 'image'].includes(q.getType())).length
  } catch (error) {
    return refuse(`SurveyJS could not read this survey: ${(error as Error).message.slice(0, 200)}`)
  }
  if (questionCount === 0) return refuse('The survey has no questions.')
  if (questionCount > CREATOR_LIMITS.questions)
    return refuse(
      `The survey has ${questionCount} questions; at most ${CREATOR_LIMITS.questions} can be imported.`,
    )

  const title = localized(definition.title as LocalizableString | undefined)
    .trim()
    .slice(0, 200)
  const texts = listTexts(definition)
  const welsh = texts.length > 0 && texts.every((t) => hasLocale(t.value, 'cy'))
  const comments = listQuestions(definition)
    .filter((q) => FREE_TEXT_TYPES.includes(q.type))
    .map((q) => ({ question: q.name }))
  const metadata = templateMetadataSchema.safeParse({
    id: metadataId(title),
    title: title || 'Imported survey',
    description:
      renames.size > 0
        ? `Imported from SurveyJS. Question names changed to ours: ${[...renames].map(([a, b]) => `"${a}" → ${b}`).join(', ')}.`.slice(
            0,
            2000,
          )
        : 'Imported from SurveyJS.',
    // Any satisfaction survey reported by group evidences 1.3.2; the analyst adds others in the builder.
    cseElements: ['1.3.2'],
    ratings: {},
    comments,
    locales: welsh ? ['en', 'cy'] : ['en'],
    importedFrom: 'surveyjs',
  })
  if (!metadata.success) return refuse(`The survey could not be read: ${metadata.error.issues[0]!.message}`)

  const blocking: TemplateProblem[] = checkTemplate(definition, metadata.data).filter((p) =>
    REFUSED_ON_IMPORT.has(p.code),
  )
  if (blocking.length > 0) return { ok: false, problems: blocking }
  return {
    ok: true,
    value: { draft: { definition, metadata: metadata.data }, title: title || null, retentionDays: null },
  }
}
