import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData, useSearchParams } from '@remix-run/react'
import { GeneralErrorBoundary } from '#app/components/error-boundary.tsx'
import { ErrorSummary, Field } from '#app/components/builder/error-summary.tsx'
import { BilingualField, ButtonForm, Intent, OtherTextFields } from '#app/components/builder/fields.tsx'
import { ConditionPanel, RequiredToggle } from '#app/components/builder/logic.tsx'
import { LOCAL_QUESTION_TYPES } from '#app/components/builder/schemas.ts'
import { handleBuilderAction, loadBuilder } from './app.surveys.$surveyId.edit.server.ts'
import { idParam } from '#app/utils/params.ts'

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data ? `Edit ${data.survey.title} – CSE Insight` : 'Edit survey – CSE Insight' },
]

export async function loader({ request, params }: LoaderFunctionArgs) {
  return loadBuilder(request, idParam(params, 'surveyId', 'Survey'))
}

export async function action({ request, params }: ActionFunctionArgs) {
  return handleBuilderAction(request, idParam(params, 'surveyId', 'Survey'))
}

type LoaderData = ReturnType<typeof useLoaderData<typeof loader>>
type Question = LoaderData['draft']['pages'][number]['questions'][number]
type ActionData = ReturnType<typeof useActionData<typeof action>>

/** The error and saved state of the condition form of one question or page, from the last action. */
function conditionState(actionData: ActionData, kind: 'question' | 'page', name: string) {
  if (!actionData || actionData.intent !== 'set-condition') return { saved: false }
  if ((kind === 'question' ? actionData.values.name : actionData.values.page) !== name && actionData.target !== name)
    return { saved: false }
  if (actionData.notice) return { saved: true }
  const message = actionData.problems[0]?.message ?? Object.values(actionData.errors)[0]
  return { saved: false, error: message }
}

function QuestionCard({
  q,
  first,
  last,
  welsh,
  actionData,
  logic,
  editing,
}: {
  q: Question
  first: boolean
  last: boolean
  welsh: boolean
  actionData: ActionData
  logic: LoaderData['logic']
  /** Open the wording form (a link from the missing-Welsh list asked for it). */
  editing: boolean
}) {
  const mine =
    actionData && actionData.target === q.name && actionData.intent === 'edit-question' ? actionData : null
  const conditionForm = conditionState(actionData, 'question', q.name)
  return (
    <li className="builder-question" id={`question-${q.name}`} data-question={q.name}>
      <h4>{q.title.en || q.name}</h4>
      <p className="small">
        <code>{q.name}</code> · {q.typeLabel}
        {q.segment ? ` · segment “${q.segment}”` : ''}
        {q.equality ? ' · equality question' : ''}
        {q.required ? ' · required' : ''}
        {q.welshMissing ? <span className="tag warn"> needs Welsh</span> : null}
      </p>
      {q.choices.length > 0 ? (
        <p className="small">Answers: {q.choices.map((c) => c.en || c.value).join(' · ')}</p>
      ) : null}
      <div className="actions">
        <ButtonForm intent="move-question" fields={{ name: q.name, direction: 'up' }}>
          Move up<span className="sr-only"> question {q.name}</span>
        </ButtonForm>
        <ButtonForm intent="move-question" fields={{ name: q.name, direction: 'down' }}>
          Move down<span className="sr-only"> question {q.name}</span>
        </ButtonForm>
        <ButtonForm intent="delete-question" fields={{ name: q.name }} className="button warning">
          Delete<span className="sr-only"> question {q.name}</span>
        </ButtonForm>
        {first || last ? (
          <span className="small">
            {first && last
              ? ' Only question on this page.'
              : first
                ? ' First on this page: “Move up” moves it to the previous page.'
                : ' Last on this page: “Move down” moves it to the next page.'}
          </span>
        ) : null}
      </div>
      <RequiredToggle name={q.name} required={q.required} equality={q.equality} />
      <ConditionPanel
        kind="question"
        name={q.name}
        label={q.title.en || q.name}
        condition={q.condition}
        logic={logic}
        {...conditionForm}
      />
      <details open={Boolean(mine && !mine.notice) || editing}>
        <summary>
          Edit wording<span className="sr-only"> of {q.name}</span>
        </summary>
        <Form method="post" noValidate preventScrollReset>
          <Intent value="edit-question" />
          <input type="hidden" name="name" value={q.name} />
          <BilingualField
            id={`${q.name}-title`}
            name="title"
            label="Question"
            en={q.title.en}
            cy={q.title.cy}
            welsh={welsh}
            errors={mine?.errors}
          />
          <BilingualField
            id={`${q.name}-description`}
            name="description"
            label="Help text (optional)"
            en={q.description.en}
            cy={q.description.cy}
            welsh={welsh}
            errors={mine?.errors}
          />
          {q.choices.length > 0 ? (
            <fieldset>
              <legend>Answer labels</legend>
              <p className="hint">
                The stored values ({q.values.join(', ')}) stay the same, so results and trends are not
                affected.
              </p>
              {q.choices.map((c, i) => (
                <div key={c.value}>
                  <Field
                    id={`${q.name}-choice-${i}-en`}
                    name={`choice.${i}.en`}
                    label={`Answer “${c.value}”${welsh ? ' (English)' : ''}`}
                    defaultValue={c.en}
                  />
                  {welsh ? (
                    <Field
                      id={`${q.name}-choice-${i}-cy`}
                      name={`choice.${i}.cy`}
                      label={`Answer “${c.value}” (Welsh)`}
                      defaultValue={c.cy}
                      lang="cy"
                    />
                  ) : null}
                </div>
              ))}
            </fieldset>
          ) : null}
          <OtherTextFields texts={q.otherTexts} welsh={welsh} owner="this question" />
          <button type="submit" className="button">
            Save wording<span className="sr-only"> of {q.name}</span>
          </button>
        </Form>
      </details>
    </li>
  )
}

export default function SurveyBuilder() {
  const { survey, draft, problems, waveChanges, logic } = useLoaderData<typeof loader>()
  const actionData = useActionData<typeof action>()
  const [searchParams] = useSearchParams()
  const editing = searchParams.get('edit') ?? ''
  const welsh = draft.welsh
  const errorsFor = (intent: string) => (actionData && actionData.intent === intent ? actionData.errors : {})
  const formProblems =
    actionData && !actionData.notice
      ? [
          ...actionData.problems,
          ...Object.entries(actionData.errors).map(([field, message]) => ({ message: `${message}`, field })),
        ]
      : []
  const singleChoice = draft.pages.flatMap((p) => p.questions).filter((q) => q.singleChoice)
  const addErrors = errorsFor('add-question')
  const addValues = actionData?.intent === 'add-question' && !actionData.notice ? actionData.values : {}
  // Forms remount after every save, so they show the stored draft rather than what was typed before.
  const k = survey.updatedAt
  return (
    <>
      <p>
        <Link to={`/app/surveys/${survey.id}`}>Back to the survey overview</Link> ·{' '}
        <Link to={`/app/surveys/${survey.id}/preview`}>Preview</Link>
      </p>
      <h1>Edit: {survey.title}</h1>
      <p>
        {survey.published
          ? 'This survey is published. Your changes go into a draft: respondents keep seeing the published version until you publish again.'
          : 'This survey is a draft. Nobody can answer it until you publish it.'}{' '}
        Every change is saved when you press its button.
      </p>
      {actionData?.notice ? (
        <p className="panel-confirm" role="status" data-testid="notice">
          {actionData.notice}
        </p>
      ) : null}
      <ErrorSummary title="That change was not saved" problems={formProblems} />

      <nav aria-label="Builder sections">
        <ul>
          <li>
            <a href="#blocks">Question blocks</a>
          </li>
          <li>
            <a href="#questions">Questions and pages</a>
          </li>
          <li>
            <a href="#add-question">Add a question</a>
          </li>
          <li>
            <a href="#segments">Segments</a>
          </li>
          <li>
            <a href="#texts">Survey texts</a>
          </li>
          <li>
            <a href="#languages">Languages</a>
          </li>
          <li>
            <a href="#settings">Settings</a>
          </li>
        </ul>
      </nav>

      <section aria-labelledby="problems-heading">
        <h2 id="problems-heading">Before you publish</h2>
        {problems.length === 0 ? (
          <p data-testid="no-problems">
            No problems found. The survey can be published from the overview page.
          </p>
        ) : (
          <div className="warning" data-testid="publish-problems">
            <p>Fix these before publishing:</p>
            <ul>
              {problems.map((p, i) => (
                <li key={i}>
                  {'href' in p && p.href ? (
                    <a href={p.href}>{p.message}</a>
                  ) : p.question ? (
                    <a href={`#question-${p.question}`}>{p.message}</a>
                  ) : (
                    p.message
                  )}
                </li>
              ))}
            </ul>
          </div>
        )}
        {waveChanges.length > 0 ? (
          <div className="warning" data-testid="wave-wording-warning">
            <p>
              Wording changed since the previous wave (trends for these may reflect the wording, not the
              service):
            </p>
            <ul>
              {waveChanges.map((c) => (
                <li key={c.question}>{c.message}</li>
              ))}
            </ul>
          </div>
        ) : null}
      </section>

      <section aria-labelledby="blocks">
        <h2 id="blocks">Question blocks</h2>
        <Form method="post" key={`blocks-${k}`} preventScrollReset>
          <Intent value="blocks" />
          <fieldset>
            <legend>Key driver ratings (CSE 1.3.3)</legend>
            <p className="hint">
              Each block is one 5-point satisfaction rating with “Don’t know”. Leaving one out removes its
              question.
            </p>
            {draft.blocks.map((b) => (
              <div className="choice" key={b.driver}>
                <input
                  type="checkbox"
                  id={`driver-${b.driver}`}
                  name="driver"
                  value={b.driver}
                  defaultChecked={b.included}
                />
                <label htmlFor={`driver-${b.driver}`}>
                  {b.driver.replace('_', ' ')}: {b.title}
                </label>
              </div>
            ))}
          </fieldset>
          <div className="choice">
            <input type="checkbox" id="equality" name="equality" defaultChecked={draft.equality} />
            <label htmlFor="equality">
              Equality monitoring questions (age, sex, ethnic group, disability and more)
            </label>
          </div>
          <button type="submit" className="button">
            Save blocks
          </button>
        </Form>
      </section>

      <section aria-labelledby="questions">
        <h2 id="questions">Questions and pages</h2>
        {draft.pages.map((page, pageIndex) => {
          const pageErrors =
            actionData && actionData.target === page.name && actionData.intent === 'edit-page'
              ? actionData.errors
              : undefined
          return (
            <section
              key={page.name}
              className="builder-page"
              id={`page-${page.name}`}
              aria-labelledby={`page-${page.name}-title`}
            >
              <h3 id={`page-${page.name}-title`}>
                Page {pageIndex + 1}: {page.title.en || page.name}
              </h3>
              <div className="actions">
                <ButtonForm intent="move-page" fields={{ page: page.name, direction: 'up' }}>
                  Move page up<span className="sr-only"> {page.title.en}</span>
                </ButtonForm>
                <ButtonForm intent="move-page" fields={{ page: page.name, direction: 'down' }}>
                  Move page down<span className="sr-only"> {page.title.en}</span>
                </ButtonForm>
                {page.questions.length === 0 ? (
                  <ButtonForm intent="delete-page" fields={{ page: page.name }} className="button warning">
                    Delete empty page<span className="sr-only"> {page.title.en}</span>
                  </ButtonForm>
                ) : null}
              </div>
              {page.welshMissing ? <p className="tag warn">This page’s texts need Welsh</p> : null}
              <ConditionPanel
                kind="page"
                name={page.name}
                label={`page ${pageIndex + 1}`}
                condition={page.condition}
                logic={logic}
                {...conditionState(actionData, 'page', page.name)}
              />
              <details open={editing === `page:${page.name}` || Boolean(pageErrors)}>
                <summary>
                  Edit page texts<span className="sr-only"> {page.title.en}</span>
                </summary>
                <Form method="post" noValidate key={`page-${page.name}-${k}`} preventScrollReset>
                  <Intent value="edit-page" />
                  <input type="hidden" name="page" value={page.name} />
                  <BilingualField
                    id={`page-${page.name}-title`}
                    name="title"
                    label="Page title"
                    en={page.title.en}
                    cy={page.title.cy}
                    welsh={welsh}
                    errors={pageErrors}
                  />
                  <BilingualField
                    id={`page-${page.name}-description`}
                    name="description"
                    label="Introduction to the page (optional)"
                    multiline
                    en={page.description.en}
                    cy={page.description.cy}
                    welsh={welsh}
                    errors={pageErrors}
                  />
                  <OtherTextFields texts={page.otherTexts} welsh={welsh} owner="this page" />
                  <button type="submit" className="button">
                    Save page texts<span className="sr-only"> of page {pageIndex + 1}</span>
                  </button>
                </Form>
              </details>
              {page.questions.length === 0 ? (
                <p>This page has no questions yet. Add one below, or delete the page.</p>
              ) : null}
              <ol className="builder-questions">
                {page.questions.map((q, i) => (
                  <QuestionCard
                    key={`${q.name}-${k}`}
                    q={q}
                    first={i === 0}
                    last={i === page.questions.length - 1}
                    welsh={welsh}
                    actionData={actionData}
                    logic={logic}
                    editing={editing === q.name}
                  />
                ))}
              </ol>
            </section>
          )
        })}
        <Form method="post" noValidate key={`add-page-${k}`} preventScrollReset>
          <Intent value="add-page" />
          <h3>Add a page</h3>
          <BilingualField
            id="new-page-title"
            name="title"
            label="Page title"
            en=""
            cy=""
            welsh={welsh}
            errors={errorsFor('add-page')}
          />
          <button type="submit" className="button secondary">
            Add page
          </button>
        </Form>
      </section>

      <section aria-labelledby="add-question">
        <h2 id="add-question">Add a question</h2>
        <Form method="post" noValidate key={`add-question-${k}`} preventScrollReset>
          <Intent value="add-question" />
          <div className={`field${addErrors.page ? ' field-error' : ''}`}>
            <label htmlFor="page">Page</label>
            <select id="page" name="page" defaultValue={addValues.page ?? draft.pages.at(-1)?.name}>
              {draft.pages.map((p, i) => (
                <option key={p.name} value={p.name}>
                  Page {i + 1}: {p.title.en || p.name}
                </option>
              ))}
            </select>
          </div>
          <fieldset id="type" className={addErrors.type ? 'field-error' : undefined}>
            <legend>Type of question</legend>
            {addErrors.type ? <p className="error-message">{addErrors.type}</p> : null}
            {LOCAL_QUESTION_TYPES.map((t) => (
              <div className="choice" key={t.value}>
                <input
                  type="radio"
                  id={`type-${t.value}`}
                  name="type"
                  value={t.value}
                  defaultChecked={(addValues.type ?? 'rating') === t.value}
                />
                <label htmlFor={`type-${t.value}`}>{t.label}</label>
              </div>
            ))}
          </fieldset>
          <Field
            id="name"
            name="name"
            label="Question name"
            hint="Used in exports and to match waves: lower-case letters, digits and underscores, for example waste_collection."
            error={addErrors.name}
            defaultValue={addValues.name ?? ''}
          />
          <Field
            id="titleEn"
            name="titleEn"
            label={welsh ? 'Question (English)' : 'Question'}
            error={addErrors.titleEn}
            defaultValue={addValues.titleEn ?? ''}
          />
          {welsh ? (
            <Field
              id="titleCy"
              name="titleCy"
              label="Question (Welsh)"
              lang="cy"
              defaultValue={addValues.titleCy ?? ''}
            />
          ) : null}
          <Field
            id="driver"
            name="driver"
            label="Driver (ratings only)"
            hint="The key driver this rating measures: a standard one (delivery, timeliness, information, access, professionalism, staff_attitude) or your own, for example waste_collection. Leave empty for other questions."
            error={addErrors.driver}
            defaultValue={addValues.driver ?? ''}
          />
          <Field
            id="choices"
            name="choices"
            label="Answers (single and multiple choice only)"
            hint={
              welsh ? 'One answer per line. Add the Welsh after a bar: Bins | Biniau' : 'One answer per line.'
            }
            multiline
            rows={5}
            error={addErrors.choices}
            defaultValue={addValues.choices ?? ''}
          />
          <button type="submit" className="button">
            Add question
          </button>
        </Form>
      </section>

      <section aria-labelledby="segments">
        <h2 id="segments">Segments</h2>
        <p>
          Segments split the results into customer groups. A segment is a single-choice question, or a
          parameter carried by the survey link.
        </p>
        <Form method="post" key={`segments-${k}`} preventScrollReset>
          <Intent value="segments" />
          <fieldset>
            <legend>Segment questions</legend>
            {singleChoice.length === 0 ? <p>There are no single-choice questions to use.</p> : null}
            {singleChoice.map((q) => (
              <div key={q.name} className="segment-row">
                <div className="choice">
                  <input
                    type="checkbox"
                    id={`segment-${q.name}`}
                    name={`segment.${q.name}`}
                    defaultChecked={q.segment !== null}
                  />
                  <label htmlFor={`segment-${q.name}`}>
                    {q.title.en} (<code>{q.name}</code>)
                  </label>
                </div>
                <Field
                  id={`segmentLabel-${q.name}`}
                  name={`segmentLabel.${q.name}`}
                  label={`Label for the “${q.name}” segment`}
                  defaultValue={q.segment ?? q.title.en.slice(0, 60)}
                />
              </div>
            ))}
          </fieldset>
          <button type="submit" className="button">
            Save segment questions
          </button>
        </Form>

        <h3>Link parameters</h3>
        {draft.urlSegments.length === 0 ? (
          <p>The link carries no parameters.</p>
        ) : (
          <table className="data">
            <caption>Parameters the survey link may carry</caption>
            <thead>
              <tr>
                <th scope="col">Parameter</th>
                <th scope="col">Label</th>
                <th scope="col">Allowed values</th>
                <th scope="col">Example link</th>
                <th scope="col">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {draft.urlSegments.map((u) => (
                <tr key={u.param}>
                  <th scope="row">
                    <code>{u.param}</code>
                  </th>
                  <td>{u.label}</td>
                  <td>{u.values.map((v) => `${v.value} (${v.label})`).join(', ')}</td>
                  <td>
                    <code>
                      /s/{survey.slug}?{u.param}={u.values[0]?.value}
                    </code>
                  </td>
                  <td>
                    <ButtonForm
                      intent="remove-url-segment"
                      fields={{ param: u.param }}
                      className="button warning"
                    >
                      Remove<span className="sr-only"> parameter {u.param}</span>
                    </ButtonForm>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <Form method="post" noValidate key={`url-${k}`} preventScrollReset>
          <Intent value="add-url-segment" />
          <h4>Add a link parameter</h4>
          <Field
            id="param"
            name="param"
            label="Parameter name"
            hint="For example channel, service or site."
            error={errorsFor('add-url-segment').param}
          />
          <Field
            id="param-label"
            name="label"
            label="Label"
            hint="How reports name it, for example Contact channel."
            error={errorsFor('add-url-segment').label}
          />
          <Field
            id="param-values"
            name="values"
            label="Allowed values"
            hint="One per line, optionally with a label after a bar: phone | By phone. Values use lower-case letters, digits, - and _."
            multiline
            rows={4}
            error={errorsFor('add-url-segment').values}
          />
          <button type="submit" className="button secondary">
            Add link parameter
          </button>
        </Form>
      </section>

      <section aria-labelledby="texts">
        <h2 id="texts">Survey texts</h2>
        <p className="hint">
          Shown to respondents. The completion text may use simple formatting (paragraphs, bold, lists,
          links); anything else is removed when saved.
        </p>
        <Form method="post" noValidate key={`texts-${k}`} preventScrollReset>
          <Intent value="texts" />
          <BilingualField
            id="survey-title"
            name="title"
            label="Title shown to respondents"
            hint="Also the survey’s name on your public results page, in English and Welsh, from the next publication."
            en={draft.texts.title.en}
            cy={draft.texts.title.cy}
            welsh={welsh}
            errors={errorsFor('texts')}
          />
          <BilingualField
            id="introduction"
            name="introduction"
            label="Introduction"
            multiline
            en={draft.texts.introduction.en}
            cy={draft.texts.introduction.cy}
            welsh={welsh}
            errors={errorsFor('texts')}
          />
          <BilingualField
            id="privacy"
            name="privacy"
            label="Privacy notice"
            hint="Who holds the answers, why, and how long they are kept. Leave empty to use the standard notice."
            multiline
            en={draft.texts.privacy.en}
            cy={draft.texts.privacy.cy}
            welsh={welsh}
            errors={errorsFor('texts')}
          />
          <BilingualField
            id="completion"
            name="completion"
            label="Completion text"
            multiline
            en={draft.texts.completion.en}
            cy={draft.texts.completion.cy}
            welsh={welsh}
            errors={errorsFor('texts')}
          />
          <OtherTextFields texts={draft.texts.other} welsh={welsh} owner="the survey" />
          <button type="submit" className="button">
            Save survey texts
          </button>
        </Form>
      </section>

      <section aria-labelledby="languages">
        <h2 id="languages">Languages</h2>
        {welsh ? (
          <>
            <p>
              This survey is in English and Welsh. Every text has a Welsh field; “Before you publish” lists what
              still lacks Welsh.
            </p>
            <ButtonForm intent="languages" fields={{ welsh: 'off' }} className="button warning">
              Make it English only (deletes every Welsh text)
            </ButtonForm>
          </>
        ) : (
          <>
            <p>This survey is in English only.</p>
            <ButtonForm intent="languages" fields={{ welsh: 'on' }}>
              Add Welsh
            </ButtonForm>
          </>
        )}
      </section>

      <section aria-labelledby="settings">
        <h2 id="settings">Settings</h2>
        <p className="hint">These apply straight away, to the published survey too.</p>
        <Form method="post" noValidate key={`settings-${k}`} preventScrollReset>
          <Intent value="settings" />
          <Field
            id="settings-title"
            name="title"
            label="Title (for staff)"
            hint="Not shown to respondents or on the public results page."
            defaultValue={survey.title}
            error={errorsFor('settings').title}
          />
          <Field
            id="settings-wave"
            name="wave"
            label="Wave"
            defaultValue={survey.wave}
            error={errorsFor('settings').wave}
          />
          <input type="hidden" name="retentionDays" value={survey.retentionDays} />
          <p>
            Responses are kept for {survey.retentionDays} days.{' '}
            <Link to={`/app/surveys/${survey.id}/retention`}>Change how long responses are kept</Link> (admins;
            you see how many responses a change would delete first).
          </p>
          <Field
            id="opensAt"
            name="opensAt"
            type="date"
            label="Opens on (optional)"
            defaultValue={survey.opensAt}
            error={errorsFor('settings').opensAt}
          />
          <Field
            id="closesAt"
            name="closesAt"
            type="date"
            label="Closes after (optional)"
            hint="The last day answers are taken (UK dates, midnight UTC)."
            defaultValue={survey.closesAt}
            error={errorsFor('settings').closesAt}
          />
          <button type="submit" className="button">
            Save settings
          </button>
        </Form>
      </section>
    </>
  )
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
