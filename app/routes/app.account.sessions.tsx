import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData, useNavigation } from '@remix-run/react'
import { AccountNav } from '#app/components/account-nav.tsx'
import { CurrentPasswordField, passwordErrorOf } from '#app/components/current-password-field.tsx'
import { GeneralErrorBoundary } from '#app/components/error-boundary.tsx'
import { FormOutcome } from '#app/components/form-outcome.tsx'
import { handleSessionsAction, loadSessionsPage } from './app.account.sessions.server.ts'

export const meta: MetaFunction = () => [{ title: 'Your sessions – CSE Insight' }]

export async function loader({ request }: LoaderFunctionArgs) {
  return loadSessionsPage(request)
}

export async function action({ request, context }: ActionFunctionArgs) {
  return handleSessionsAction(request, context.clientKey)
}

const when = (iso: string) =>
  new Date(iso).toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'Europe/London' })

export default function SessionsPage() {
  const { sessions, email, ending } = useLoaderData<typeof loader>()
  const result = useActionData<typeof action>()
  const busy = useNavigation().state === 'submitting'
  const passwordError = passwordErrorOf(result)
  const describe = (s: (typeof sessions)[number]) => (s.current ? 'this session' : `the session from ${s.browser}, signed in ${when(s.createdAt)}`)
  return (
    <>
      <h1>Your sessions</h1>
      <AccountNav current="sessions" />
      <p>Each browser where you are signed in. Sign out any you do not recognise, then change your password.</p>
      <FormOutcome result={result} />
      {ending ? (
        <section aria-labelledby="end-heading">
          <h2 id="end-heading">Sign out {describe(ending)}</h2>
          <Form method="post">
            <input type="hidden" name="intent" value="revoke" />
            <input type="hidden" name="sessionId" value={ending.id} />
            <CurrentPasswordField id="current-password-end" hint="Type your password again to sign out a session." error={passwordError} username={email} />
            <button type="submit" className="button warning" disabled={busy}>
              Sign out {ending.current ? 'this session' : 'that session'}
            </button>{' '}
            <Link to="/app/account/sessions">Cancel</Link>
          </Form>
        </section>
      ) : null}
      <table className="data">
        <caption>Sessions signed in to your account</caption>
        <thead>
          <tr>
            <th scope="col">Browser</th>
            <th scope="col">Signed in</th>
            <th scope="col">Last seen</th>
            <th scope="col">Sign out</th>
          </tr>
        </thead>
        <tbody>
          {sessions.map((s) => (
            <tr key={s.id} data-session={s.id}>
              <th scope="row">
                {s.browser}
                {s.current ? ' (this session)' : ''}
              </th>
              <td>{when(s.createdAt)}</td>
              <td>{when(s.lastSeenAt)}</td>
              <td>
                <Link to={`?end=${s.id}`} className="button secondary">
                  Sign out<span className="sr-only"> {describe(s)}</span>
                </Link>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {sessions.length > 1 && !ending ? (
        <Form method="post">
          <h2>Sign out all other sessions</h2>
          <input type="hidden" name="intent" value="revoke-others" />
          <CurrentPasswordField id="current-password-others" hint="Type your password again to sign out every session but this one." error={passwordError} username={email} />
          <button type="submit" className="button warning" disabled={busy}>
            Sign out all other sessions
          </button>
        </Form>
      ) : null}
    </>
  )
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
