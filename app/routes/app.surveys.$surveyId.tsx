import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData } from '@remix-run/react'
import { GeneralErrorBoundary } from '#app/components/error-boundary.tsx'
import { ErrorSummary, Field } from '#app/components/builder/error-summary.tsx'
import { handleSurveyAction, loadSurveyOverview } from './app.surveys.$surveyId.server.ts'
import { idParam } from '#app/utils/params.ts'

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data ? `${data.survey.title} – CSE Insight` : 'Survey – CSE Insight' },
]

export async function loader({ request, params }: LoaderFunctionArgs) {
  return loadSurveyOverview(request, idParam(params, 'surveyId', 'Survey'))
}

export async function action({ request, params }: ActionFunctionArgs) {
  return handleSurveyAction(request, idParam(params, 'surveyId', 'Survey'))
}

const STATUS_TEXT: Record<string, string> = {
  draft: 'Draft: not published yet',
  open: 'Open: taking answers',
  closed: 'Closed: not taking answers',
}

const date = (iso: string | null) =>
  iso
    ? new Date(iso).toLocaleDateString('en-GB', {
        day: 'numeric',
        month: 'long',
        year: 'numeric',
        timeZone: 'UTC',
      })
    : '–'

export default function SurveyOverview() {
  const { survey, versions, currentVersion, draftChanged, problems, waves, suggestedNext, may } =
    useLoaderData<typeof loader>()
  const actionData = useActionData<typeof action>()
  const base = `/app/surveys/${survey.id}`
  const link = `/s/${survey.slug}`
  const duplicateErrors = actionData?.intent === 'duplicate' ? actionData.errors : {}
  const changed = waves?.changes ?? []
  return (
    <>
      <p>
        <Link to="/app">Back to surveys</Link>
      </p>
      <h1>{survey.title}</h1>
      <p>
        <span className={`tag${survey.status === 'open' ? '' : ' muted'}`} data-testid="survey-status">
          {survey.status}
        </span>{' '}
        {STATUS_TEXT[survey.status]}
        {survey.availability === 'not_yet_open' ? ' (opens on ' + date(survey.opensAt) + ')' : ''} · wave{' '}
        {survey.wave}
        {currentVersion ? ` · version ${currentVersion} is live` : ''}
      </p>
      {actionData?.notice ? (
        <p className="panel-confirm" role="status" data-testid="notice">
          {actionData.notice}
        </p>
      ) : null}
      {actionData?.intent === 'publish' ? (
        <ErrorSummary title="The survey cannot be published yet" problems={actionData.problems} />
      ) : null}
      <ErrorSummary
        problems={Object.entries(duplicateErrors).map(([field, message]) => ({
          field: field === 'form' ? undefined : `next-${field}`,
          message,
        }))}
      />

      {survey.status !== 'draft' ? (
        <p>
          Survey link:{' '}
          <a href={link} data-testid="public-link">
            {link}
          </a>
        </p>
      ) : null}

      <nav aria-label="This survey">
        <ul>
          {may.edit ? (
            <li>
              <Link to={`${base}/edit`}>Edit the draft</Link>
            </li>
          ) : null}
          {may.edit ? (
            <li>
              <Link to={`${base}/mapping`}>Map ratings to drivers and choose customer groups</Link>
            </li>
          ) : null}
          <li>
            <Link to={`${base}/preview`}>Preview the draft</Link>
          </li>
          <li>
            <Link to={`${base}/distribute`}>Distribute (links, QR codes, invitations)</Link>
          </li>
          {may.edit ? (
            <>
              <li>
                <Link to={`${base}/invitations`}>Single-use invitations and response rates</Link>
              </li>
              <li>
                <Link to={`${base}/import`}>Import responses from a CSV file</Link>
              </li>
            </>
          ) : null}
          <li>
            <Link to={`${base}/dashboard`}>Dashboard</Link>
          </li>
          <li>
            <Link to={`${base}/comments`}>Comments</Link>
          </li>
          <li>
            <Link to={`${base}/themes`}>Comment themes</Link>
          </li>
          <li>
            <Link to={`${base}/exports`}>Exports</Link>
          </li>
          <li>
            <Link to={`${base}/results`}>Publish results to the public page</Link>
          </li>
          <li>
            <Link to={`${base}/actions`}>Actions: you said, we did</Link>
          </li>

          <li>
            <a href={`${base}/export-json`} download>
              Export the draft as JSON
            </a>
            {currentVersion ? (
              <>
                {' · '}
                <a href={`${base}/export-json?version=published`} download>
                  Export the published version as JSON
                </a>
              </>
            ) : null}
          </li>
        </ul>
      </nav>

      <h2>Publishing</h2>
      {problems.length > 0 ? (
        <>
          <p data-testid="draft-problems">
            The draft has {problems.length} problem{problems.length === 1 ? '' : 's'} to fix before it can be
            published. {may.edit ? <Link to={`${base}/edit`}>Fix them in the builder</Link> : null}
          </p>
          {may.edit ? (
            <ul data-testid="draft-problem-list">
              {problems.map((p, i) => (
                <li key={i}>
                  <a href={p.href ?? `${base}/edit${p.question ? `#question-${p.question}` : ''}`}>{p.message}</a>
                </li>
              ))}
            </ul>
          ) : null}
        </>
      ) : draftChanged ? (
        <p>
          {currentVersion
            ? 'The draft has changes that are not published yet.'
            : 'The draft is ready to publish.'}
        </p>
      ) : (
        <p>The draft is the same as the published version.</p>
      )}
      <div className="actions">
        {may.publish ? (
          <Form method="post">
            <input type="hidden" name="intent" value="publish" />
            <button type="submit" className="button" disabled={!draftChanged && currentVersion !== null}>
              {currentVersion ? `Publish the draft as version ${currentVersion + 1}` : 'Publish'}
            </button>
          </Form>
        ) : null}
        {may.edit && survey.status === 'open' ? (
          <Form method="post">
            <input type="hidden" name="intent" value="close" />
            <button type="submit" className="button secondary">
              Close the survey
            </button>
          </Form>
        ) : null}
        {may.edit && survey.status === 'closed' ? (
          <Form method="post">
            <input type="hidden" name="intent" value="reopen" />
            <button type="submit" className="button secondary">
              Reopen the survey
            </button>
          </Form>
        ) : null}
      </div>
      <p className="small">
        Publishing makes an unchangeable version. Answers always stay with the version they answered; editing
        afterwards changes the draft only, until you publish again. Responses are kept for{' '}
        {survey.retentionDays} days (<Link to={`/app/surveys/${survey.id}/retention`}>retention</Link>). Opens {date(survey.opensAt)}, closes {date(survey.closesAt)}.
      </p>

      <h2>Versions</h2>
      {versions.length === 0 ? (
        <p>No version has been published yet.</p>
      ) : (
        <table className="data">
          <caption className="sr-only">Published versions of this survey</caption>
          <thead>
            <tr>
              <th scope="col">Version</th>
              <th scope="col">Published</th>
              <th scope="col">By</th>
              <th scope="col" className="num">
                Responses
              </th>
            </tr>
          </thead>
          <tbody>
            {versions.map((v) => (
              <tr key={v.id} data-version={v.version}>
                <th scope="row">
                  {v.version}
                  {v.version === currentVersion ? ' (live)' : ''}
                </th>
                <td>{new Date(v.publishedAt).toLocaleString('en-GB', { timeZone: 'UTC' })} UTC</td>
                <td>{v.publishedByName ?? '–'}</td>
                <td className="num">{v.responses.toLocaleString('en-GB')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}

      {waves ? (
        <>
          <h2>Compared with the previous wave</h2>
          <p>
            Previous wave: <Link to={`/app/surveys/${waves.previous.id}`}>{waves.previous.title}</Link> (wave{' '}
            {waves.previous.wave}).
          </p>
          {changed.length === 0 ? (
            <p>
              Every question has the same wording as in the previous wave, so trends compare like with like.
            </p>
          ) : (
            <div className="warning" data-testid="wave-wording-warning">
              <p>
                <strong>
                  {changed.length} question{changed.length === 1 ? '' : 's'} changed since the previous wave.
                </strong>{' '}
                Trends for them may reflect the new wording, not a change in the service.
              </p>
              <ul>
                {changed.map((c) => (
                  <li key={c.question}>{c.message}</li>
                ))}
              </ul>
            </div>
          )}
        </>
      ) : null}

      {may.edit ? (
        <>
          <h2>Next wave</h2>
          <p>
            Make a copy of this survey for the next round. It keeps the question names, so results line up in
            trends, and starts as a draft.
          </p>
          <Form method="post" noValidate>
            <input type="hidden" name="intent" value="duplicate" />
            <Field
              id="next-title"
              name="title"
              label="Title of the next wave"
              error={duplicateErrors.title}
              defaultValue={
                actionData?.intent === 'duplicate' ? actionData.values.title : suggestedNext.title
              }
            />
            <Field
              id="next-slug"
              name="slug"
              label="Link name of the next wave"
              error={duplicateErrors.slug}
              defaultValue={actionData?.intent === 'duplicate' ? actionData.values.slug : suggestedNext.slug}
            />
            <Field
              id="next-wave"
              name="wave"
              label="Wave label"
              error={duplicateErrors.wave}
              defaultValue={actionData?.intent === 'duplicate' ? actionData.values.wave : suggestedNext.wave}
            />
            <button type="submit" className="button secondary">
              Duplicate for the next wave
            </button>
          </Form>
        </>
      ) : null}
    </>
  )
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
