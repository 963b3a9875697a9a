import { SATISFACTION_5, type TemplateMetadataInput } from '../metadata'
import { AGREE_5 } from '../scales'

/** Information quality (CSE 3.2): accurate, complete, easy to understand and in the format needed. */
export const metadata = {
  id: 'information-quality',
  title: 'Information quality',
  description:
    'Whether the information people got was correct, complete, easy to understand and available in a format that works for them (agree/disagree), and overall satisfaction with the information.',
  cseElements: ['3.2', '1.3.3'],
  ratings: {
    info_accurate: { driver: 'info_accuracy', coding: AGREE_5 },
    info_complete: { driver: 'info_completeness', coding: AGREE_5 },
    info_clear: { driver: 'info_clarity', coding: AGREE_5 },
    info_format: { driver: 'info_format', coding: AGREE_5 },
    info_overall: { driver: 'information', coding: SATISFACTION_5 },
  },
  comments: [{ question: 'improve', driver: 'information' }],
  segments: [{ question: 'info_source', label: 'Where the information came from' }],
  locales: ['en', 'cy'],
} satisfies TemplateMetadataInput
