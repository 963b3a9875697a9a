import type { LoaderFunctionArgs } from '@remix-run/node'
import { Form, Link, Outlet, useLoaderData } from '@remix-run/react'
import { GeneralErrorBoundary, InsideMainLandmark } from '#app/components/error-boundary.tsx'
import { loadStaffLayout } from './app.server.ts'

export async function loader({ request }: LoaderFunctionArgs) {
  return loadStaffLayout(request)
}

export default function StaffLayout() {
  const data = useLoaderData<typeof loader>()
  return (
    <>
      <header className="site">
        <div className="container">
          <Link to="/app">CSE Insight · {data.organisation.name}</Link>
          <nav aria-label="Staff">
            <ul>
              <li>
                <Link to="/app">Surveys</Link>
              </li>
              {data.role !== 'viewer' ? (
                <li>
                  <Link to="/app/surveys/new">New survey</Link>
                </li>
              ) : null}
              {data.role !== 'viewer' ? (
                <li>
                  <Link to="/app/responses">Find a response</Link>
                </li>
              ) : null}
              <li>
                <Link to="/app/settings/population">Settings</Link>
              </li>
              {data.role === 'admin' || data.memberships.length > 1 ? (
                <li>
                  <Link to={data.role === 'admin' ? '/app/settings/users' : '/app/switch-organisation'}>
                    {data.role === 'admin' ? 'Users' : 'Switch organisation'}
                  </Link>
                </li>
              ) : null}
              <li>
                <Link to="/app/account">
                  {data.user.name} ({data.role})<span className="sr-only">: your account</span>
                </Link>
              </li>
              <li>
                <Form method="post" action="/logout">
                  <button type="submit" className="link">
                    Sign out
                  </button>
                </Form>
              </li>
            </ul>
          </nav>
        </div>
      </header>
      <main id="main" className="container">
        {/* An error in a staff page renders inside this main, not a second one (error-boundary.tsx). */}
        <InsideMainLandmark.Provider value={true}>
          <Outlet />
        </InsideMainLandmark.Provider>
      </main>
    </>
  )
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
