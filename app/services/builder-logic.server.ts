import { ConditionsParser } from 'survey-core'
import {
  answerValues,
  CHOICE_TYPES,
  isRecord,
  listQuestions,
  localized,
  type ElementJSON,
  type LocalizableString,
  type QuestionRef,
  type SurveyJSON,
  type TemplateMetadata,
  type TemplateProblem,
} from '#templates/index.ts'
import type { CONDITION_OPERATOR_VALUES } from '#app/components/builder/schemas.ts'

/*
 * Show-when conditions and required answers, as the builder writes them: standard SurveyJS `visibleIf`
 * expressions on questions and pages, and `isRequired: true`. survey-core evaluates them on the server (see
 * app/services/survey-definition.server.ts), so the builder writes only the few shapes below, and checks each with
 * survey-core's own parser before saving. A condition may only read an EARLIER question (so it can always be
 * evaluated when the question or page is reached) and only name answers that question offers.
 *
 * An expression the builder did not write (an import's `{a} = 1 and {b} empty`) is kept exactly as it is, shown
 * as text, and can be removed; it is never rewritten.
 */

export type ConditionOperator = (typeof CONDITION_OPERATOR_VALUES)[number]

const OPERATOR_LABELS: Record<ConditionOperator, string> = {
  is: 'is',
  is_not: 'is not',
  any_of: 'is one of',
  includes: 'includes',
  excludes: 'does not include',
  at_least: 'is at least',
  at_most: 'is at most',
  answered: 'is answered',
  not_answered: 'is not answered',
}

/** survey-core's operator names (Operand.operatorName) for each of ours. */
const SURVEY_CORE_OPERATORS: Record<string, ConditionOperator> = {
  equal: 'is',
  notequal: 'is_not',
  anyof: 'any_of',
  contains: 'includes',
  notcontains: 'excludes',
  greaterorequal: 'at_least',
  lessorequal: 'at_most',
  notempty: 'answered',
  empty: 'not_answered',
}

const SINGLE_VALUE: ReadonlySet<ConditionOperator> = new Set([
  'is',
  'is_not',
  'includes',
  'excludes',
  'at_least',
  'at_most',
])
const NO_VALUE: ReadonlySet<ConditionOperator> = new Set(['answered', 'not_answered'])

export interface SimpleCondition {
  question: string
  operator: ConditionOperator
  values: Array<string | number>
}

export type Target = { kind: 'question'; name: string } | { kind: 'page'; name: string }

type Value = string | number
const isNumeric = (v: Value) => typeof v === 'number' || /^-?\d+(\.\d+)?$/.test(v)

/** The operators a condition on this question can use: what makes sense for its kind of answer. */
export function operatorsFor(element: ElementJSON): ConditionOperator[] {
  if (element.type === 'checkbox') return ['includes', 'excludes', 'any_of', 'answered', 'not_answered']
  if (CHOICE_TYPES.includes(element.type) || element.type === 'rating') {
    const numbers = answerValues(element).filter(isNumeric).length
    return numbers >= 2
      ? ['is', 'is_not', 'any_of', 'at_least', 'at_most', 'answered', 'not_answered']
      : ['is', 'is_not', 'any_of', 'answered', 'not_answered']
  }
  return ['answered', 'not_answered']
}

export const operatorLabel = (operator: ConditionOperator, element?: ElementJSON): string =>
  operator === 'any_of' && element?.type === 'checkbox' ? 'includes any of' : OPERATOR_LABELS[operator]

/**
 * A value as an expression literal: numbers as they are, text in single quotes with `'` escaped. survey-core's
 * parser cannot read a double quote or a backslash inside a string (checked in tests/unit/builder-conditions.test.ts),
 * so such a value has no literal.
 */
function literal(value: Value): string | null {
  if (typeof value === 'number') return String(value)
  if (value.includes('"') || value.includes('\\')) return null
  return `'${value.replace(/'/g, "\\'")}'`
}

/** The SurveyJS expression for a condition (null when a value cannot be written as a literal). */
export function conditionExpression(c: SimpleCondition): string | null {
  const name = `{${c.question}}`
  const literals = c.values.map(literal)
  if (literals.some((l) => l === null)) return null
  const [first] = literals
  switch (c.operator) {
    case 'is':
      return `${name} = ${first}`
    case 'is_not':
      return `${name} != ${first}`
    case 'any_of':
      return `${name} anyof [${literals.join(', ')}]`
    case 'includes':
      return `${name} contains ${first}`
    case 'excludes':
      return `${name} notcontains ${first}`
    case 'at_least':
      return `${name} >= ${first}`
    case 'at_most':
      return `${name} <= ${first}`
    case 'answered':
      return `${name} notempty`
    case 'not_answered':
      return `${name} empty`
  }
}

const parser = new ConditionsParser()

/** survey-core's reading of an expression, or null when it cannot parse it. */
function parse(expression: string): unknown {
  try {
    return parser.parseExpression(expression)
  } catch {
    return null
  }
}

interface OperandShape {
  getType(): string
  operatorName?: string
  leftOperand?: OperandShape
  rightOperand?: OperandShape
  expression?: OperandShape
  variableName?: string
  correctValue?: unknown
  values?: OperandShape[]
}

const plainName = /^[a-z][a-z0-9_]*$/i

/** A condition in one of the shapes the builder writes, or null for anything else (kept and shown as text). */
export function readCondition(expression: unknown): SimpleCondition | null {
  if (typeof expression !== 'string' || !expression.trim()) return null
  const op = parse(expression) as OperandShape | null
  if (!op) return null
  const variable = (o: OperandShape | undefined) =>
    o?.getType() === 'variable' && plainName.test(o.variableName ?? '') ? o.variableName! : null
  const constant = (o: OperandShape | undefined): Value | null => {
    if (o?.getType() !== 'const') return null
    const v = o.correctValue
    return typeof v === 'string' || typeof v === 'number' ? v : null
  }
  const operator = SURVEY_CORE_OPERATORS[op.operatorName ?? '']
  if (!operator) return null
  if (op.getType() === 'unary') {
    const name = variable(op.expression)
    return name && NO_VALUE.has(operator) ? { question: name, operator, values: [] } : null
  }
  if (op.getType() !== 'binary') return null
  const name = variable(op.leftOperand)
  if (!name) return null
  if (operator === 'any_of') {
    if (op.rightOperand?.getType() !== 'array') return null
    const values = (op.rightOperand.values ?? []).map(constant)
    if (values.length === 0 || values.some((v) => v === null)) return null
    return { question: name, operator, values: values as Value[] }
  }
  const value = constant(op.rightOperand)
  if (value === null || !SINGLE_VALUE.has(operator)) return null
  return { question: name, operator, values: [value] }
}

/** The question names an expression reads ({name}); `{panel.x}`-style references are left out. */
export function conditionInputs(expression: string): string[] {
  return [...expression.matchAll(/\{\s*([^}]*?)\s*\}/g)].map((m) => m[1]!).filter((n) => plainName.test(n))
}

const answerLabel = (element: ElementJSON | undefined, value: Value): string => {
  const item = (element?.choices ?? []).find((c) =>
    isRecord(c) ? String(c.value) === String(value) : String(c) === String(value),
  )
  const text = isRecord(item) ? localized(item.text as LocalizableString | undefined) : ''
  return text || String(value)
}

const questionLabel = (q: QuestionRef | undefined, name: string) =>
  q ? `“${localized(q.element.title) || name}”` : `“${name}”`

/** A condition in plain English, e.g. `“How did you contact us?” is “By phone”`. */
export function describeCondition(definition: SurveyJSON, c: SimpleCondition): string {
  const q = listQuestions(definition).find((x) => x.name === c.question)
  const values = c.values.map((v) => `“${answerLabel(q?.element, v)}”`)
  const list = values.length > 1 ? `${values.slice(0, -1).join(', ')} or ${values.at(-1)}` : (values[0] ?? '')
  return `${questionLabel(q, c.question)} ${operatorLabel(c.operator, q?.element)}${list ? ` ${list}` : ''}`
}

export type ConditionView =
  | {
      kind: 'simple'
      expression: string
      text: string
      question: string
      operator: ConditionOperator
      values: string[]
    }
  | { kind: 'expression'; expression: string; text: string }

export function conditionView(definition: SurveyJSON, expression: unknown): ConditionView | null {
  if (typeof expression !== 'string' || !expression.trim()) return null
  const simple = readCondition(expression)
  if (!simple) return { kind: 'expression', expression, text: expression }
  return {
    kind: 'simple',
    expression,
    text: describeCondition(definition, simple),
    question: simple.question,
    operator: simple.operator,
    values: simple.values.map(String),
  }
}

/** Questions a condition on this target may read: those before a question, or on pages before a page. */
export function earlierQuestions(definition: SurveyJSON, target: Target): QuestionRef[] {
  const all = listQuestions(definition)
  if (target.kind === 'question') {
    const index = all.findIndex((q) => q.name === target.name)
    return index < 0 ? [] : all.slice(0, index)
  }
  const pageIndex = definition.pages.findIndex((p) => p.name === target.name)
  const earlierPages = new Set(definition.pages.slice(0, Math.max(pageIndex, 0)).map((p) => p.name))
  return all.filter((q) => earlierPages.has(q.page))
}

/** The JSON object a target names (a question or a page), or null. */
export function targetNode(definition: SurveyJSON, target: Target): Record<string, unknown> | null {
  if (target.kind === 'page') return definition.pages.find((p) => p.name === target.name) ?? null
  return listQuestions(definition).find((q) => q.name === target.name)?.element ?? null
}

const targetLabel = (definition: SurveyJSON, target: Target): string => {
  if (target.kind === 'page') {
    const index = definition.pages.findIndex((p) => p.name === target.name)
    const page = definition.pages[index]
    const title = localized(page?.title)
    return `Page ${index + 1}${title ? ` (“${title}”)` : ''}`
  }
  return `Question ${questionLabel(
    listQuestions(definition).find((q) => q.name === target.name),
    target.name,
  )}`
}

/**
 * Check a condition the analyst chose, and turn it into a SurveyJS expression. The values come from the form as
 * text; they are matched to the values the question offers (so a number stays a number in the expression).
 */
export function validateCondition(
  definition: SurveyJSON,
  target: Target,
  input: { question: string; operator: ConditionOperator; values: string[] },
): { ok: true; expression: string } | { ok: false; message: string; field: string } {
  if (!targetNode(definition, target)) {
    return { ok: false, field: 'condition', message: `There is no ${target.kind} called "${target.name}".` }
  }
  const all = listQuestions(definition)
  const source = all.find((q) => q.name === input.question)
  if (!source) {
    return { ok: false, field: 'when', message: `There is no question called "${input.question}".` }
  }
  const who = targetLabel(definition, target)
  if (!earlierQuestions(definition, target).some((q) => q.name === source.name)) {
    return {
      ok: false,
      field: 'when',
      message:
        target.kind === 'page'
          ? `${who} can only depend on a question on an earlier page, and ${questionLabel(source, source.name)} is not on one.`
          : `${who} can only depend on a question that comes before it, and ${questionLabel(source, source.name)} does not.`,
    }
  }
  const operators = operatorsFor(source.element)
  if (!operators.includes(input.operator)) {
    return {
      ok: false,
      field: 'operator',
      message: `For ${questionLabel(source, source.name)}, choose one of: ${operators.map((o) => operatorLabel(o, source.element)).join(', ')}.`,
    }
  }
  const offered = answerValues(source.element)
  const chosen: Value[] = []
  for (const raw of [...new Set(input.values)]) {
    const match = offered.find((v) => String(v) === raw)
    if (match === undefined) {
      return {
        ok: false,
        field: 'values',
        message: `${questionLabel(source, source.name)} has no answer "${raw}". Choose from its answers.`,
      }
    }
    chosen.push(match)
  }
  if (NO_VALUE.has(input.operator) && chosen.length > 0) {
    return {
      ok: false,
      field: 'values',
      message: `“${OPERATOR_LABELS[input.operator]}” needs no answer: untick the answers, or choose another condition.`,
    }
  }
  if (SINGLE_VALUE.has(input.operator) && chosen.length !== 1) {
    return {
      ok: false,
      field: 'values',
      message: `“${operatorLabel(input.operator, source.element)}” needs exactly one answer; you chose ${chosen.length}. For several answers, choose “${operatorLabel('any_of', source.element)}”.`,
    }
  }
  if (input.operator === 'any_of' && chosen.length === 0) {
    return { ok: false, field: 'values', message: 'Choose at least one answer.' }
  }
  if ((input.operator === 'at_least' || input.operator === 'at_most') && !isNumeric(chosen[0]!)) {
    return {
      ok: false,
      field: 'values',
      message: `“${operatorLabel(input.operator)}” compares numbers; “${answerLabel(source.element, chosen[0]!)}” is not a point on the scale.`,
    }
  }
  const values = chosen.map((v) =>
    input.operator === 'at_least' || input.operator === 'at_most' ? Number(v) : v,
  )
  const expression = conditionExpression({ question: source.name, operator: input.operator, values })
  // Read back what was written: survey-core must parse it, and see the same answers.
  const readBack = expression === null ? null : readCondition(expression)
  if (
    expression === null ||
    !readBack ||
    readBack.values.map(String).join('\n') !== values.map(String).join('\n')
  ) {
    return {
      ok: false,
      field: 'values',
      message:
        'One of the answers holds a double quotation mark or a backslash, so a condition cannot name it.',
    }
  }
  return { ok: true, expression }
}

/**
 * Conditions that cannot work: an expression survey-core cannot read, one that reads a later question (it would
 * be evaluated before that question is answered) or a name that is no question, variable or link parameter, or
 * one that names an answer its question does not offer. The builder refuses an edit that adds one (so deleting or
 * moving a question another depends on is refused, with the reason), and publishing needs none.
 */
export function logicProblems(definition: SurveyJSON, metadata: TemplateMetadata): TemplateProblem[] {
  const problems: TemplateProblem[] = []
  const all = listQuestions(definition)
  const known = new Set<string>([
    ...metadata.urlSegments.map((u) => u.param),
    ...(Array.isArray(definition.calculatedValues)
      ? definition.calculatedValues.flatMap((v) =>
          isRecord(v) && typeof v.name === 'string' ? [v.name] : [],
        )
      : []),
  ])
  const check = (target: Target, node: Record<string, unknown>, page: string) => {
    const expression = node.visibleIf
    if (expression === undefined || expression === '') return
    const who = targetLabel(definition, target)
    const where = target.kind === 'question' ? { question: target.name, page } : { page }
    if (typeof expression !== 'string' || !parse(expression)) {
      problems.push({
        code: 'invalid_definition',
        message: `${who} has a condition that cannot be read (${String(expression)}). Remove it and add it again.`,
        ...where,
      })
      return
    }
    const earlier = new Set(earlierQuestions(definition, target).map((q) => q.name))
    for (const name of new Set(conditionInputs(expression))) {
      const source = all.find((q) => q.name === name)
      if (!source) {
        if (!known.has(name))
          problems.push({
            code: 'invalid_definition',
            message: `${who} is shown only depending on “${name}”, which is not a question in this survey. Remove that condition first.`,
            ...where,
          })
      } else if (!earlier.has(name)) {
        problems.push({
          code: 'invalid_definition',
          message: `${who} is shown only depending on ${questionLabel(source, name)}, which must come ${target.kind === 'page' ? 'on an earlier page' : 'before it'}. Move that question earlier, or remove the condition.`,
          ...where,
        })
      }
    }
    const simple = readCondition(expression)
    const source = simple && all.find((q) => q.name === simple.question)
    if (simple && source && CHOICE_TYPES.concat('rating').includes(source.type)) {
      const offered = answerValues(source.element).map(String)
      const unknown = simple.values.filter((v) => !offered.includes(String(v)))
      if (unknown.length > 0 && simple.operator !== 'at_least' && simple.operator !== 'at_most')
        problems.push({
          code: 'invalid_definition',
          message: `${who} is shown only when ${questionLabel(source, source.name)} has the answer ${unknown.map((v) => `"${v}"`).join(', ')}, which that question does not offer.`,
          ...where,
        })
    }
  }
  definition.pages.forEach((page) => check({ kind: 'page', name: page.name }, page, page.name))
  for (const q of all) check({ kind: 'question', name: q.name }, q.element, q.page)
  return problems
}
