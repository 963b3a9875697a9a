import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData, useSearchParams } from '@remix-run/react'
import { GeneralErrorBoundary } from '#app/components/error-boundary.tsx'
import { idParam } from '#app/utils/params.ts'
import { handlePublish, loadResultsAdmin } from './app.surveys.$surveyId.results.server.ts'

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: `Publish results: ${data?.survey.title ?? 'survey'} – CSE Insight` },
]

export async function loader({ request, params }: LoaderFunctionArgs) {
  return loadResultsAdmin(request, idParam(params, 'surveyId', 'Survey'))
}

export async function action({ request, params }: ActionFunctionArgs) {
  return handlePublish(request, idParam(params, 'surveyId', 'Survey'))
}

const when = (iso: string) => new Date(iso).toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' })

export default function PublishResultsPage() {
  const { survey, orgSlug, canPublish, waves, snapshots } = useLoaderData<typeof loader>()
  const result = useActionData<typeof action>()
  const [search] = useSearchParams()
  const errors = result && !result.ok ? result.errors : {}
  const publicUrl = `/results/${orgSlug ?? ''}`
  return (
    <>
      <p className="small">
        <Link to="/app">Surveys</Link> › <Link to={`/app/surveys/${survey.id}`}>{survey.title}</Link> › Publish results
      </p>
      <h1>Publish results: {survey.title}</h1>
      <p>
        Publishing puts the results of a wave or a period on your organisation’s public results page,{' '}
        <a href={publicUrl}>{publicUrl}</a>, in English and Welsh, with no sign-in. The figures are frozen as the
        dashboard shows them at that moment (weighted when a population profile is set, with the same
        suppression). A new publication replaces it as the latest; earlier ones stay listed. Completed actions
        marked “show publicly” appear under “You said, we did” as they read when you publish: to show a changed or
        new action, publish again.
      </p>
      {search.get('published') ? (
        <p className="notice success" role="status">
          Published. <a href={`${publicUrl}/${search.get('published')}`}>See it on the public page</a>.
        </p>
      ) : null}
      {errors.form ? (
        <p className="notice warn" role="alert" data-testid="publish-error">
          {errors.form}
        </p>
      ) : null}
      {canPublish ? (
        <div className="publish-forms">
          <Form method="post" aria-labelledby="publish-wave-heading">
            <h2 id="publish-wave-heading">Publish a wave</h2>
            <input type="hidden" name="kind" value="wave" />
            <div className="field">
              <label htmlFor="publish-wave">Wave</label>
              <select id="publish-wave" name="wave" aria-describedby={errors.wave ? 'publish-wave-error' : undefined}>
                {waves.map((w) => (
                  <option key={w} value={w}>
                    {w}
                  </option>
                ))}
              </select>
              {errors.wave ? (
                <p id="publish-wave-error" className="error">
                  {errors.wave}
                </p>
              ) : null}
            </div>
            <button type="submit" disabled={waves.length === 0}>
              Publish this wave
            </button>
          </Form>
          <Form method="post" aria-labelledby="publish-period-heading">
            <h2 id="publish-period-heading">Publish a period</h2>
            <input type="hidden" name="kind" value="period" />
            <div className="field">
              <label htmlFor="publish-from">From</label>
              <input id="publish-from" type="date" name="from" required />
            </div>
            <div className="field">
              <label htmlFor="publish-to">To (included)</label>
              <input id="publish-to" type="date" name="to" required aria-describedby={errors.to ? 'publish-to-error' : undefined} />
              {errors.to ? (
                <p id="publish-to-error" className="error">
                  {errors.to}
                </p>
              ) : null}
            </div>
            <button type="submit">Publish this period</button>
          </Form>
        </div>
      ) : (
        <p>Only analysts and admins can publish results.</p>
      )}
      <h2>Published for this survey</h2>
      {snapshots.length === 0 ? (
        <p>Nothing has been published yet.</p>
      ) : (
        <table className="data" data-testid="snapshots">
          <caption className="sr-only">Published results of this survey, newest first</caption>
          <thead>
            <tr>
              <th scope="col">What</th>
              <th scope="col">Published (UTC)</th>
              <th scope="col">Status</th>
            </tr>
          </thead>
          <tbody>
            {snapshots.map((s) => (
              <tr key={s.id}>
                <th scope="row">
                  <a href={`${publicUrl}/${s.id}`}>
                    {s.scope.kind === 'wave' ? `Wave ${s.scope.wave}` : `${s.scope.from} to ${s.scope.to}`}
                  </a>
                </th>
                <td>{when(s.publishedAt)}</td>
                <td>{s.current ? 'Latest' : 'Replaced by a newer publication'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  )
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
