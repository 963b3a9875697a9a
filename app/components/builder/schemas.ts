import { z } from 'zod'
import { driverSchema, questionNameSchema } from '#templates/metadata.ts'

/*
 * One zod schema per builder form, shared by the pages (field names, limits) and their actions (parsing).
 * Every form is a plain POST that works without JavaScript; `intent` says which edit it is.
 */

const text = (max: number) => z.string().trim().max(max, `Keep this under ${max} characters.`)
const requiredText = (what: string, max = 300) =>
  z.string().trim().min(1, `Enter ${what}.`).max(max, `Keep ${what} under ${max} characters.`)
const optionalText = (max: number) => text(max).optional().default('')
const checkbox = z
  .union([z.literal('on'), z.literal('true'), z.literal('')])
  .optional()
  .transform((v) => v === 'on' || v === 'true')

export const slugSchema = z
  .string()
  .trim()
  .regex(
    /^[a-z0-9][a-z0-9-]{2,60}$/,
    'The link name uses 3 to 61 lower-case letters, digits and hyphens, for example "residents-2026".',
  )

export const waveSchema = requiredText('a wave label, for example 2026', 40)

export const newSurveySchema = z.object({
  templateId: requiredText('a template', 80),
  title: requiredText('a title', 200),
  slug: slugSchema,
  wave: waveSchema,
  includeEquality: checkbox,
})

export const nextWaveSchema = z.object({
  intent: z.literal('duplicate'),
  title: requiredText('a title', 200),
  slug: slugSchema,
  wave: waveSchema,
})

export const surveyActionSchema = z.discriminatedUnion('intent', [
  z.object({ intent: z.literal('publish') }),
  z.object({ intent: z.literal('close') }),
  z.object({ intent: z.literal('reopen') }),
  nextWaveSchema,
])

const direction = z.enum(['up', 'down'])
const name = questionNameSchema
const pageName = z.string().trim().min(1).max(80)

export const LOCAL_QUESTION_TYPES = [
  { value: 'rating', label: 'Rating (5-point satisfaction with “Don’t know”)' },
  { value: 'single', label: 'Single choice' },
  { value: 'multiple', label: 'Multiple choice' },
  { value: 'text', label: 'Free text' },
] as const

export const addQuestionSchema = z.object({
  intent: z.literal('add-question'),
  page: pageName,
  type: z.enum(['rating', 'single', 'multiple', 'text'], 'Choose a question type.'),
  name,
  titleEn: requiredText('the question in English'),
  titleCy: optionalText(300),
  choices: optionalText(4000),
  driver: z
    .union([z.literal(''), driverSchema])
    .optional()
    .default(''),
})

export const editQuestionSchema = z.object({
  intent: z.literal('edit-question'),
  name,
  titleEn: requiredText('the question in English'),
  titleCy: optionalText(300),
  descriptionEn: optionalText(1000),
  descriptionCy: optionalText(1000),
})

export const CONDITION_OPERATOR_VALUES = [
  'is',
  'is_not',
  'any_of',
  'includes',
  'excludes',
  'at_least',
  'at_most',
  'answered',
  'not_answered',
] as const

/** A condition's target: a question (`name`) or a page (`page`), never both. */
const conditionTarget = { name: name.optional(), page: pageName.optional() }
const oneTarget = (t: { name?: string; page?: string }) => (t.name === undefined) !== (t.page === undefined)

export const setConditionSchema = z
  .object({
    intent: z.literal('set-condition'),
    ...conditionTarget,
    when: z.string('Choose the earlier question.').trim().pipe(questionNameSchema),
    operator: z.enum(CONDITION_OPERATOR_VALUES, 'Choose how the answer is compared.'),
  })
  .refine(oneTarget, { message: 'Say which question or page the condition is for.', path: ['name'] })

export const builderEditSchema = z.discriminatedUnion('intent', [
  setConditionSchema,
  z
    .object({ intent: z.literal('remove-condition'), ...conditionTarget })
    .refine(oneTarget, { message: 'Say which question or page the condition is for.', path: ['name'] }),
  z.object({ intent: z.literal('set-required'), name, required: z.enum(['on', 'off']) }),
  z.object({ intent: z.literal('languages'), welsh: z.enum(['on', 'off']) }),
  z.object({ intent: z.literal('blocks'), equality: checkbox }),
  addQuestionSchema,
  editQuestionSchema,
  z.object({ intent: z.literal('delete-question'), name }),
  z.object({ intent: z.literal('move-question'), name, direction }),
  z.object({
    intent: z.literal('add-page'),
    titleEn: requiredText('a page title', 200),
    titleCy: optionalText(200),
  }),
  z.object({
    intent: z.literal('edit-page'),
    page: pageName,
    titleEn: requiredText('a page title', 200),
    titleCy: optionalText(200),
    descriptionEn: text(2000).optional(),
    descriptionCy: optionalText(2000),
  }),
  z.object({ intent: z.literal('move-page'), page: pageName, direction }),
  z.object({ intent: z.literal('delete-page'), page: pageName }),
  z.object({ intent: z.literal('segments') }),
  z.object({
    intent: z.literal('add-url-segment'),
    param: name,
    label: requiredText('a label', 100),
    values: requiredText('at least one allowed value', 2000),
  }),
  z.object({ intent: z.literal('remove-url-segment'), param: name }),
  z.object({
    intent: z.literal('texts'),
    titleEn: requiredText('the survey title', 200),
    titleCy: optionalText(200),
    introductionEn: optionalText(2000),
    introductionCy: optionalText(2000),
    privacyEn: optionalText(4000),
    privacyCy: optionalText(4000),
    completionEn: optionalText(4000),
    completionCy: optionalText(4000),
  }),
  z
    .object({
      intent: z.literal('settings'),
      title: requiredText('a title for staff', 200),
      wave: waveSchema,
      retentionDays: z.coerce
        .number('Enter the retention period as a number of days.')
        .int('Enter a whole number of days.')
        .min(30, 'Keep responses for at least 30 days.')
        .max(3650, 'Keep responses for at most 3650 days (10 years).'),
      opensAt: z
        .union([z.literal(''), z.iso.date('Enter the opening date as a date.')])
        .optional()
        .default(''),
      closesAt: z
        .union([z.literal(''), z.iso.date('Enter the closing date as a date.')])
        .optional()
        .default(''),
    })
    .refine((s) => !s.opensAt || !s.closesAt || s.closesAt > s.opensAt, {
      message: 'The closing date must be after the opening date.',
      path: ['closesAt'],
    }),
])
export type BuilderEdit = z.infer<typeof builderEditSchema>

/** The import form: a JSON file or pasted JSON, plus the new survey's link name and wave. */
export const importSchema = z.object({
  json: z
    .string()
    .trim()
    .min(2, 'Paste the exported JSON, or choose a file.')
    .max(2_000_000, 'The JSON is too large (2 MB at most).'),
  title: optionalText(200),
  slug: slugSchema,
  wave: waveSchema,
})

/** The first message of each field, for showing next to the field and in the error summary. */
export function fieldErrors(error: z.ZodError): Record<string, string> {
  const out: Record<string, string> = {}
  for (const issue of error.issues) {
    const key = issue.path.join('.') || 'form'
    out[key] ??= issue.message
  }
  return out
}
