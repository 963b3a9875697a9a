import type { ActionFunctionArgs, HeadersFunction, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { Form, useActionData, useLoaderData, useNavigation } from '@remix-run/react'
import { passwordErrorOf } from '#app/components/current-password-field.tsx'
import { GeneralErrorBoundary } from '#app/components/error-boundary.tsx'
import { EnrolmentForm, pendingOffer, RecoveryCodes } from '#app/components/two-factor-enrolment.tsx'
import { handleOperatorTwoFactor, loadOperatorTwoFactor, type OperatorTwoFactorResult } from './operator.two-factor.server.ts'

export const meta: MetaFunction = () => [{ title: 'Two-factor sign-in (operator) – CSE Insight' }]

// The secret and the recovery codes are shown on this page: never cache it.
export const headers: HeadersFunction = () => ({ 'Cache-Control': 'private, no-store' })

export async function loader({ request }: LoaderFunctionArgs) {
  return loadOperatorTwoFactor(request)
}

export async function action({ request, context }: ActionFunctionArgs) {
  return handleOperatorTwoFactor(request, context.clientKey)
}

export default function OperatorTwoFactor() {
  const page = useLoaderData<typeof loader>()
  const result = useActionData<OperatorTwoFactorResult>()
  const busy = useNavigation().state === 'submitting'
  return (
    <main className="container" id="main">
      <p className="small">
        Signed in as {page.email}, platform operator.{' '}
        <Form method="post" action="/logout" style={{ display: 'inline' }}>
          <button type="submit" className="link-button">
            Sign out
          </button>
        </Form>
      </p>
      <h1>Two-factor sign-in</h1>
      {result?.ok ? (
        <>
          <div className="panel-confirm" role="status">
            <p>Two-factor sign-in is on.</p>
          </div>
          <RecoveryCodes
            codes={result.recoveryCodes}
            next={
              <a href="/operator/organisations" className="button">
                Continue
              </a>
            }
          />
        </>
      ) : page.enabled ? (
        <>
          <p>Two-factor sign-in is on.</p>
          <p>
            <a href={page.next} className="button">
              Continue
            </a>
          </p>
        </>
      ) : (
        <>
          <div className="panel-confirm" role="status">
            <p>Platform operators must sign in with two factors. Set it up now to continue.</p>
          </div>
          {result && !result.ok ? (
            <div className="error-summary" role="alert">
              <h2>There is a problem</h2>
              <p>{result.error}</p>
            </div>
          ) : null}
          <EnrolmentForm offer={pendingOffer(page, result)} busy={busy} passwordError={passwordErrorOf(result)} />
        </>
      )}
    </main>
  )
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
