import { SATISFACTION_5, type TemplateMetadataInput } from '../metadata'

/** After a contact: reason, channel, first-contact resolution and first response time, then the drivers and overall. */
export const metadata = {
  id: 'after-contact',
  title: 'After a contact',
  description:
    'A short transactional survey sent after a contact: why the person got in touch, the channel, whether it was sorted out at the first contact, how long the first reply took, then overall satisfaction and the six key drivers.',
  cseElements: ['1.3.3', '4.2.2', '5.2.2', '5.2.5', '5.3.2'],
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
    { question: 'reason_for_contact', label: 'Reason for contact' },
    { question: 'channel', label: 'Contact channel' },
    { question: 'resolved_first_contact', label: 'Sorted out at first contact' },
    { question: 'first_response_time', label: 'Time to first reply' },
  ],
  locales: ['en', 'cy'],
} satisfies TemplateMetadataInput
