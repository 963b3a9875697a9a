import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData, useNavigation } from '@remix-run/react'
import { GeneralErrorBoundary } from '#app/components/error-boundary.tsx'
import { retryAfterHeaders } from '#app/utils/retry-after-headers.ts'
import { handleLogin, loadLogin } from './login.server.ts'

export const meta: MetaFunction = () => [{ title: 'Sign in – CSE Insight' }]

// Pass the action's Retry-After (429 when rate-limited) through to the document response.
export const headers = retryAfterHeaders

export async function loader({ request }: LoaderFunctionArgs) {
  return loadLogin(request)
}

export async function action({ request, context }: ActionFunctionArgs) {
  return handleLogin(request, context.clientKey)
}

export default function LoginPage() {
  const { redirectTo, notice } = useLoaderData<typeof loader>()
  const actionData = useActionData<typeof action>()
  const navigation = useNavigation()
  return (
    <main id="main" className="container narrow">
      <h1>Sign in to CSE Insight</h1>
      {notice && !actionData?.error ? (
        <div className="panel-confirm" role="status">
          <p>{notice}</p>
        </div>
      ) : null}
      {actionData?.error ? (
        <div className="error-summary" role="alert">
          <h2>There is a problem</h2>
          <p>{actionData.error}</p>
        </div>
      ) : null}
      <Form method="post">
        <input type="hidden" name="redirectTo" value={redirectTo} />
        <div className="field">
          <label htmlFor="email">Email address</label>
          <input
            id="email"
            name="email"
            type="email"
            autoComplete="username"
            required
            defaultValue={actionData?.email ?? ''}
          />
        </div>
        <div className="field">
          <label htmlFor="password">Password</label>
          <input id="password" name="password" type="password" autoComplete="current-password" required />
        </div>
        <button className="button" type="submit" disabled={navigation.state === 'submitting'}>
          Sign in
        </button>
      </Form>
      <p>
        <Link to="/forgot-password">Forgotten your password?</Link>
      </p>
    </main>
  )
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
