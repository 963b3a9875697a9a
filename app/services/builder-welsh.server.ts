import {
  isRecord,
  listTexts,
  localized,
  type LocalizableString,
  type SurveyJSON,
  type TemplateProblem,
} from '#templates/index.ts'

/*
 * Every piece of text in a draft, placed where the builder edits it: the survey texts, a page, or a question
 * (with its help text, answer labels and any other label an import brought, such as an "Other" label or a check's
 * error message). From this the builder says in plain English what still lacks Welsh, and links each gap to the
 * field that fixes it: 'Page 2, question "How satisfied were you…?": the Welsh title is missing'.
 *
 * The texts are found with listTexts (survey-templates/definition.ts), the same walker checkTemplate uses for its
 * `missing_translation` problems, so this list covers every text checkTemplate would report, and the privacy
 * notice besides (a property of ours that SurveyJS, and so listTexts, does not know).
 */

export type TextOwner =
  | { kind: 'survey' }
  | { kind: 'page'; name: string; index: number }
  | { kind: 'question'; name: string; pageIndex: number }

export interface TextSlot {
  owner: TextOwner
  /** Path inside the owner, as listTexts writes it: `title`, `choices[2].text`, `validators[0].text`. */
  path: string
  value: unknown
}

type Segment = string | number

export function pathSegments(path: string): Segment[] {
  return [...path.matchAll(/([^.[\]]+)|\[(\d+)\]/g)].map((m) => (m[2] !== undefined ? Number(m[2]) : m[1]!))
}

const joinPath = (segments: Segment[]): string =>
  segments.map((s, i) => (typeof s === 'number' ? `[${s}]` : i === 0 ? s : `.${s}`)).join('')

/** Every text of the definition, with the survey, page or question that holds it. */
export function textSlots(definition: SurveyJSON): TextSlot[] {
  const slots: TextSlot[] = []
  const texts = listTexts(definition)
  // listTexts finds the privacy notice only once it is bilingual (an object with `default`).
  if (definition.privacyNotice !== undefined && !texts.some((t) => t.path === 'privacyNotice'))
    slots.push({ owner: { kind: 'survey' }, path: 'privacyNotice', value: definition.privacyNotice })
  for (const text of texts) {
    const segments = pathSegments(text.path)
    let owner: TextOwner = { kind: 'survey' }
    let start = 0
    let node: unknown = definition
    let pageIndex = -1
    for (let i = 0; i < segments.length; i++) {
      const segment = segments[i]!
      node =
        isRecord(node) || Array.isArray(node)
          ? (node as Record<string | number, unknown>)[segment]
          : undefined
      if (i === 1 && segments[0] === 'pages' && typeof segment === 'number') {
        pageIndex = segment
        const page = definition.pages[segment]
        owner = { kind: 'page', name: String(page?.name ?? ''), index: segment }
        start = i + 1
      }
      // An element of a page or panel that is a question (not a panel) owns everything below it.
      if (
        pageIndex >= 0 &&
        typeof segment === 'number' &&
        segments[i - 1] === 'elements' &&
        isRecord(node) &&
        node.type !== 'panel'
      ) {
        owner = { kind: 'question', name: String(node.name ?? ''), pageIndex }
        start = i + 1
        break
      }
    }
    slots.push({ owner, path: joinPath(segments.slice(start)), value: text.value })
  }
  return slots
}

/** True when a text has English to translate but no Welsh. A choice written without text shows its value. */
export function lacksWelsh(value: unknown): boolean {
  if (value === undefined) return true
  if (typeof value === 'string') return value.trim() !== ''
  if (!isRecord(value)) return false
  const english = typeof value.default === 'string' ? value.default.trim() : ''
  const welsh = typeof value.cy === 'string' ? value.cy.trim() : ''
  return english !== '' && welsh === ''
}

/** The HTML id of a text's Welsh (or, with `en`, English) field on the builder page. */
export function fieldId(owner: TextOwner, path: string, locale: 'en' | 'cy' = 'cy'): string {
  const tail = path.replace(/[^A-Za-z0-9]+/g, '-').replace(/^-|-$/g, '')
  if (owner.kind === 'survey') {
    const named: Record<string, string> = {
      title: 'survey-title',
      description: 'introduction',
      privacyNotice: 'privacy',
      completedHtml: 'completion',
    }
    return `${named[path] ?? `survey-text-${tail}`}-${locale}`
  }
  const prefix = owner.kind === 'page' ? `page-${owner.name}` : owner.name
  if (path === 'title' || path === 'description') return `${prefix}-${path}-${locale}`
  const choice = owner.kind === 'question' ? /^choices\[(\d+)\]\.text$/.exec(path) : null
  if (choice) return `${prefix}-choice-${choice[1]}-${locale}`
  return `${prefix}-text-${tail}-${locale}`
}

/** The `?edit=` value that opens the form holding a text (question and page forms start closed). */
export function editParam(owner: TextOwner): string | null {
  if (owner.kind === 'question') return owner.name
  if (owner.kind === 'page') return `page:${owner.name}`
  return null
}

const KEY_LABELS: Record<string, string> = {
  title: 'title',
  description: 'help text',
  privacyNotice: 'privacy notice',
  completedHtml: 'completion text',
  completedBeforeHtml: 'text for people who have already answered',
  loadingHtml: 'loading text',
  placeholder: 'placeholder',
  requiredErrorText: 'message shown when the answer is missing',
  otherText: '“Other” answer label',
  otherPlaceholder: '“Other” box placeholder',
  noneText: '“None” answer label',
  refuseText: '“Prefer not to answer” label',
  dontKnowText: '“Don’t know” label',
  minRateDescription: 'label of the lowest rating',
  maxRateDescription: 'label of the highest rating',
  startSurveyText: '“Start” button',
  pagePrevText: '“Previous” button',
  pageNextText: '“Next” button',
  completeText: '“Send” button',
  labelTrue: '“Yes” label',
  labelFalse: '“No” label',
  text: 'text',
}

/** A text's name in plain English, within its owner: "title", "help text", "error message of check 1". */
export function textLabel(owner: TextOwner, path: string, holder?: unknown): string {
  const segments = pathSegments(path)
  const key = String(segments.at(-1))
  if (owner.kind === 'survey' && path === 'description') return 'introduction'
  if (owner.kind === 'page' && path === 'description') return 'introduction'
  if (segments[0] === 'validators') return `error message of check ${Number(segments[1]) + 1}`
  if (segments[0] === 'rateValues' && key === 'text') return `label of rating ${Number(segments[1]) + 1}`
  if (owner.kind === 'page' && segments[0] === 'elements') {
    // A panel's texts belong to the page: name the panel by its title, if it has one.
    let node: unknown = holder
    for (const s of segments.slice(0, -1))
      node = isRecord(node) || Array.isArray(node) ? (node as Record<string | number, unknown>)[s] : undefined
    const title = isRecord(node) ? localized(node.title as LocalizableString | undefined) : ''
    const name = isRecord(node) && typeof node.name === 'string' ? node.name : 'group'
    return `${KEY_LABELS[key] ?? key} of the group of questions “${title || name}”`
  }
  return KEY_LABELS[key] ?? key
}

export interface WelshGap extends TemplateProblem {
  code: 'missing_translation'
  /** Where to fix it: the builder page, with the form open and the first missing field in view. */
  href: string
}

const listParts = (parts: string[]): string =>
  parts.length > 1 ? `${parts.slice(0, -1).join(', ')} and ${parts.at(-1)}` : (parts[0] ?? '')

/**
 * What still lacks Welsh, one line per survey, page or question, in plain English and in the order of the page,
 * each linked to the field that fixes it. Empty when the survey is English only (no `cy` in its locales).
 */
export function missingWelsh(
  definition: SurveyJSON,
  locales: readonly string[],
  surveyId: string,
): WelshGap[] {
  if (!locales.includes('cy')) return []
  const groups = new Map<string, { owner: TextOwner; paths: string[] }>()
  for (const slot of textSlots(definition)) {
    if (!lacksWelsh(slot.value)) continue
    const key = JSON.stringify(slot.owner)
    const group = groups.get(key) ?? { owner: slot.owner, paths: [] }
    group.paths.push(slot.path)
    groups.set(key, group)
  }
  const gaps: WelshGap[] = []
  for (const { owner, paths } of groups.values()) {
    const page =
      owner.kind === 'page'
        ? definition.pages[owner.index]
        : owner.kind === 'question'
          ? definition.pages[owner.pageIndex]
          : undefined
    let element: Record<string, unknown> | undefined
    let who: string
    if (owner.kind === 'survey') who = 'Survey texts'
    else if (owner.kind === 'page') {
      const title = localized(page?.title)
      who = `Page ${owner.index + 1}${title ? ` (“${title}”)` : ''}`
    } else {
      element = findElement(page?.elements, owner.name)
      const title = localized(element?.title as LocalizableString | undefined) || owner.name
      who = `Page ${owner.pageIndex + 1}, question “${title}”`
    }
    const choices = paths.filter((p) => /^choices\[\d+\]\.text$/.test(p))
    const parts = paths
      .filter((p) => !choices.includes(p))
      .map((p) => textLabel(owner, p, owner.kind === 'page' ? page : element))
    if (choices.length === 1) {
      const index = Number(/\d+/.exec(choices[0]!)![0])
      const item = Array.isArray(element?.choices) ? (element.choices as unknown[])[index] : undefined
      const label = isRecord(item)
        ? localized(item.text as LocalizableString | undefined) || String(item.value)
        : String(item)
      parts.push(`label of the answer “${label}”`)
    } else if (choices.length > 1) parts.push(`labels of ${choices.length} answers`)
    const plural = parts.length > 1 || choices.length > 1
    const edit = editParam(owner)
    gaps.push({
      code: 'missing_translation',
      message: `${who}: the Welsh ${listParts(parts)} ${plural ? 'are' : 'is'} missing`,
      ...(owner.kind === 'question' ? { question: owner.name } : {}),
      ...(page ? { page: page.name } : {}),
      href: `/app/surveys/${surveyId}/edit${edit ? `?edit=${encodeURIComponent(edit)}` : ''}#${fieldId(owner, paths[0]!)}`,
    })
  }
  return gaps
}

function findElement(elements: unknown, name: string): Record<string, unknown> | undefined {
  if (!Array.isArray(elements)) return undefined
  for (const e of elements) {
    if (!isRecord(e)) continue
    if (e.type === 'panel') {
      const inner = findElement(e.elements, name)
      if (inner) return inner
    } else if (e.name === name) return e
  }
  return undefined
}

/** Read the text at a path inside a node. */
export function textAt(node: unknown, path: string): unknown {
  let current: unknown = node
  for (const s of pathSegments(path))
    current =
      isRecord(current) || Array.isArray(current)
        ? (current as Record<string | number, unknown>)[s]
        : undefined
  return current
}

/**
 * Write the text at a path inside a node (creating nothing but the final key). A choice or rate value written as
 * a bare value becomes `{ value, text }` so it can carry a label. Returns false when the path does not exist.
 */
export function setTextAt(node: unknown, path: string, text: LocalizableString | undefined): boolean {
  const segments = pathSegments(path)
  const key = segments.pop()
  if (key === undefined) return false
  let parent: unknown = node
  let grandparent: unknown = undefined
  for (const s of segments) {
    grandparent = parent
    parent =
      isRecord(parent) || Array.isArray(parent) ? (parent as Record<string | number, unknown>)[s] : undefined
  }
  if (!isRecord(parent)) {
    const index = segments.at(-1)
    if (key !== 'text' || !Array.isArray(grandparent) || typeof index !== 'number') return false
    if (typeof parent !== 'string' && typeof parent !== 'number') return false
    parent = { value: parent }
    grandparent[index] = parent
  }
  const target = parent as Record<string, unknown>
  if (text === undefined || text === '') delete target[String(key)]
  else target[String(key)] = text
  return true
}

/** The texts of a survey, page or question other than those with a field of their own in the builder. */
export function otherTexts(definition: SurveyJSON, owner: TextOwner): TextSlot[] {
  const own = (p: string) =>
    p === 'title' ||
    p === 'description' ||
    (owner.kind === 'survey' && (p === 'privacyNotice' || p === 'completedHtml')) ||
    (owner.kind === 'question' && /^choices\[\d+\]\.text$/.test(p))
  return textSlots(definition).filter(
    (s) => JSON.stringify(s.owner) === JSON.stringify(owner) && !own(s.path),
  )
}

/** A survey's texts without their Welsh (for switching Welsh off). */
export function stripWelsh<T>(node: T): T {
  const visit = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(visit)
    if (!isRecord(value)) return value
    if (
      typeof value.default === 'string' &&
      Object.keys(value).every((k) => k === 'default' || /^[a-z]{2}$/.test(k))
    ) {
      const rest = Object.entries(value).filter(([k]) => k !== 'cy')
      return rest.length === 1 ? value.default : Object.fromEntries(rest)
    }
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, visit(v)]))
  }
  return visit(node) as T
}
