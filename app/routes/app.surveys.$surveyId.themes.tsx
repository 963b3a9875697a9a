import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData, useSearchParams } from '@remix-run/react'
import { GeneralErrorBoundary } from '#app/components/error-boundary.tsx'
import { ThemeFrequencyTables } from '#app/components/theme-frequency.tsx'
import { idParam } from '#app/utils/params.ts'
import { handleThemesForm, loadThemesPage, type ThemesPageData } from './app.surveys.$surveyId.themes.server.ts'

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: `Comment themes: ${data?.survey.title ?? 'survey'} – CSE Insight` },
]

export async function loader({ request, params }: LoaderFunctionArgs) {
  return loadThemesPage(request, idParam(params, 'surveyId', 'Survey'))
}

export async function action({ request, params }: ActionFunctionArgs) {
  return handleThemesForm(request, idParam(params, 'surveyId', 'Survey'))
}

type Theme = ThemesPageData['themes'][number]

function ThemeFields({ prefix, theme, errors }: { prefix: string; theme: Theme | null; errors: Record<string, string> }) {
  const err = (name: string) =>
    errors[name] ? (
      <p id={`${prefix}-${name}-error`} className="error">
        {errors[name]}
      </p>
    ) : null
  return (
    <>
      <div className="field">
        <label htmlFor={`${prefix}-name`}>Theme name</label>
        <input
          id={`${prefix}-name`}
          name="name"
          required
          maxLength={100}
          defaultValue={theme?.name ?? ''}
          aria-describedby={errors.name ? `${prefix}-name-error` : undefined}
        />
        {err('name')}
      </div>
      <div className="field">
        <label htmlFor={`${prefix}-keywords`}>Keywords that suggest it (optional, separated by commas)</label>
        <input
          id={`${prefix}-keywords`}
          name="keywords"
          size={50}
          defaultValue={theme?.keywords.join(', ') ?? ''}
          aria-describedby={errors.keywords ? `${prefix}-keywords-error` : undefined}
        />
        {err('keywords')}
      </div>
    </>
  )
}

function Suggestions({ data, theme }: { data: ThemesPageData; theme: Theme }) {
  const s = data.suggestions.find((x) => x.themeId === theme.id)
  if (!s) return null
  return (
    <section aria-labelledby={`suggest-${theme.id}`}>
      <h3 id={`suggest-${theme.id}`}>{theme.name}</h3>
      {s.comments.length === 0 ? (
        <p>No uncoded comments contain its keywords.</p>
      ) : (
        <Form method="post" data-testid="suggestions">
          <input type="hidden" name="intent" value="code" />
          <input type="hidden" name="themeId" value={theme.id} />
          <fieldset>
            <legend>
              Comments containing {theme.keywords.map((k) => `“${k}”`).join(', ')} not yet coded as {theme.name}
              {s.total > s.comments.length ? ` (the first ${s.comments.length} of ${s.total})` : ''}
            </legend>
            <ul className="plain">
              {s.comments.map((c, i) => (
                <li key={c.value}>
                  <input type="checkbox" id={`s-${theme.id}-${i}`} name="comment" value={c.value} defaultChecked />{' '}
                  <label htmlFor={`s-${theme.id}-${i}`}>
                    <span style={{ whiteSpace: 'pre-wrap' }}>{c.text}</span>{' '}
                    <span className="small">({c.questionTitle})</span>
                  </label>
                </li>
              ))}
            </ul>
          </fieldset>
          <button type="submit">Code selected</button>
        </Form>
      )}
    </section>
  )
}

export default function ThemesPage() {
  const data = useLoaderData<typeof loader>()
  const result = useActionData<typeof action>()
  const [search] = useSearchParams()
  const errors = result && !result.ok ? result.errors : {}
  const coded = search.get('coded')
  return (
    <>
      <p className="small">
        <Link to="/app">Surveys</Link> ›{' '}
        <Link to={`/app/surveys/${data.survey.id}/dashboard`}>{data.survey.title}</Link> › Comment themes
      </p>
      <h1>Comment themes: {data.survey.title}</h1>
      <p>
        The coding frame of this survey’s comments, and how often each theme comes up in each customer group and for
        each driver (CSE 1.3.5). Code comments in bulk from the suggestions below, or one at a time on the{' '}
        <Link to={`/app/surveys/${data.survey.id}/comments`}>comments page</Link>.
      </p>
      {search.get('saved') ? (
        <p className="notice success" role="status">
          Saved.
        </p>
      ) : null}
      {coded !== null ? (
        <p className="notice success" role="status" data-testid="coded">
          {coded === '1' ? '1 comment coded.' : `${Number(coded) || 0} comments coded.`}
        </p>
      ) : null}
      {errors.form || errors.comment || errors.themeId ? (
        <p className="notice warn" role="alert">
          {errors.form ?? errors.comment ?? errors.themeId}
        </p>
      ) : null}

      <section aria-labelledby="frame-heading">
        <h2 id="frame-heading">Coding frame</h2>
        {data.themes.length === 0 ? <p>No themes yet.</p> : null}
        {data.themes.length > 0 ? (
          <ul data-testid="themes">
            {data.themes.map((t) => (
              <li key={t.id}>
                <strong>{t.name}</strong>
                {t.keywords.length > 0 ? <span className="small"> · keywords: {t.keywords.join(', ')}</span> : null}
                {data.canCode ? (
                  <details>
                    <summary>
                      Change or delete<span className="sr-only"> {t.name}</span>
                    </summary>
                    <Form method="post">
                      <input type="hidden" name="intent" value="update" />
                      <input type="hidden" name="themeId" value={t.id} />
                      <ThemeFields prefix={`edit-${t.id}`} theme={t} errors={{}} />
                      <button type="submit">Save changes</button>
                    </Form>
                    <Form method="post">
                      <input type="hidden" name="intent" value="delete" />
                      <input type="hidden" name="themeId" value={t.id} />
                      <button type="submit" className="danger">
                        Delete {t.name} and its codings
                      </button>
                    </Form>
                  </details>
                ) : null}
              </li>
            ))}
          </ul>
        ) : null}
        {data.canCode ? (
          <Form method="post" aria-labelledby="new-theme-heading" key={`new-${data.themes.length}`}>
            <h3 id="new-theme-heading">Add a theme</h3>
            <input type="hidden" name="intent" value="create" />
            <ThemeFields prefix="new" theme={null} errors={errors} />
            <button type="submit">Add the theme</button>
          </Form>
        ) : null}
      </section>

      <section aria-labelledby="frequency-heading">
        <h2 id="frequency-heading">How often each theme comes up</h2>
        {data.themes.length === 0 ? <p>Add themes and code comments to see them here.</p> : <ThemeFrequencyTables frequency={data.frequency} />}
      </section>

      {data.canCode && data.themes.some((t) => t.keywords.length > 0) ? (
        <section aria-labelledby="suggestions-heading">
          <h2 id="suggestions-heading">Suggestions</h2>
          {data.commentsHidden ? (
            <p>Comments of this survey are hidden: too few responses to show them.</p>
          ) : (
            data.themes.filter((t) => t.keywords.length > 0).map((t) => <Suggestions key={t.id} data={data} theme={t} />)
          )}
        </section>
      ) : null}
    </>
  )
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
