import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData } from '@remix-run/react'
import { GeneralErrorBoundary } from '#app/components/error-boundary.tsx'
import { ErrorSummary } from '#app/components/builder/error-summary.tsx'
import { idParam } from '#app/utils/params.ts'
import { handleMapping, loadMapping } from './app.surveys.$surveyId.mapping.server.ts'

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data ? `Map questions: ${data.survey.title} – CSE Insight` : 'Map questions – CSE Insight' },
]

export async function loader({ request, params }: LoaderFunctionArgs) {
  return loadMapping(request, idParam(params, 'surveyId', 'Survey'))
}

export async function action({ request, params }: ActionFunctionArgs) {
  return handleMapping(request, idParam(params, 'surveyId', 'Survey'))
}

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`

export default function MappingPage() {
  const { survey, drivers, ratings, segments, status, saved, fresh } = useLoaderData<typeof loader>()
  const actionData = useActionData<typeof action>()
  const base = `/app/surveys/${survey.id}`
  return (
    <>
      <p>
        <Link to={base}>Back to the survey overview</Link> · <Link to={`${base}/edit`}>Edit the draft</Link>
      </p>
      <h1>Map questions: {survey.title}</h1>
      <p>
        {survey.importedFrom === 'surveyjs'
          ? 'This survey came from SurveyJS, so we do not yet know what its questions measure. '
          : null}
        Tell us which CSE driver each rating measures and which answers count as satisfied, and which
        questions divide people into customer groups. We have suggested answers from each question’s wording
        and answers: check them, then save. Nothing changes until you save.
      </p>
      <ErrorSummary title="The mapping was not saved" problems={actionData?.problems ?? []} />
      {saved && !actionData ? (
        <div className="notice" role="status" data-testid="mapping-saved">
          <p>The mapping is saved.</p>
        </div>
      ) : null}

      <section aria-labelledby="still-to-do" data-testid="mapping-status">
        <h2 id="still-to-do">What is still unmapped</h2>
        {status.ready ? (
          <p>
            Every rating is mapped and one measures overall satisfaction. Nothing here stops you publishing:{' '}
            <Link to={base}>publish from the overview</Link>.
          </p>
        ) : (
          <ul>
            {status.unmapped.length > 0 ? (
              <li>
                {plural(status.unmapped.length, 'rating question has', 'rating questions have')} no driver
                yet: {status.unmapped.map((q) => `“${q.title}”`).join(', ')}. Choose a driver for each, or
                “Not a driver”.
              </li>
            ) : null}
            {!status.hasOverall ? (
              <li>
                No question measures overall satisfaction. You cannot publish until one rating is mapped to
                “Overall satisfaction”, because every CSE result is reported against it.
              </li>
            ) : null}
            {status.otherProblems.length > 0 ? (
              <li>
                Also fix these in the <Link to={`${base}/edit`}>builder</Link> before publishing:
                <ul>
                  {status.otherProblems.map((p) => (
                    <li key={p}>{p}</li>
                  ))}
                </ul>
              </li>
            ) : null}
          </ul>
        )}
      </section>

      <Form method="post" noValidate>
        <input type="hidden" name="intent" value="map" />
        <section aria-labelledby="ratings">
          <h2 id="ratings">Rating questions</h2>
          {ratings.length === 0 ? <p>This survey has no rating questions.</p> : null}
          <p className="hint">
            Mapping a rating adds a “Don’t know / not applicable” answer if it has none: CSE results leave
            those answers out of the base.
          </p>
          {ratings.map((r) => {
            const driver = r.current?.driver ?? r.suggested.driver
            const coding = r.current?.coding ?? r.suggested.coding
            return (
              <fieldset key={r.name} id={`question-${r.name}`} className="mapping-question">
                <legend>
                  “{r.title}”{' '}
                  <span className="hint">
                    ({r.name}, page {r.page})
                  </span>
                </legend>
                <p className="hint" id={`reason-${r.name}`}>
                  {r.current ? 'Mapped. ' : 'Not mapped yet. '}
                  {r.suggested.reason}
                </p>
                <div className="field">
                  <label htmlFor={`driver-${r.name}`}>What does it measure?</label>
                  <select
                    id={`driver-${r.name}`}
                    name={`driver.${r.name}`}
                    defaultValue={driver}
                    aria-describedby={`reason-${r.name}`}
                  >
                    <option value="">Choose…</option>
                    {drivers.map((d) => (
                      <option key={d.value} value={d.value}>
                        {d.label}
                      </option>
                    ))}
                  </select>
                </div>
                <fieldset>
                  <legend>Which answers count as satisfied?</legend>
                  {r.scale.length > 0 ? (
                    <p className="hint">
                      Answers:{' '}
                      {r.scale.map((s) => (s.label ? `${s.value} “${s.label}”` : String(s.value))).join(', ')}
                    </p>
                  ) : null}
                  {coding === 'custom' ? (
                    <div className="choice">
                      <input
                        type="radio"
                        id={`coding-${r.name}-custom`}
                        name={`coding.${r.name}`}
                        value="custom"
                        defaultChecked
                      />
                      <label htmlFor={`coding-${r.name}-custom`}>Keep the coding it has</label>
                    </div>
                  ) : null}
                  {r.options.map((o) => (
                    <div className="choice" key={o.key}>
                      <input
                        type="radio"
                        id={`coding-${r.name}-${o.key.replace(':', '-')}`}
                        name={`coding.${r.name}`}
                        value={o.key}
                        defaultChecked={o.key === coding}
                      />
                      <label htmlFor={`coding-${r.name}-${o.key.replace(':', '-')}`}>{o.label}</label>
                    </div>
                  ))}
                </fieldset>
              </fieldset>
            )
          })}
        </section>

        <section aria-labelledby="segments">
          <h2 id="segments">Customer groups</h2>
          <p>
            Results can be shown for each answer of a single-choice question, for example by service used or
            age. Tick the questions that define groups you want to compare.
          </p>
          {segments.length === 0 ? (
            <p>This survey has no single-choice questions that could define groups.</p>
          ) : null}
          {segments.map((s) => (
            <fieldset key={s.name} id={`question-${s.name}`} className="mapping-question">
              <legend>
                “{s.title}”{' '}
                <span className="hint">
                  ({s.name}: {s.choices.join(', ')})
                </span>
              </legend>
              <div className="choice">
                <input
                  type="checkbox"
                  id={`segment-${s.name}`}
                  name={`segment.${s.name}`}
                  value="yes"
                  defaultChecked={s.current !== null || (fresh && s.suggested)}
                />
                <label htmlFor={`segment-${s.name}`}>
                  Show results for each answer{s.suggested ? ' (suggested)' : ''}
                </label>
              </div>
              <div className="field">
                <label htmlFor={`segment-label-${s.name}`}>Name of the group in results</label>
                <input
                  id={`segment-label-${s.name}`}
                  name={`segmentLabel.${s.name}`}
                  type="text"
                  defaultValue={s.current ?? s.title.slice(0, 100)}
                />
              </div>
            </fieldset>
          ))}
        </section>
        <button type="submit" className="button">
          Save the mapping
        </button>
      </Form>
    </>
  )
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
