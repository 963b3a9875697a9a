import {
  checkTemplate,
  composeSurvey,
  EQUALITY_BLOCK_ID,
  isRecord,
  listQuestions,
  requireTemplate,
  SATISFACTION_5,
  STANDARD_DRIVERS,
  templateMetadataSchema,
  type ChoiceItem,
  type ElementJSON,
  type LocalizableString,
  type PageJSON,
  type SurveyJSON,
  type TemplateMetadata,
  type TemplateProblem,
} from '#templates/index.ts'
import { sanitizeDefinition } from '#app/utils/sanitize-html.server.ts'
import { logicProblems } from './builder-logic.server.ts'
import { missingWelsh, otherTexts, setTextAt, type TextOwner } from './builder-welsh.server.ts'

/*
 * The builder's edits, as pure functions from one draft to the next. Each edit is checked with checkTemplate:
 * an edit that would add a problem (a duplicate name, a driver on a non-rating question, a rating with no
 * coding...) is refused with checkTemplate's own message. Two kinds of problem are allowed in a draft, because
 * they are normal while building: an empty page (just added) and a missing Welsh text (translated later).
 * Publishing needs a draft with no problems at all.
 */

export interface Draft {
  definition: SurveyJSON
  metadata: TemplateMetadata
}

export type EditResult = { ok: true; draft: Draft } | { ok: false; problems: TemplateProblem[] }

/** Problems a draft may carry while it is being built; they only block publishing. */
export const DRAFT_TOLERATED: ReadonlySet<string> = new Set(['empty_page', 'missing_translation'])

/** The template the standard driver questions come from (their names are the same in every template). */
const DRIVER_SOURCE_TEMPLATE = 'core-satisfaction'

export class BuilderError extends Error {
  override name = 'BuilderError'
}

const problemKey = (p: TemplateProblem) => `${p.code}|${p.question ?? ''}|${p.page ?? ''}|${p.message}`

/** checkTemplate's problems and the builder's own checks of conditions (app/services/builder-logic.server.ts). */
function allProblems(draft: Draft): TemplateProblem[] {
  const problems = checkTemplate(draft.definition, draft.metadata)
  const metadata = templateMetadataSchema.safeParse(draft.metadata)
  return metadata.success ? [...problems, ...logicProblems(draft.definition, metadata.data)] : problems
}

/** Check an edit: refuse it if it adds a problem a draft may not carry; otherwise return the sanitised draft. */
export function acceptEdit(before: Draft, after: Draft): EditResult {
  const metadata = templateMetadataSchema.safeParse(after.metadata)
  const known = new Set(allProblems(before).map(problemKey))
  const added = allProblems(after).filter((p) => !known.has(problemKey(p)) && !DRAFT_TOLERATED.has(p.code))
  if (added.length > 0) return { ok: false, problems: added }
  if (!metadata.success) {
    return {
      ok: false,
      problems: [
        { code: 'invalid_metadata', message: metadata.error.issues.map((i) => i.message).join('; ') },
      ],
    }
  }
  return { ok: true, draft: { definition: sanitizeDefinition(after.definition), metadata: metadata.data } }
}

export type PublishProblem = TemplateProblem & { href?: string }

/**
 * Problems that block publishing: everything checkTemplate finds and every condition that cannot work, with
 * checkTemplate's missing translations ("The text at pages[1].elements[7].title has no "cy" translation") replaced
 * by the plain-English list of what lacks Welsh, each linked to the field that fixes it.
 */
export function publishProblems(draft: Draft, surveyId: string): PublishProblem[] {
  return [
    ...allProblems(draft).filter((p) => p.code !== 'missing_translation'),
    ...missingWelsh(draft.definition, draft.metadata.locales, surveyId),
  ]
}

const fail = (message: string, question?: string): EditResult => ({
  ok: false,
  problems: [{ code: 'invalid_definition', message, ...(question ? { question } : {}) }],
})

const clone = (draft: Draft): Draft => structuredClone(draft)

export const hasWelsh = (draft: Draft): boolean => draft.metadata.locales.includes('cy')

/** A localizable text for a survey: `{ default, cy }` when it carries Welsh, plain English otherwise. */
export function makeText(en: string, cy: string | undefined, welsh: boolean): LocalizableString {
  const english = en.trim()
  if (!welsh) return english
  const welshText = (cy ?? '').trim()
  return welshText ? { default: english, cy: welshText } : { default: english }
}

/** English and Welsh of a localizable text, for the builder's fields. */
export function readText(text: unknown): { en: string; cy: string } {
  if (typeof text === 'string') return { en: text, cy: '' }
  if (isRecord(text)) {
    return {
      en: typeof text.default === 'string' ? text.default : '',
      cy: typeof text.cy === 'string' ? text.cy : '',
    }
  }
  return { en: '', cy: '' }
}

/** Where a question sits: the array holding it and its index, and its page. */
interface Location {
  container: ElementJSON[]
  index: number
  pageIndex: number
}

function locate(definition: SurveyJSON, name: string): Location | null {
  const search = (elements: ElementJSON[] | undefined, pageIndex: number): Location | null => {
    if (!elements) return null
    for (let i = 0; i < elements.length; i++) {
      const e = elements[i]!
      if (e.type !== 'panel' && e.name === name) return { container: elements, index: i, pageIndex }
      if (e.type === 'panel') {
        const inner = search(e.elements, pageIndex)
        if (inner) return inner
      }
    }
    return null
  }
  for (let p = 0; p < definition.pages.length; p++) {
    const found = search(definition.pages[p]!.elements, p)
    if (found) return found
  }
  return null
}

export function findQuestion(draft: Draft, name: string): ElementJSON | null {
  const at = locate(draft.definition, name)
  return at ? at.container[at.index]! : null
}

/** Remove questions and every metadata entry that names them; pages left empty by the removal go too. */
function removeQuestions(draft: Draft, names: ReadonlySet<string>, dropEmptiedPages = true): void {
  const emptiedBefore = new Set(
    draft.definition.pages.filter((p) => (p.elements ?? []).length === 0).map((p) => p.name),
  )
  const strip = (elements: ElementJSON[] | undefined): ElementJSON[] =>
    (elements ?? [])
      .filter((e) => e.type === 'panel' || !names.has(e.name))
      .map((e) => (e.type === 'panel' ? { ...e, elements: strip(e.elements) } : e))
      .filter((e) => e.type !== 'panel' || (e.elements ?? []).length > 0)
  draft.definition.pages = draft.definition.pages
    .map((p) => ({ ...p, elements: strip(p.elements) }))
    .filter((p) => !dropEmptiedPages || (p.elements ?? []).length > 0 || emptiedBefore.has(p.name))
  const m = draft.metadata
  for (const name of names) delete m.ratings[name]
  m.comments = m.comments.filter((c) => !names.has(c.question))
  m.segments = m.segments.filter((s) => !names.has(s.question))
  m.equalityQuestions = m.equalityQuestions.filter((q) => !names.has(q))
}

// ---------------------------------------------------------------- blocks

export interface BlockState {
  driver: string
  question: string
  title: string
  included: boolean
}

/** The standard driver blocks (overall and the six CSE 1.3.3 drivers) and whether the draft includes each. */
export function driverBlocks(draft: Draft): BlockState[] {
  const source = requireTemplate(DRIVER_SOURCE_TEMPLATE)
  return STANDARD_DRIVERS.map((driver) => {
    const question =
      Object.entries(source.metadata.ratings).find(([, r]) => r.driver === driver)?.[0] ?? driver
    const element = findQuestion({ definition: source.definition, metadata: source.metadata }, question)
    return {
      driver,
      question,
      title: readText(element?.title).en,
      included: Object.values(draft.metadata.ratings).some((r) => r.driver === driver),
    }
  })
}

export function includesEqualityBlock(draft: Draft): boolean {
  const equality = requireTemplate(EQUALITY_BLOCK_ID)
  return equality.metadata.equalityQuestions.some((q) => draft.metadata.equalityQuestions.includes(q))
}

/** English-only copy of an element when the survey has no Welsh (so no half-translated text is added). */
function toLocales(element: ElementJSON, welsh: boolean): ElementJSON {
  if (welsh) return element
  const flatten = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(flatten)
    if (!isRecord(node)) return node
    if (typeof node.default === 'string' && Object.keys(node).every((k) => k === 'default' || k.length === 2))
      return node.default
    return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, flatten(v)]))
  }
  return flatten(element) as ElementJSON
}

/** Include exactly the chosen standard driver blocks: missing ones are added in standard order, others removed. */
export function setDriverBlocks(before: Draft, wanted: readonly string[]): EditResult {
  const draft = clone(before)
  const source = requireTemplate(DRIVER_SOURCE_TEMPLATE)
  const blocks = driverBlocks(draft)
  const remove = new Set<string>()
  for (const block of blocks) {
    if (block.included && !wanted.includes(block.driver)) {
      for (const [name, r] of Object.entries(draft.metadata.ratings))
        if (r.driver === block.driver) remove.add(name)
    }
  }
  removeQuestions(draft, remove)

  const order = blocks.map((b) => b.question)
  for (const block of blocks) {
    if (block.included || !wanted.includes(block.driver)) continue
    if (findQuestion(draft, block.question)) {
      return fail(
        `A question called "${block.question}" already exists, so the ${block.driver} block cannot be added. Rename or delete that question first.`,
        block.question,
      )
    }
    const element = toLocales(
      structuredClone(
        findQuestion({ definition: source.definition, metadata: source.metadata }, block.question)!,
      ),
      hasWelsh(draft),
    )
    // Place it next to the other driver questions, in the standard order.
    const present = order.filter(
      (q) => q !== block.question && draft.metadata.ratings[q] !== undefined && findQuestion(draft, q),
    )
    const mine = order.indexOf(block.question)
    const previous = present.filter((q) => order.indexOf(q) < mine).at(-1)
    const following = present.find((q) => order.indexOf(q) > mine)
    const anchor = previous
      ? locate(draft.definition, previous)
      : following
        ? locate(draft.definition, following)
        : null
    if (anchor) {
      anchor.container.splice(previous ? anchor.index + 1 : anchor.index, 0, element)
    } else {
      const page = source.definition.pages.find((p) =>
        (p.elements ?? []).some((e) => e.name === block.question),
      )!
      let target = draft.definition.pages.find((p) => p.name === page.name)
      if (!target) {
        target = {
          name: page.name,
          title: toLocales({ type: 'x', name: 'x', title: page.title }, hasWelsh(draft)).title,
          elements: [],
        }
        draft.definition.pages.splice(Math.min(1, draft.definition.pages.length), 0, target)
      }
      ;(target.elements ??= []).push(element)
    }
    draft.metadata.ratings[block.question] = { driver: block.driver, coding: structuredClone(SATISFACTION_5) }
  }
  return acceptEdit(before, draft)
}

/** Add or remove the equality-monitoring block (its pages, questions and metadata). */
export function setEqualityBlock(before: Draft, include: boolean): EditResult {
  const draft = clone(before)
  const equality = requireTemplate(EQUALITY_BLOCK_ID)
  const present = includesEqualityBlock(draft)
  if (include === present) return { ok: true, draft }
  if (!include) {
    removeQuestions(draft, new Set(equality.metadata.equalityQuestions))
    return acceptEdit(before, draft)
  }
  const clash = listQuestions(equality.definition).find((q) => findQuestion(draft, q.name))
  if (clash)
    return fail(
      `The equality block has a question called "${clash.name}", and this survey already has one. Rename yours first.`,
      clash.name,
    )
  const welsh = hasWelsh(draft)
  const pageNames = new Set(draft.definition.pages.map((p) => p.name))
  for (const page of equality.definition.pages) {
    const copy = toLocales(structuredClone(page) as unknown as ElementJSON, welsh) as unknown as PageJSON
    if (pageNames.has(copy.name)) copy.name = `equality_${copy.name}`
    draft.definition.pages.push(copy)
  }
  const m = draft.metadata
  m.equalityQuestions.push(...equality.metadata.equalityQuestions)
  for (const s of equality.metadata.segments)
    if (!m.segments.some((x) => x.question === s.question)) m.segments.push(s)
  for (const [name, r] of Object.entries(equality.metadata.ratings)) m.ratings[name] ??= r
  m.cseElements = [...new Set([...m.cseElements, ...equality.metadata.cseElements])].sort()
  return acceptEdit(before, draft)
}

// ---------------------------------------------------------------- questions

export type LocalQuestionType = 'rating' | 'single' | 'multiple' | 'text'

export interface NewQuestion {
  page: string
  type: LocalQuestionType
  name: string
  titleEn: string
  titleCy?: string
  /** Choice labels, one per line, for single and multiple choice: `Label` or `Label | Welsh label`. */
  choices?: string
  /** Rating only: the (local or standard) driver this rating measures. */
  driver?: string
}

const slug = (text: string): string =>
  text
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .replace(/^(\d)/, 'v_$1')
    .slice(0, 40) || 'option'

/** Choices from the builder's text area: one per line, English and Welsh split by `|`. */
export function parseChoiceLines(lines: string, welsh: boolean): ChoiceItem[] {
  const seen = new Set<string>()
  const out: ChoiceItem[] = []
  for (const line of lines.split(/\r?\n/)) {
    const [en = '', cy] = line.split('|').map((s) => s.trim())
    if (!en) continue
    let value = slug(en)
    for (let n = 2; seen.has(value); n++) value = `${slug(en)}_${n}`
    seen.add(value)
    out.push({ value, text: makeText(en, cy, welsh) })
  }
  return out
}

/** Add a local question at the end of a page. */
export function addQuestion(before: Draft, input: NewQuestion): EditResult {
  const draft = clone(before)
  const welsh = hasWelsh(draft)
  const page = draft.definition.pages.find((p) => p.name === input.page)
  if (!page) return fail(`There is no page called "${input.page}".`)
  const title = makeText(input.titleEn, input.titleCy, welsh)
  let element: ElementJSON
  if (input.type === 'rating') {
    const source = requireTemplate(DRIVER_SOURCE_TEMPLATE)
    const overall = findQuestion({ definition: source.definition, metadata: source.metadata }, 'overall')!
    element = {
      type: 'radiogroup',
      name: input.name,
      title,
      choices: toLocales(structuredClone(overall), welsh).choices,
    }
  } else if (input.type === 'single' || input.type === 'multiple') {
    const choices = parseChoiceLines(input.choices ?? '', welsh)
    if (choices.length < 2)
      return fail('A choice question needs at least two answers: write one per line.', input.name)
    element = { type: input.type === 'single' ? 'radiogroup' : 'checkbox', name: input.name, title, choices }
  } else {
    element = { type: 'comment', name: input.name, title, maxLength: 2000 }
  }
  ;(page.elements ??= []).push(element)
  if (input.driver) {
    // A driver makes the question a rating in the metadata; checkTemplate refuses it on anything but a scale.
    draft.metadata.ratings[input.name] = { driver: input.driver, coding: structuredClone(SATISFACTION_5) }
  }
  if (input.type === 'text') draft.metadata.comments.push({ question: input.name })
  return acceptEdit(before, draft)
}

export function deleteQuestion(before: Draft, name: string): EditResult {
  const draft = clone(before)
  if (!findQuestion(draft, name)) return fail(`There is no question called "${name}".`)
  // Keep the page the question was on, even if it is now empty: the analyst may be about to fill it again.
  removeQuestions(draft, new Set([name]), false)
  return acceptEdit(before, draft)
}

export interface WordingInput {
  titleEn: string
  titleCy?: string
  descriptionEn?: string
  descriptionCy?: string
  /** Choice labels by index. */
  choices?: Array<{ en: string; cy?: string }>
  /** Any other text of the question, page or survey, by its path (see otherTexts in builder-welsh.server.ts). */
  texts?: Record<string, { en: string; cy?: string }>
}

/** Write the other texts the form sent; a path the draft does not hold is ignored, never created. */
function setOtherTexts(
  draft: Draft,
  owner: TextOwner,
  node: unknown,
  texts: Record<string, { en: string; cy?: string }> | undefined,
): void {
  if (!texts) return
  const welsh = hasWelsh(draft)
  for (const slot of otherTexts(draft.definition, owner)) {
    const input = texts[slot.path]
    if (!input || !input.en.trim()) continue
    setTextAt(node, slot.path, makeText(input.en, input.cy, welsh))
  }
}

/** Change a question's wording; its name, answer values and metadata stay the same. */
export function editWording(before: Draft, name: string, input: WordingInput): EditResult {
  const draft = clone(before)
  const element = findQuestion(draft, name)
  if (!element) return fail(`There is no question called "${name}".`)
  const welsh = hasWelsh(draft)
  if (!input.titleEn.trim()) return fail('The question needs a title.', name)
  element.title = makeText(input.titleEn, input.titleCy, welsh)
  if (input.descriptionEn?.trim())
    element.description = makeText(input.descriptionEn, input.descriptionCy, welsh)
  else delete element.description
  if (input.choices && Array.isArray(element.choices)) {
    element.choices = element.choices.map((item, i) => {
      const label = input.choices![i]
      if (!label || !label.en.trim()) return item
      const value = isRecord(item) ? item.value : item
      return { ...(isRecord(item) ? item : {}), value, text: makeText(label.en, label.cy, welsh) }
    })
  }
  const pageIndex = locate(draft.definition, name)!.pageIndex
  setOtherTexts(draft, { kind: 'question', name, pageIndex }, element, input.texts)
  return acceptEdit(before, draft)
}

/** Move a question one place up or down; at the edge of a page it moves to the end or start of the next page. */
export function moveQuestion(before: Draft, name: string, direction: 'up' | 'down'): EditResult {
  const draft = clone(before)
  const at = locate(draft.definition, name)
  if (!at) return fail(`There is no question called "${name}".`)
  const target = direction === 'up' ? at.index - 1 : at.index + 1
  if (target >= 0 && target < at.container.length) {
    const [element] = at.container.splice(at.index, 1)
    at.container.splice(target, 0, element!)
    return acceptEdit(before, draft)
  }
  const pageIndex = direction === 'up' ? at.pageIndex - 1 : at.pageIndex + 1
  const page = draft.definition.pages[pageIndex]
  if (!page)
    return fail(
      direction === 'up' ? 'This is already the first question.' : 'This is already the last question.',
      name,
    )
  const [element] = at.container.splice(at.index, 1)
  const elements = (page.elements ??= [])
  if (direction === 'up') elements.push(element!)
  else elements.unshift(element!)
  return acceptEdit(before, draft)
}

// ---------------------------------------------------------------- pages

export function addPage(before: Draft, titleEn: string, titleCy?: string): EditResult {
  const draft = clone(before)
  if (!titleEn.trim()) return fail('The new page needs a title.')
  const names = new Set(draft.definition.pages.map((p) => p.name))
  let name = slug(titleEn)
  for (let n = 2; names.has(name); n++) name = `${slug(titleEn)}_${n}`
  draft.definition.pages.push({ name, title: makeText(titleEn, titleCy, hasWelsh(draft)), elements: [] })
  return acceptEdit(before, draft)
}

export interface PageTextsInput {
  titleEn: string
  titleCy?: string
  /** When given, the page's introduction (its SurveyJS description); empty removes it. */
  descriptionEn?: string
  descriptionCy?: string
  texts?: Record<string, { en: string; cy?: string }>
}

export function editPage(before: Draft, name: string, input: PageTextsInput): EditResult {
  const draft = clone(before)
  const index = draft.definition.pages.findIndex((p) => p.name === name)
  const page = draft.definition.pages[index]
  if (!page) return fail(`There is no page called "${name}".`)
  if (!input.titleEn.trim()) return fail('A page needs a title.')
  const welsh = hasWelsh(draft)
  page.title = makeText(input.titleEn, input.titleCy, welsh)
  if (input.descriptionEn !== undefined) {
    if (input.descriptionEn.trim()) page.description = makeText(input.descriptionEn, input.descriptionCy, welsh)
    else delete page.description
  }
  setOtherTexts(draft, { kind: 'page', name, index }, page, input.texts)
  return acceptEdit(before, draft)
}

export function movePage(before: Draft, name: string, direction: 'up' | 'down'): EditResult {
  const draft = clone(before)
  const pages = draft.definition.pages
  const index = pages.findIndex((p) => p.name === name)
  if (index < 0) return fail(`There is no page called "${name}".`)
  const target = direction === 'up' ? index - 1 : index + 1
  if (target < 0 || target >= pages.length)
    return fail(direction === 'up' ? 'This is already the first page.' : 'This is already the last page.')
  const [page] = pages.splice(index, 1)
  pages.splice(target, 0, page!)
  return acceptEdit(before, draft)
}

export function deletePage(before: Draft, name: string): EditResult {
  const draft = clone(before)
  const page = draft.definition.pages.find((p) => p.name === name)
  if (!page) return fail(`There is no page called "${name}".`)
  if (listQuestions({ pages: [page] }).length > 0)
    return fail('This page still has questions. Move or delete them first.')
  if (draft.definition.pages.length === 1) return fail('A survey needs at least one page.')
  draft.definition.pages = draft.definition.pages.filter((p) => p.name !== name)
  return acceptEdit(before, draft)
}

// ---------------------------------------------------------------- segments and settings

/** Set which single-choice questions define customer groups, with their labels. */
export function setSegmentQuestions(
  before: Draft,
  segments: Array<{ question: string; label: string }>,
): EditResult {
  const draft = clone(before)
  draft.metadata.segments = segments.map((s) => ({
    question: s.question,
    label: s.label.trim() || s.question,
  }))
  return acceptEdit(before, draft)
}

export interface UrlSegmentInput {
  param: string
  label: string
  /** Allowed values, one per line: `value` or `value | Label`. */
  values: string
}

export function parseUrlSegmentValues(lines: string): Array<{ value: string; label: string }> {
  const out: Array<{ value: string; label: string }> = []
  for (const line of lines.split(/\r?\n/)) {
    const [value = '', label] = line.split('|').map((s) => s.trim())
    if (value) out.push({ value, label: label || value })
  }
  return out
}

export function addUrlSegment(before: Draft, input: UrlSegmentInput): EditResult {
  const draft = clone(before)
  if (draft.metadata.urlSegments.some((u) => u.param === input.param)) {
    return fail(`The link already has a parameter called "${input.param}". Remove it first to change it.`)
  }
  if (findQuestion(draft, input.param)) {
    return fail(
      `"${input.param}" is already a question name. A link parameter needs a different name, so the two cannot be confused.`,
    )
  }
  const values = parseUrlSegmentValues(input.values)
  const bad = values.find((v) => !/^[a-z0-9_-]{1,40}$/.test(v.value))
  if (bad)
    return fail(
      `The value "${bad.value}" can only use lower-case letters, digits, "-" and "_" (it appears in the link).`,
    )
  if (values.length === 0) return fail('List at least one allowed value, one per line.')
  draft.metadata.urlSegments.push({ param: input.param, label: input.label.trim() || input.param, values })
  return acceptEdit(before, draft)
}

export function removeUrlSegment(before: Draft, param: string): EditResult {
  const draft = clone(before)
  draft.metadata.urlSegments = draft.metadata.urlSegments.filter((u) => u.param !== param)
  return acceptEdit(before, draft)
}

export interface RespondentTexts {
  titleEn: string
  titleCy?: string
  introductionEn: string
  introductionCy?: string
  privacyEn: string
  privacyCy?: string
  completionEn: string
  completionCy?: string
  texts?: Record<string, { en: string; cy?: string }>
}

/**
 * The respondent-facing texts: survey title, introduction (the survey description), privacy notice (kept as
 * `privacyNotice` on the definition, a property SurveyJS ignores) and completion text (`completedHtml`).
 */
export function setRespondentTexts(before: Draft, input: RespondentTexts): EditResult {
  const draft = clone(before)
  const welsh = hasWelsh(draft)
  const d = draft.definition
  if (!input.titleEn.trim()) return fail('The survey needs a title.')
  d.title = makeText(input.titleEn, input.titleCy, welsh)
  const optional = (key: 'description' | 'privacyNotice' | 'completedHtml', en: string, cy?: string) => {
    if (en.trim()) d[key] = makeText(en, cy, welsh)
    else delete d[key]
  }
  optional('description', input.introductionEn, input.introductionCy)
  optional('privacyNotice', input.privacyEn, input.privacyCy)
  optional('completedHtml', input.completionEn, input.completionCy)
  setOtherTexts(draft, { kind: 'survey' }, d, input.texts)
  return acceptEdit(before, draft)
}

// ---------------------------------------------------------------- creation and import

export interface CreateOptions {
  templateId: string
  includeEquality: boolean
  title: string
}

/** A new draft from a template, optionally followed by the equality block. */
export function draftFromTemplate(options: CreateOptions): Draft {
  const ids = [options.templateId]
  if (options.includeEquality && options.templateId !== EQUALITY_BLOCK_ID) ids.push(EQUALITY_BLOCK_ID)
  const { definition, metadata } = composeSurvey(ids, { title: options.title })
  return { definition: sanitizeDefinition(definition), metadata }
}


/** Parse stored draft JSON; a broken draft is reported rather than thrown so the builder can still open. */
export function readDraft(definition: unknown, metadata: unknown): Draft {
  const parsed = templateMetadataSchema.safeParse(metadata)
  if (!parsed.success) throw new BuilderError('The stored draft metadata is invalid.')
  if (!isRecord(definition) || !Array.isArray(definition.pages))
    throw new BuilderError('The stored draft definition is invalid.')
  return { definition: definition as SurveyJSON, metadata: parsed.data }
}
