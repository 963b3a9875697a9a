import type { LinksFunction, MetaFunction } from '@remix-run/node'
import { Links, Meta, Outlet, Scripts, ScrollRestoration } from '@remix-run/react'
import type { ReactNode } from 'react'
import { z } from 'zod'
import { GeneralErrorBoundary } from './components/error-boundary.tsx'
import { useRespondentLang } from './components/language-switch.tsx'
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
