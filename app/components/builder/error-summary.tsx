/** The GOV.UK-style error summary: every problem, linked to its field when there is one. Focused on render. */
export interface ShownProblem {
  message: string
  field?: string
  question?: string
  page?: string
  /** Where the problem is fixed, when that is another page or needs a form opened (see builder-welsh.server.ts). */
  href?: string
}

export function ErrorSummary({
  problems,
  title = 'There is a problem',
}: {
  problems: ShownProblem[]
  title?: string
}) {
  if (problems.length === 0) return null
  return (
    <div
      className="error-summary"
      role="alert"
      aria-labelledby="error-summary-title"
      tabIndex={-1}
      ref={(el) => el?.focus()}
      data-testid="error-summary"
    >
      <h2 id="error-summary-title">{title}</h2>
      <ul>
        {problems.map((p, i) => (
          <li key={`${i}-${p.message}`}>
            {p.href ? (
              <a href={p.href}>{p.message}</a>
            ) : p.field ? (
              <a href={`#${p.field}`}>{p.message}</a>
            ) : p.question ? (
              <a href={`#question-${p.question}`}>{p.message}</a>
            ) : (
              p.message
            )}
          </li>
        ))}
      </ul>
    </div>
  )
}

/** A labelled text input or textarea with its error message. */
export function Field({
  id,
  name,
  label,
  hint,
  error,
  defaultValue,
  multiline,
  type = 'text',
  lang,
  required,
  rows = 3,
}: {
  id: string
  name: string
  label: string
  hint?: string
  error?: string
  defaultValue?: string | number
  multiline?: boolean
  type?: string
  lang?: string
  required?: boolean
  rows?: number
}) {
  const hintId = hint ? `${id}-hint` : undefined
  const errorId = error ? `${id}-error` : undefined
  const describedBy = [hintId, errorId].filter(Boolean).join(' ') || undefined
  return (
    <div className={`field${error ? ' field-error' : ''}`}>
      <label htmlFor={id}>{label}</label>
      {hint ? (
        <p className="hint" id={hintId}>
          {hint}
        </p>
      ) : null}
      {error ? (
        <p className="error-message" id={errorId}>
          <span className="sr-only">Error: </span>
          {error}
        </p>
      ) : null}
      {multiline ? (
        <textarea
          id={id}
          name={name}
          rows={rows}
          defaultValue={defaultValue}
          aria-describedby={describedBy}
          lang={lang}
          aria-invalid={error ? true : undefined}
        />
      ) : (
        <input
          id={id}
          name={name}
          type={type}
          defaultValue={defaultValue}
          aria-describedby={describedBy}
          lang={lang}
          required={required}
          aria-invalid={error ? true : undefined}
        />
      )}
    </div>
  )
}
