import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { Link, useLoaderData } from '@remix-run/react'
import { GeneralErrorBoundary } from '#app/components/error-boundary.tsx'
import { loadSurveyList } from './app._index.server.ts'

export const meta: MetaFunction = () => [{ title: 'Surveys – CSE Insight' }]

export async function loader({ request }: LoaderFunctionArgs) {
  return loadSurveyList(request)
}

/** A published proportion (already rounded by the insight report) as a whole percent. */
const percent = (p: number | null) => (p === null ? '–' : `${Math.round(p * 100)}%`)

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
                <td className="num" data-testid="overall-figure">
                  {!s.overall ? (
                    '–'
                  ) : s.overall.shown ? (
                    <>
                      {percent(s.overall.p)}
                      <span className="small">
                        {' '}
                        (n={s.overall.n?.toLocaleString('en-GB')}
                        {s.overall.weighted ? ', weighted' : ''})
                      </span>
                      {s.overall.lowBase ? (
                        <>
                          {' '}
                          <span className="tag warn">low base</span>
                        </>
                      ) : null}
                    </>
                  ) : (
                    <span className="small">too few responses to report</span>
                  )}
                  {s.overall && s.overall.waves.length > 1 ? (
                    <>
                      <br />
                      <span className="small">waves {s.overall.waves.join(', ')}</span>
                    </>
                  ) : null}
                </td>
                <td className="num">
                  {s.overall?.shown && s.overall.lower !== null && s.overall.upper !== null
                    ? `${percent(s.overall.lower)} – ${percent(s.overall.upper)}`
                    : '–'}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <p className="small">
        % satisfied = “very” or “fairly satisfied” among valid answers (“don’t know” is outside the base), over
        every wave of the survey, exactly as the dashboard opens: weighted to the population profile when one is
        set, with 95% intervals (Wilson score intervals when unweighted). A figure from too few responses is not
        shown.
      </p>
    </>
  )
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
