import type { TemplateMetadata } from '#templates/metadata.ts'
import type { Lang } from '#app/i18n/catalogue.ts'
import { validationText } from '#app/i18n/validation.ts'
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
  if (typeof given !== 'string' && typeof given !== 'number') return false // String() of a hostile object throws
  return allowed === given || String(allowed) === String(given)
}

/** An answer as text for a message: strings and numbers as they are, anything else by its kind. */
function shown(value: unknown): string {
  return (typeof value === 'string' || typeof value === 'number' ? String(value) : Array.isArray(value) ? 'list' : typeof value).slice(0, 40)
}

type ValidationText = (typeof validationText)[Lang]

function checkQuestion(q: QuestionDescriptor, value: unknown, t: ValidationText, title: string): { value?: unknown; problem?: string } {
  const label = `"${title}"`
  switch (q.kind) {
    case 'radiogroup':
    case 'dropdown':
    case 'rating': {
      if (typeof value !== 'string' && typeof value !== 'number') return { problem: t.oneFromList(label) }
      const match = q.allowed.find((a) => sameValue(a, value))
      if (match !== undefined) return { value: match }
      if (q.otherValue !== undefined && sameValue(q.otherValue, value)) return { value: q.otherValue }
      return { problem: t.notOffered(label, shown(value)) }
    }
    case 'checkbox': {
      if (!Array.isArray(value)) return { problem: t.needsList(label) }
      const out: Array<string | number> = []
      for (const item of value) {
        const match =
          q.allowed.find((a) => sameValue(a, item)) ??
          (q.otherValue !== undefined && sameValue(q.otherValue, item) ? q.otherValue : undefined)
        if (match === undefined) return { problem: t.notOffered(label, shown(item)) }
        if (out.some((o) => sameValue(o, match))) return { problem: t.tickedTwice(label) }
        out.push(match)
      }
      if (q.noneValue !== undefined && out.length > 1 && out.some((o) => sameValue(o, q.noneValue!))) {
        return { problem: t.noneWithOthers(label) }
      }
      return { value: out }
    }
    case 'boolean':
      if (typeof value !== 'boolean') return { problem: t.yesOrNo(label) }
      return { value }
    case 'text':
    case 'comment': {
      if (q.inputType === 'number') {
        const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN
        if (!Number.isFinite(n)) return { problem: t.number(label) }
        if (q.min !== undefined && n < q.min) return { problem: t.atLeast(label, q.min) }
        if (q.max !== undefined && n > q.max) return { problem: t.atMost(label, q.max) }
        return { value: n }
      }
      if (typeof value !== 'string') return { problem: t.text(label) }
      if (value.length > q.maxLength) return { problem: t.tooLong(label, q.maxLength) }
      // Lone surrogates and NUL would break exports and some databases: refuse broken encodings outright.
      if (value.includes('\u0000') || !value.isWellFormed()) return { problem: t.badCharacters(label) }
      return { value }
    }
  }
}

export interface ValidateOptions {
  /** Imports of paper and telephone returns keep skipped questions as missing rather than refusing the row:
   * "required" is an instruction to web respondents, not a property of the data. Defaults to true. With it,
   * a submission with no answer at all is refused too (issue 13: a blank form was thanked and counted). */
  enforceRequired?: boolean
  /** Language of the messages (the respondent page's; the JSON API's `lang`). English by default. */
  lang?: Lang
  /** Question titles in that language (the form's own), so a Welsh page names its questions in Welsh. */
  titles?: ReadonlyMap<string, string>
}

function isEmpty(value: unknown): boolean {
  return value === undefined || value === null || value === '' || (Array.isArray(value) && value.length === 0)
}

/**
 * Questions a URL segment answers (`?channel=phone` answers the question named `channel`): the page does not
 * ask them, and an answer to one is dropped, because the link says how the customer reached us.
 */
export function questionsAnsweredBySegments(
  survey: SurveyDescriptor,
  metadata: TemplateMetadata,
  segments: unknown,
): Set<string> {
  const answered = new Set<string>()
  if (!isPlainObject(segments)) return answered
  for (const spec of metadata.urlSegments) {
    const value = segments[spec.param]
    if (typeof value === 'string' && spec.values.some((v) => v.value === value) && survey.questions.has(spec.param))
      answered.add(spec.param)
  }
  return answered
}

export function validateAnswers(
  survey: SurveyDescriptor,
  metadata: TemplateMetadata,
  rawAnswers: unknown,
  rawSegments: unknown = {},
  options: ValidateOptions = {},
): ValidationResult {
  const t = validationText[options.lang ?? 'en']
  const titleOf = (q: QuestionDescriptor) => options.titles?.get(q.name) || q.title
  const problems: AnswerProblem[] = []
  if (!isPlainObject(rawAnswers)) return { ok: false, problems: [{ question: 'answers', message: t.answersNotObject }] }
  if (rawSegments !== undefined && rawSegments !== null && !isPlainObject(rawSegments)) {
    return { ok: false, problems: [{ question: 'segments', message: t.segmentsNotObject }] }
  }

  for (const name of Object.keys(rawAnswers)) {
    if (!survey.questions.has(name)) problems.push({ question: name, message: t.unknownQuestion(name.slice(0, 60)) })
  }
  const bySegment = questionsAnsweredBySegments(survey, metadata, rawSegments)
  const given: Record<string, unknown> = {}
  for (const [name, value] of Object.entries(rawAnswers)) {
    if (survey.questions.has(name) && !isEmpty(value) && !bySegment.has(name)) given[name] = value
  }
  // Conditions see only answers of the right shape: survey-core's comparison turns values into primitives, and a
  // hostile object (say {"toString": "x"}) throws there (tests/unit/fuzz-validate-import.test.ts). An answer
  // that fails its check is reported below if its question is visible.
  const wellFormed: Record<string, unknown> = {}
  for (const [name, value] of Object.entries(given)) {
    const q = survey.questions.get(name)!
    const checked = checkQuestion(q, value, t, titleOf(q))
    if (!checked.problem) wellFormed[name] = checked.value
  }
  const visible = visibleQuestionNames(survey, wellFormed)

  const answers: Record<string, unknown> = {}
  for (const q of survey.questions.values()) {
    if (!visible.has(q.name) || bySegment.has(q.name)) continue // answers to hidden questions are dropped, as SurveyJS does on completion
    const value = given[q.name]
    if (value === undefined) {
      if (q.required && options.enforceRequired !== false) problems.push({ question: q.name, message: t.required(`"${titleOf(q)}"`) })
      continue
    }
    const checked = checkQuestion(q, value, t, titleOf(q))
    if (checked.problem) problems.push({ question: q.name, message: checked.problem })
    else answers[q.name] = checked.value
  }
  if (problems.length === 0 && options.enforceRequired !== false && Object.keys(answers).length === 0) {
    problems.push({ question: 'form', message: t.blank })
  }

  const segments: Record<string, string> = {}
  const urlSegments = new Map(metadata.urlSegments.map((s) => [s.param, s]))
  for (const [param, value] of Object.entries((rawSegments as Record<string, unknown> | null) ?? {})) {
    const spec = urlSegments.get(param)
    if (!spec) {
      problems.push({ question: `segments.${param.slice(0, 40)}`, message: t.unknownSegment(param.slice(0, 40)) })
      continue
    }
    if (typeof value !== 'string' || value.length > MAX_SEGMENT_LENGTH || !spec.values.some((v) => v.value === value)) {
      problems.push({ question: `segments.${param}`, message: t.badSegment(shown(value), spec.label) })
      continue
    }
    segments[param] = value
  }
  // Segment questions answered in the survey define customer groups too; a value carried by the link is the
  // answer (the page did not ask that question), because the link says how the customer actually reached us.
  for (const s of metadata.segments) {
    const value = answers[s.question]
    if (segments[s.question] === undefined && (typeof value === 'string' || typeof value === 'number')) {
      segments[s.question] = String(value)
    }
  }

  if (problems.length > 0) return { ok: false, problems }
  return { ok: true, answers, segments }
}
