import { bilingual } from './catalogue.ts'

/**
 * Everything the respondent page says (app/components/respondent-form.tsx, app/routes/s.$slug.server.ts), in
 * English and Welsh. Validation messages are in ./validation.ts.
 */
export const respondentText = bilingual(
  'respondent',
  {
    errorTitle: 'There is a problem',
    errorPrefix: 'Error:',
    next: 'Next',
    previous: 'Previous',
    submit: 'Send my answers',
    sending: 'Sending your answers…',
    loadingPage: 'Loading the next part…',
    optional: '(optional)',
    ifApplies: 'Answer this if it applies to you.',
    switchTo: 'Cymraeg',
    choose: 'Choose an answer',
    yes: 'Yes',
    no: 'No',
    pageOf: (i: number, n: number) => `Part ${i} of ${n}`,
    blankRule:
      'Answer the questions that apply to you. We can only send your response once you have answered at least one question.',
    formExpired: 'The form has expired. Reload the page and try again.',
    conflict: 'These answers were already sent with different content. Reload the page to start a new response.',
    invitationRefused:
      'This invitation link has already been used, or is not valid for this survey. Thank you — we only need one response per invitation.',
    save: 'Save and come back later',
    savedTitle: 'Your answers are saved',
    savedBody: (date: string) =>
      `Use this link to come back and finish before ${date}: it works for 7 days after your last save. Keep it private: anyone with it can see these answers.`,
    keptOnDevice: 'Your answers are kept on this device as you type, until you send them.',
    invitationUsed: 'This invitation has already been used',
    invitationUsedBody: 'Thank you: we have your answers from this link, and each invitation accepts one response.',
    invitationUnknown: 'This invitation link is not valid',
    invitationUnknownBody:
      'Check that the whole link was copied. If it still does not work, the survey may have changed; contact us.',
    honeypotLabel: 'Leave this empty',
  },
  {
    errorTitle: 'Mae problem',
    errorPrefix: 'Gwall:',
    next: 'Nesaf',
    previous: 'Blaenorol',
    submit: 'Anfon fy atebion',
    sending: 'Yn anfon eich atebion…',
    loadingPage: "Yn llwytho'r rhan nesaf…",
    optional: '(dewisol)',
    ifApplies: "Atebwch hwn os yw'n berthnasol i chi.",
    switchTo: 'English',
    choose: 'Dewiswch ateb',
    yes: 'Ydw',
    no: 'Nac ydw',
    pageOf: (i: number, n: number) => `Rhan ${i} o ${n}`,
    blankRule:
      "Atebwch y cwestiynau sy'n berthnasol i chi. Dim ond ar ôl i chi ateb o leiaf un cwestiwn y gallwn anfon eich ymateb.",
    formExpired: "Mae'r ffurflen wedi dod i ben. Ail-lwythwch y dudalen a rhowch gynnig arall arni.",
    conflict:
      "Mae'r atebion hyn wedi'u hanfon eisoes gyda chynnwys gwahanol. Ail-lwythwch y dudalen i ddechrau ymateb newydd.",
    invitationRefused:
      "Mae'r ddolen wahoddiad hon wedi'i defnyddio eisoes, neu nid yw'n ddilys ar gyfer yr arolwg hwn. Diolch — dim ond un ymateb sydd ei angen arnom ar gyfer pob gwahoddiad.",
    save: 'Cadw a dod yn ôl yn nes ymlaen',
    savedTitle: "Mae eich atebion wedi'u cadw",
    savedBody: (date: string) =>
      `Defnyddiwch y ddolen hon i ddod yn ôl a gorffen cyn ${date}: mae'n gweithio am 7 diwrnod ar ôl i chi gadw ddiwethaf. Cadwch hi'n breifat: gall unrhyw un sydd â hi weld yr atebion hyn.`,
    keptOnDevice: "Caiff eich atebion eu cadw ar y ddyfais hon wrth i chi deipio, nes i chi eu hanfon.",
    invitationUsed: "Mae'r gwahoddiad hwn wedi'i ddefnyddio eisoes",
    invitationUsedBody: "Diolch: mae eich atebion o'r ddolen hon gennym, ac mae pob gwahoddiad yn derbyn un ymateb.",
    invitationUnknown: "Nid yw'r ddolen wahoddiad hon yn ddilys",
    invitationUnknownBody:
      "Gwiriwch fod y ddolen gyfan wedi'i chopïo. Os nad yw'n gweithio o hyd, efallai fod yr arolwg wedi newid; cysylltwch â ni.",
    honeypotLabel: "Gadewch hwn yn wag",
  },
)
