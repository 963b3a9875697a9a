import { bilingual } from './catalogue.ts'

/**
 * The standard privacy notice on every survey (app/components/privacy-notice.tsx), one sentence a message so
 * a sentence can be added without touching the others.
 */
export const privacyText = bilingual(
  'privacy',
  {
    label: 'Privacy notice',
    heading: 'Your privacy',
    purpose: (organisationName: string) => `${organisationName} uses your answers to improve its services.`,
    noTracking: 'We do not keep your IP address or details of your device with your answers.',
    optional: 'Every question about you is optional.',
    keeping: (months: number) =>
      `We keep answers for about ${months} ${months === 1 ? 'month' : 'months'}, then delete them.`,
    languageCookie:
      'If you choose English or Welsh, a cookie keeps that choice on your device for a year, so these pages stay in your language. It holds nothing else, and it is strictly necessary for that, so we do not ask first.',
  },
  {
    label: 'Hysbysiad preifatrwydd',
    heading: 'Eich preifatrwydd',
    purpose: (organisationName: string) =>
      `Mae ${organisationName} yn defnyddio eich atebion i wella ei wasanaethau.`,
    noTracking: "Nid ydym yn cadw eich cyfeiriad IP na manylion eich dyfais gyda'ch atebion.",
    optional: 'Mae pob cwestiwn amdanoch chi yn ddewisol.',
    // Welsh keeps "mis" singular after a number.
    keeping: (months: number) => `Rydym yn cadw atebion am tua ${months} mis, ac yna'n eu dileu.`,
    languageCookie:
      "Os byddwch yn dewis Cymraeg neu Saesneg, mae cwci yn cadw'r dewis hwnnw ar eich dyfais am flwyddyn, fel bod y tudalennau hyn yn aros yn eich iaith chi. Nid yw'n cadw dim byd arall, ac mae'n gwbl angenrheidiol ar gyfer hynny, felly nid ydym yn gofyn yn gyntaf.",
  },
)
