import { SATISFACTION_5, type TemplateMetadataInput } from '../metadata'

/** Core customer satisfaction: overall, the six CSE 1.3.3 drivers, one improvement comment, service and channel. */
export const metadata = {
  id: 'core-satisfaction',
  title: 'Core customer satisfaction',
  description:
    'Overall satisfaction and the six key drivers of CSE element 1.3.3 (delivery, timeliness, information, access, professionalism and staff attitude), one free-text improvement question, and the service and channel used. English and Welsh.',
  cseElements: ['1.1.1', '1.3.2', '1.3.3', '1.3.5'],
  ratings: {
    overall: { driver: 'overall', coding: SATISFACTION_5 },
    delivery: { driver: 'delivery', coding: SATISFACTION_5 },
    timeliness: { driver: 'timeliness', coding: SATISFACTION_5 },
    information: { driver: 'information', coding: SATISFACTION_5 },
    access: { driver: 'access', coding: SATISFACTION_5 },
    professionalism: { driver: 'professionalism', coding: SATISFACTION_5 },
    staff_attitude: { driver: 'staff_attitude', coding: SATISFACTION_5 },
  },
  comments: [{ question: 'improve' }],
  segments: [
    { question: 'service', label: 'Service used' },
    { question: 'channel', label: 'Contact channel' },
  ],
  locales: ['en', 'cy'],
} satisfies TemplateMetadataInput
