import { useLocation, useMatches } from '@remix-run/react'
import { langOf, otherLang, type Lang } from '#app/i18n/catalogue.ts'
import { layoutText } from '#app/i18n/layout.ts'

/** Public pages in English and Welsh: the respondent's (/s/…) and the published results (/results/…). */
export const BILINGUAL = /^\/(s|results)\//

/**
 * The language of a public bilingual page (BILINGUAL), or null on staff pages. The page's loader decides it
 * when it ran (the survey may take it from a saved draft) and returns it as `lang`; on an error page, where no
 * loader data exists, the ?lang= asked for decides, else the language the respondent chose before (a cookie)
 * or their browser asks for, which the root loader reads (app/services/respondent-lang.server.ts).
 */
export function useRespondentLang(): Lang | null {
  const location = useLocation()
  const matches = useMatches()
  if (!BILINGUAL.test(location.pathname)) return null
  const declared = matches
    .map((m) => (m.data as { lang?: unknown } | null | undefined)?.lang)
    .findLast((lang) => typeof lang === 'string')
  const remembered = (matches.find((m) => m.id === 'root')?.data as { preferredLang?: unknown } | undefined)?.preferredLang
  return langOf(declared ?? new URLSearchParams(location.search).get('lang') ?? remembered)
}

/** A link to the same page in the other language, written in that language; works without JavaScript. */
export function LanguageSwitch({ lang }: { lang: Lang }) {
  const location = useLocation()
  const other = otherLang(lang)
  const params = new URLSearchParams(location.search)
  params.set('lang', other)
  return (
    <p className="language-switch">
      <a href={`${location.pathname}?${params.toString()}`} lang={other} hrefLang={other}>
        {layoutText[lang].switchTo}
      </a>
    </p>
  )
}
