import { SATISFACTION_5, type TemplateMetadataInput } from '../metadata'
import { AGREE_5 } from '../scales'

/** Complaint outcome (CSE 4.3): ease of complaining, being kept informed, the outcome and the handling. */
export const metadata = {
  id: 'complaint-outcome',
  title: 'Complaint outcome',
  description:
    'For people whose complaint has been closed: whether it was easy to complain and they were kept up to date (agree/disagree), and satisfaction with the outcome and with how the complaint was handled overall.',
  cseElements: ['4.3', '4.3.6'],
  ratings: {
    complaint_easy: { driver: 'access', coding: AGREE_5 },
    complaint_kept_informed: { driver: 'information', coding: AGREE_5 },
    complaint_outcome: { driver: 'delivery', coding: SATISFACTION_5 },
    complaint_handling: { driver: 'overall', coding: SATISFACTION_5 },
  },
  comments: [{ question: 'improve' }],
  segments: [{ question: 'channel', label: 'How the complaint was made' }],
  locales: ['en', 'cy'],
} satisfies TemplateMetadataInput
