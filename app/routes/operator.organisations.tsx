import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { Form, useActionData, useLoaderData, useNavigation } from '@remix-run/react'
import { GeneralErrorBoundary } from '#app/components/error-boundary.tsx'
import { handleOperatorOrganisations, loadOperatorOrganisations, type OperatorActionData } from './operator.organisations.server.ts'

export const meta: MetaFunction = () => [{ title: 'Organisations (operator) – CSE Insight' }]

export async function loader({ request }: LoaderFunctionArgs) {
  return loadOperatorOrganisations(request)
}

export async function action({ request }: ActionFunctionArgs) {
  return handleOperatorOrganisations(request)
}

export default function OperatorOrganisations() {
  const { operator, organisations } = useLoaderData<typeof loader>()
  const result = useActionData<OperatorActionData>()
  const busy = useNavigation().state !== 'idle'
  const errors = result?.errors ?? {}
  const field = (id: 'name' | 'slug' | 'adminEmail', label: string, hint: string, type = 'text') => (
    <div className={`field${errors[id] ? ' has-error' : ''}`}>
      <label htmlFor={id}>{label}</label>
      <p className="hint" id={`${id}-hint`}>
        {hint}
      </p>
      {errors[id] ? (
        <p className="error" id={`${id}-error`}>
          {errors[id]}
        </p>
      ) : null}
      <input
        id={id}
        name={id}
        type={type}
        defaultValue={result?.created ? '' : (result?.values?.[id] ?? '')}
        aria-describedby={`${id}-hint${errors[id] ? ` ${id}-error` : ''}`}
        aria-invalid={errors[id] ? true : undefined}
        required
      />
    </div>
  )
  return (
    <main className="container" id="main">
      <p className="small">
        Signed in as {operator.name} ({operator.email}), platform operator. <a href="/app">Staff area</a> ·{' '}
        <Form method="post" action="/logout" style={{ display: 'inline' }}>
          <button type="submit" className="link-button">
            Sign out
          </button>
        </Form>
      </p>
      <h1>Organisations</h1>
      {result?.created ? (
        <div className="notice" role="status" data-testid="organisation-created">
          <p>
            Created <strong>{result.created.name}</strong> ({result.created.slug}). Send this link to its first
            admin, {result.created.adminEmail}. It works once, for {result.created.days} days, and is shown only
            now; they choose their own password when they open it.
          </p>
          <p>
            <input
              readOnly
              aria-label="One-time invitation link for the first admin"
              data-testid="invite-link"
              value={result.created.inviteLink}
              size={80}
            />
          </p>
        </div>
      ) : null}
      <h2>Create an organisation</h2>
      <Form method="post" noValidate>
        {field('name', 'Name', 'As staff and customers know it, for example Borsetshire County Council.')}
        {field('slug', 'Short name', 'Lower-case letters, digits and dashes, for example borsetshire.')}
        {field('adminEmail', 'First admin’s e-mail address', 'They get a one-time link to set their own password.', 'email')}
        <button type="submit" className="button" disabled={busy}>
          Create the organisation
        </button>
      </Form>
      <h2>All organisations</h2>
      {organisations.length === 0 ? (
        <p>There are no organisations yet.</p>
      ) : (
        <table className="data" data-testid="organisations">
          <caption className="sr-only">Organisations on this installation</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Short name</th>
              <th scope="col">Members</th>
              <th scope="col">Admins</th>
              <th scope="col">Created</th>
            </tr>
          </thead>
          <tbody>
            {organisations.map((o) => (
              <tr key={o.id}>
                <th scope="row">{o.name}</th>
                <td>{o.slug}</td>
                <td>{o.members}</td>
                <td>{o.admins}</td>
                <td>{new Date(o.createdAt).toLocaleDateString('en-GB', { timeZone: 'UTC' })}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </main>
  )
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
