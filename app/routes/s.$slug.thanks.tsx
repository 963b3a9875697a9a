import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { useLoaderData } from '@remix-run/react'
import { GeneralErrorBoundary } from '#app/components/error-boundary.tsx'
import { LanguageSwitch } from '#app/components/language-switch.tsx'
import { langOf } from '#app/i18n/catalogue.ts'
import { thanksText } from '#app/i18n/thanks.ts'
import { loadThanksPage } from './s.$slug.thanks.server.ts'
import { textParam } from '#app/utils/params.ts'

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: thanksText[langOf(data?.lang)].pageTitle },
]

export async function loader({ request, params }: LoaderFunctionArgs) {
  return loadThanksPage(request, textParam(params, 'slug', 'Survey'))
}

export default function ThanksPage() {
  const data = useLoaderData<typeof loader>()
  const lang = langOf(data.lang)
  const text = thanksText[lang]
  return (
    <main id="main" className="container narrow" lang={lang}>
      <LanguageSwitch lang={lang} />
      <div className="panel-confirm">
        <h1>{text.title}</h1>
        {data.receipt ? (
          <p>
            {text.reference}
            <br />
            <strong className="receipt">{data.receipt}</strong>
          </p>
        ) : null}
      </div>
      {data.completedText ? (
        <div data-testid="completed-text">
          {data.completedText.map((paragraph, i) => (
            <p key={i}>{paragraph}</p>
          ))}
        </div>
      ) : null}
      <p>{text.useOfAnswers}</p>
      <p>{text.closePage}</p>
    </main>
  )
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
