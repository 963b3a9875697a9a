import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { Form, useLoaderData } from '@remix-run/react'
import { GeneralErrorBoundary } from '#app/components/error-boundary.tsx'
import { loadSwitchOrganisation, switchOrganisation } from './app.switch-organisation.server.ts'

export const meta: MetaFunction = () => [{ title: 'Switch organisation – CSE Insight' }]

export async function loader({ request }: LoaderFunctionArgs) {
  return loadSwitchOrganisation(request)
}

export async function action({ request }: ActionFunctionArgs) {
  return switchOrganisation(request)
}

export default function SwitchOrganisation() {
  const { memberships, activeOrganisationId } = useLoaderData<typeof loader>()
  return (
    <>
      <h1>Switch organisation</h1>
      <Form method="post">
        <fieldset className="field">
          <legend>Organisations you belong to</legend>
          {memberships.map((m) => (
            <div className="choice" key={m.id}>
              <input
                type="radio"
                id={`org-${m.id}`}
                name="organisationId"
                value={m.id}
                defaultChecked={m.id === activeOrganisationId}
              />
              <label htmlFor={`org-${m.id}`}>
                {m.name} ({m.role})
              </label>
            </div>
          ))}
        </fieldset>
        <button type="submit" className="button">
          Switch
        </button>
      </Form>
    </>
  )
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
