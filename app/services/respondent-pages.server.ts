import type { TemplateMetadata } from '#templates/metadata.ts'
import type { RespondentForm } from './respondent-form.server.ts'
import { visibleQuestionNames, type SurveyDescriptor } from './survey-definition.server.ts'
import { questionsAnsweredBySegments } from './validate-answers.server.ts'

/**
 * The respondent page walks the survey one part at a time (docs/decisions/019-respondent-page-progressive-
 * enhancement.md). The server decides everything here, with and without JavaScript: which parts and questions
 * are visible for the answers so far (survey-core evaluates `visibleIf`), which part comes next or before, and
 * which answers ride along in hidden fields so that nothing typed on another part is ever lost.
 */

/** Raw form values, as posted: one string per radio, text or select, every ticked value per checkbox. */
export type FormValues = Record<string, string[]>

export interface PageView {
  /** Index into `form.pages`. */
  page: number
  /** 1-based position among the parts visible for the answers so far, and how many there are. */
  position: number
  count: number
  /** No visible part follows: the main button sends the answers. */
  last: boolean
  /** Questions of this part the page shows (in order). */
  asked: string[]
  /**
   * Of `asked`, those hidden for the answers so far whose condition reads a question on this part: without
   * JavaScript they show with "Answer this if it applies to you"; the page's script hides them.
   */
  hidden: string[]
  /** Every question whose answer can change what is visible (the script asks the server again on change). */
  triggers: string[]
}

/** Turn raw form strings into the values survey-core's conditions compare against (numbers stay numbers). */
export function typedAnswers(descriptor: SurveyDescriptor, values: FormValues): Record<string, unknown> {
  const answers: Record<string, unknown> = {}
  for (const q of descriptor.questions.values()) {
    const raw = (values[q.name] ?? []).filter((v) => v.trim() !== '')
    if (raw.length === 0) continue
    const typed = (v: string) => q.allowed.find((a) => String(a) === v) ?? v
    if (q.kind === 'checkbox') answers[q.name] = raw.map(typed)
    else if (q.kind === 'boolean') answers[q.name] = raw[0] === 'true'
    else if (q.inputType === 'number' && Number.isFinite(Number(raw[0]))) answers[q.name] = Number(raw[0])
    else answers[q.name] = typed(raw[0]!)
  }
  return answers
}

/** Keep only the values of the survey's questions, at most a few per question (hostile posts carry thousands). */
export function questionValues(descriptor: SurveyDescriptor, entries: Iterable<[string, FormDataEntryValue]>): FormValues {
  const values: FormValues = Object.create(null)
  for (const [name, value] of entries) {
    if (typeof value !== 'string' || !descriptor.questions.has(name)) continue
    const list = (values[name] ??= [])
    if (list.length < 200) list.push(value)
  }
  return values
}

/** For each question, the question names its own and its panels' and page's conditions read. */
const readsCache = new WeakMap<SurveyDescriptor, Map<string, Set<string>>>()
function conditionReads(descriptor: SurveyDescriptor): Map<string, Set<string>> {
  const hit = readsCache.get(descriptor)
  if (hit) return hit
  const reads = new Map<string, Set<string>>()
  const namesIn = (node: Record<string, unknown>) => {
    const found = new Set<string>()
    for (const [key, value] of Object.entries(node))
      if (typeof value === 'string' && /If$/.test(key)) for (const m of value.matchAll(/\{([^}.[]*)/g)) found.add(m[1]!.trim())
    return found
  }
  const walk = (node: unknown, inherited: Set<string>) => {
    if (Array.isArray(node)) return node.forEach((n) => walk(n, inherited))
    if (!node || typeof node !== 'object') return
    const element = node as Record<string, unknown>
    const mine = new Set([...inherited, ...namesIn(element)])
    if (typeof element.name === 'string' && descriptor.questions.has(element.name)) reads.set(element.name, mine)
    for (const child of [element.elements, element.questions, element.templateElements]) if (child) walk(child, mine)
  }
  walk((descriptor.definition as { pages?: unknown }).pages ?? [], new Set())
  readsCache.set(descriptor, reads)
  return reads
}

export interface PageContext {
  form: RespondentForm
  descriptor: SurveyDescriptor
  metadata: TemplateMetadata
  segments: Record<string, string>
}

/** The questions each part shows for these answers (parts with none are skipped). */
function askedByPage(ctx: PageContext, values: FormValues) {
  const visible = visibleQuestionNames(ctx.descriptor, typedAnswers(ctx.descriptor, values))
  const bySegment = questionsAnsweredBySegments(ctx.descriptor, ctx.metadata, ctx.segments)
  const reads = conditionReads(ctx.descriptor)
  const earlier = new Set<string>()
  return ctx.form.pages.map((page) => {
    const onPage = page.questions.map((q) => q.name).filter((name) => !bySegment.has(name))
    const readsThisPart = (name: string) => [...(reads.get(name) ?? [])].some((read) => !earlier.has(read))
    const asked = onPage.filter((name) => visible.has(name) || readsThisPart(name))
    const hidden = asked.filter((name) => !visible.has(name))
    for (const name of onPage) earlier.add(name)
    // A part is shown when something on it is visible now; a part whose questions all wait on its own
    // answers cannot be reached, as in SurveyJS.
    return { asked, hidden, shown: asked.length > hidden.length }
  })
}

/** Where the respondent is, for these answers: `page` is clamped to the nearest visible part. */
export function pageView(ctx: PageContext, values: FormValues, page: number): PageView {
  const parts = askedByPage(ctx, values)
  const shown = parts.flatMap((p, i) => (p.shown ? [i] : []))
  const current = shown.includes(page) ? page : (shown.find((i) => i > page) ?? shown.at(-1) ?? 0)
  const part = parts[current] ?? { asked: [], hidden: [] }
  const triggers = new Set<string>()
  for (const names of conditionReads(ctx.descriptor).values()) for (const name of names) triggers.add(name)
  return {
    page: current,
    position: Math.max(1, shown.indexOf(current) + 1),
    count: Math.max(1, shown.length),
    last: !shown.some((i) => i > current),
    asked: part.asked,
    hidden: part.hidden,
    triggers: [...triggers].filter((name) => ctx.descriptor.questions.has(name)),
  }
}

/** The visible part after (or before) `page`, or null when there is none. */
export function neighbourPage(ctx: PageContext, values: FormValues, page: number, step: 1 | -1): number | null {
  const parts = askedByPage(ctx, values)
  for (let i = page + step; i >= 0 && i < parts.length; i += step) if (parts[i]!.shown) return i
  return null
}

/** The part that holds a question, so a refused submission opens where the problem is. */
export function pageOfQuestion(form: RespondentForm, name: string): number | null {
  const index = form.pages.findIndex((p) => p.questions.some((q) => q.name === name))
  return index < 0 ? null : index
}

/** Stored answers (a resumed draft) as the strings the form fields hold. */
export function answersAsFormValues(answers: Record<string, unknown> | null): FormValues {
  const values: FormValues = {}
  for (const [name, value] of Object.entries(answers ?? {}))
    values[name] = Array.isArray(value) ? value.map(String) : [String(value)]
  return values
}

export interface StepProblem {
  /** A question name, or `form` for the whole response. */
  question: string
  message: string
}

/** What the page shows after a step (Next, Previous, Save) and at first: the part, every answer, problems. */
export interface FormStep {
  view: PageView
  values: FormValues
  problems: StepProblem[]
  /** Set after "save and come back later": the link that brings these answers back, and the write key the
   * form sends with its next save (app/services/resume.server.ts). */
  saved?: { url: string; token: string; writeKey: string; expiresAt: string }
  /** The respondent switched language: the same part, in the other language (focus stays on the switch). */
  languageSwitched?: boolean
  /** The resume link and write key the form already held, carried to the next part. */
  resumeCarry?: { token: string; writeKey?: string }
}
