import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { useLoaderData } from '@remix-run/react'
import { GeneralErrorBoundary } from '#app/components/error-boundary.tsx'
import { loadThanksPage } from './s.$slug.thanks.server.ts'
import { textParam } from '#app/utils/params.ts'

export const meta: MetaFunction = () => [{ title: 'Thank you – CSE Insight' }]

export async function loader({ request, params }: LoaderFunctionArgs) {
  return loadThanksPage(request, textParam(params, 'slug', 'Survey'))
}

export default function ThanksPage() {
  const data = useLoaderData<typeof loader>()
  const cy = data.lang === 'cy'
  return (
    <main id="main" className="container narrow" lang={data.lang}>
      <div className="panel-confirm">
        <h1>
          {cy ? 'Diolch, mae eich atebion wedi dod i law' : 'Thank you, your answers have been received'}
        </h1>
        {data.receipt ? (
          <p>
            {cy ? 'Eich cyfeirnod' : 'Your reference'}
            <br />
            <strong className="receipt">{data.receipt}</strong>
          </p>
        ) : null}
      </div>
      <p>
        {cy
          ? 'Rydym yn darllen pob ateb ac yn eu defnyddio i wella ein gwasanaethau.'
          : 'We read every response and use them to improve our services.'}
      </p>
      <p>{cy ? 'Gallwch gau’r dudalen hon nawr.' : 'You can close this page now.'}</p>
    </main>
  )
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
