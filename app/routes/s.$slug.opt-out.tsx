import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { Form, useActionData, useLoaderData } from '@remix-run/react'
import { GeneralErrorBoundary } from '#app/components/error-boundary.tsx'
import { LanguageSwitch } from '#app/components/language-switch.tsx'
import { emailMessages } from '#app/i18n/email.ts'
import { textParam } from '#app/utils/params.ts'
import { handleOptOut, loadOptOutPage } from './s.$slug.opt-out.server.ts'

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: `${emailMessages[data?.lang ?? 'en'].optOutTitle} – CSE Insight` },
]

export async function loader({ request, params }: LoaderFunctionArgs) {
  return loadOptOutPage(request, textParam(params, 'slug', 'Survey'))
}

export async function action({ request, params }: ActionFunctionArgs) {
  return handleOptOut(request, textParam(params, 'slug', 'Survey'))
}

export default function OptOutPage() {
  const page = useLoaderData<typeof loader>()
  const result = useActionData<typeof action>()
  const lang = result?.lang ?? page.lang
  const m = emailMessages[lang]
  const outcome = result?.outcome ?? (page.invitation ? null : 'unknown')
  return (
    <main id="main" className="container narrow" lang={lang}>
      <LanguageSwitch lang={lang} />
      <h1>{m.optOutTitle}</h1>
      {outcome === 'done' ? (
        <p role="status" data-testid="opt-out-done">
          {m.optOutDone}
        </p>
      ) : outcome === 'unknown' ? (
        <p data-testid="opt-out-unknown">{m.optOutUnknown}</p>
      ) : (
        <Form method="post">
          <p>{m.optOutExplain}</p>
          <input type="hidden" name="invitation" value={page.invitation ?? ''} />
          <input type="hidden" name="lang" value={lang} />
          <button type="submit" className="button">
            {m.optOutButton}
          </button>
        </Form>
      )}
    </main>
  )
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
