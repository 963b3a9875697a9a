import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData } from '@remix-run/react'
import { GeneralErrorBoundary } from '#app/components/error-boundary.tsx'
import { ErrorSummary, Field } from '#app/components/builder/error-summary.tsx'
import { createNewSurvey, loadNewSurvey } from './app.surveys.new.server.ts'

export const meta: MetaFunction = () => [{ title: 'New survey – CSE Insight' }]

export async function loader({ request }: LoaderFunctionArgs) {
  return loadNewSurvey(request)
}

export async function action({ request }: ActionFunctionArgs) {
  return createNewSurvey(request)
}

export default function NewSurvey() {
  const { templates, equalityBlockId, suggestedWave } = useLoaderData<typeof loader>()
  const actionData = useActionData<typeof action>()
  const errors = actionData?.errors ?? {}
  const values = actionData?.values ?? {}
  const chosen = values.templateId ?? 'core-satisfaction'
  return (
    <>
      <p>
        <Link to="/app">Back to surveys</Link>
      </p>
      <h1>New survey</h1>
      <p>
        Start from a template. You can change the wording, leave out questions, add your own and set up the
        link before you publish. Or <Link to="/app/surveys/import-json">import a survey from JSON</Link>.
      </p>
      <ErrorSummary
        problems={Object.entries(errors).map(([field, message]) => ({
          field: field === 'form' ? undefined : field,
          message,
        }))}
      />
      <Form method="post" noValidate>
        <fieldset className={errors.templateId ? 'field-error' : undefined} id="templateId">
          <legend>Template</legend>
          {errors.templateId ? <p className="error-message">{errors.templateId}</p> : null}
          {templates.map((t) => (
            <div className="choice" key={t.id}>
              <input
                type="radio"
                id={`template-${t.id}`}
                name="templateId"
                value={t.id}
                defaultChecked={t.id === chosen}
                aria-describedby={`template-${t.id}-hint`}
              />
              <label htmlFor={`template-${t.id}`}>
                {t.title}
                {t.welsh ? ' (English and Welsh)' : ''}
              </label>
              <p className="hint" id={`template-${t.id}-hint`}>
                {t.description} CSE {t.cseElements.join(', ')}.
              </p>
            </div>
          ))}
        </fieldset>
        <div className="choice">
          <input
            type="checkbox"
            id="includeEquality"
            name="includeEquality"
            defaultChecked={values.includeEquality === 'on' || !actionData}
            aria-describedby="includeEquality-hint"
          />
          <label htmlFor="includeEquality">Add the equality monitoring questions at the end</label>
          <p className="hint" id="includeEquality-hint">
            Age, sex, ethnic group, disability and more, each with “Prefer not to say” (ignored if you chose
            the {equalityBlockId} template itself).
          </p>
        </div>
        <Field
          id="title"
          name="title"
          label="Survey title (for staff)"
          error={errors.title}
          defaultValue={values.title ?? ''}
        />
        <Field
          id="slug"
          name="slug"
          label="Link name"
          hint="The survey link will be /s/ followed by this, for example residents-2026. Lower-case letters, digits and hyphens."
          error={errors.slug}
          defaultValue={values.slug ?? ''}
        />
        <Field
          id="wave"
          name="wave"
          label="Wave"
          hint="Which round of the survey this is, for example 2026 or 2026 Q1."
          error={errors.wave}
          defaultValue={values.wave ?? suggestedWave}
        />
        <button type="submit" className="button">
          Create draft survey
        </button>
      </Form>
    </>
  )
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
