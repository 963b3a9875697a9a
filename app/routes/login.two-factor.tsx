import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { Form, Link, useActionData, useNavigation } from '@remix-run/react'
import { GeneralErrorBoundary } from '#app/components/error-boundary.tsx'
import { retryAfterHeaders } from '#app/utils/retry-after-headers.ts'
import { handleTwoFactorStep, loadTwoFactorStep } from './login.two-factor.server.ts'

export const meta: MetaFunction = () => [{ title: 'Two-factor sign-in – CSE Insight' }]

export const headers = retryAfterHeaders

export async function loader({ request }: LoaderFunctionArgs) {
  return loadTwoFactorStep(request)
}

export async function action({ request, context }: ActionFunctionArgs) {
  return handleTwoFactorStep(request, context.clientKey)
}

export default function TwoFactorStepPage() {
  const actionData = useActionData<typeof action>()
  const busy = useNavigation().state === 'submitting'
  return (
    <main id="main" className="container narrow">
      <h1>Enter your sign-in code</h1>
      {actionData?.error ? (
        <div className="error-summary" role="alert">
          <h2>There is a problem</h2>
          <p>{actionData.error}</p>
        </div>
      ) : null}
      <Form method="post">
        <div className="field">
          <label htmlFor="code">Code</label>
          <p className="hint" id="code-hint">
            The six-digit code from your authenticator app. If you do not have your phone, enter one of your recovery codes.
          </p>
          <input
            id="code"
            name="code"
            type="text"
            inputMode="text"
            autoComplete="one-time-code"
            aria-describedby="code-hint"
            spellCheck={false}
            autoCapitalize="none"
            required
            maxLength={64}
          />
        </div>
        <button className="button" type="submit" disabled={busy}>
          Continue
        </button>
      </Form>
      <p>
        <Link to="/login">Start again</Link>
      </p>
    </main>
  )
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
