/**
 * The current password, asked again before two-factor sign-in is set up or sessions are ended
 * (app/services/reauthentication.server.ts). `error` is the field error the server gave, shown next to it.
 * `username` (the account's e-mail) lets password managers fill the right entry.
 */
export function CurrentPasswordField({ id, hint, error, username }: { id: string; hint: string; error?: string; username?: string }) {
  return (
    <div className={error ? 'field field-error' : 'field'}>
      {username ? <input type="hidden" name="username" autoComplete="username" value={username} /> : null}
      <label htmlFor={id}>Current password</label>
      <p className="hint" id={`${id}-hint`}>
        {hint}
      </p>
      {error ? (
        <p className="error-message" id={`${id}-error`}>
          <span className="sr-only">Error: </span>
          {error}
        </p>
      ) : null}
      <input
        id={id}
        name="currentPassword"
        type="password"
        autoComplete="current-password"
        aria-describedby={`${id}-hint${error ? ` ${id}-error` : ''}`}
        aria-invalid={error ? true : undefined}
        required
        maxLength={256}
      />
    </div>
  )
}

/** The current-password field error in an action's answer (app/services/reauthentication.server.ts), if any. */
export function passwordErrorOf(result: unknown): string | undefined {
  if (!result || typeof result !== 'object' || !('fieldErrors' in result)) return undefined
  return (result as { fieldErrors?: { currentPassword?: string } }).fieldErrors?.currentPassword
}
