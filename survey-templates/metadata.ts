import { z } from 'zod'

/**
 * Metadata that travels with every SurveyJS definition: which questions are ratings, which key driver each
 * one measures, how its answers are coded, which questions define customer groups, and which CSE elements
 * the survey evidences. The app, the analysis loader and the importer all read this one schema.
 */

/** Key drivers named by CSE element 1.3.3, plus `overall`. Local drivers use any other snake_case name. */
export const STANDARD_DRIVERS = [
  'overall',
  'delivery',
  'timeliness',
  'information',
  'access',
  'professionalism',
  'staff_attitude',
] as const

export const questionNameSchema = z
  .string()
  .regex(/^[a-z][a-z0-9_]{0,62}$/, 'Question names are lower-case letters, digits and underscores')

export const driverSchema = z
  .string()
  .regex(/^[a-z][a-z0-9_]{0,62}$/, 'Driver names are lower-case letters, digits and underscores')

/** The value stored for "Don't know / not applicable". It is never counted in the valid base. */
export const DONT_KNOW = 'dont_know'

export const scaleCodingSchema = z
  .object({
    /** Numeric answer values that count as satisfied (top-two box on the 5-point scale). */
    satisfied: z.array(z.number()).min(1),
    neither: z.array(z.number()).default([]),
    dissatisfied: z.array(z.number()).min(1),
    /** Answer values outside the base ("don't know", "not applicable"). */
    dontKnow: z.array(z.union([z.string(), z.number()])).default([DONT_KNOW]),
  })
  .superRefine((coding, ctx) => {
    const seen = new Set<number>()
    for (const v of [...coding.satisfied, ...coding.neither, ...coding.dissatisfied]) {
      if (seen.has(v)) ctx.addIssue({ code: 'custom', message: `Scale value ${v} is coded twice` })
      seen.add(v)
    }
  })
export type ScaleCoding = z.infer<typeof scaleCodingSchema>

/** The standard five-point satisfaction scale of the product guide (section 3). */
export const SATISFACTION_5: ScaleCoding = {
  satisfied: [4, 5],
  neither: [3],
  dissatisfied: [1, 2],
  dontKnow: [DONT_KNOW],
}

export const ratingMetadataSchema = z.object({
  driver: driverSchema,
  coding: scaleCodingSchema,
})
export type RatingMetadata = z.infer<typeof ratingMetadataSchema>

export const segmentQuestionSchema = z.object({
  /** Name of a choice question in the definition whose answer defines a customer group. */
  question: questionNameSchema,
  label: z.string().min(1),
})

export const urlSegmentSchema = z.object({
  /** URL parameter, e.g. `channel` in `?channel=phone`. Stored as a segment value on the response. */
  param: questionNameSchema,
  label: z.string().min(1),
  values: z
    .array(z.object({ value: z.string().regex(/^[a-z0-9_-]{1,40}$/), label: z.string().min(1) }))
    .min(1),
})

export const cseElementSchema = z.string().regex(/^\d\.\d(\.\d{1,2})?$/, 'CSE elements look like 1.3.3')

export const templateMetadataSchema = z.object({
  id: z.string().regex(/^[a-z][a-z0-9-]{1,62}$/),
  title: z.string().min(1),
  description: z.string().default(''),
  cseElements: z.array(cseElementSchema).min(1),
  /** Every rating question, keyed by question name. */
  ratings: z.record(questionNameSchema, ratingMetadataSchema),
  /** Free-text questions, optionally tied to a driver so comments can be browsed by driver. */
  comments: z.array(z.object({ question: questionNameSchema, driver: driverSchema.optional() })).default([]),
  segments: z.array(segmentQuestionSchema).default([]),
  urlSegments: z.array(urlSegmentSchema).default([]),
  /** Questions holding special-category (equality) data: optional, never shown for small groups. */
  equalityQuestions: z.array(questionNameSchema).default([]),
  /** Locales the definition carries text for, `en` first. */
  locales: z.array(z.enum(['en', 'cy'])).default(['en']),
  /**
   * Scale questions an analyst chose not to analyse as a driver or as overall satisfaction (the mapping page,
   * docs/decisions/023-surveyjs-import-and-mapping.md): checkTemplate does not ask for their coding.
   */
  notDrivers: z.array(questionNameSchema).default([]),
  /**
   * Where the survey came from when it was not built from our templates: `surveyjs` for a plain SurveyJS
   * definition (as SurveyJS Creator saves it), which cannot be published until a rating measures overall
   * satisfaction.
   */
  importedFrom: z.literal('surveyjs').optional(),
})
export type TemplateMetadata = z.infer<typeof templateMetadataSchema>
export type TemplateMetadataInput = z.input<typeof templateMetadataSchema>
