import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData } from '@remix-run/react'
import { GeneralErrorBoundary } from '#app/components/error-boundary.tsx'
import { idParam } from '#app/utils/params.ts'
import { handleResponseAction, loadResponse, type ResponseActionData } from './app.responses.server.ts'

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: `Response ${data?.document.receipt ?? ''} – CSE Insight` },
]

export async function loader({ request, params }: LoaderFunctionArgs) {
  return loadResponse(request, idParam(params, 'responseId', 'Response'))
}

export async function action({ request, params }: ActionFunctionArgs) {
  return handleResponseAction(request, idParam(params, 'responseId', 'Response'))
}

function text(value: unknown): string {
  if (value === null || value === undefined) return ''
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return String(value)
  if (Array.isArray(value)) return value.map(text).join('; ')
  return JSON.stringify(value)
}

export default function ResponsePage() {
  const { id, document: doc, canErase } = useLoaderData<typeof loader>()
  const result = useActionData<ResponseActionData>()
  return (
    <>
      <p>
        <Link to={`/app/responses?receipt=${encodeURIComponent(doc.receipt)}`}>← Find a response</Link>
      </p>
      <h1>Response {doc.receipt}</h1>
      <p>
        To <strong>{doc.survey.title}</strong> (version {doc.survey.version}, wave {doc.survey.wave}), submitted{' '}
        {new Date(doc.submittedAt).toLocaleString('en-GB', { timeZone: 'UTC' })} UTC through {doc.channel}.
      </p>
      {result?.error ? (
        <div className="error-summary" role="alert">
          {result.error}
        </div>
      ) : null}
      <table className="data" data-testid="response-answers">
        <caption>Answers and customer groups, exactly as stored</caption>
        <thead>
          <tr>
            <th scope="col">Question or group</th>
            <th scope="col">Answer</th>
          </tr>
        </thead>
        <tbody>
          {Object.entries(doc.answers).map(([name, value]) => (
            <tr key={`a.${name}`}>
              <th scope="row">{name}</th>
              <td>{text(value)}</td>
            </tr>
          ))}
          {Object.entries(doc.customerGroups).map(([name, value]) => (
            <tr key={`g.${name}`}>
              <th scope="row">{name} (customer group)</th>
              <td>{text(value)}</td>
            </tr>
          ))}
        </tbody>
      </table>

      <h2>Give the customer a copy</h2>
      <p>The download is recorded in the audit log.</p>
      <Form method="post" action={`/app/responses/${id}/export`} reloadDocument>
        <button type="submit" name="format" value="json" className="button secondary">
          Download as JSON
        </button>{' '}
        <button type="submit" name="format" value="csv" className="button secondary">
          Download as CSV
        </button>
      </Form>

      <h2>Erase this response</h2>
      {canErase ? (
        <Form method="post">
          <p>
            Erasing deletes the response from the database and takes it out of every figure, the comments and every
            later export. It cannot be undone. The erasure is recorded in the audit log, without the answers.
          </p>
          <input type="hidden" name="intent" value="erase" />
          <div className="field">
            <label htmlFor="confirmReceipt">To confirm, type the receipt {doc.receipt}</label>
            <input id="confirmReceipt" name="confirmReceipt" autoComplete="off" spellCheck={false} required />
          </div>
          <button type="submit" className="button warning">
            Erase this response
          </button>
        </Form>
      ) : (
        <p>Only an admin of your organisation can erase a response.</p>
      )}
    </>
  )
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
