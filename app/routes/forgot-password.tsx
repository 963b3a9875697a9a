import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { Form, Link, useActionData, useNavigation } from '@remix-run/react'
import { GeneralErrorBoundary } from '#app/components/error-boundary.tsx'
import { retryAfterHeaders } from '#app/utils/retry-after-headers.ts'
import { handleForgotPassword, loadForgotPassword } from './forgot-password.server.ts'

export const meta: MetaFunction = () => [{ title: 'Reset your password – CSE Insight' }]

export const headers = retryAfterHeaders

export async function loader({ request }: LoaderFunctionArgs) {
  return loadForgotPassword(request)
}

export async function action({ request, context }: ActionFunctionArgs) {
  return handleForgotPassword(request, context.clientKey)
}

export default function ForgotPasswordPage() {
  const result = useActionData<typeof action>()
  const busy = useNavigation().state === 'submitting'
  return (
    <main id="main" className="container narrow">
      <h1>Reset your password</h1>
      {result && 'error' in result && result.error ? (
        <div className="error-summary" role="alert">
          <h2>There is a problem</h2>
          <p>{result.error}</p>
        </div>
      ) : null}
      {result && result.ok ? (
        <div className="panel-confirm" role="status">
          <p>{result.message}</p>
        </div>
      ) : (
        <Form method="post">
          <div className="field">
            <label htmlFor="email">Email address</label>
            <p className="hint" id="email-hint">
              We will send a link to choose a new password to this address, if it has an account.
            </p>
            <input id="email" name="email" type="email" autoComplete="username" aria-describedby="email-hint" required />
          </div>
          <button className="button" type="submit" disabled={busy}>
            Send the link
          </button>
        </Form>
      )}
      <p>
        <Link to="/login">Back to sign in</Link>
      </p>
    </main>
  )
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
