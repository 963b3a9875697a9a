import sanitize from 'sanitize-html'
import { isRecord, LOCALIZABLE_KEYS } from '#templates/definition.ts'

/*
 * Authored text is untrusted: an analyst may paste HTML, and an imported definition may come from anywhere.
 * SurveyJS renders `completedHtml` and `html` questions as raw HTML without sanitising them, so every definition
 * is cleaned twice: when the builder saves it and when the respondent page loads it (docs/decisions/001).
 */

/** The only markup an author may use where HTML is rendered (completion text, html questions). */
const HTML_OPTIONS: sanitize.IOptions = {
  allowedTags: ['p', 'br', 'strong', 'em', 'ul', 'ol', 'li', 'a', 'h2', 'h3', 'h4'],
  allowedAttributes: { a: ['href'] },
  allowedSchemes: ['http', 'https', 'mailto'],
  allowedSchemesAppliedToAttributes: ['href'],
  allowProtocolRelative: false,
  disallowedTagsMode: 'discard',
  // Drop the content of these, not just the tags: a script's source is never meant to be shown as text.
  nonTextTags: [
    'script',
    'style',
    'textarea',
    'option',
    'noscript',
    'iframe',
    'object',
    'embed',
    'svg',
    'math',
    'template',
  ],
  enforceHtmlBoundary: false,
}

const TEXT_OPTIONS: sanitize.IOptions = { ...HTML_OPTIONS, allowedTags: [], allowedAttributes: {} }

/** Authored HTML reduced to the allow-list: p, br, strong, em, ul, ol, li, h2–h4 and http(s)/mailto links. */
export function sanitizeAuthoredHtml(html: string): string {
  return sanitize(html, HTML_OPTIONS).trim()
}

/**
 * Text shown as text (titles, descriptions, choice labels): every tag is removed. The result is decoded back to
 * characters because SurveyJS and React render these strings as text nodes, where `&amp;` would show literally.
 * Decoding can turn `&lt;img …&gt;` into something that parses as a tag, so the stripping repeats until nothing
 * changes: the stored text never holds markup, whoever renders it later.
 */
export function sanitizePlainText(text: string): string {
  let current = text
  for (let pass = 0; pass < 5; pass++) {
    const next = sanitize(current, TEXT_OPTIONS)
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&quot;/g, '"')
      .replace(/&#39;/g, "'")
      .replace(/&amp;/g, '&')
      .trim()
    if (next === current) return next
    current = next
  }
  // Still changing after five passes: nested encodings meant to slip through. Keep no angle brackets at all.
  return current.replace(/[<>]/g, '')
}

/** Properties SurveyJS renders as HTML. */
export const HTML_KEYS: ReadonlySet<string> = new Set([
  'completedHtml',
  'completedBeforeHtml',
  'loadingHtml',
  'html',
])

/** Properties that make the browser navigate or load a URL: kept only for plain web addresses. */
const URL_KEYS: ReadonlySet<string> = new Set(['navigateToUrl', 'logo', 'imageLink'])
/** Properties that are removed outright: they evaluate a URL from an expression, which cannot be checked. */
const DROPPED_KEYS: ReadonlySet<string> = new Set(['navigateToUrlOnCondition'])

function cleanString(value: string, html: boolean): string {
  return html ? sanitizeAuthoredHtml(value) : sanitizePlainText(value)
}

function cleanLocalizable(value: unknown, html: boolean): unknown {
  if (typeof value === 'string') return cleanString(value, html)
  if (isRecord(value)) {
    const out: Record<string, unknown> = {}
    for (const [locale, text] of Object.entries(value))
      out[locale] = typeof text === 'string' ? cleanString(text, html) : text
    return out
  }
  return value
}

const isWebUrl = (value: unknown): boolean => typeof value === 'string' && /^https?:\/\//i.test(value.trim())

/**
 * A deep copy of a SurveyJS definition with every authored string cleaned: HTML properties through the
 * allow-list, display text (titles, descriptions, choice labels, `privacyNotice`) reduced to text, and URL
 * properties kept only when they are http(s). Anything else (names, values, expressions) is copied unchanged.
 */
export function sanitizeDefinition<T>(definition: T): T {
  const visit = (node: unknown, key: string | undefined): unknown => {
    // Choices written as `{ value, text }` reach the `text` key below; bare values stay as they are.
    if (Array.isArray(node)) return node.map((child) => visit(child, undefined))
    if (key !== undefined && HTML_KEYS.has(key)) return cleanLocalizable(node, true)
    if (key !== undefined && (LOCALIZABLE_KEYS.has(key) || key === 'privacyNotice'))
      return cleanLocalizable(node, false)
    if (!isRecord(node)) return node
    const out: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(node)) {
      if (DROPPED_KEYS.has(k)) continue
      if (URL_KEYS.has(k)) {
        if (isWebUrl(v)) out[k] = v
        continue
      }
      out[k] = visit(v, k)
    }
    return out
  }
  return visit(definition, undefined) as T
}
