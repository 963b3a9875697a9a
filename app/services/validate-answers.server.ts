import type { TemplateMetadata } from '#templates/metadata.ts'
import { visibleQuestionNames, type QuestionDescriptor, type SurveyDescriptor } from './survey-definition.server.ts'

/**
 * Server-side validation of one submission against the published definition. Every path that stores a
 * response (the page with and without JavaScript, the JSON API, imports) goes through this function, so a
 * response in the database always means what its version says it means.
 */

export interface AnswerProblem {
  /** Question name, or `segments.<param>` for a URL segment, or `answers` for the whole object. */
  question: string
  message: string
}

export type ValidationResult =
  | { ok: true; answers: Record<string, unknown>; segments: Record<string, string> }
  | { ok: false; problems: AnswerProblem[] }

const MAX_SEGMENT_LENGTH = 100

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function sameValue(allowed: string | number, given: unknown): boolean {
  // Choice values keep their JSON type: 5 and "5" are the same answer on a rating, so accept either
  // spelling but store the definition's own value.
  return allowed === given || String(allowed) === String(given)
}

function checkQuestion(q: QuestionDescriptor, value: unknown): { value?: unknown; problem?: string } {
  const label = `"${q.title}"`
  switch (q.kind) {
    case 'radiogroup':
    case 'dropdown':
    case 'rating': {
      if (typeof value !== 'string' && typeof value !== 'number') return { problem: `${label} needs one answer from the list` }
      const match = q.allowed.find((a) => sameValue(a, value))
      if (match !== undefined) return { value: match }
      if (q.otherValue !== undefined && sameValue(q.otherValue, value)) return { value: q.otherValue }
      return { problem: `${label}: "${String(value).slice(0, 40)}" is not one of the answers offered` }
    }
    case 'checkbox': {
      if (!Array.isArray(value)) return { problem: `${label} needs a list of answers` }
      const out: Array<string | number> = []
      for (const item of value) {
        const match =
          q.allowed.find((a) => sameValue(a, item)) ??
          (q.otherValue !== undefined && sameValue(q.otherValue, item) ? q.otherValue : undefined)
        if (match === undefined) return { problem: `${label}: "${String(item).slice(0, 40)}" is not one of the answers offered` }
        if (out.some((o) => sameValue(o, match))) return { problem: `${label}: an answer is ticked twice` }
        out.push(match)
      }
      if (q.noneValue !== undefined && out.length > 1 && out.some((o) => sameValue(o, q.noneValue!))) {
        return { problem: `${label}: "None" cannot be combined with other answers` }
      }
      return { value: out }
    }
    case 'boolean':
      if (typeof value !== 'boolean') return { problem: `${label} needs yes or no` }
      return { value }
    case 'text':
    case 'comment': {
      if (q.inputType === 'number') {
        const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN
        if (!Number.isFinite(n)) return { problem: `${label} needs a number` }
        if (q.min !== undefined && n < q.min) return { problem: `${label} must be at least ${q.min}` }
        if (q.max !== undefined && n > q.max) return { problem: `${label} must be at most ${q.max}` }
        return { value: n }
      }
      if (typeof value !== 'string') return { problem: `${label} needs text` }
      if (value.length > q.maxLength) return { problem: `${label} is too long: keep it under ${q.maxLength} characters` }
      // Lone surrogates and NUL would break exports and some databases: refuse broken encodings outright.
      if (value.includes('\u0000') || !value.isWellFormed()) return { problem: `${label} contains characters that cannot be stored` }
      return { value }
    }
  }
}

export interface ValidateOptions {
  /** Imports of paper and telephone returns keep skipped questions as missing rather than refusing the row:
   * "required" is an instruction to web respondents, not a property of the data. Defaults to true. */
  enforceRequired?: boolean
}

function isEmpty(value: unknown): boolean {
  return value === undefined || value === null || value === '' || (Array.isArray(value) && value.length === 0)
}

export function validateAnswers(
  survey: SurveyDescriptor,
  metadata: TemplateMetadata,
  rawAnswers: unknown,
  rawSegments: unknown = {},
  options: ValidateOptions = {},
): ValidationResult {
  const problems: AnswerProblem[] = []
  if (!isPlainObject(rawAnswers)) return { ok: false, problems: [{ question: 'answers', message: 'answers must be an object of question name to answer' }] }
  if (rawSegments !== undefined && rawSegments !== null && !isPlainObject(rawSegments)) {
    return { ok: false, problems: [{ question: 'segments', message: 'segments must be an object of parameter to value' }] }
  }

  for (const name of Object.keys(rawAnswers)) {
    if (!survey.questions.has(name)) problems.push({ question: name, message: `There is no question called "${name.slice(0, 60)}" in this survey` })
  }
  const given: Record<string, unknown> = {}
  for (const [name, value] of Object.entries(rawAnswers)) {
    if (survey.questions.has(name) && !isEmpty(value)) given[name] = value
  }
  const visible = visibleQuestionNames(survey, given)

  const answers: Record<string, unknown> = {}
  for (const q of survey.questions.values()) {
    if (!visible.has(q.name)) continue // answers to hidden questions are dropped, as SurveyJS does on completion
    const value = given[q.name]
    if (value === undefined) {
      if (q.required && options.enforceRequired !== false) problems.push({ question: q.name, message: `Answer "${q.title}"` })
      continue
    }
    const checked = checkQuestion(q, value)
    if (checked.problem) problems.push({ question: q.name, message: checked.problem })
    else answers[q.name] = checked.value
  }

  const segments: Record<string, string> = {}
  const urlSegments = new Map(metadata.urlSegments.map((s) => [s.param, s]))
  for (const [param, value] of Object.entries((rawSegments as Record<string, unknown> | null) ?? {})) {
    const spec = urlSegments.get(param)
    if (!spec) {
      problems.push({ question: `segments.${param.slice(0, 40)}`, message: `"${param.slice(0, 40)}" is not a segment this survey accepts` })
      continue
    }
    if (typeof value !== 'string' || value.length > MAX_SEGMENT_LENGTH || !spec.values.some((v) => v.value === value)) {
      problems.push({ question: `segments.${param}`, message: `"${String(value).slice(0, 40)}" is not an allowed value for ${spec.label}` })
      continue
    }
    segments[param] = value
  }
  // Segment questions answered in the survey define customer groups too; a value carried by the link wins,
  // because the link says how the customer actually reached us.
  for (const s of metadata.segments) {
    const value = answers[s.question]
    if (segments[s.question] === undefined && (typeof value === 'string' || typeof value === 'number')) {
      segments[s.question] = String(value)
    }
  }

  if (problems.length > 0) return { ok: false, problems }
  return { ok: true, answers, segments }
}
