import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData, useNavigation } from '@remix-run/react'
import { useEffect, useRef } from 'react'
import { AccountNav } from '#app/components/account-nav.tsx'
import { CurrentPasswordField, passwordErrorOf } from '#app/components/current-password-field.tsx'
import { GeneralErrorBoundary } from '#app/components/error-boundary.tsx'
import { FormOutcome } from '#app/components/form-outcome.tsx'
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from '#app/utils/password-policy.ts'
import { handleChangePassword, loadAccountPage } from './app.account.server.ts'

export const meta: MetaFunction = () => [{ title: 'Your account – CSE Insight' }]

export async function loader({ request }: LoaderFunctionArgs) {
  return loadAccountPage(request)
}

export async function action({ request, context }: ActionFunctionArgs) {
  return handleChangePassword(request, context.clientKey)
}

export default function AccountPage() {
  const { name, email, twoFactorEnabled } = useLoaderData<typeof loader>()
  const result = useActionData<typeof action>()
  const busy = useNavigation().state === 'submitting'
  const formRef = useRef<HTMLFormElement>(null)
  useEffect(() => {
    if (result?.ok) formRef.current?.reset()
  }, [result])
  return (
    <>
      <h1>Your account</h1>
      <AccountNav current="password" />
      <p>
        {name}, {email}. Two-factor sign-in is{' '}
        <Link to="/app/account/two-factor">{twoFactorEnabled ? 'on' : 'off'}</Link>.
      </p>
      <FormOutcome result={result} />
      <h2>Change your password</h2>
      <Form method="post" ref={formRef}>
        <CurrentPasswordField id="currentPassword" hint="The password you sign in with now." error={passwordErrorOf(result)} username={email} />
        <div className="field">
          <label htmlFor="newPassword">New password</label>
          <p className="hint" id="newPassword-hint">
            {PASSWORD_MIN_LENGTH} to {PASSWORD_MAX_LENGTH} characters. A few unrelated words make a good password. Common passwords are refused.
          </p>
          <input
            id="newPassword"
            name="newPassword"
            type="password"
            autoComplete="new-password"
            aria-describedby="newPassword-hint"
            required
            minLength={PASSWORD_MIN_LENGTH}
            maxLength={PASSWORD_MAX_LENGTH}
          />
        </div>
        <div className="field">
          <label htmlFor="confirmPassword">New password again</label>
          <input id="confirmPassword" name="confirmPassword" type="password" autoComplete="new-password" required maxLength={PASSWORD_MAX_LENGTH} />
        </div>
        <button className="button" type="submit" disabled={busy}>
          Change password
        </button>
      </Form>
      <p className="small">Changing your password signs out your other sessions.</p>
    </>
  )
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
