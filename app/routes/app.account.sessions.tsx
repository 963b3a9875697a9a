import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { Form, useActionData, useLoaderData, useNavigation } from '@remix-run/react'
import { AccountNav } from '#app/components/account-nav.tsx'
import { GeneralErrorBoundary } from '#app/components/error-boundary.tsx'
import { handleSessionsAction, loadSessionsPage } from './app.account.sessions.server.ts'

export const meta: MetaFunction = () => [{ title: 'Your sessions – CSE Insight' }]

export async function loader({ request }: LoaderFunctionArgs) {
  return loadSessionsPage(request)
}

export async function action({ request }: ActionFunctionArgs) {
  return handleSessionsAction(request)
}

const when = (iso: string) =>
  new Date(iso).toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'Europe/London' })

export default function SessionsPage() {
  const { sessions } = useLoaderData<typeof loader>()
  const result = useActionData<typeof action>()
  const busy = useNavigation().state === 'submitting'
  return (
    <>
      <h1>Your sessions</h1>
      <AccountNav current="sessions" />
      <p>Each browser where you are signed in. Sign out any you do not recognise, then change your password.</p>
      {result && !result.ok ? (
        <div className="error-summary" role="alert">
          <h2>There is a problem</h2>
          <p>{result.error}</p>
        </div>
      ) : null}
      {result?.ok ? (
        <div className="panel-confirm" role="status">
          <p>{result.message}</p>
        </div>
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
                <Form method="post">
                  <input type="hidden" name="intent" value="revoke" />
                  <input type="hidden" name="sessionId" value={s.id} />
                  <button type="submit" className="button secondary" disabled={busy}>
                    Sign out<span className="sr-only"> the session {s.current ? '(this one)' : `from ${s.browser}, signed in ${when(s.createdAt)}`}</span>
                  </button>
                </Form>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {sessions.length > 1 ? (
        <Form method="post">
          <input type="hidden" name="intent" value="revoke-others" />
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
