import { z } from 'zod'
import { questionNameSchema } from '#templates/metadata.ts'

/*
 * The targets form: one percentage (0–100) per measure of a survey series; empty removes the target. Shared by
 * the page and the action. Targets are stored as proportions (72.5% → 0.725).
 */

export const percentSchema = z
  .string()
  .trim()
  .refine(
    (v) => v === '' || (/^\d{1,3}(\.\d{1,2})?$/.test(v) && Number(v) <= 100),
    'Enter a percentage from 0 to 100, like 75 or 72.5',
  )

export const targetsFormSchema = z.object({
  intent: z.literal('save'),
  surveyId: z.uuid({ message: 'Choose a survey' }),
  targets: z.record(questionNameSchema, percentSchema),
})

/** Form fields `target.<measure>` → the schema's shape. */
export function targetsFormValues(form: Iterable<[string, FormDataEntryValue]>): Record<string, unknown> {
  const out: Record<string, unknown> = { targets: {} }
  for (const [key, value] of form) {
    if (typeof value !== 'string') continue
    if (key.startsWith('target.')) (out.targets as Record<string, string>)[key.slice(7)] = value
    else if (key === 'intent' || key === 'surveyId') out[key] = value
  }
  return out
}

/** A percentage as typed → the stored proportion (null for empty), without binary-fraction noise. */
export function percentToProportion(value: string): number | null {
  const v = value.trim()
  return v === '' ? null : Math.round(Number(v) * 100) / 10_000
}

/** A stored proportion → the percentage shown in the form. */
export function proportionToPercent(value: number): string {
  return String(Math.round(value * 10_000) / 100)
}
