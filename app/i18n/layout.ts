import { bilingual } from './catalogue.ts'

/** What every respondent page has around its content: the skip link and the language switch (app/root.tsx). */
export const layoutText = bilingual(
  'layout',
  {
    skipLink: 'Skip to main content',
    /** The switch is written in the language it switches to. */
    switchTo: 'Cymraeg',
  },
  {
    skipLink: "Neidio i'r prif gynnwys",
    switchTo: 'English',
  },
)
