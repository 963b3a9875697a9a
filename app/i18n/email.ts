import { bilingual } from './catalogue.ts'

/**
 * Invitation and reminder e-mails to the public (app/services/invitation-mail-message.server.ts composes them
 * as plain text and simple escaped HTML), the opt-out page, and the privacy notice's sentence about addresses.
 * Parameters are plain strings, already formatted for the language (dates by `formatClosingDate`).
 */
export const emailMessages = bilingual(
  'email',
  {
    invitationSubject: (organisation: string) => `${organisation} would like your views`,
    reminderSubject: (organisation: string) => `Reminder: ${organisation} would like your views`,
    greeting: 'Hello,',
    invitationBody: (organisation: string) =>
      `${organisation} is asking people who have used its services what they think of them. Your answers help it improve.`,
    reminderBody: (organisation: string) =>
      `${organisation} wrote to you recently to ask for your views. If you have not had a chance to answer yet, there is still time.`,
    linkIntro: 'Your personal link to the survey (it accepts one set of answers):',
    closingDate: (date: string) => `The survey closes on ${date}.`,
    optional: 'Taking part is up to you. If you would rather not, you can ignore this e-mail.',
    optOut: 'To stop any reminders about this survey, open this link:',
    addressUse: (days: string) =>
      `We use your e-mail address only to send you this survey and reminders about it. Once you answer, opt out or the survey closes, and at the latest ${days} days after we first wrote, we delete it.`,
    signOff: 'Thank you,',
    doNotReply: 'This e-mail was sent automatically. Please do not reply to it.',
    privacyAddresses: (days: string) =>
      `If we invited you by e-mail, we keep your address only while we might send you a reminder: we delete it when you answer, when you ask us to stop, when the survey closes, or ${days} days after we first wrote, whichever comes first. Your answers are not linked to your address.`,
    optOutTitle: 'Stop reminders about this survey',
    optOutExplain: 'We will not send you any more e-mails about this survey, and we will delete your e-mail address now.',
    optOutButton: 'Stop reminders',
    optOutDone: 'Done. You will get no more e-mails about this survey, and we have deleted your e-mail address.',
    optOutUnknown: 'This link is not recognised, or it has already been used. You will not get reminders from it.',
  },
  {
    invitationSubject: (organisation: string) => `Hoffai ${organisation} gael eich barn`,
    reminderSubject: (organisation: string) => `Nodyn atgoffa: hoffai ${organisation} gael eich barn`,
    greeting: 'Helo,',
    invitationBody: (organisation: string) =>
      `Mae ${organisation} yn gofyn i bobl sydd wedi defnyddio ei wasanaethau beth yw eu barn amdanynt. Mae eich atebion yn ei helpu i wella.`,
    reminderBody: (organisation: string) =>
      `Ysgrifennodd ${organisation} atoch yn ddiweddar i ofyn am eich barn. Os nad ydych wedi cael cyfle i ateb eto, mae amser o hyd.`,
    linkIntro: 'Eich dolen bersonol i’r arolwg (mae’n derbyn un set o atebion):',
    closingDate: (date: string) => `Mae’r arolwg yn cau ar ${date}.`,
    optional: 'Chi sy’n penderfynu a ydych am gymryd rhan. Os nad ydych am wneud hynny, gallwch anwybyddu’r e-bost hwn.',
    optOut: 'I atal unrhyw negeseuon atgoffa am yr arolwg hwn, agorwch y ddolen hon:',
    addressUse: (days: string) =>
      `Rydym yn defnyddio eich cyfeiriad e-bost dim ond i anfon yr arolwg hwn a negeseuon atgoffa amdano. Pan fyddwch yn ateb, yn dewis peidio â chael rhagor, neu pan fydd yr arolwg yn cau, a ${days} diwrnod ar ôl i ni ysgrifennu gyntaf fan bellaf, byddwn yn ei ddileu.`,
    signOff: 'Diolch,',
    doNotReply: 'Anfonwyd yr e-bost hwn yn awtomatig. Peidiwch ag ymateb iddo.',
    privacyAddresses: (days: string) =>
      `Os gwnaethom eich gwahodd drwy e-bost, dim ond tra gallem anfon nodyn atgoffa atoch y byddwn yn cadw eich cyfeiriad: rydym yn ei ddileu pan fyddwch yn ateb, pan fyddwch yn gofyn i ni stopio, pan fydd yr arolwg yn cau, neu ${days} diwrnod ar ôl i ni ysgrifennu gyntaf, pa un bynnag sy’n dod gyntaf. Nid yw eich atebion yn gysylltiedig â’ch cyfeiriad.`,
    optOutTitle: 'Atal negeseuon atgoffa am yr arolwg hwn',
    optOutExplain: 'Ni fyddwn yn anfon rhagor o negeseuon e-bost atoch am yr arolwg hwn, a byddwn yn dileu eich cyfeiriad e-bost nawr.',
    optOutButton: 'Atal negeseuon atgoffa',
    optOutDone: 'Wedi’i wneud. Ni chewch ragor o negeseuon e-bost am yr arolwg hwn, ac rydym wedi dileu eich cyfeiriad e-bost.',
    optOutUnknown: 'Nid ydym yn adnabod y ddolen hon, neu mae wedi cael ei defnyddio eisoes. Ni chewch negeseuon atgoffa ohoni.',
  },
)

/** A closing date as the language writes it, in UK time: "31 December 2026" / "31 Rhagfyr 2026". */
export function formatClosingDate(date: Date, lang: 'en' | 'cy'): string {
  return date.toLocaleDateString(lang === 'cy' ? 'cy-GB' : 'en-GB', {
    day: 'numeric',
    month: 'long',
    year: 'numeric',
    timeZone: 'Europe/London',
  })
}
