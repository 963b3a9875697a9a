import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData, useNavigation } from '@remix-run/react'
import { GeneralErrorBoundary } from '#app/components/error-boundary.tsx'
import { ROLES } from '#app/utils/permissions.ts'
import { handleUsersAction, loadUsersPage } from './app.settings.users.server.ts'
import { TWO_FACTOR_OPTIONAL_WARNING } from './app.settings.users.schema.ts'

export const meta: MetaFunction = () => [{ title: 'Users – CSE Insight' }]

export async function loader({ request }: LoaderFunctionArgs) {
  return loadUsersPage(request)
}

export async function action({ request }: ActionFunctionArgs) {
  return handleUsersAction(request)
}

const ROLE_HELP = {
  viewer: 'reads dashboards and exports',
  analyst: 'also builds and publishes surveys, population profiles and targets',
  admin: 'also manages users, settings, retention and the audit log',
} as const

const when = (iso: string) =>
  new Date(iso).toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'Europe/London' })

export default function UsersPage() {
  const { members, invitations, currentUserId, currentSessionId, organisationName, requireTwoFactor } =
    useLoaderData<typeof loader>()
  const result = useActionData<typeof action>()
  const busy = useNavigation().state !== 'idle'
  return (
    <>
      <h1>Users of {organisationName}</h1>
      {result && !result.ok ? (
        <div className="error-summary" role="alert">
          <h2>There is a problem</h2>
          <p>{result.error}</p>
        </div>
      ) : null}
      {result && result.ok ? (
        <div className="panel-confirm" role="status">
          <p>{result.message}</p>
          {result.inviteLink ? (
            <p>
              <label htmlFor="invite-link">Invitation link</label>
              <input
                id="invite-link"
                readOnly
                value={result.inviteLink}
                size={80}
                data-testid="invite-link"
              />
            </p>
          ) : null}
        </div>
      ) : null}

      <table className="data">
        <caption>Members and their roles</caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Email</th>
            <th scope="col">Role</th>
            <th scope="col">Two-factor</th>
            <th scope="col">Sessions</th>
            <th scope="col">Remove</th>
          </tr>
        </thead>
        <tbody>
          {members.map((m) => (
            <tr key={m.userId} data-user={m.email}>
              <th scope="row">
                {m.name}
                {m.userId === currentUserId ? ' (you)' : ''}
              </th>
              <td>{m.email}</td>
              <td>
                <Form method="post" className="inline">
                  <input type="hidden" name="intent" value="change-role" />
                  <input type="hidden" name="userId" value={m.userId} />
                  <label htmlFor={`role-${m.userId}`} className="sr-only">
                    Role of {m.name}
                  </label>
                  <select id={`role-${m.userId}`} name="role" defaultValue={m.role}>
                    {ROLES.map((r) => (
                      <option key={r} value={r}>
                        {r}
                      </option>
                    ))}
                  </select>{' '}
                  <button type="submit" className="button secondary" disabled={busy}>
                    Change role<span className="sr-only"> of {m.name}</span>
                  </button>
                </Form>
              </td>
              <td>
                {m.twoFactor ? 'On' : m.role === 'admin' || requireTwoFactor ? 'Not set up (required)' : 'Off'}
                {m.twoFactor && m.userId !== currentUserId && !m.isOperator ? (
                  <details>
                    <summary>
                      Reset<span className="sr-only"> {m.name}’s two-factor sign-in</span>
                    </summary>
                    <Form method="post">
                      <input type="hidden" name="intent" value="reset-two-factor" />
                      <input type="hidden" name="userId" value={m.userId} />
                      <p>
                        For someone who has lost their phone and their recovery codes. It signs them out everywhere;
                        they set up a new authenticator at their next sign-in.
                      </p>
                      <div className="choice">
                        <input type="checkbox" id={`reset-confirm-${m.userId}`} name="confirm" value="on" required />
                        <label htmlFor={`reset-confirm-${m.userId}`}>
                          I have checked it is really {m.name} asking (for example in person or by calling them back)
                        </label>
                      </div>
                      <button type="submit" className="button warning" disabled={busy}>
                        Reset two-factor sign-in<span className="sr-only"> of {m.name}</span>
                      </button>
                    </Form>
                  </details>
                ) : null}
              </td>
              <td>
                {m.sessions.length === 0 ? (
                  'None'
                ) : (
                  <details>
                    <summary>
                      {m.sessions.length} {m.sessions.length === 1 ? 'session' : 'sessions'}
                      <span className="sr-only"> of {m.name}</span>
                    </summary>
                    <ul>
                      {m.sessions.map((s) => (
                        <li key={s.id}>
                          {s.browser}, last seen {when(s.lastSeenAt)}
                          {s.id === currentSessionId ? ' (this session)' : ''}{' '}
                          <Form method="post" className="inline">
                            <input type="hidden" name="intent" value="revoke-sessions" />
                            <input type="hidden" name="userId" value={m.userId} />
                            <input type="hidden" name="sessionId" value={s.id} />
                            <button type="submit" className="button secondary" disabled={busy}>
                              Sign out<span className="sr-only"> {m.name}’s session from {s.browser}, last seen {when(s.lastSeenAt)}</span>
                            </button>
                          </Form>
                        </li>
                      ))}
                    </ul>
                    <Form method="post">
                      <input type="hidden" name="intent" value="revoke-sessions" />
                      <input type="hidden" name="userId" value={m.userId} />
                      <button type="submit" className="button warning" disabled={busy}>
                        Sign out {m.userId === currentUserId ? 'your other sessions' : <>everywhere<span className="sr-only"> {m.name}</span></>}
                      </button>
                    </Form>
                  </details>
                )}
              </td>
              <td>
                {m.userId === currentUserId ? null : (
                  <Form method="post">
                    <input type="hidden" name="intent" value="remove" />
                    <input type="hidden" name="userId" value={m.userId} />
                    <button type="submit" className="button warning" disabled={busy}>
                      Remove<span className="sr-only"> {m.name}</span>
                    </button>
                  </Form>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>

      <h2>Two-factor sign-in</h2>
      <p>Admins always sign in with a password and a code from an authenticator app.</p>
      {requireTwoFactor ? null : (
        <div className="notice warn" data-testid="two-factor-not-required">
          <p>
            <strong>Warning:</strong> {TWO_FACTOR_OPTIONAL_WARNING}
          </p>
        </div>
      )}
      <Form method="post">
        <input type="hidden" name="intent" value="require-two-factor" />
        <div className="choice">
          <input type="checkbox" id="require-two-factor" name="required" value="on" defaultChecked={requireTwoFactor} aria-describedby="require-two-factor-hint" />
          <label htmlFor="require-two-factor">Require two-factor sign-in for every member</label>
          <p className="hint" id="require-two-factor-hint">
            On for every new organisation. Turning it off lets viewers and analysts sign in with a password alone,
            which departs from OWASP ASVS Level 2 (requirement 6.3.3: every user signs in with more than a password).
          </p>
        </div>
        <button type="submit" className="button secondary" disabled={busy}>
          Save two-factor requirement
        </button>
      </Form>

      <h2>Invite a colleague</h2>
      <Form method="post">
        <input type="hidden" name="intent" value="invite" />
        <div className="field">
          <label htmlFor="invite-email">Email address</label>
          <input id="invite-email" name="email" type="email" autoComplete="off" required />
        </div>
        <fieldset className="field">
          <legend>Role</legend>
          {ROLES.map((r) => (
            <div className="choice" key={r}>
              <input
                type="radio"
                id={`invite-role-${r}`}
                name="role"
                value={r}
                defaultChecked={r === 'viewer'}
              />
              <label htmlFor={`invite-role-${r}`}>
                {r}: {ROLE_HELP[r]}
              </label>
            </div>
          ))}
        </fieldset>
        <button type="submit" className="button" disabled={busy}>
          Create invitation link
        </button>
      </Form>

      {invitations.length > 0 ? (
        <table className="data">
          <caption>Invitations not yet accepted</caption>
          <thead>
            <tr>
              <th scope="col">Email</th>
              <th scope="col">Role</th>
              <th scope="col">Expires</th>
              <th scope="col">Revoke</th>
            </tr>
          </thead>
          <tbody>
            {invitations.map((i) => (
              <tr key={i.id}>
                <th scope="row">{i.email}</th>
                <td>{i.role}</td>
                <td>{new Date(i.expiresAt).toLocaleDateString('en-GB')}</td>
                <td>
                  <Form method="post">
                    <input type="hidden" name="intent" value="revoke-invitation" />
                    <input type="hidden" name="invitationId" value={i.id} />
                    <button type="submit" className="button secondary" disabled={busy}>
                      Revoke<span className="sr-only"> the invitation to {i.email}</span>
                    </button>
                  </Form>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      <p>
        <Link to="/app/audit">Audit log</Link> ·{' '}
        <Link to="/app/switch-organisation">Switch organisation</Link>
      </p>
    </>
  )
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
