import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData } from '@remix-run/react'
import { GeneralErrorBoundary } from '#app/components/error-boundary.tsx'
import { idParam } from '#app/utils/params.ts'
import { handleRetention, loadRetention, type RetentionActionData } from './app.surveys.$surveyId.retention.server.ts'

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: `Retention: ${data?.survey.title ?? 'survey'} – CSE Insight` },
]

export async function loader({ request, params }: LoaderFunctionArgs) {
  return loadRetention(request, idParam(params, 'surveyId', 'Survey'))
}

export async function action({ request, params }: ActionFunctionArgs) {
  return handleRetention(request, idParam(params, 'surveyId', 'Survey'))
}

const n = (count: number) => count.toLocaleString('en-GB')
const responsesWord = (count: number) => (count === 1 ? 'response' : 'responses')

export default function RetentionPage() {
  const { survey, dueNow, canChange, minDays, maxDays } = useLoaderData<typeof loader>()
  const result = useActionData<RetentionActionData>()
  const preview = result?.preview
  return (
    <>
      <p>
        <Link to={`/app/surveys/${survey.id}`}>← {survey.title}</Link>
      </p>
      <h1>How long responses are kept</h1>
      <p data-testid="retention-current">
        Responses to this survey are kept for <strong>{n(survey.retentionDays)} days</strong> after they are
        submitted, then deleted automatically (checked every hour). Deleted responses cannot be recovered, and
        they leave the dashboard, the comments and every later export.
      </p>
      {dueNow > 0 ? (
        <p>
          {n(dueNow)} {responsesWord(dueNow)} {dueNow === 1 ? 'is' : 'are'} already past this period and will be
          deleted at the next check.
        </p>
      ) : null}

      {result?.changed ? (
        <div className="notice" role="status" data-testid="retention-changed">
          The retention period is now {n(result.changed.to)} days (it was {n(result.changed.from)}).{' '}
          {result.changed.willDelete > 0
            ? `The next purge will delete ${n(result.changed.willDelete)} ${responsesWord(result.changed.willDelete)}.`
            : 'No responses are old enough to be deleted yet.'}{' '}
          The change is in the audit log.
        </div>
      ) : null}
      {result?.error ? (
        <div className="error-summary" role="alert">
          {result.error}
        </div>
      ) : null}

      {!canChange ? (
        <p>Only an admin of your organisation can change the retention period.</p>
      ) : preview ? (
        <Form method="post" data-testid="retention-confirm">
          <h2>Confirm the change</h2>
          <p data-testid="retention-preview">
            With a period of <strong>{n(preview.retentionDays)} days</strong>, the next purge will delete{' '}
            <strong data-testid="retention-will-delete">
              {n(preview.willDelete)} {responsesWord(preview.willDelete)}
            </strong>{' '}
            of this survey, within the hour.
            {preview.willDelete > 0 ? ' They cannot be recovered afterwards.' : ''}
          </p>
          <input type="hidden" name="intent" value="confirm" />
          <input type="hidden" name="retentionDays" value={preview.retentionDays} />
          <input type="hidden" name="willDelete" value={preview.willDelete} />
          <div className="choice">
            <input type="checkbox" id="confirm" name="confirm" value="yes" required />
            <label htmlFor="confirm">
              I understand that {n(preview.willDelete)} {responsesWord(preview.willDelete)} will be deleted
            </label>
          </div>
          <button type="submit" className="button warning">
            Change to {n(preview.retentionDays)} days
          </button>{' '}
          <Link to=".">Cancel</Link>
        </Form>
      ) : (
        <Form method="post">
          <h2>Change the period</h2>
          <input type="hidden" name="intent" value="preview" />
          <div className="field">
            <label htmlFor="retentionDays">Keep responses for (days)</label>
            <p className="hint" id="retentionDays-hint">
              Between {minDays} and {maxDays}. 730 days is two years. You will see how many responses a shorter
              period would delete before anything changes.
            </p>
            <input
              id="retentionDays"
              name="retentionDays"
              type="number"
              min={minDays}
              max={maxDays}
              defaultValue={survey.retentionDays}
              aria-describedby="retentionDays-hint"
              required
            />
          </div>
          <button type="submit" className="button">
            Check what this would delete
          </button>
        </Form>
      )}
    </>
  )
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
