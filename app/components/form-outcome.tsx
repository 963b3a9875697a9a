/**
 * What a staff form's action said: a problem (an alert with the error) or a confirmation (a status message).
 * Shared by the account pages (app/routes/app.account*.tsx), whose actions answer `{ ok: false, error }` or
 * `{ ok: true, message }`. Nothing is shown before the form is sent, or for an `ok` answer without a message.
 */
export function FormOutcome({ result }: { result: { ok: false; error: string } | { ok: true; message?: string } | undefined | null }) {
  if (!result) return null
  if (!result.ok)
    return (
      <div className="error-summary" role="alert">
        <h2>There is a problem</h2>
        <p>{result.error}</p>
      </div>
    )
  if (!result.message) return null
  return (
    <div className="panel-confirm" role="status">
      <p>{result.message}</p>
    </div>
  )
}
