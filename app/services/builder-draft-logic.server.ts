import { acceptEdit, findQuestion, type Draft, type EditResult } from './builder-draft.server.ts'
import { targetNode, validateCondition, type ConditionOperator, type Target } from './builder-logic.server.ts'
import { stripWelsh } from './builder-welsh.server.ts'

/*
 * The builder's logic and language edits, as pure functions from one draft to the next (like those in
 * builder-draft.server.ts, and checked by the same acceptEdit).
 */

const fail = (message: string, where: { question?: string; page?: string } = {}): EditResult => ({
  ok: false,
  problems: [{ code: 'invalid_definition', message, ...where }],
})

const where = (target: Target) =>
  target.kind === 'question' ? { question: target.name } : { page: target.name }

/**
 * Show a question or a page only when an earlier answer meets a condition (`visibleIf`), or always (null).
 * The condition is checked (earlier question, offered answers, an operator that fits) and written as a SurveyJS
 * expression survey-core parses.
 */
export function setCondition(
  before: Draft,
  target: Target,
  condition: { question: string; operator: ConditionOperator; values: string[] } | null,
): EditResult {
  const draft = structuredClone(before)
  const node = targetNode(draft.definition, target)
  if (!node) return fail(`There is no ${target.kind} called "${target.name}".`)
  if (condition === null) {
    delete node.visibleIf
    return acceptEdit(before, draft)
  }
  const checked = validateCondition(draft.definition, target, condition)
  if (!checked.ok) return fail(checked.message, where(target))
  node.visibleIf = checked.expression
  return acceptEdit(before, draft)
}

/** Make a question required (`isRequired: true`) or optional. Equality questions stay optional (checkTemplate). */
export function setRequired(before: Draft, name: string, required: boolean): EditResult {
  const draft = structuredClone(before)
  const element = findQuestion(draft, name)
  if (!element) return fail(`There is no question called "${name}".`)
  if (draft.metadata.equalityQuestions.includes(name) && required)
    return fail('Equality questions must stay optional: people must be free not to answer them.', {
      question: name,
    })
  if (required) element.isRequired = true
  else delete element.isRequired
  return acceptEdit(before, draft)
}

/**
 * Offer the survey in Welsh as well as English (every text then needs its Welsh before publishing), or make it
 * English only, which removes every Welsh text.
 */
export function setWelsh(before: Draft, welsh: boolean): EditResult {
  const draft = structuredClone(before)
  const locales = draft.metadata.locales.filter((l) => l !== 'cy')
  if (welsh) {
    draft.metadata.locales = [...locales, 'cy']
  } else {
    draft.metadata.locales = locales
    draft.definition = stripWelsh(draft.definition)
  }
  return acceptEdit(before, draft)
}
