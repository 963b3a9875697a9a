import type { ActionFunctionArgs, HeadersFunction, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { useActionData, useLoaderData, type ShouldRevalidateFunction } from '@remix-run/react'
import { GeneralErrorBoundary } from '#app/components/error-boundary.tsx'
import { RespondentForm } from '#app/components/respondent-form.tsx'
import { handleFormSubmission, loadRespondentPage } from './s.$slug.server.ts'
import { textParam } from '#app/utils/params.ts'

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data ? `${data.form.title} – CSE Insight` : 'Survey' },
]

/** Never cached: the page carries a response key and may carry a resumed draft; 404 and 410 must not stick. */
export const headers: HeadersFunction = ({ errorHeaders }) => ({
  'Cache-Control': errorHeaders?.get('Cache-Control') ?? 'no-store',
})

/**
 * Next, Previous and the visibility check answer with the part to show; the page itself does not reload. The
 * language switch posts to the page's address in the other language, whose loader then gives that language.
 */
export const shouldRevalidate: ShouldRevalidateFunction = ({ formMethod, formData, defaultShouldRevalidate }) =>
  formMethod?.toUpperCase() === 'POST' ? /^lang-/.test(String(formData?.get('intent') ?? '')) : defaultShouldRevalidate

export async function loader({ request, params }: LoaderFunctionArgs) {
  return loadRespondentPage(request, textParam(params, 'slug', 'Survey'))
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  return handleFormSubmission(request, textParam(params, 'slug', 'Survey'), context.clientKey)
}

/**
 * The respondent page is the server-rendered form, one part at a time; JavaScript only enhances it
 * (docs/decisions/019-respondent-page-progressive-enhancement.md). No SurveyJS code reaches this page.
 */
export default function SurveyPage() {
  const data = useLoaderData<typeof loader>()
  const actionData = useActionData<typeof action>()
  const step = actionData && 'view' in actionData ? actionData : data.step
  return (
    <main id="main" className="container narrow" lang={data.lang}>
      <RespondentForm data={data} step={step} />
    </main>
  )
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
