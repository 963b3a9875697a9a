import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { Link, useLoaderData } from '@remix-run/react'
import { GeneralErrorBoundary } from '#app/components/error-boundary.tsx'
import { loadInvitationsPage } from './app.surveys.$surveyId.invitations.server.ts'
import { idParam } from '#app/utils/params.ts'

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data ? `Invitations for ${data.survey.title} – CSE Insight` : 'Invitations – CSE Insight' },
]

export async function loader({ request, params }: LoaderFunctionArgs) {
  return loadInvitationsPage(request, idParam(params, 'surveyId', 'Survey'))
}

function rate(used: number, issued: number): string {
  return issued > 0 ? `${((used / issued) * 100).toFixed(1)}%` : '–'
}

export default function InvitationsPage() {
  const data = useLoaderData<typeof loader>()
  return (
    <>
      <h1>Single-use invitations for “{data.survey.title}”</h1>
      <p>
        Each invitation is a personal link that accepts one response. Links are shown <strong>once</strong>,
        as a CSV file to use in a mail merge or print run: only a fingerprint of each link is kept, so nobody
        (including us) can show them again. If you lose the file, make a new batch.
      </p>
      <p>
        <Link to={`/app/surveys/${data.survey.id}/invitations/email`}>Send invitations by e-mail instead</Link>, in
        English or Welsh, with reminders and the response rate by batch.
      </p>
      {!data.published ? (
        <p className="error-message">
          Publish the survey before sending invitations: links to a draft do not work.
        </p>
      ) : null}

      <h2>Response rate</h2>
      <dl className="summary" data-testid="invitation-totals">
        <dt>Invitations issued</dt>
        <dd data-testid="issued">{data.totals.issued.toLocaleString('en-GB')}</dd>
        <dt>Invitations used</dt>
        <dd data-testid="used">{data.totals.used.toLocaleString('en-GB')}</dd>
        <dt>Response rate (invitations)</dt>
        <dd>{rate(data.totals.used, data.totals.issued)}</dd>
        <dt>All responses (any link)</dt>
        <dd>{data.responses.toLocaleString('en-GB')}</dd>
      </dl>

      {data.batches.length > 0 ? (
        <table className="data">
          <caption>Invitation batches</caption>
          <thead>
            <tr>
              <th scope="col">Batch</th>
              <th scope="col">Made</th>
              <th scope="col" className="num">
                Issued
              </th>
              <th scope="col" className="num">
                Used
              </th>
              <th scope="col" className="num">
                Response rate
              </th>
            </tr>
          </thead>
          <tbody>
            {data.batches.map((b) => (
              <tr key={b.batch + b.createdAt}>
                <th scope="row">{b.batch}</th>
                <td>{b.createdAt.slice(0, 10)}</td>
                <td className="num">{b.issued.toLocaleString('en-GB')}</td>
                <td className="num">{b.used.toLocaleString('en-GB')}</td>
                <td className="num">{rate(b.used, b.issued)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}

      <h2>Make a batch</h2>
      <form method="post" action={`/app/surveys/${data.survey.id}/invitations/download`}>
        <div className="field">
          <label htmlFor="count">How many invitations</label>
          <p className="hint" id="count-hint">
            Up to 10,000 at a time.
          </p>
          <input
            id="count"
            name="count"
            type="number"
            inputMode="numeric"
            min={1}
            max={10000}
            defaultValue={100}
            required
            aria-describedby="count-hint"
          />
        </div>
        <div className="field">
          <label htmlFor="batch">Batch name (optional)</label>
          <p className="hint" id="batch-hint">
            For example “March letters”. It appears in the file and in the table above.
          </p>
          <input id="batch" name="batch" type="text" maxLength={60} aria-describedby="batch-hint" />
        </div>
        {data.segments.length > 0 ? (
          <div className="field">
            <label htmlFor="segment">Record a group with every response (optional)</label>
            <select id="segment" name="segment" defaultValue="">
              <option value="">No group</option>
              {data.segments.map((s) =>
                s.values.map((v) => (
                  <option key={`${s.param}=${v.value}`} value={`${s.param}=${v.value}`}>
                    {s.label}: {v.label}
                  </option>
                )),
              )}
            </select>
          </div>
        ) : null}
        <button type="submit" className="button">
          Make invitations and download the CSV
        </button>
      </form>
      <p>
        <Link to={`/app/surveys/${data.survey.id}/distribute`}>Open links and QR codes</Link>
      </p>
    </>
  )
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
