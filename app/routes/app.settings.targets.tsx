import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData, useNavigation } from '@remix-run/react'
import { useState, type FormEvent } from 'react'
import { GeneralErrorBoundary } from '#app/components/error-boundary.tsx'
import { SettingsNav } from '#app/components/settings-nav.tsx'
import { handleTargetsAction, loadTargetsPage } from './app.settings.targets.server.ts'
import { targetsFormSchema, targetsFormValues } from './app.settings.targets.schema.ts'

export const meta: MetaFunction = () => [{ title: 'Targets – CSE Insight' }]

export async function loader({ request }: LoaderFunctionArgs) {
  return loadTargetsPage(request)
}

export async function action({ request }: ActionFunctionArgs) {
  return handleTargetsAction(request)
}

export default function TargetsPage() {
  const { surveys, selected, canWrite } = useLoaderData<typeof loader>()
  const result = useActionData<typeof action>()
  const busy = useNavigation().state !== 'idle'
  const [clientErrors, setClientErrors] = useState<Record<string, string> | null>(null)
  const errors: Record<string, string> = clientErrors ?? (result && !result.ok ? result.errors : {})
  const values = result && !result.ok ? (result.values ?? {}) : {}

  // The same schema as the server: a mistyped percentage is caught before sending.
  function checkBeforeSending(event: FormEvent<HTMLFormElement>) {
    const parsed = targetsFormSchema.safeParse(targetsFormValues(new FormData(event.currentTarget)))
    if (parsed.success) return setClientErrors(null)
    event.preventDefault()
    const found: Record<string, string> = {}
    for (const issue of parsed.error.issues) {
      const key =
        issue.path[0] === 'targets' && issue.path[1] !== undefined
          ? `target.${String(issue.path[1])}`
          : String(issue.path[0] ?? 'form')
      found[key] ??= issue.message
    }
    setClientErrors(found)
  }

  const problems = Object.entries(errors).map(([key, message]) => ({
    key,
    message,
    field: key.startsWith('target.') ? `input-${key.slice(7)}` : undefined,
  }))
  return (
    <>
      <p className="small">
        <Link to="/app">Surveys</Link> › Settings
      </p>
      <h1>Targets</h1>
      <SettingsNav current="targets" />
      <p>
        A target is the % satisfied you aim for on a measure. It applies to every wave of a survey series. The
        dashboard judges the latest wave against it using the confidence interval: <strong>met</strong> (the
        whole interval is at or above the target), <strong>below target</strong> (the whole interval is below
        it) or <strong>not demonstrably different</strong> (the interval includes the target).
      </p>

      <Form method="get" aria-label="Choose a survey">
        <div className="field">
          <label htmlFor="target-survey">Survey</label>
          <select id="target-survey" name="survey" defaultValue={selected?.id ?? ''}>
            <option value="">Choose a survey</option>
            {surveys.map((s) => (
              <option key={s.id} value={s.id}>
                {s.title} ({s.wave})
              </option>
            ))}
          </select>{' '}
          <button type="submit" className="button secondary">
            Show targets
          </button>
        </div>
      </Form>

      {problems.length > 0 ? (
        <div
          className="error-summary"
          role="alert"
          aria-labelledby="error-summary-title"
          tabIndex={-1}
          data-testid="error-summary"
        >
          <h2 id="error-summary-title">There is a problem</h2>
          <ul>
            {problems.map((p) => (
              <li key={p.key}>{p.field ? <a href={`#${p.field}`}>{p.message}</a> : p.message}</li>
            ))}
          </ul>
        </div>
      ) : null}
      {result && result.ok ? (
        <div className="notice" role="status" data-testid="saved">
          <p>{result.message}</p>
        </div>
      ) : null}

      {selected ? (
        <section aria-labelledby="targets-heading">
          <h2 id="targets-heading">Targets for “{selected.title}”</h2>
          <p className="small">
            This series has {selected.series.length === 1 ? 'one wave' : `${selected.series.length} waves`}:{' '}
            {selected.series.map((s) => `${s.title} (${s.wave})`).join(', ')}.{' '}
            <Link to={`/app/surveys/${selected.id}/dashboard`}>See how they compare on the dashboard</Link>.
          </p>
          <Form
            method="post"
            noValidate
            onSubmit={checkBeforeSending}
            key={selected.id + (result?.ok ? result.message : '')}
          >
            <input type="hidden" name="intent" value="save" />
            <input type="hidden" name="surveyId" value={selected.id} />
            <table className="data" data-testid="targets">
              <caption>Target % satisfied per measure. Leave a box empty for no target.</caption>
              <thead>
                <tr>
                  <th scope="col">Measure</th>
                  <th scope="col">Target (% satisfied)</th>
                </tr>
              </thead>
              <tbody>
                {selected.measures.map((m) => {
                  const error = errors[`target.${m.name}`]
                  return (
                    <tr key={m.name}>
                      <th scope="row">
                        <label htmlFor={`input-${m.name}`}>{m.label}</label>
                      </th>
                      <td className={error ? 'field-error' : undefined}>
                        {error ? (
                          <p className="error-message" id={`input-${m.name}-error`}>
                            <span className="sr-only">Error: </span>
                            {error}
                          </p>
                        ) : null}
                        <input
                          id={`input-${m.name}`}
                          name={`target.${m.name}`}
                          inputMode="decimal"
                          size={6}
                          defaultValue={values[`target.${m.name}`] ?? m.percent}
                          readOnly={!canWrite}
                          aria-invalid={error ? true : undefined}
                          aria-describedby={error ? `input-${m.name}-error` : undefined}
                        />{' '}
                        %
                      </td>
                    </tr>
                  )
                })}
              </tbody>
            </table>
            {canWrite ? (
              <button type="submit" className="button" disabled={busy}>
                Save targets
              </button>
            ) : (
              <p className="small">Analysts and admins can change targets.</p>
            )}
          </Form>
        </section>
      ) : surveys.length === 0 ? (
        <p>There are no surveys yet.</p>
      ) : null}
    </>
  )
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
