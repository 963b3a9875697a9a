import { Model } from 'survey-core'
import { sanitizePlainText } from '#app/utils/sanitize-html.server.ts'
import type { TemplateMetadata } from '#templates/metadata.ts'
import type { SurveyDescriptor } from './survey-definition.server.ts'
import { hasWelshText } from './survey-labels.server.ts'

/**
 * A plain description of the survey for the server-rendered form, which works without JavaScript and is
 * what screen readers and slow phones get first. Text comes from survey-core in the chosen locale, as plain
 * strings: React escapes them, so authored HTML can never run here.
 */
export interface FormChoice {
  value: string
  text: string
}
export interface FormQuestion {
  name: string
  kind: 'radiogroup' | 'checkbox' | 'dropdown' | 'rating' | 'text' | 'comment' | 'boolean'
  title: string
  description: string
  required: boolean
  conditional: boolean
  choices: FormChoice[]
  inputType: string
  maxLength: number
}
export interface FormPage {
  title: string
  description: string
  questions: FormQuestion[]
}
export interface RespondentForm {
  title: string
  /** the language of `title`: English in another locale when the survey's title has no text in it */
  titleLang: string
  description: string
  pages: FormPage[]
  completedText: string
}

function plain(text: unknown): string {
  // Titles may carry markdown-ish or HTML from authors; the server form shows text only.
  return String(text ?? '')
    .replace(/<[^>]*>/g, '')
    .trim()
}

export function buildRespondentForm(descriptor: SurveyDescriptor, locale: string): RespondentForm {
  const model = new Model(descriptor.definition)
  model.locale = locale === 'en' ? '' : locale
  const pages: FormPage[] = model.pages.map((page) => ({
    title: plain(page.processedTitle || page.title),
    description: plain(page.description),
    questions: page.questions
      .filter((q) => descriptor.questions.has(q.name))
      .map((q) => {
        const d = descriptor.questions.get(q.name)!
        const anyQ = q as unknown as {
          visibleChoices?: Array<{ value: unknown; text: string }>
          visibleRateValues?: Array<{ value: unknown; text: string }>
        }
        const items = d.kind === 'rating' ? (anyQ.visibleRateValues ?? []) : (anyQ.visibleChoices ?? [])
        return {
          name: q.name,
          kind: d.kind,
          title: plain(q.processedTitle || q.title),
          description: plain(q.description),
          required: d.required,
          conditional: d.hasCondition,
          choices:
            d.kind === 'boolean'
              ? [
                  { value: 'true', text: locale === 'cy' ? 'Ydw' : 'Yes' },
                  { value: 'false', text: locale === 'cy' ? 'Nac ydw' : 'No' },
                ]
              : items.map((c) => ({ value: String(c.value), text: plain(c.text) })),
          inputType: d.inputType ?? 'text',
          maxLength: d.maxLength,
        }
      }),
  }))
  return {
    title: plain(model.title),
    // survey-core falls back to the English title when there is no Welsh one: the page marks it as English
    titleLang: locale === 'cy' && !hasWelshText(descriptor.definition.title) ? 'en' : locale,
    description: plain(model.description),
    pages: pages.filter((p) => p.questions.length > 0),
    completedText: plain(model.completedHtml),
  }
}

const built = new Map<string, RespondentForm>()

/** The form of a published version in one language, built once (a survey-core model is slow to build). */
export function cachedRespondentForm(versionId: string, descriptor: SurveyDescriptor, lang: string): RespondentForm {
  const key = `${versionId}:${lang}`
  const hit = built.get(key)
  if (hit) return hit
  if (built.size > 500) built.clear()
  const form = buildRespondentForm(descriptor, lang)
  built.set(key, form)
  return form
}

/** Each question's title as the form shows it, so messages name questions in the form's language. */
export function questionTitles(form: RespondentForm): Map<string, string> {
  return new Map(form.pages.flatMap((p) => p.questions.map((q) => [q.name, q.title] as const)))
}

/** Turn a posted form into answers: one value per radio/select, all values per checkbox, text as typed. */
export function answersFromForm(formData: FormData, descriptor: SurveyDescriptor): Record<string, unknown> {
  const answers: Record<string, unknown> = {}
  for (const q of descriptor.questions.values()) {
    if (q.kind === 'checkbox') {
      const values = formData.getAll(q.name).filter((v): v is string => typeof v === 'string')
      if (values.length > 0) answers[q.name] = values
      continue
    }
    const value = formData.get(q.name)
    if (typeof value !== 'string' || value.trim() === '') continue
    if (q.kind === 'boolean') answers[q.name] = value === 'true'
    else answers[q.name] = q.kind === 'text' || q.kind === 'comment' ? value : value
  }
  return answers
}

/** Segment values carried by the link, kept only when the survey allows that parameter and value. */
export function segmentsFromUrl(url: URL, metadata: TemplateMetadata): Record<string, string> {
  const segments: Record<string, string> = {}
  for (const spec of metadata.urlSegments) {
    const value = url.searchParams.get(spec.param)
    if (value && spec.values.some((v) => v.value === value)) segments[spec.param] = value
  }
  return segments
}

/** A top-level text of the definition (a string, or SurveyJS's `{ default, cy }`) in this language, if set. */
export function definitionText(definition: unknown, key: string, lang: string): string | null {
  const value = (definition as Record<string, unknown> | null)?.[key]
  const text =
    typeof value === 'string'
      ? value
      : value && typeof value === 'object'
        ? ((value as Record<string, unknown>)[lang] ?? (value as Record<string, unknown>).default)
        : null
  return typeof text === 'string' ? text : null
}

/**
 * The completion text the author set (`completedHtml`, in the page's language), as plain paragraphs for the
 * thank-you page: every tag and any script's content are removed (app/utils/sanitize-html.server.ts). Null
 * when the survey sets none, so the page keeps its own wording.
 */
export function completedTextOf(definition: unknown, lang: string): string[] | null {
  const html = definitionText(definition, 'completedHtml', lang)
  if (html === null) return null
  const paragraphs = html
    .split(/<\/(?:p|h[1-6]|li|div)\s*>|<br\s*\/?>/i)
    .map((part) => sanitizePlainText(part).replace(/\s+/g, ' ').trim())
    .filter((part) => part !== '')
  return paragraphs.length > 0 ? paragraphs : null
}
