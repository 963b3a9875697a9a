import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { Link, useLoaderData } from '@remix-run/react'
import { GeneralErrorBoundary } from '#app/components/error-boundary.tsx'
import { formatPercent } from '#app/utils/misc.ts'
import { loadSurveyList } from './app._index.server.ts'

export const meta: MetaFunction = () => [{ title: 'Surveys – CSE Insight' }]

export async function loader({ request }: LoaderFunctionArgs) {
  return loadSurveyList(request)
}

export default function SurveyList() {
  const { surveys, mayCreate } = useLoaderData<typeof loader>()
  return (
    <>
      <h1>Surveys</h1>
      {mayCreate ? (
        <p>
          <Link to="/app/surveys/new" className="button">
            New survey
          </Link>{' '}
          <Link to="/app/surveys/import-json">Import a survey from JSON</Link>
        </p>
      ) : null}
      {surveys.length === 0 ? (
        <p>There are no surveys yet.</p>
      ) : (
        <table className="data">
          <caption className="sr-only">Surveys with their response counts and overall satisfaction</caption>
          <thead>
            <tr>
              <th scope="col">Survey</th>
              <th scope="col">Status</th>
              <th scope="col" className="num">
                Responses
              </th>
              <th scope="col" className="num">
                Overall satisfied
              </th>
              <th scope="col" className="num">
                95% interval
              </th>
            </tr>
          </thead>
          <tbody>
            {surveys.map((s) => (
              <tr key={s.id} data-survey={s.slug}>
                <th scope="row">
                  <Link to={`/app/surveys/${s.id}`}>{s.title}</Link>
                  <br />
                  <span className="small">
                    /s/{s.slug} · wave {s.wave}
                  </span>
                </th>
                <td>
                  <span className={`tag${s.status === 'open' ? '' : ' muted'}`}>{s.status}</span>
                </td>
                <td className="num" data-testid="response-count">
                  {s.responses.toLocaleString('en-GB')}
                </td>
                <td className="num">
                  {s.overall ? formatPercent(s.overall.p) : '–'}
                  {s.overall ? (
                    <span className="small"> (n={s.overall.valid.toLocaleString('en-GB')})</span>
                  ) : null}
                </td>
                <td className="num">
                  {s.overall && s.overall.lower !== null
                    ? `${formatPercent(s.overall.lower, 1)} – ${formatPercent(s.overall.upper, 1)}`
                    : '–'}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <p className="small">
        % satisfied = “very” or “fairly satisfied” among valid answers (“don’t know” is outside the base).
        Intervals are 95% Wilson score intervals.
      </p>
    </>
  )
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
