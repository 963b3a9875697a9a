import { SATISFACTION_5, type TemplateMetadataInput } from '../metadata'
import { EASE_5 } from '../scales'

/** Digital service and access (CSE 3.3): finding things, completing online, and the other ways in. */
export const metadata = {
  id: 'digital-access',
  title: 'Digital service and access',
  description:
    'For people who used the website: how easy it was to find what they needed and to finish the task online, whether they could do it all online, and satisfaction with the other ways to get help.',
  cseElements: ['3.3', '1.3.3'],
  ratings: {
    find_ease: { driver: 'access', coding: EASE_5 },
    online_ease: { driver: 'digital_completion', coding: EASE_5 },
    other_channels: { driver: 'alternative_access', coding: SATISFACTION_5 },
    overall_online: { driver: 'overall', coding: SATISFACTION_5 },
  },
  comments: [{ question: 'improve', driver: 'access' }],
  segments: [
    { question: 'device', label: 'Device used' },
    { question: 'completed_online', label: 'Could do it all online' },
  ],
  locales: ['en', 'cy'],
} satisfies TemplateMetadataInput
