import { choiceValue, isRecord, listQuestions } from '#templates/definition.ts'
import type { TemplateMetadata } from '#templates/metadata.ts'

/* Display names for questions, segments and their groups, shared by the dashboard, comments and exports. */

/** `long_term_condition` → "Long term condition": a readable fallback when a definition has no title. */
export const label = (name: string): string => {
  const text = name.replace(/_/g, ' ')
  return text.charAt(0).toUpperCase() + text.slice(1)
}

/** The text of a SurveyJS localisable string (plain string or `{ default, cy }`): English unless `lang` is
 * 'cy' and the string has Welsh. */
export function textOf(value: unknown, lang: 'en' | 'cy' = 'en'): string {
  if (typeof value === 'string') return value
  if (isRecord(value)) {
    if (lang === 'cy' && typeof value.cy === 'string' && value.cy.trim() !== '') return value.cy
    const v = value.default ?? value.en
    if (typeof v === 'string') return v
  }
  return ''
}

/** Whether a definition text has its own Welsh (textOf in Welsh falls back to the English when it has not). */
export function hasWelshText(value: unknown): boolean {
  return isRecord(value) && typeof value.cy === 'string' && value.cy.trim() !== ''
}

/** Group labels of each segment: choice texts for segment questions, value labels for URL segments. */
export function groupLabelsOf(
  definition: unknown,
  metadata: TemplateMetadata,
  lang: 'en' | 'cy' = 'en',
): Map<string, Map<string, string>> {
  const out = new Map<string, Map<string, string>>()
  for (const q of listQuestions(definition)) {
    if (!Array.isArray(q.element.choices)) continue
    const m = new Map<string, string>()
    for (const item of q.element.choices) {
      const value = choiceValue(item)
      if (value === undefined) continue
      m.set(String(value), (isRecord(item) ? textOf(item.text, lang) : '') || String(value))
    }
    out.set(q.name, m)
  }
  for (const u of metadata.urlSegments) out.set(u.param, new Map(u.values.map((v) => [v.value, v.label])))
  return out
}
