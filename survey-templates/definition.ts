/**
 * Types and walkers for the SurveyJS JSON definitions the templates are written in. The walkers read the JSON
 * directly (no survey-core Model needed), so they run on the server, in the builder and in tests alike, and they
 * descend into panels.
 */

/** A SurveyJS localizable string: plain text, or one text per locale with `default` holding English. */
export type LocalizableString = string | { default: string; [locale: string]: string }

export interface ChoiceJSON {
  value: string | number
  text?: LocalizableString
  [key: string]: unknown
}
/** SurveyJS accepts a bare value as shorthand for `{ value }`. */
export type ChoiceItem = ChoiceJSON | string | number

export interface ElementJSON {
  type: string
  name: string
  title?: LocalizableString
  description?: LocalizableString
  choices?: ChoiceItem[]
  /** Panels only. */
  elements?: ElementJSON[]
  visibleIf?: string
  isRequired?: boolean
  [key: string]: unknown
}

export interface PageJSON {
  name: string
  title?: LocalizableString
  description?: LocalizableString
  elements?: ElementJSON[]
  [key: string]: unknown
}

export interface SurveyJSON {
  title?: LocalizableString
  description?: LocalizableString
  pages: PageJSON[]
  [key: string]: unknown
}

/** Question types the server-rendered, no-JavaScript form supports. Panels are containers, not questions. */
export const SUPPORTED_QUESTION_TYPES = [
  'rating',
  'radiogroup',
  'checkbox',
  'dropdown',
  'text',
  'comment',
] as const
export type SupportedQuestionType = (typeof SUPPORTED_QUESTION_TYPES)[number]

/** Types that can carry a scale coding (one answer, from a list of values). */
export const SCALE_QUESTION_TYPES: readonly string[] = ['radiogroup', 'dropdown', 'rating']
/** Types whose answer can define a customer group (exactly one value per respondent). */
export const SINGLE_CHOICE_TYPES: readonly string[] = ['radiogroup', 'dropdown']
export const CHOICE_TYPES: readonly string[] = ['radiogroup', 'dropdown', 'checkbox']
export const FREE_TEXT_TYPES: readonly string[] = ['text', 'comment']

/** The value SurveyJS stores for its built-in extra items, when switched on. */
const BUILT_IN_ITEMS: ReadonlyArray<readonly [flag: string, value: string]> = [
  ['showNoneItem', 'none'],
  ['showOtherItem', 'other'],
  ['showRefuseItem', 'refused'],
  ['showDontKnowItem', 'dontknow'],
]

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** A question found in a definition, with where it sits. */
export interface QuestionRef {
  name: string
  type: string
  element: ElementJSON
  /** Name of the page it is on (or `#3` for an unnamed page). */
  page: string
  /** Names of the panels around it, outermost first. */
  panels: string[]
}

/**
 * Every question of a definition in page order, descending into panels. Tolerates malformed input (it is used to
 * validate imports): anything that is not an object with a string `type` is skipped.
 */
export function listQuestions(definition: unknown): QuestionRef[] {
  const out: QuestionRef[] = []
  if (!isRecord(definition) || !Array.isArray(definition.pages)) return out
  definition.pages.forEach((page: unknown, index) => {
    if (!isRecord(page)) return
    const pageName = typeof page.name === 'string' && page.name ? page.name : `#${index + 1}`
    walkElements(page.elements, pageName, [], out)
  })
  return out
}

function walkElements(elements: unknown, page: string, panels: string[], out: QuestionRef[]): void {
  if (!Array.isArray(elements)) return
  for (const element of elements) {
    if (!isRecord(element) || typeof element.type !== 'string') continue
    const name = typeof element.name === 'string' ? element.name : ''
    if (element.type === 'panel') {
      walkElements(element.elements, page, [...panels, name], out)
    } else {
      out.push({ name, type: element.type, element: element as ElementJSON, page, panels })
    }
  }
}

/** The value of a choice item, whether written as `{ value, text }` or as a bare value. */
export function choiceValue(item: unknown): string | number | undefined {
  if (typeof item === 'string' || typeof item === 'number') return item
  if (isRecord(item) && (typeof item.value === 'string' || typeof item.value === 'number')) return item.value
  return undefined
}

/**
 * Every answer value a choice or rating question can store, in order: its choices (or, for `rating`, its
 * `rateValues` or the `rateMin`..`rateMax` range) followed by any built-in extra items that are switched on.
 */
export function answerValues(element: ElementJSON): Array<string | number> {
  const values: Array<string | number> = []
  if (element.type === 'rating') {
    const rateValues = element.rateValues
    if (Array.isArray(rateValues) && rateValues.length > 0) {
      for (const item of rateValues) {
        const v = choiceValue(item)
        if (v !== undefined) values.push(v)
      }
    } else {
      const min = typeof element.rateMin === 'number' ? element.rateMin : 1
      const max = typeof element.rateMax === 'number' ? element.rateMax : 5
      const step = typeof element.rateStep === 'number' && element.rateStep > 0 ? element.rateStep : 1
      for (let v = min; v <= max && values.length < 1000; v += step) values.push(v)
    }
  } else if (Array.isArray(element.choices)) {
    for (const item of element.choices) {
      const v = choiceValue(item)
      if (v !== undefined) values.push(v)
    }
  }
  for (const [flag, value] of BUILT_IN_ITEMS) if (element[flag] === true) values.push(value)
  return values
}

/** Text of a localizable string in one locale, falling back to English (`default`). */
export function localized(text: LocalizableString | undefined, locale = 'en'): string {
  if (text === undefined) return ''
  if (typeof text === 'string') return text
  if (locale !== 'en' && locale !== 'default') {
    const t = text[locale]
    if (typeof t === 'string' && t !== '') return t
  }
  return text.default
}

/** Properties that SurveyJS treats as localizable text (the ones our templates and builder use). */
export const LOCALIZABLE_KEYS: ReadonlySet<string> = new Set([
  'title',
  'description',
  'text',
  'placeholder',
  'completedHtml',
  'completedBeforeHtml',
  'loadingHtml',
  'requiredErrorText',
  'otherText',
  'otherPlaceholder',
  'noneText',
  'refuseText',
  'dontKnowText',
  'minRateDescription',
  'maxRateDescription',
  'startSurveyText',
  'pagePrevText',
  'pageNextText',
  'completeText',
  'labelTrue',
  'labelFalse',
])

/** One piece of display text found in a definition. */
export interface TextRef {
  /** JSON path, e.g. `pages[1].elements[0].choices[2].text`. */
  path: string
  value: unknown
}

/**
 * Every piece of display text in a definition: each localizable property, each choice's text (a choice written
 * without text shows its value, so it is reported too, as `undefined`), and every `{ default: ... }` object.
 */
export function listTexts(definition: unknown): TextRef[] {
  const out: TextRef[] = []
  const visit = (node: unknown, path: string, key: string | undefined): void => {
    if (Array.isArray(node)) {
      node.forEach((child, i) => {
        if (key === 'choices' || key === 'rateValues') {
          const choicePath = `${path}[${i}].text`
          if (isRecord(child)) {
            out.push({ path: choicePath, value: child.text })
            for (const [k, v] of Object.entries(child)) if (k !== 'text') visit(v, `${path}[${i}].${k}`, k)
          } else {
            out.push({ path: choicePath, value: undefined })
          }
        } else {
          visit(child, `${path}[${i}]`, undefined)
        }
      })
      return
    }
    if (!isRecord(node)) {
      if (key !== undefined && LOCALIZABLE_KEYS.has(key) && typeof node === 'string')
        out.push({ path, value: node })
      return
    }
    if (key !== undefined && (LOCALIZABLE_KEYS.has(key) || typeof node.default === 'string')) {
      out.push({ path, value: node })
      return
    }
    for (const [k, v] of Object.entries(node)) visit(v, path ? `${path}.${k}` : k, k)
  }
  visit(definition, '', undefined)
  return out
}

/** True when a localizable value carries non-empty text for the locale. */
export function hasLocale(value: unknown, locale: string): boolean {
  if (!isRecord(value)) return false
  const t = value[locale]
  return typeof t === 'string' && t.trim() !== ''
}
