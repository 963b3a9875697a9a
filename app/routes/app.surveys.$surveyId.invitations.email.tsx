import { useEffect } from 'react'
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData, useRevalidator } from '@remix-run/react'
import { GeneralErrorBoundary } from '#app/components/error-boundary.tsx'
import { MailingTable } from '#app/components/mailing-table.tsx'
import { idParam } from '#app/utils/params.ts'
import {
  handleEmailInvitations,
  loadEmailInvitationsPage,
  type EmailActionData,
} from './app.surveys.$surveyId.invitations.email.server.ts'

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data ? `E-mail invitations for ${data.survey.title} – CSE Insight` : 'E-mail invitations – CSE Insight' },
]

export async function loader({ request, params }: LoaderFunctionArgs) {
  return loadEmailInvitationsPage(request, idParam(params, 'surveyId', 'Survey'))
}

export async function action({ request, params }: ActionFunctionArgs) {
  return handleEmailInvitations(request, idParam(params, 'surveyId', 'Survey'))
}

const n = (count: number) => count.toLocaleString('en-GB')

export default function EmailInvitationsPage() {
  const data = useLoaderData<typeof loader>()
  const result = useActionData<EmailActionData>()
  const revalidator = useRevalidator()
  const inProgress = data.mailings.some((m) => m.queued > 0 || m.reminderQueued > 0)
  // While messages are going out, refresh the progress every few seconds (without JavaScript: the link below).
  useEffect(() => {
    if (!inProgress) return
    const timer = setInterval(() => {
      if (revalidator.state === 'idle') revalidator.revalidate()
    }, 3000)
    return () => clearInterval(timer)
  }, [inProgress, revalidator])
  const canSend = data.published && data.open && data.transport !== null
  return (
    <>
      <p>
        <Link to={`/app/surveys/${data.survey.id}/invitations`}>← Single-use invitations</Link>
      </p>
      <h1>E-mail invitations for “{data.survey.title}”</h1>
      <p>
        Each person gets a personal link that accepts one response, in English or Welsh. Later you can send a
        reminder to those who have not answered. We keep the addresses only while a reminder might be needed: they
        are deleted when the person answers or opts out, when the survey closes, or {data.keepDays} days after
        sending, whichever is first. The response counts stay.
      </p>

      {result?.sent ? (
        <div className="notice success" role="status" data-testid="email-sent">
          {n(result.sent.count)} {result.sent.count === 1 ? 'invitation is' : 'invitations are'} on their way
          in the batch “{result.sent.name}”.
          {result.sent.duplicates > 0
            ? ` ${n(result.sent.duplicates)} repeated ${result.sent.duplicates === 1 ? 'address was' : 'addresses were'} left out.`
            : ''}
        </div>
      ) : null}
      {result?.reminded ? (
        <div className="notice success" role="status" data-testid="email-reminded">
          Reminder {result.reminded.round}: {n(result.reminded.count)}{' '}
          {result.reminded.count === 1 ? 'person who has' : 'people who have'} not answered will get one.
        </div>
      ) : null}
      {result?.problems ? (
        <div className="error-summary" role="alert" tabIndex={-1} data-testid="email-problems">
          <h2>Nothing was sent</h2>
          <ul>
            {result.problems.map((problem, i) => (
              <li key={i}>{problem}</li>
            ))}
          </ul>
        </div>
      ) : null}

      {data.transport === null ? (
        <p className="notice warn">
          E-mail is not set up on this installation. Ask whoever runs it to set <code>SMTP_URL</code> or GOV.UK
          Notify (<code>NOTIFY_API_KEY</code>); until then, use the CSV of links on the invitations page.
        </p>
      ) : null}
      {!data.published || !data.open ? (
        <p className="notice warn">Publish the survey, and keep it open, before sending invitations.</p>
      ) : null}

      {data.mailings.length > 0 ? (
        <>
          <h2>Batches</h2>
          {inProgress ? (
            <p>
              Sending… <Link to=".">Refresh the progress</Link>
            </p>
          ) : null}
          <MailingTable mailings={data.mailings} maxReminders={data.maxReminders} canRemind={data.transport !== null} />
        </>
      ) : null}

      <h2>Send a batch</h2>
      {/* A new key after each batch sent empties the form, so the same list is not sent twice by mistake. */}
      <Form method="post" encType="multipart/form-data" data-testid="email-send" key={result?.sent?.mailingId ?? 'send'}>
        <input type="hidden" name="intent" value="send" />
        <div className="field">
          <label htmlFor="addresses">E-mail addresses</label>
          <p className="hint" id="addresses-hint">
            One per line. Up to {n(data.maxRecipients)} at a time; repeats are sent once.
          </p>
          <textarea
            id="addresses"
            name="addresses"
            rows={8}
            cols={60}
            spellCheck={false}
            autoComplete="off"
            aria-describedby="addresses-hint"
            defaultValue={result?.addresses ?? ''}
          />
        </div>
        <div className="field">
          <label htmlFor="file">Or choose a CSV file</label>
          <p className="hint" id="file-hint">
            With a column “email” and, if people need different languages, a column “language” (en or cy). A file
            is used instead of the list above.
          </p>
          <input id="file" name="file" type="file" accept=".csv,text/csv" aria-describedby="file-hint" />
        </div>
        <fieldset className="field">
          <legend>Language of the e-mail and the survey</legend>
          <p className="hint" id="language-hint">
            For addresses without a language of their own.
            {!data.hasWelsh ? ' This survey has no Welsh version yet: Welsh e-mails would lead to the English survey.' : ''}
          </p>
          <div className="choice">
            <input type="radio" id="language-en" name="language" value="en" defaultChecked aria-describedby="language-hint" />
            <label htmlFor="language-en">English</label>
          </div>
          <div className="choice">
            <input type="radio" id="language-cy" name="language" value="cy" aria-describedby="language-hint" />
            <label htmlFor="language-cy">Welsh (Cymraeg)</label>
          </div>
        </fieldset>
        <div className="field">
          <label htmlFor="name">Batch name (optional)</label>
          <p className="hint" id="name-hint">
            For example “March customers”. It appears in the tables here and on the invitations page.
          </p>
          <input id="name" name="name" type="text" maxLength={60} aria-describedby="name-hint" />
        </div>
        <button type="submit" className="button" disabled={!canSend}>
          Send invitations
        </button>
      </Form>
    </>
  )
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
