import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { Form, Link, useLoaderData } from '@remix-run/react'
import { GeneralErrorBoundary } from '#app/components/error-boundary.tsx'
import { loadResponseSearch } from './app.responses.server.ts'

export const meta: MetaFunction = () => [{ title: 'Find a response – CSE Insight' }]

export async function loader({ request }: LoaderFunctionArgs) {
  return loadResponseSearch(request)
}

export default function ResponseSearch() {
  const d = useLoaderData<typeof loader>()
  return (
    <>
      <h1>Find a customer’s response</h1>
      <p>
        When a customer asks for a copy of their answers or asks for them to be deleted, ask for the receipt
        reference they were shown after submitting (for example K7QM-2XHD-9A).
      </p>
      {d.erased ? (
        <div className="notice" role="status" data-testid="response-erased">
          The response was erased. It is gone from the dashboard, the comments and every later export, and the
          erasure is in the audit log.
        </div>
      ) : null}
      <Form method="get" role="search">
        <div className="field">
          <label htmlFor="receipt">Receipt reference</label>
          <input id="receipt" name="receipt" defaultValue={d.receipt} autoComplete="off" spellCheck={false} required />
        </div>
        <button type="submit" className="button">
          Find
        </button>
      </Form>
      {d.searched ? (
        d.found ? (
          <p data-testid="response-found">
            Found: a response to <strong>{d.found.surveyTitle}</strong>, submitted{' '}
            {new Date(d.found.submittedAt).toLocaleString('en-GB', { timeZone: 'UTC' })} UTC.{' '}
            <Link to={`/app/responses/${d.found.id}`}>Open response {d.found.receipt}</Link>
          </p>
        ) : (
          <p role="status" data-testid="response-not-found">
            {d.valid
              ? 'No response in this organisation has that receipt. It may have been erased, deleted at the end of its retention period, or belong to another organisation.'
              : 'That is not a receipt reference: it has ten letters and digits, like K7QM-2XHD-9A.'}
          </p>
        )
      ) : null}
    </>
  )
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
