import { z } from 'zod'

/*
 * The forms of /app/surveys/:surveyId/themes and the per-comment form of the comments page (issue 14, item 3).
 * Which themes and comments exist is checked by the server against the database (db/queries/themes.ts).
 */

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
const QUESTION = /^[a-z][a-z0-9_]{0,62}$/
export const MAX_KEYWORDS = 20
export const MAX_BULK = 200

const uuid = (message: string) => z.string().regex(UUID, message)

/** Keywords typed as a list separated by commas or new lines: trimmed, blank ones dropped, duplicates removed. */
const keywords = z
  .preprocess((v) => (typeof v === 'string' ? v : ''), z.string().max(2000, 'Use at most 2,000 characters'))
  .transform((v) => [...new Set(v.split(/[,\n]/).map((k) => k.trim().replace(/\s+/g, ' ')).filter((k) => k !== ''))])
  .refine((v) => v.length <= MAX_KEYWORDS, `Use at most ${MAX_KEYWORDS} keywords`)
  .refine((v) => v.every((k) => k.length <= 60), 'Keep each keyword under 60 characters')

const name = z.string().trim().min(1, 'Name the theme').max(100, 'Use at most 100 characters')

/** A comment as a form value: `<response id>|<question name>`. */
export const commentRef = z
  .string()
  .refine((v) => {
    const [id, question, ...rest] = v.split('|')
    return rest.length === 0 && UUID.test(id ?? '') && QUESTION.test(question ?? '')
  }, 'Not a comment')
  .transform((v) => {
    const [responseId, question] = v.split('|') as [string, string]
    return { responseId, question }
  })

export const themeFormSchema = z.discriminatedUnion('intent', [
  z.object({ intent: z.literal('create'), name, keywords }),
  z.object({ intent: z.literal('update'), themeId: uuid('Which theme?'), name, keywords }),
  z.object({ intent: z.literal('delete'), themeId: uuid('Which theme?') }),
  z.object({
    intent: z.literal('code'),
    themeId: uuid('Which theme?'),
    comment: z.array(commentRef).min(1, 'Choose at least one comment').max(MAX_BULK, `Choose at most ${MAX_BULK} comments at once`),
  }),
])

/** The comments page's per-comment form: the comment and the themes it carries (none = uncoded). */
export const commentThemesFormSchema = z.object({
  intent: z.literal('set-themes'),
  comment: commentRef,
  theme: z.array(uuid('Not a theme')).max(100, 'Too many themes'),
})

/** Form data as an object of strings, with repeated fields (`comment`, `theme`) as arrays. */
export function formObject(form: FormData, arrays: ReadonlyArray<string>): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {}
  for (const key of new Set(form.keys())) {
    const values = form.getAll(key).filter((v): v is string => typeof v === 'string')
    out[key] = arrays.includes(key) ? values : (values[0] ?? '')
  }
  for (const key of arrays) out[key] ??= []
  return out
}
