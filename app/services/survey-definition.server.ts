import { Model } from 'survey-core'
import { templateMetadataSchema, type TemplateMetadata } from '#templates/metadata.ts'

/**
 * The questions of a published SurveyJS definition, read once with survey-core's own Model so that panels,
 * pages, `showNoneItem`, `showOtherItem` and rate values are interpreted exactly as the respondent saw them.
 * Descriptors are cached per version: definitions are immutable once published.
 */

export type QuestionKind = 'radiogroup' | 'checkbox' | 'dropdown' | 'rating' | 'text' | 'comment' | 'boolean'

export interface QuestionDescriptor {
  name: string
  kind: QuestionKind
  title: string
  required: boolean
  /** Allowed values for choice questions and ratings, as the definition types them (numbers stay numbers). */
  allowed: Array<string | number>
  /** Value meaning "other, please specify" when the question offers it. */
  otherValue?: string
  /** For checkbox: the exclusive "none" value. */
  noneValue?: string
  maxLength: number
  inputType?: string
  min?: number
  max?: number
  hasCondition: boolean
}

export interface SurveyDescriptor {
  questions: Map<string, QuestionDescriptor>
  hasConditions: boolean
  definition: Record<string, unknown>
}

const SUPPORTED = new Set<string>([
  'radiogroup',
  'checkbox',
  'dropdown',
  'rating',
  'text',
  'comment',
  'boolean',
])
const DEFAULT_TEXT_MAX = 500
const DEFAULT_COMMENT_MAX = 5000

export class SurveyDefinitionError extends Error {
  override name = 'SurveyDefinitionError'
}

const cache = new Map<string, SurveyDescriptor>()

export function describeSurvey(definition: unknown, cacheKey?: string): SurveyDescriptor {
  if (cacheKey) {
    const hit = cache.get(cacheKey)
    if (hit) return hit
  }
  if (!definition || typeof definition !== 'object' || Array.isArray(definition)) {
    throw new SurveyDefinitionError('describeSurvey: the survey definition must be a JSON object')
  }
  const model = new Model(definition)
  const questions = new Map<string, QuestionDescriptor>()
  let hasConditions = false
  for (const q of model.getAllQuestions(false, false, true)) {
    const type = q.getType()
    if (type === 'html' || type === 'expression' || type === 'image') continue
    if (!SUPPORTED.has(type)) {
      throw new SurveyDefinitionError(
        `Question "${q.name}" has type "${type}", which the server cannot validate`,
      )
    }
    if (questions.has(q.name)) throw new SurveyDefinitionError(`Question name "${q.name}" is used twice`)
    const anyQ = q as unknown as Record<string, unknown> & {
      visibleChoices?: Array<{ value: string | number }>
      choices?: Array<{ value: string | number }>
      visibleRateValues?: Array<{ value: string | number }>
    }
    const condition = Boolean(q.visibleIf || q.enableIf || q.requiredIf || q.getPropertyValue('visibleIf'))
    hasConditions ||= condition || Boolean((q.parent as { visibleIf?: string } | undefined)?.visibleIf)
    const descriptor: QuestionDescriptor = {
      name: q.name,
      kind: type as QuestionKind,
      title: q.processedTitle || q.title || q.name,
      required: q.isRequired,
      allowed: [],
      maxLength: type === 'comment' ? DEFAULT_COMMENT_MAX : DEFAULT_TEXT_MAX,
      hasCondition: condition,
    }
    if (type === 'radiogroup' || type === 'checkbox' || type === 'dropdown') {
      const choices = anyQ.visibleChoices ?? anyQ.choices ?? []
      descriptor.allowed = choices.map((c) => c.value)
      if (anyQ.showOtherItem || anyQ.hasOther)
        descriptor.otherValue = String(anyQ.otherItem ? (anyQ.otherItem as { value: string }).value : 'other')
      if (type === 'checkbox' && (anyQ.showNoneItem || anyQ.hasNone)) {
        descriptor.noneValue = String((anyQ.noneItem as { value: string } | undefined)?.value ?? 'none')
      }
    } else if (type === 'rating') {
      descriptor.allowed = (anyQ.visibleRateValues ?? []).map((c) => c.value)
    }
    if (type === 'text' || type === 'comment') {
      const max = Number(anyQ.maxLength)
      if (Number.isFinite(max) && max > 0) descriptor.maxLength = Math.min(max, DEFAULT_COMMENT_MAX)
      if (type === 'text') {
        descriptor.inputType = String(anyQ.inputType ?? 'text')
        if (anyQ.min !== undefined && anyQ.min !== '') descriptor.min = Number(anyQ.min)
        if (anyQ.max !== undefined && anyQ.max !== '') descriptor.max = Number(anyQ.max)
      }
    }
    questions.set(q.name, descriptor)
  }
  const described: SurveyDescriptor = {
    questions,
    hasConditions,
    definition: definition as Record<string, unknown>,
  }
  if (cacheKey) cache.set(cacheKey, described)
  return described
}

/** Names of questions visible for these answers: conditions (visibleIf) are evaluated by survey-core itself. */
// Building a survey-core Model costs ~40 ms for the demo survey; setting data on a built one ~2 ms. Validation
// is synchronous, so one model per descriptor is reused safely (Node runs one validation at a time).
const conditionModels = new WeakMap<SurveyDescriptor, Model>()

/**
 * The question names that conditions read ({name} in visibleIf/enableIf/requiredIf and the like), or null when
 * some expression uses anything else ({panel.x}, {row.x}, variables), in which case nothing is cached.
 */
const conditionInputs = new WeakMap<SurveyDescriptor, string[] | null>()

function inputsOf(survey: SurveyDescriptor): string[] | null {
  if (conditionInputs.has(survey)) return conditionInputs.get(survey)!
  const names = new Set<string>()
  let simple = true
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(walk)
    if (!node || typeof node !== 'object') return
    for (const [key, value] of Object.entries(node as Record<string, unknown>)) {
      if (typeof value === 'string' && /If$/.test(key)) {
        for (const match of value.matchAll(/\{([^}]*)\}/g)) {
          if (survey.questions.has(match[1]!)) names.add(match[1]!)
          else simple = false
        }
      } else walk(value)
    }
  }
  walk(survey.definition)
  const result = simple ? [...names].sort() : null
  conditionInputs.set(survey, result)
  return result
}

// Visibility depends only on the answers that conditions read: most submissions share those, so the result
// is cached per version by their values (bounded), and survey-core runs only for a new combination.
const visibilityCache = new WeakMap<SurveyDescriptor, Map<string, Set<string>>>()
const VISIBILITY_CACHE_SIZE = 2_000

export function visibleQuestionNames(
  survey: SurveyDescriptor,
  answers: Record<string, unknown>,
): Set<string> {
  if (!survey.hasConditions) return new Set(survey.questions.keys())
  const inputs = inputsOf(survey)
  const key = inputs ? JSON.stringify(inputs.map((name) => answers[name] ?? null)) : null
  if (key !== null) {
    const hit = visibilityCache.get(survey)?.get(key)
    if (hit) return new Set(hit)
  }
  const visible = computeVisible(survey, answers)
  if (key !== null) {
    let cache = visibilityCache.get(survey)
    if (!cache) visibilityCache.set(survey, (cache = new Map()))
    if (cache.size >= VISIBILITY_CACHE_SIZE) cache.delete(cache.keys().next().value!)
    cache.set(key, visible)
  }
  return new Set(visible)
}

function computeVisible(survey: SurveyDescriptor, answers: Record<string, unknown>): Set<string> {
  let model = conditionModels.get(survey)
  if (!model) {
    model = new Model(survey.definition)
    conditionModels.set(survey, model)
  }
  model.data = answers
  const visible = new Set<string>()
  for (const q of model.getAllQuestions(true, false, false)) visible.add(q.name)
  return visible
}

const metadataCache = new Map<string, TemplateMetadata>()

/**
 * Parse stored metadata, throwing a clear error if a version was saved with a broken one. With `versionId` (published versions are immutable) the result is cached, so the
 * submission hot path validates each version's metadata once, not on every response.
 */
export function parseMetadata(metadata: unknown, versionId?: string): TemplateMetadata {
  if (versionId) {
    const hit = metadataCache.get(versionId)
    if (hit) return hit
  }
  const parsed = templateMetadataSchema.safeParse(metadata)
  if (!parsed.success) {
    throw new SurveyDefinitionError(
      `Survey metadata is invalid: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    )
  }
  if (versionId) {
    if (metadataCache.size > 10_000) metadataCache.clear()
    metadataCache.set(versionId, parsed.data)
  }
  return parsed.data
}
