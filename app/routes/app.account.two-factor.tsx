import type { ActionFunctionArgs, HeadersFunction, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData, useNavigation } from '@remix-run/react'
import { AccountNav } from '#app/components/account-nav.tsx'
import { CodeField, EnrolmentForm, pendingOffer, RecoveryCodes } from '#app/components/two-factor-enrolment.tsx'
import { passwordErrorOf } from '#app/components/current-password-field.tsx'
import { GeneralErrorBoundary } from '#app/components/error-boundary.tsx'
import { FormOutcome } from '#app/components/form-outcome.tsx'
import { handleTwoFactorAction, loadTwoFactorPage } from './app.account.two-factor.server.ts'

export const meta: MetaFunction = () => [{ title: 'Two-factor sign-in – CSE Insight' }]

// Recovery codes and the secret are shown on this page: never cache it.
export const headers: HeadersFunction = () => ({ 'Cache-Control': 'private, no-store' })

export async function loader({ request }: LoaderFunctionArgs) {
  return loadTwoFactorPage(request)
}

export async function action({ request, context }: ActionFunctionArgs) {
  return handleTwoFactorAction(request, context.clientKey)
}

export default function TwoFactorPage() {
  const page = useLoaderData<typeof loader>()
  const result = useActionData<typeof action>()
  const busy = useNavigation().state === 'submitting'
  return (
    <>
      <h1>Two-factor sign-in</h1>
      <AccountNav current="two-factor" />
      {page.mustEnrol && !(result?.ok && result.recoveryCodes) ? (
        <div className="panel-confirm" role="status">
          <p>
            {page.enabled === false && page.requiredBecause === 'operator'
              ? 'Platform operators must sign in with two factors. Set it up now to continue.'
              : page.enabled === false && page.requiredBecause === 'admin'
                ? 'Admins must sign in with two factors. Set it up now to continue.'
                : 'Your organisation asks every member to sign in with two factors. Set it up now to continue.'}
          </p>
        </div>
      ) : null}
      <FormOutcome result={result} />
      {result?.ok && result.recoveryCodes ? (
        <RecoveryCodes
          codes={result.recoveryCodes}
          next={
            <Link to="/app" className="button">
              Continue
            </Link>
          }
        />
      ) : page.enabled ? (
        <>
          <p>
            Two-factor sign-in is on: after your password, you enter a code from your authenticator app.
            {page.required ? ' It is required for your role or organisation.' : ''} You have {page.recoveryCodesLeft} unused
            recovery {page.recoveryCodesLeft === 1 ? 'code' : 'codes'}.
          </p>
          <h2>New recovery codes</h2>
          <Form method="post">
            <input type="hidden" name="intent" value="recovery-codes" />
            <CodeField id="code-recovery" label="Code" hint="A code from your authenticator app, or a recovery code. The old recovery codes will stop working." />
            <button className="button secondary" type="submit" disabled={busy}>
              Make new recovery codes
            </button>
          </Form>
          <h2>Turn off two-factor sign-in</h2>
          {page.required ? <p>Your role or organisation requires it: you will be asked to set it up again at once, with a new authenticator.</p> : null}
          <Form method="post">
            <input type="hidden" name="intent" value="disable" />
            <CodeField id="code-disable" label="Code" hint="A code from your authenticator app, or a recovery code." />
            <button className="button warning" type="submit" disabled={busy}>
              Turn off two-factor sign-in
            </button>
          </Form>
        </>
      ) : (
        <EnrolmentForm offer={pendingOffer(page, result)} busy={busy} passwordError={passwordErrorOf(result)} />
      )}
    </>
  )
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
