import { z } from 'zod'

/* The publish form of /app/surveys/:surveyId/results: a wave, or a period of dates (inclusive). */
const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'Enter a date').refine((v) => !Number.isNaN(Date.parse(v)), 'Enter a real date')

export const publishFormSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('wave'), wave: z.string().trim().min(1, 'Choose a wave').max(50) }),
  z
    .object({ kind: z.literal('period'), from: isoDate, to: isoDate })
    .refine((v) => v.from <= v.to, { message: 'The end date must be on or after the start date', path: ['to'] }),
])
