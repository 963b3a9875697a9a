import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData } from '@remix-run/react'
import { GeneralErrorBoundary } from '#app/components/error-boundary.tsx'
import { ErrorSummary, Field } from '#app/components/builder/error-summary.tsx'
import { handleImport, loadImport } from './app.surveys.import-json.server.ts'

export const meta: MetaFunction = () => [{ title: 'Import a survey – CSE Insight' }]

export async function loader({ request }: LoaderFunctionArgs) {
  return loadImport(request)
}

export async function action({ request }: ActionFunctionArgs) {
  return handleImport(request)
}

export default function ImportSurvey() {
  const { suggestedWave } = useLoaderData<typeof loader>()
  const actionData = useActionData<typeof action>()
  const errors = actionData?.errors ?? {}
  const values = actionData?.values
  return (
    <>
      <p>
        <Link to="/app">Back to surveys</Link>
      </p>
      <h1>Import a survey from JSON</h1>
      <p>
        Import a file exported from CSE Insight, or a survey saved by SurveyJS Creator (its plain JSON,
        starting <code>{'{ "pages": […] }'}</code>). The survey is checked and becomes a new draft; HTML in
        its texts is cleaned. A SurveyJS survey then goes to a mapping page, where you say which CSE driver
        each rating measures and which answers count as satisfied. It cannot be published until one rating
        measures overall satisfaction.
      </p>
      <ErrorSummary
        title="The survey was not imported"
        problems={[
          ...Object.entries(errors).map(([field, message]) => ({ field, message })),
          ...(actionData?.problems ?? []),
        ]}
      />
      <Form method="post" encType="multipart/form-data" noValidate>
        <Field id="file" name="file" type="file" label="JSON file" error={errors.file} />
        <Field
          id="json"
          name="json"
          label="Or paste the JSON"
          multiline
          rows={10}
          error={errors.json}
          defaultValue={values?.json ?? ''}
        />
        <Field
          id="title"
          name="title"
          label="Title (for staff, optional)"
          hint="Leave empty to use the title in the file."
          error={errors.title}
          defaultValue={values?.title ?? ''}
        />
        <Field
          id="slug"
          name="slug"
          label="Link name"
          hint="The survey link will be /s/ followed by this."
          error={errors.slug}
          defaultValue={values?.slug ?? ''}
        />
        <Field
          id="wave"
          name="wave"
          label="Wave"
          error={errors.wave}
          defaultValue={values?.wave ?? suggestedWave}
        />
        <button type="submit" className="button">
          Import as a draft
        </button>
      </Form>
    </>
  )
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
