import {
  DONT_KNOW,
  questionNameSchema,
  templateMetadataSchema,
  type TemplateMetadata,
  type TemplateMetadataInput,
} from './metadata'
import {
  answerValues,
  CHOICE_TYPES,
  FREE_TEXT_TYPES,
  hasLocale,
  isRecord,
  listQuestions,
  listTexts,
  SCALE_QUESTION_TYPES,
  SINGLE_CHOICE_TYPES,
  SUPPORTED_QUESTION_TYPES,
  type QuestionRef,
} from './definition'

/** Every kind of problem checkTemplate reports. The builder can key help text on these. */
export const PROBLEM_CODES = [
  'invalid_definition',
  'invalid_metadata',
  'empty_page',
  'missing_name',
  'invalid_name',
  'duplicate_name',
  'unsupported_type',
  'rating_without_coding',
  'unknown_question',
  'driver_on_non_rating',
  'coding_mismatch',
  'rating_without_dont_know',
  'segment_not_choice',
  'comment_not_free_text',
  'equality_required',
  'equality_without_prefer_not_to_say',
  'missing_translation',
  'no_overall_measure',
] as const
export type ProblemCode = (typeof PROBLEM_CODES)[number]

export interface TemplateProblem {
  code: ProblemCode
  /** A plain-English sentence an analyst can act on. */
  message: string
  /** The question concerned, when there is one. */
  question?: string
  /** The page concerned, when there is one. */
  page?: string
}

export const PREFER_NOT_TO_SAY = 'prefer_not_to_say'

const SUPPORTED: ReadonlySet<string> = new Set(SUPPORTED_QUESTION_TYPES)

const fmt = (v: string | number): string => (typeof v === 'string' ? `"${v}"` : String(v))

/**
 * Problems that would make a survey definition and its metadata unsafe to publish or to analyse. Returns an empty
 * list when all is well. Accepts untrusted input (an import, a builder draft): it never throws.
 */
export function checkTemplate(
  definition: unknown,
  metadataInput: TemplateMetadataInput | TemplateMetadata | unknown,
): TemplateProblem[] {
  const problems: TemplateProblem[] = []
  const add = (
    code: ProblemCode,
    message: string,
    where: { question?: string; page?: string } = {},
  ): void => {
    problems.push({ code, message, ...where })
  }

  if (!isRecord(definition) || !Array.isArray(definition.pages)) {
    add('invalid_definition', 'The survey definition must be an object with a list of pages.')
    return problems
  }
  if (definition.pages.length === 0) add('invalid_definition', 'The survey has no pages.')

  // ---- pages and questions
  const questions = listQuestions(definition)
  definition.pages.forEach((page: unknown, index) => {
    const label = isRecord(page) && typeof page.name === 'string' && page.name ? page.name : `#${index + 1}`
    if (!isRecord(page)) {
      add('invalid_definition', `Page ${label} is not an object.`, { page: label })
      return
    }
    if (!questions.some((q) => q.page === label)) {
      add('empty_page', `Page "${label}" has no questions. Add a question or remove the page.`, {
        page: label,
      })
    }
  })

  const byName = new Map<string, QuestionRef>()
  const reported = new Set<string>()
  for (const q of questions) {
    if (!q.name) {
      add('missing_name', `A ${q.type} question on page "${q.page}" has no name.`, { page: q.page })
      continue
    }
    if (!questionNameSchema.safeParse(q.name).success) {
      add(
        'invalid_name',
        `Question name "${q.name}" must use only lower-case letters, digits and underscores, starting with a letter.`,
        {
          question: q.name,
          page: q.page,
        },
      )
    }
    if (byName.has(q.name)) {
      if (!reported.has(q.name)) {
        add(
          'duplicate_name',
          `Two or more questions are called "${q.name}". Each question needs its own name.`,
          {
            question: q.name,
            page: q.page,
          },
        )
        reported.add(q.name)
      }
    } else {
      byName.set(q.name, q)
    }
    if (!SUPPORTED.has(q.type)) {
      add(
        'unsupported_type',
        `Question "${q.name}" is a "${q.type}" question, which the survey form cannot show. Use one of: ${SUPPORTED_QUESTION_TYPES.join(', ')}.`,
        {
          question: q.name,
          page: q.page,
        },
      )
    }
  }

  // ---- metadata
  const parsed = templateMetadataSchema.safeParse(metadataInput)
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const where = issue.path.length > 0 ? ` (at ${issue.path.join('.')})` : ''
      add('invalid_metadata', `Metadata problem${where}: ${issue.message}`)
    }
    return problems
  }
  const metadata = parsed.data

  const lookup = (name: string, role: string): QuestionRef | undefined => {
    const q = byName.get(name)
    if (!q)
      add(
        'unknown_question',
        `The metadata names ${role} "${name}", but the survey has no question with that name.`,
        { question: name },
      )
    return q
  }

  // Ratings: a driver and a coding on a single-answer scale question whose values match the coding.
  for (const [name, rating] of Object.entries(metadata.ratings)) {
    const q = lookup(name, 'a rating question')
    if (!q) continue
    if (!SCALE_QUESTION_TYPES.includes(q.type)) {
      add(
        'driver_on_non_rating',
        `Question "${name}" has the driver "${rating.driver}", but it is a ${q.type} question. Only single-answer scale questions (radiogroup, dropdown or rating) can have a driver.`,
        {
          question: name,
          page: q.page,
        },
      )
      continue
    }
    const offered = answerValues(q.element)
    const coding = rating.coding
    const scaleValues = [...coding.satisfied, ...coding.neither, ...coding.dissatisfied]
    const coded = new Set<string | number>([...scaleValues, ...coding.dontKnow])
    const uncoded = offered.filter((v) => !coded.has(v))
    const missing = scaleValues.filter((v) => !offered.includes(v))
    if (uncoded.length > 0 || missing.length > 0) {
      const parts: string[] = []
      if (uncoded.length > 0) parts.push(`the answers ${uncoded.map(fmt).join(', ')} are not in its coding`)
      if (missing.length > 0)
        parts.push(`its coding expects the answers ${missing.map(fmt).join(', ')}, which it does not offer`)
      add(
        'coding_mismatch',
        `The answers of rating "${name}" do not match its coding: ${parts.join('; ')}.`,
        {
          question: name,
          page: q.page,
        },
      )
    }
    if (!coding.dontKnow.some((v) => offered.includes(v))) {
      add(
        'rating_without_dont_know',
        `Rating "${name}" has no "Don't know / not applicable" answer (value "${DONT_KNOW}"). Every rating needs one.`,
        {
          question: name,
          page: q.page,
        },
      )
    }
  }

  // A scale question with no metadata is a rating with no coding: it could not be analysed.
  for (const name of metadata.notDrivers) lookup(name, 'the scale question marked "not a driver"')
  for (const q of byName.values()) {
    if (metadata.ratings[q.name] !== undefined || metadata.notDrivers.includes(q.name)) continue
    if (looksLikeRating(q)) {
      add(
        'rating_without_coding',
        metadata.importedFrom === 'surveyjs'
          ? `Question "${q.name}" looks like a rating, but it is not mapped yet. On the mapping page, choose its driver and which answers count as satisfied, or mark it "not a driver".`
          : `Question "${q.name}" looks like a rating, but it has no driver or scale coding. Add them, or change it to a plain choice question.`,
        {
          question: q.name,
          page: q.page,
        },
      )
    }
  }

  for (const c of metadata.comments) {
    const q = lookup(c.question, 'the free-text question')
    if (q && !FREE_TEXT_TYPES.includes(q.type)) {
      add(
        'comment_not_free_text',
        `Question "${c.question}" is listed as a free-text comment, but it is a ${q.type} question.`,
        {
          question: c.question,
          page: q.page,
        },
      )
    }
  }

  for (const s of metadata.segments) {
    const q = lookup(s.question, 'the segment question')
    if (q && !SINGLE_CHOICE_TYPES.includes(q.type)) {
      add(
        'segment_not_choice',
        `Segment "${s.label}" uses question "${s.question}", which is a ${q.type} question. A segment needs a single-choice question (radiogroup or dropdown), so that each person is in one group.`,
        {
          question: s.question,
          page: q.page,
        },
      )
    }
  }

  for (const name of metadata.equalityQuestions) {
    const q = lookup(name, 'the equality question')
    if (!q) continue
    if (q.element.isRequired === true) {
      add(
        'equality_required',
        `Equality question "${name}" must be optional: people must be free not to answer.`,
        {
          question: name,
          page: q.page,
        },
      )
    }
    if (CHOICE_TYPES.includes(q.type) && !answerValues(q.element).includes(PREFER_NOT_TO_SAY)) {
      add(
        'equality_without_prefer_not_to_say',
        `Equality question "${name}" needs a "Prefer not to say" answer (value "${PREFER_NOT_TO_SAY}").`,
        {
          question: name,
          page: q.page,
        },
      )
    }
  }

  // A survey brought from SurveyJS is only publishable once something measures overall satisfaction: every CSE
  // result (satisfaction by group, key drivers, targets) is reported against it.
  if (
    metadata.importedFrom === 'surveyjs' &&
    !Object.values(metadata.ratings).some((r) => r.driver === 'overall')
  ) {
    add(
      'no_overall_measure',
      'No question measures overall satisfaction yet, so this survey cannot be published. On the mapping page, choose the rating question that asks how satisfied people are overall and map it to "Overall satisfaction".',
    )
  }

  // Every locale the metadata promises must have text everywhere.
  for (const locale of metadata.locales) {
    if (locale === 'en') continue
    const missing = listTexts(definition).filter((t) => !hasLocale(t.value, locale))
    for (const t of missing.slice(0, 20)) {
      add('missing_translation', `The text at ${t.path} has no "${locale}" translation.`)
    }
    if (missing.length > 20)
      add('missing_translation', `…and ${missing.length - 20} more texts have no "${locale}" translation.`)
  }

  return problems
}

/** A `rating` question, or a single-choice question whose answers are numbers (plus at most a don't-know). */
export function looksLikeRating(q: QuestionRef): boolean {
  if (q.type === 'rating') return true
  if (!SCALE_QUESTION_TYPES.includes(q.type)) return false
  const values = answerValues(q.element)
  const numeric = values.filter(
    (v) => typeof v === 'number' || (typeof v === 'string' && /^-?\d+(\.\d+)?$/.test(v)),
  )
  const rest = values.filter((v) => !numeric.includes(v))
  return numeric.length >= 2 && rest.every((v) => v === DONT_KNOW || v === 'dontknow' || v === 'none')
}
