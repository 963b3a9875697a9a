/**
 * The one message catalogue for everything a respondent or invitee reads, in English and Welsh.
 *
 * Why a typed catalogue of our own rather than i18next (docs/decisions/018-message-catalogue.md): the
 * respondent page must stay small (at most 150 KB gzip of JavaScript), the server renders every string, and
 * TypeScript can prove at build time that every English message has a Welsh one with the same parameters.
 *
 * Each area of the product keeps its messages in its own file here (`respondent.ts`, `errors.ts`, `email.ts`
 * and so on), made with `bilingual(en, cy)`; `tests/unit/message-catalogue.test.ts` checks every one.
 */

export const LANGUAGES = ['en', 'cy'] as const
export type Lang = (typeof LANGUAGES)[number]

/** Anything that is not exactly 'cy' is English: the default for every respondent page. */
export function langOf(value: unknown): Lang {
  return value === 'cy' ? 'cy' : 'en'
}

/** The other language, for the language switch. */
export function otherLang(lang: Lang): Lang {
  return lang === 'cy' ? 'en' : 'cy'
}

/** A message is a string, or a function of its parameters that returns one. */
export type Message = string | ((...args: never[]) => string)
export type Messages = Record<string, Message>

/** Widen literal strings so the Welsh side need only have the same keys and parameter types. */
type Shape<E extends Messages> = { [K in keyof E]: E[K] extends string ? string : E[K] }

/** Every catalogue, registered by `bilingual`, so one test can check them all (no empty or missing Welsh). */
const registry = new Map<string, Record<Lang, Messages>>()

/**
 * One area's messages in both languages. The Welsh object must have exactly the English keys, with the
 * same parameter types: a missing Welsh message is a type error, not a runtime surprise.
 *
 * @example
 * const text = bilingual('thanks', { title: 'Thank you' }, { title: 'Diolch' })
 * text.cy.title // 'Diolch'
 */
export function bilingual<E extends Messages>(area: string, en: E, cy: Shape<E>): Record<Lang, Shape<E>> {
  if (registry.has(area)) throw new Error(`bilingual: the area "${area}" is defined twice`)
  const both = { en: en as Shape<E>, cy }
  registry.set(area, both as Record<Lang, Messages>)
  return both
}

/** Every registered area (for tests); areas register when their module is imported. */
export function registeredCatalogues(): ReadonlyMap<string, Record<Lang, Messages>> {
  return registry
}
