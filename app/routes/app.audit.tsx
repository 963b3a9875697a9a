import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { Form, useLoaderData } from '@remix-run/react'
import { GeneralErrorBoundary } from '#app/components/error-boundary.tsx'
import { loadAuditLog } from './app.audit.server.ts'

export const meta: MetaFunction = () => [{ title: 'Audit log – CSE Insight' }]

export async function loader({ request }: LoaderFunctionArgs) {
  return loadAuditLog(request)
}

export default function AuditLog() {
  const { entries, action } = useLoaderData<typeof loader>()
  return (
    <>
      <h1>Audit log</h1>
      <p>
        Sign-ins and sign-outs, publishing, exports, and user and role changes in this organisation, newest
        first (latest 500).
      </p>
      <Form method="get">
        <div className="field">
          <label htmlFor="action">
            Only this action (for example auth.sign_in, survey.publish, users.role_changed)
          </label>
          <input id="action" name="action" defaultValue={action} />
        </div>
        <button type="submit" className="button secondary">
          Filter
        </button>
      </Form>
      {entries.length === 0 ? (
        <p>No entries.</p>
      ) : (
        <table className="data">
          <caption className="sr-only">Audit log entries</caption>
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Who</th>
              <th scope="col">Action</th>
              <th scope="col">Target</th>
              <th scope="col">Details</th>
            </tr>
          </thead>
          <tbody>
            {entries.map((e) => (
              <tr key={e.id} data-action={e.action}>
                <td>
                  <time dateTime={e.at}>
                    {new Date(e.at).toLocaleString('en-GB', { timeZone: 'UTC' })} UTC
                  </time>
                </td>
                <td>{e.who}</td>
                <th scope="row">{e.action}</th>
                <td>{e.target}</td>
                <td className="small">{e.details}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  )
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
