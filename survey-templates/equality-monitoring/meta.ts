import type { TemplateMetadataInput } from '../metadata'

/**
 * Equality monitoring block (GSS harmonised standards, as in GOV.UK's "Equality information" pattern). Every
 * question is optional and offers "Prefer not to say". The answers are special-category data.
 */
export const metadata = {
  id: 'equality-monitoring',
  title: 'Equality monitoring',
  description:
    'Optional questions on age, sex, gender identity, ethnic group, religion, disability and sexual orientation, following the GSS harmonised standards, so results can be checked for every customer group. Every question offers "Prefer not to say". English and Welsh.',
  cseElements: ['1.1.1', '1.1.3', '1.2.3', '1.3.2'],
  ratings: {},
  segments: [
    { question: 'age_band', label: 'Age' },
    { question: 'sex', label: 'Sex' },
    { question: 'long_term_condition', label: 'Long-term health condition' },
  ],
  equalityQuestions: [
    'age_band',
    'sex',
    'gender_identity',
    'gender_identity_text',
    'ethnic_group',
    'religion',
    'long_term_condition',
    'reduced_activity',
    'sexual_orientation',
  ],
  locales: ['en', 'cy'],
} satisfies TemplateMetadataInput

/** The five GSS ethnic-group headings (England and Wales), for reporting when the 19 categories are too small. */
export const ETHNIC_GROUP_HEADINGS = {
  white: 'White',
  mixed: 'Mixed or Multiple ethnic groups',
  asian: 'Asian or Asian British',
  black: 'Black, Black British, Caribbean or African',
  other: 'Other ethnic group',
} as const
export type EthnicGroupHeading = keyof typeof ETHNIC_GROUP_HEADINGS

/** Each of the 19 `ethnic_group` answer codes, with its heading. */
export const ETHNIC_GROUP_CATEGORIES: Readonly<Record<string, EthnicGroupHeading>> = {
  white_british: 'white',
  white_irish: 'white',
  white_gypsy_irish_traveller: 'white',
  white_roma: 'white',
  white_other: 'white',
  mixed_white_black_caribbean: 'mixed',
  mixed_white_black_african: 'mixed',
  mixed_white_asian: 'mixed',
  mixed_other: 'mixed',
  asian_indian: 'asian',
  asian_pakistani: 'asian',
  asian_bangladeshi: 'asian',
  asian_chinese: 'asian',
  asian_other: 'asian',
  black_african: 'black',
  black_caribbean: 'black',
  black_other: 'black',
  other_arab: 'other',
  other_any: 'other',
}

/** Heading of an `ethnic_group` answer, or undefined for "prefer_not_to_say" and unknown codes. */
export function ethnicGroupHeading(code: string): EthnicGroupHeading | undefined {
  return Object.hasOwn(ETHNIC_GROUP_CATEGORIES, code) ? ETHNIC_GROUP_CATEGORIES[code] : undefined
}
