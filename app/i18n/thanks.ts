import { bilingual } from './catalogue.ts'

/** The page a respondent sees after sending their answers (app/routes/s.$slug.thanks.tsx). */
export const thanksText = bilingual(
  'thanks',
  {
    pageTitle: 'Thank you – CSE Insight',
    title: 'Thank you, your answers have been received',
    reference: 'Your reference',
    useOfAnswers: 'We read every response and use them to improve our services.',
    closePage: 'You can close this page now.',
  },
  {
    pageTitle: 'Diolch – CSE Insight',
    title: 'Diolch, mae eich atebion wedi dod i law',
    reference: 'Eich cyfeirnod',
    useOfAnswers: 'Rydym yn darllen pob ateb ac yn eu defnyddio i wella ein gwasanaethau.',
    closePage: "Gallwch gau'r dudalen hon nawr.",
  },
)
