import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { Form, Link, useLoaderData } from '@remix-run/react'
import { GeneralErrorBoundary } from '#app/components/error-boundary.tsx'
import { loadCommentsPage } from './app.surveys.$surveyId.comments.server.ts'
import { idParam } from '#app/utils/params.ts'
import { handleCommentThemesForm } from './app.surveys.$surveyId.themes.server.ts'

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: `Comments: ${data?.survey.title ?? 'survey'} – CSE Insight` },
]

export async function loader({ request, params }: LoaderFunctionArgs) {
  return loadCommentsPage(request, idParam(params, 'surveyId', 'Survey'))
}

/** Sets the themes of one comment (issue 14, item 3); analysts and admins only. */
export async function action({ request, params }: ActionFunctionArgs) {
  return handleCommentThemesForm(request, idParam(params, 'surveyId', 'Survey'))
}

type Data = ReturnType<typeof useLoaderData<typeof loader>>

/** The per-comment coding form: one checkbox per theme of the frame. */
function CommentThemesForm({ d, comment, index }: { d: Data; comment: Data['comments'][number]; index: number }) {
  if (!comment.ref) return null
  return (
    <details>
      <summary>
        Code into themes<span className="sr-only"> (comment {index})</span>
      </summary>
      <Form method="post" data-testid="comment-themes-form">
        <input type="hidden" name="intent" value="set-themes" />
        <input type="hidden" name="comment" value={comment.ref} />
        <fieldset>
          <legend>Themes of comment {index}</legend>
          {d.themes.map((t) => (
            <div key={t.id}>
              <input
                type="checkbox"
                id={`c${index}-t-${t.id}`}
                name="theme"
                value={t.id}
                defaultChecked={comment.themeIds.includes(t.id)}
              />{' '}
              <label htmlFor={`c${index}-t-${t.id}`}>{t.name}</label>
            </div>
          ))}
        </fieldset>
        <button type="submit">Save themes</button>
      </Form>
    </details>
  )
}

/** The current query string with some parameters changed (for the paging links). */
function hrefWith(d: Data, changes: Record<string, string>): string {
  const q = new URLSearchParams()
  if (d.query.search) q.set('q', d.query.search)
  if (d.query.driver) q.set('driver', d.query.driver)
  for (const w of d.query.waves) q.append('wave', w)
  for (const [name, values] of Object.entries(d.query.segments))
    for (const v of values) q.append(`seg.${name}`, v)
  for (const [k, v] of Object.entries(changes)) q.set(k, v)
  return `?${q.toString()}`
}

export default function CommentsPage() {
  const d = useLoaderData<typeof loader>()
  const first = d.total === 0 ? 0 : (d.query.page - 1) * d.pageSize + 1
  const last = Math.min(d.total, d.query.page * d.pageSize)
  return (
    <>
      <p className="small">
        <Link to="/app">Surveys</Link> ›{' '}
        <Link to={`/app/surveys/${d.survey.id}/dashboard`}>{d.survey.title}</Link> › Comments
      </p>
      <h1>Comments: {d.survey.title}</h1>
      <p>
        What respondents wrote in their own words (CSE 1.3.5). Comments of a group with fewer than{' '}
        {d.thresholds.suppress} responses are hidden, as its figures are on the dashboard.
      </p>

      <Form method="get" className="filters" aria-label="Search and filter comments" role="search">
        <div className="field">
          <label htmlFor="comments-search">Search the comments</label>
          <input
            id="comments-search"
            name="q"
            type="search"
            defaultValue={d.query.search}
            maxLength={200}
            size={40}
          />
        </div>
        <fieldset>
          <legend>Filters</legend>
          {d.drivers.length > 0 ? (
            <div className="field">
              <label htmlFor="comments-driver">Driver</label>
              <select id="comments-driver" name="driver" defaultValue={d.query.driver}>
                <option value="">All comments</option>
                {d.drivers.map((dr) => (
                  <option key={dr.name} value={dr.name}>
                    {dr.label}
                  </option>
                ))}
              </select>
            </div>
          ) : null}
          <div className="field">
            <label htmlFor="comments-wave">Wave</label>
            <select id="comments-wave" name="wave" defaultValue={d.query.waves[0] ?? ''}>
              <option value="">All waves</option>
              {d.waves.map((w) => (
                <option key={w} value={w}>
                  {w}
                </option>
              ))}
            </select>
          </div>
          {d.segments.map((s) => (
            <div className="field" key={s.name}>
              <label htmlFor={`comments-seg-${s.name}`}>{s.label}</label>
              <select
                id={`comments-seg-${s.name}`}
                name={`seg.${s.name}`}
                defaultValue={d.query.segments[s.name]?.[0] ?? ''}
              >
                <option value="">All</option>
                {s.groups.map((g) => (
                  <option key={g.value} value={g.value}>
                    {g.label}
                  </option>
                ))}
              </select>
            </div>
          ))}
        </fieldset>
        <button type="submit" className="button">
          Show comments
        </button>{' '}
        <Link to={`/app/surveys/${d.survey.id}/comments`}>Reset</Link>
      </Form>
      <p>
        <Link to={`/app/surveys/${d.survey.id}/themes`}>Comment themes</Link>: the coding frame, bulk coding from
        suggestions, and how often each theme comes up by group.
      </p>

      <section aria-labelledby="comments-heading">
        <h2 id="comments-heading">Comments</h2>
        {d.questions.length === 0 ? <p>This survey has no free-text questions.</p> : null}
        {d.hiddenNote ? (
          <p className="notice warn" role="status" data-testid="comments-hidden">
            {d.hiddenNote}
          </p>
        ) : (
          <p role="status" data-testid="comments-count">
            {d.total === 0
              ? 'No comments match.'
              : `Showing ${first.toLocaleString('en-GB')}–${last.toLocaleString('en-GB')} of ${d.total.toLocaleString('en-GB')} comments.`}
          </p>
        )}
        {d.heldBack.length > 0 ? (
          <p className="small" data-testid="comments-held-back">
            Comments from groups with fewer than {d.thresholds.suppress} responses in this view are left out,
            so they cannot be found by comparing lists: {d.heldBack.join('; ')}.
          </p>
        ) : null}
        {d.comments.length > 0 ? (
          <ol className="comments" start={first} data-testid="comments-list">
            {d.comments.map((c, i) => (
              <li key={c.key}>
                {/* Text only: React escapes it, and nothing here is ever rendered as HTML. */}
                <blockquote>
                  <p style={{ whiteSpace: 'pre-wrap' }}>{c.text}</p>
                </blockquote>
                <p className="small">
                  {c.questionTitle}
                  {c.driver ? ` · driver: ${c.driver.replace(/_/g, ' ')}` : ''} · wave {c.wave}
                </p>
                {c.themeNames.length > 0 ? (
                  <p className="small" data-testid="comment-themes">
                    Themes: {c.themeNames.join(', ')}
                  </p>
                ) : null}
                <CommentThemesForm d={d} comment={c} index={first + i} />
              </li>
            ))}
          </ol>
        ) : null}
        {d.pages > 1 && !d.hidden ? (
          <nav aria-label="Pages of comments">
            <p>
              {d.query.page > 1 ? (
                <Link to={hrefWith(d, { page: String(d.query.page - 1) })} rel="prev">
                  Previous 50
                </Link>
              ) : null}
              {d.query.page > 1 && d.query.page < d.pages ? ' · ' : null}
              <span className="small">
                {' '}
                Page {d.query.page} of {d.pages}{' '}
              </span>
              {d.query.page < d.pages ? (
                <Link to={hrefWith(d, { page: String(d.query.page + 1) })} rel="next">
                  Next 50
                </Link>
              ) : null}
            </p>
          </nav>
        ) : null}
      </section>
    </>
  )
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
