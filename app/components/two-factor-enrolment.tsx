import { Form } from '@remix-run/react'
import type { ReactNode } from 'react'
import { CurrentPasswordField } from './current-password-field.tsx'

/*
 * The parts of setting up two-factor sign-in shared by /app/account/two-factor and /operator/two-factor
 * (app/services/two-factor-enrolment.server.ts).
 */

export function CodeField({ id, label, hint }: { id: string; label: string; hint: string }) {
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <p className="hint" id={`${id}-hint`}>
        {hint}
      </p>
      <input id={id} name="code" type="text" autoComplete="one-time-code" aria-describedby={`${id}-hint`} spellCheck={false} autoCapitalize="none" required maxLength={64} />
    </div>
  )
}

/** The recovery codes, shown once after set-up (or replacement), with what to do next. */
export function RecoveryCodes({ codes, next }: { codes: string[]; next: ReactNode }) {
  return (
    <section aria-labelledby="recovery-heading">
      <h2 id="recovery-heading">Your recovery codes</h2>
      <p>
        Keep these somewhere safe, away from your phone. Each works once, in place of a code from your app, if you
        lose your phone. They are shown only now.
      </p>
      <ul className="recovery-codes" data-testid="recovery-codes">
        {codes.map((c) => (
          <li key={c}>
            <code>{c}</code>
          </li>
        ))}
      </ul>
      <p>{next}</p>
    </section>
  )
}

interface Offer {
  qrSvg: string
  secret: string
  rawSecret: string
}

/**
 * The offer to show: the pending one a failed set-up answer carries (app/services/two-factor-enrolment.server.ts
 * keepingOffer), else the loader's fresh one. Without it, a wrong code or password would offer a new secret that
 * the authenticator app, already scanned, never matches.
 */
export function pendingOffer<O extends Offer>(page: O, result: unknown): O {
  const offer = result && typeof result === 'object' && 'offer' in result ? (result as { offer?: Offer }).offer : undefined
  return offer ? { ...page, ...offer } : page
}

/**
 * Scan (or type) the new secret, then confirm it with the current password and a code. The QR markup comes from
 * the qrcode package.
 */
export function EnrolmentForm({
  offer: { qrSvg, secret, rawSecret, email },
  busy,
  passwordError,
}: {
  offer: Offer & { email: string }
  busy: boolean
  passwordError?: string
}) {
  return (
    <>
      <p>
        After your password, CSE Insight will ask for a six-digit code from an authenticator app on your phone (for
        example Microsoft Authenticator, Google Authenticator or a password manager).
      </p>
      <h2>1. Add CSE Insight to your authenticator app</h2>
      <p>Scan this QR code with the app:</p>
      <div className="qr" role="img" aria-label="QR code for your authenticator app" dangerouslySetInnerHTML={{ __html: qrSvg }} />
      <p>
        Or type this key into the app: <code data-testid="totp-secret">{secret}</code>
      </p>
      <h2>2. Confirm with your password and the code the app shows</h2>
      <Form method="post">
        <input type="hidden" name="intent" value="enable" />
        <input type="hidden" name="secret" value={rawSecret} />
        <CurrentPasswordField id="current-password-enable" hint="The password you sign in with, to show it is you." error={passwordError} username={email} />
        <CodeField id="code-enable" label="Code" hint="Six digits. It changes every 30 seconds." />
        <button className="button" type="submit" disabled={busy}>
          Turn on two-factor sign-in
        </button>
      </Form>
    </>
  )
}
