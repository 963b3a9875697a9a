import { data, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node'
import { Links, Meta, Outlet, Scripts, ScrollRestoration, type ShouldRevalidateFunction } from '@remix-run/react'
import type { ReactNode } from 'react'
import { z } from 'zod'
import { GeneralErrorBoundary } from './components/error-boundary.tsx'
import { BILINGUAL, useRespondentLang } from './components/language-switch.tsx'
import { preferredLang, rememberLangFromUrl } from './services/respondent-lang.server.ts'
import { layoutText } from './i18n/layout.ts'
import { useNonce } from './utils/nonce-provider.ts'
import appStylesHref from './styles/app.css?url'

// zod 4 probes for eval with `new Function('')` when a schema is built, to compile faster parsers. The CSP
// forbids eval, so the probe only produces a CSP violation report. The root module is evaluated before any
// other route module, so configuring it here covers every schema in the browser.
z.config({ jitless: true })

export const links: LinksFunction = () => [
  { rel: 'stylesheet', href: appStylesHref },
  // No favicon file to fetch: an empty data URL stops browsers asking for /favicon.ico on every page.
  { rel: 'icon', href: 'data:,' },
]

export const meta: MetaFunction = () => [{ title: 'CSE Insight' }]

/**
 * The language a respondent chose (address, cookie, Accept-Language): the error pages of public pages, which
 * have no data of their own, speak it (app/components/language-switch.tsx useRespondentLang). A language
 * chosen in the address of a public page (the switch, a Welsh invitation link) is remembered in a cookie;
 * Remix passes a loader's Set-Cookie on, error pages included.
 */
export async function loader({ request }: LoaderFunctionArgs) {
  const publicPage = BILINGUAL.test(new URL(request.url).pathname)
  return data({ preferredLang: preferredLang(request) }, { headers: publicPage ? rememberLangFromUrl(request) : undefined })
}

/** Only public pages use it; a post (Next, Previous) never needs it again, except the language switch. */
export const shouldRevalidate: ShouldRevalidateFunction = ({ nextUrl, formMethod, formData, defaultShouldRevalidate }) => {
  if (!BILINGUAL.test(nextUrl.pathname)) return false
  if (formMethod && formMethod.toUpperCase() !== 'GET') return /^lang-/.test(String(formData?.get('intent') ?? ''))
  return defaultShouldRevalidate
}

export function Layout({ children }: { children: ReactNode }) {
  const nonce = useNonce()
  // Public bilingual pages (and their error pages) are in the language asked for; staff pages are in English.
  const lang = useRespondentLang() ?? 'en'
  return (
    <html lang={lang}>
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <Meta />
        <Links />
      </head>
      <body>
        <a href="#main" className="skip-link">
          {layoutText[lang].skipLink}
        </a>
        {children}
        <ScrollRestoration nonce={nonce} />
        <Scripts nonce={nonce} />
      </body>
    </html>
  )
}

export default function App() {
  return <Outlet />
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
