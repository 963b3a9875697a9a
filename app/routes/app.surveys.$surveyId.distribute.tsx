import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { Link, useLoaderData } from '@remix-run/react'
import { GeneralErrorBoundary } from '#app/components/error-boundary.tsx'
import { loadDistributePage } from './app.surveys.$surveyId.distribute.server.ts'
import { idParam } from '#app/utils/params.ts'

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data ? `Share ${data.survey.title} – CSE Insight` : 'Share – CSE Insight' },
]

export async function loader({ request, params }: LoaderFunctionArgs) {
  return loadDistributePage(request, idParam(params, 'surveyId', 'Survey'))
}

export default function DistributePage() {
  const data = useLoaderData<typeof loader>()
  const qr = (key: string, format: 'svg' | 'png', download: boolean) =>
    `/app/surveys/${data.survey.id}/distribute/qr/${format}?link=${encodeURIComponent(key)}${download ? '&download' : ''}`
  return (
    <>
      <h1>Share “{data.survey.title}”</h1>
      {!data.published || data.survey.status !== 'open' ? (
        <p className="error-message">
          This survey is {data.published ? data.survey.status : 'not published yet'}: these links will not
          take answers until it is published and open.
        </p>
      ) : null}
      <p>
        Give customers a link, or print a QR code. Links for a channel or group record that value with each
        answer, so results can be split by it. For one response per person, use{' '}
        <Link to={`/app/surveys/${data.survey.id}/invitations`}>single-use invitations</Link> (
        {data.invitations.issued.toLocaleString('en-GB')} issued,{' '}
        {data.invitations.used.toLocaleString('en-GB')} used).
      </p>
      <table className="data">
        <caption>Links and QR codes for this survey</caption>
        <thead>
          <tr>
            <th scope="col">Link</th>
            <th scope="col">Address</th>
            <th scope="col">QR code</th>
          </tr>
        </thead>
        <tbody>
          {data.links.map((link) => (
            <tr key={link.key} data-link={link.key}>
              <th scope="row">{link.label}</th>
              <td>
                <code className="link-url">{link.url}</code>
              </td>
              <td>
                <img
                  src={qr(link.key, 'svg', false)}
                  alt={`QR code for ${link.label}`}
                  width={96}
                  height={96}
                />
                <br />
                <a href={qr(link.key, 'svg', true)} download>
                  SVG<span className="sr-only"> QR code for {link.label}</span>
                </a>{' '}
                ·{' '}
                <a href={qr(link.key, 'png', true)} download>
                  PNG<span className="sr-only"> QR code for {link.label}</span>
                </a>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  )
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
