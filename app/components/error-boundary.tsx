import { createContext, useContext } from 'react'
import { isRouteErrorResponse, Link, useRouteError } from '@remix-run/react'
import { errorText } from '#app/i18n/errors.ts'
import { LanguageSwitch, useRespondentLang } from './language-switch.tsx'

/**
 * True inside a layout that already renders the page's <main> (app/routes/app.tsx): an error boundary there
 * renders a plain <div>, so the page keeps exactly one main landmark.
 */
export const InsideMainLandmark = createContext(false)

const KNOWN = [400, 403, 404, 410, 429, 503] as const
type Known = (typeof KNOWN)[number]

/**
 * The shared error boundary: friendly words for expected statuses, nothing internal for the rest. On a
 * respondent page (/s/…) it speaks the survey's language (app/i18n/errors.ts) and offers the other one;
 * staff also see the server's own explanation, which is in English.
 */
export function GeneralErrorBoundary() {
  const error = useRouteError()
  const insideMain = useContext(InsideMainLandmark)
  const respondentLang = useRespondentLang()
  const text = errorText[respondentLang ?? 'en']
  const status = isRouteErrorResponse(error) ? error.status : 500
  const known = (KNOWN as readonly number[]).includes(status) ? (status as Known) : null
  const title = known ? text[`title${known}`] : text.title500
  const body = known ? text[`body${known}`] : text.body500
  const detail =
    respondentLang === null && isRouteErrorResponse(error) && typeof error.data === 'string' && status < 500
      ? error.data
      : null
  const content = (
    <>
      {respondentLang ? <LanguageSwitch lang={respondentLang} /> : null}
      <h1>{title}</h1>
      <p>{detail && !known ? detail : body}</p>
      {detail && known && status !== 404 ? <p>{detail}</p> : null}
      {respondentLang ? null : (
        <p>
          <Link to="/">{text.home}</Link>
        </p>
      )}
    </>
  )
  return insideMain ? (
    <div>{content}</div>
  ) : (
    <main id="main" className="container">
      {content}
    </main>
  )
}
