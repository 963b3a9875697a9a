import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { Form, useActionData, useLoaderData, useNavigation } from '@remix-run/react'
import { GeneralErrorBoundary } from '#app/components/error-boundary.tsx'
import { acceptInvitation, loadInvitation } from './invite.$token.server.ts'
import { textParam } from '#app/utils/params.ts'

export const meta: MetaFunction = () => [
  { title: 'Accept invitation – CSE Insight' },
  { name: 'referrer', content: 'no-referrer' },
]

export async function loader({ params }: LoaderFunctionArgs) {
  return loadInvitation(textParam(params, 'token', 'Invitation'))
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  return acceptInvitation(request, textParam(params, 'token', 'Invitation'), context.clientKey)
}

export default function AcceptInvitation() {
  const invitation = useLoaderData<typeof loader>()
  const { minLength, maxLength } = invitation.passwordLength
  const result = useActionData<typeof action>()
  const busy = useNavigation().state !== 'idle'
  return (
    <main id="main" className="container narrow">
      <h1>Join {invitation.organisationName}</h1>
      <p>
        You have been invited as {invitation.role === 'admin' ? 'an' : 'a'} <strong>{invitation.role}</strong>{' '}
        with the address <strong>{invitation.email}</strong>.
      </p>
      {result?.error ? (
        <div className="error-summary" role="alert">
          <h2>There is a problem</h2>
          <p>{result.error}</p>
        </div>
      ) : null}
      {/* Both ways are offered: the page does not say whether this address already has an account. */}
      <section aria-labelledby="join-heading">
        <h2 id="join-heading">If you already use CSE Insight</h2>
        <p>Enter the password of your account for {invitation.email} to add this organisation to it.</p>
        <Form method="post">
          <input type="hidden" name="intent" value="join" />
          <input
            type="text"
            name="username"
            autoComplete="username"
            value={invitation.email}
            readOnly
            hidden
          />
          <div className="field">
            <label htmlFor="join-password">Password</label>
            <input id="join-password" name="password" type="password" autoComplete="current-password" required />
          </div>
          <button type="submit" className="button" disabled={busy}>
            Join {invitation.organisationName}
          </button>
        </Form>
      </section>
      <section aria-labelledby="create-heading">
        <h2 id="create-heading">If you are new to CSE Insight</h2>
        <Form method="post">
          <input type="hidden" name="intent" value="create" />
          <input
            type="text"
            name="username"
            autoComplete="username"
            value={invitation.email}
            readOnly
            hidden
          />
          <div className="field">
            <label htmlFor="name">Your name</label>
            <input id="name" name="name" autoComplete="name" required maxLength={200} />
          </div>
          <div className="field">
            <label htmlFor="password">Choose a password</label>
            <p className="hint" id="password-hint">
              {minLength} to {maxLength} characters. A long phrase is good. Common passwords, your e-mail
              address and the organisation’s name are refused.
            </p>
            <input
              id="password"
              name="password"
              type="password"
              autoComplete="new-password"
              required
              minLength={minLength}
              maxLength={maxLength}
              aria-describedby="password-hint"
            />
          </div>
          <div className="field">
            <label htmlFor="confirm">Type the password again</label>
            <input id="confirm" name="confirm" type="password" autoComplete="new-password" required />
          </div>
          <button type="submit" className="button" disabled={busy}>
            Create account and join
          </button>
        </Form>
      </section>
    </main>
  )
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
