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
  },
)
