import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { useLoaderData } from '@remix-run/react'
import { GeneralErrorBoundary } from '#app/components/error-boundary.tsx'
import { PublicResults } from '#app/components/public-results.tsx'
import { resultsText } from '#app/i18n/results.ts'
import resultsCss from '#app/styles/results.css?url'
import { textParam } from '#app/utils/params.ts'
import { loadResultsPage } from './results.$orgSlug.server.ts'

export const links: LinksFunction = () => [{ rel: 'stylesheet', href: resultsCss }]

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data ? resultsText[data.lang].pageTitle(data.organisationName) : 'Results' },
]

export async function loader({ request, params }: LoaderFunctionArgs) {
  return loadResultsPage(
    request,
    textParam(params, 'orgSlug', 'Results'),
    textParam(params, 'snapshotId', 'Results'),
  )
}

export default function ResultsSnapshotPage() {
  return <PublicResults data={useLoaderData<typeof loader>()} />
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
