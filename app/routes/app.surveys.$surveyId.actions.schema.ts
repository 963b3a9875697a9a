import { z } from 'zod'

/*
 * The action form of /app/surveys/:surveyId/actions ("You said, we did", issue 14 item 2). `finding` encodes the
 * kind and the finding: 'measure|<rating>', 'driver|<rating>', 'group|<segment>|<value>' or 'theme|<theme id>' (a
 * theme of the survey's coding frame, db/queries/themes.ts). Which measures, drivers, groups and themes exist is
 * checked by the server against the report and the frame.
 */
const optionalText = (max: number) =>
  z
    .preprocess((v) => (typeof v === 'string' ? v.trim() : ''), z.string().max(max, `Use at most ${max} characters`))
    .transform((v) => (v === '' ? null : v))

export const actionFormSchema = z
  .object({
    intent: z.enum(['create', 'update']),
    actionId: z.string().optional(),
    title: z.string().trim().min(1, 'Say what the action is').max(200, 'Use at most 200 characters'),
    finding: z.string().regex(/^(measure|driver)\|[a-z][a-z0-9_]{0,62}$|^group\|[a-z][a-z0-9_]{0,62}\|.{0,100}$|^theme\|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/, 'Choose the finding'),
    measure: optionalText(63),
    owner: z.string().trim().min(1, 'Say who owns the action').max(120, 'Use at most 120 characters'),
    dueDate: z
      .preprocess((v) => (typeof v === 'string' ? v.trim() : ''), z.string())
      .refine((v) => v === '' || (/^\d{4}-\d{2}-\d{2}$/.test(v) && !Number.isNaN(Date.parse(v))), 'Enter a real date')
      .transform((v) => (v === '' ? null : v)),
    status: z.enum(['planned', 'in_progress', 'completed', 'dropped'], { message: 'Choose a status' }),
    publicWording: z.string().trim().max(1000, 'Use at most 1,000 characters').default(''),
    publicWordingCy: z.string().trim().max(1000, 'Use at most 1,000 characters').default(''),
    showPublicly: z
      .string()
      .optional()
      .transform((v) => v === 'on' || v === '1'),
    waveBefore: optionalText(50),
    waveAfter: optionalText(50),
  })
  .superRefine((v, ctx) => {
    if (v.showPublicly && v.publicWording === '')
      ctx.addIssue({ code: 'custom', path: ['publicWording'], message: 'Write the public wording before showing it publicly' })
    if (v.waveBefore !== null && v.waveBefore === v.waveAfter)
      ctx.addIssue({ code: 'custom', path: ['waveAfter'], message: 'Choose two different waves' })
    if (v.intent === 'update' && !v.actionId) ctx.addIssue({ code: 'custom', path: ['form'], message: 'Which action?' })
  })

export type ActionForm = z.output<typeof actionFormSchema>

/** The stored finding of a form: kind and value ('segment=value' for a group, the theme's id for a theme). */
export function findingOf(form: ActionForm): { findingKind: 'measure' | 'group' | 'driver' | 'theme'; finding: string } {
  const [kind, ...rest] = form.finding.split('|') as [string, ...string[]]
  if (kind === 'theme') return { findingKind: 'theme', finding: rest[0]!.toLowerCase() }
  if (kind === 'group') return { findingKind: 'group', finding: `${rest[0]}=${rest.slice(1).join('|')}` }
  return { findingKind: kind as 'measure' | 'driver', finding: rest[0]! }
}
