import { isRouteErrorResponse, Link, useRouteError } from '@remix-run/react'

const MESSAGES: Record<number, { title: string; body: string }> = {
  400: { title: 'Something in the request was not right', body: 'Please go back and try again.' },
  403: { title: 'You do not have access to this page', body: 'Ask an administrator of your organisation for access.' },
  404: { title: 'Page not found', body: 'Check the web address, or go back to the page you came from.' },
  410: { title: 'This survey is closed', body: 'Thank you for your interest. It is no longer taking answers.' },
  503: { title: 'Sorry, the service is busy', body: 'Please try again in a minute. Nothing you sent was lost.' },
}

/** The shared error boundary: friendly words for expected statuses, nothing internal for the rest. */
export function GeneralErrorBoundary() {
  const error = useRouteError()
  const status = isRouteErrorResponse(error) ? error.status : 500
  const known = MESSAGES[status]
  const detail = isRouteErrorResponse(error) && typeof error.data === 'string' && status < 500 ? error.data : null
  return (
    <main id="main" className="container">
      <h1>{known?.title ?? 'Sorry, there is a problem with the service'}</h1>
      <p>{detail && !known ? detail : (known?.body ?? 'Please try again later.')}</p>
      {detail && known && status !== 404 ? <p>{detail}</p> : null}
      <p>
        <Link to="/">Go to the home page</Link>
      </p>
    </main>
  )
}
