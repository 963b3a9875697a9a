import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { Form, useActionData, useLoaderData, useNavigation } from '@remix-run/react'
import { GeneralErrorBoundary } from '#app/components/error-boundary.tsx'
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from '#app/utils/password-policy.ts'
import { handleResetPassword, loadResetPassword } from './reset-password.server.ts'

export const meta: MetaFunction = () => [{ title: 'Choose a new password – CSE Insight' }]

export async function loader({ request }: LoaderFunctionArgs) {
  return loadResetPassword(request)
}

export async function action({ request }: ActionFunctionArgs) {
  return handleResetPassword(request)
}

export default function ResetPasswordPage() {
  const { token, email } = useLoaderData<typeof loader>()
  const result = useActionData<typeof action>()
  const busy = useNavigation().state === 'submitting'
  return (
    <main id="main" className="container narrow">
      <h1>Choose a new password</h1>
      {result?.error ? (
        <div className="error-summary" role="alert">
          <h2>There is a problem</h2>
          <p>{result.error}</p>
        </div>
      ) : null}
      <Form method="post">
        <input type="hidden" name="token" value={token} />
        {/* Lets password managers store the new password against the right account. */}
        <input type="hidden" name="username" autoComplete="username" value={email} />
        <div className="field">
          <label htmlFor="password">New password</label>
          <p className="hint" id="password-hint">
            {PASSWORD_MIN_LENGTH} to {PASSWORD_MAX_LENGTH} characters. A few unrelated words make a good password. Common passwords are refused.
          </p>
          <input id="password" name="password" type="password" autoComplete="new-password" aria-describedby="password-hint" required minLength={PASSWORD_MIN_LENGTH} maxLength={PASSWORD_MAX_LENGTH} />
        </div>
        <div className="field">
          <label htmlFor="confirm">New password again</label>
          <input id="confirm" name="confirm" type="password" autoComplete="new-password" required maxLength={PASSWORD_MAX_LENGTH} />
        </div>
        <button className="button" type="submit" disabled={busy}>
          Change password
        </button>
      </Form>
      <p className="small">Changing your password signs you out everywhere.</p>
    </main>
  )
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
