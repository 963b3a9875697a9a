import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData, useNavigation } from '@remix-run/react'
import { useState, type FormEvent } from 'react'
import { GeneralErrorBoundary } from '#app/components/error-boundary.tsx'
import { SettingsNav } from '#app/components/settings-nav.tsx'
import { handlePopulationAction, loadPopulationPage } from './app.settings.population.server.ts'
import {
  profileFormErrors,
  saveProfileSchema,
  type ProfileFormErrors,
} from './app.settings.population.schema.ts'

export const meta: MetaFunction = () => [{ title: 'Population profiles – CSE Insight' }]

export async function loader({ request }: LoaderFunctionArgs) {
  return loadPopulationPage(request)
}

export async function action({ request }: ActionFunctionArgs) {
  return handlePopulationAction(request)
}

const num = (x: number) => x.toLocaleString('en-GB')

export default function PopulationPage() {
  const { profiles, canWrite, editing, segmentNames } = useLoaderData<typeof loader>()
  const result = useActionData<typeof action>()
  const busy = useNavigation().state !== 'idle'
  const [clientErrors, setClientErrors] = useState<ProfileFormErrors | null>(null)
  const serverErrors = result && !result.ok ? result.errors : null
  const errors: ProfileFormErrors = clientErrors ?? serverErrors ?? {}
  const values = result && !result.ok && result.values ? result.values : null
  const problems = [
    ...(errors.form ? [{ field: undefined, message: errors.form }] : []),
    ...(errors.name ? [{ field: 'profile-name', message: errors.name }] : []),
    ...(errors.total ? [{ field: 'profile-total', message: errors.total }] : []),
    ...(errors.margins ?? []).map((message) => ({ field: 'profile-margins', message })),
  ]

  // The same schema as the server, so typed margins are checked before they are sent; a file is checked there.
  function checkBeforeSending(event: FormEvent<HTMLFormElement>) {
    const form = new FormData(event.currentTarget)
    const file = form.get('file')
    if (file instanceof File && file.size > 0) return setClientErrors(null)
    const parsed = saveProfileSchema.safeParse({
      intent: 'save',
      id: String(form.get('id') ?? ''),
      name: String(form.get('name') ?? ''),
      total: String(form.get('total') ?? ''),
      margins: String(form.get('margins') ?? ''),
      ...(form.get('isDefault') === 'on' ? { isDefault: 'on' } : {}),
    })
    if (parsed.success) return setClientErrors(null)
    event.preventDefault()
    setClientErrors(profileFormErrors(parsed.error.issues))
  }

  return (
    <>
      <p className="small">
        <Link to="/app">Surveys</Link> › Settings
      </p>
      <h1>Population profiles</h1>
      <SettingsNav current="population" />
      <p>
        A population profile gives the number of people in each group of the population you serve, for example
        by age band and by sex. The weighted dashboard rakes the responses to the default profile, so each
        group counts as much as it does in the population.
      </p>

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
            {problems.map((p, i) => (
              <li key={`${i}-${p.message}`}>
                {p.field ? <a href={`#${p.field}`}>{p.message}</a> : p.message}
              </li>
            ))}
          </ul>
        </div>
      ) : null}
      {result && result.ok ? (
        <div className="notice" role="status" data-testid="saved">
          <p>{result.message}</p>
          {result.warnings.map((w) => (
            <p key={w} className="tag warn">
              {w}
            </p>
          ))}
        </div>
      ) : null}

      <h2 id="profiles-heading">Profiles</h2>
      {profiles.length === 0 ? (
        <p>There are no population profiles yet, so results cannot be weighted.</p>
      ) : (
        <div className="table-scroll" tabIndex={0} role="region" aria-labelledby="profiles-heading">
          <table className="data" data-testid="profiles">
            <caption>
              Population profiles of this organisation. The default one is used to weight the dashboard.
            </caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col" className="num">
                  Total
                </th>
                <th scope="col">Margins (level: people)</th>
                {canWrite ? <th scope="col">Actions</th> : null}
              </tr>
            </thead>
            <tbody>
              {profiles.map((p) => (
                <tr key={p.id} data-profile={p.name}>
                  <th scope="row">
                    {p.name}
                    {p.isDefault ? (
                      <>
                        {' '}
                        <span className="tag">default</span>
                      </>
                    ) : null}
                  </th>
                  <td className="num">{num(p.total)}</td>
                  <td>
                    {p.margins.map((m) => (
                      <p key={m.variable} className="small">
                        <strong>{m.variable}</strong>:{' '}
                        {m.levels.map((l) => `${l.level}: ${num(l.count)}`).join(' · ')}
                      </p>
                    ))}
                    {p.unknownVariables.length > 0 ? (
                      <p className="tag warn">
                        No survey records {p.unknownVariables.join(', ')}: the dashboard cannot weight on it.
                      </p>
                    ) : null}
                  </td>
                  {canWrite ? (
                    <td>
                      <Link to={`?edit=${p.id}`}>
                        Edit<span className="sr-only"> {p.name}</span>
                      </Link>
                      {p.isDefault ? null : (
                        <Form method="post" className="inline">
                          <input type="hidden" name="intent" value="make-default" />
                          <input type="hidden" name="id" value={p.id} />
                          <button type="submit" className="button secondary" disabled={busy}>
                            Make default<span className="sr-only"> {p.name}</span>
                          </button>
                        </Form>
                      )}
                      <Form method="post" className="inline">
                        <input type="hidden" name="intent" value="delete" />
                        <input type="hidden" name="id" value={p.id} />
                        <button type="submit" className="button warning" disabled={busy}>
                          Delete<span className="sr-only"> {p.name}</span>
                        </button>
                      </Form>
                    </td>
                  ) : null}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}

      {canWrite ? (
        <section aria-labelledby="profile-form-heading">
          <h2 id="profile-form-heading">{editing ? `Edit “${editing.name}”` : 'Add a population profile'}</h2>
          <Form
            method="post"
            encType="multipart/form-data"
            noValidate
            onSubmit={checkBeforeSending}
            key={`${editing?.id ?? 'new'}-${result?.ok ? result.message : ''}`}
            data-testid="profile-form"
          >
            <input type="hidden" name="intent" value="save" />
            <input type="hidden" name="id" value={values?.id ?? editing?.id ?? ''} />
            <div className={`field${errors.name ? ' field-error' : ''}`}>
              <label htmlFor="profile-name">Name</label>
              {errors.name ? (
                <p className="error-message" id="profile-name-error">
                  <span className="sr-only">Error: </span>
                  {errors.name}
                </p>
              ) : null}
              <input
                id="profile-name"
                name="name"
                defaultValue={values?.name ?? editing?.name ?? ''}
                maxLength={100}
                aria-invalid={errors.name ? true : undefined}
                aria-describedby={errors.name ? 'profile-name-error' : undefined}
              />
            </div>
            <div className={`field${errors.total ? ' field-error' : ''}`}>
              <label htmlFor="profile-total">Population total</label>
              <p className="hint" id="profile-total-hint">
                The number of people in the population. Leave it empty to take it from the margins.
              </p>
              {errors.total ? (
                <p className="error-message" id="profile-total-error">
                  <span className="sr-only">Error: </span>
                  {errors.total}
                </p>
              ) : null}
              <input
                id="profile-total"
                name="total"
                inputMode="numeric"
                defaultValue={values?.total ?? (editing ? String(editing.total) : '')}
                aria-invalid={errors.total ? true : undefined}
                aria-describedby={`profile-total-hint${errors.total ? ' profile-total-error' : ''}`}
              />
            </div>
            <div className={`field${errors.margins ? ' field-error' : ''}`}>
              <label htmlFor="profile-margins">Margins</label>
              <p className="hint" id="profile-margins-hint">
                One row per group, as CSV with the header <code>variable,level,count</code>, for example{' '}
                <code>age_band,16_24,11800</code>. Each variable’s counts must add up to the total. Variables
                are the survey’s segment names
                {segmentNames.length > 0 ? ` (${segmentNames.join(', ')})` : ', like age_band and sex'}, and
                levels are the answer values stored for them. Row numbers count the header as row 1.
              </p>
              {errors.margins ? (
                <ul className="error-message" id="profile-margins-error" data-testid="margin-errors">
                  {errors.margins.map((m) => (
                    <li key={m}>
                      <span className="sr-only">Error: </span>
                      {m}
                    </li>
                  ))}
                </ul>
              ) : null}
              <textarea
                id="profile-margins"
                name="margins"
                rows={12}
                defaultValue={values?.margins ?? editing?.margins ?? 'variable,level,count\n'}
                aria-invalid={errors.margins ? true : undefined}
                aria-describedby={`profile-margins-hint${errors.margins ? ' profile-margins-error' : ''}`}
                spellCheck={false}
              />
            </div>
            <div className="field">
              <label htmlFor="profile-file">Or upload a CSV file</label>
              <p className="hint" id="profile-file-hint">
                Columns <code>variable,level,count</code>, up to 1 MB. A file replaces what is in the box
                above.
              </p>
              <input
                id="profile-file"
                name="file"
                type="file"
                accept=".csv,text/csv"
                aria-describedby="profile-file-hint"
              />
            </div>
            <div className="choice">
              <input
                type="checkbox"
                id="profile-default"
                name="isDefault"
                value="on"
                defaultChecked={values ? values.isDefault : (editing?.isDefault ?? profiles.length === 0)}
              />
              <label htmlFor="profile-default">Use this profile to weight the dashboard (the default)</label>
            </div>
            <p>
              <button type="submit" className="button" disabled={busy}>
                {editing ? 'Save changes' : 'Add profile'}
              </button>
              {editing ? (
                <>
                  {' '}
                  <Link to="/app/settings/population">Cancel</Link>
                </>
              ) : null}
            </p>
          </Form>
        </section>
      ) : (
        <p className="small">Analysts and admins can add and change population profiles.</p>
      )}
    </>
  )
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
