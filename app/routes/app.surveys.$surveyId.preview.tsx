import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { Link, useLoaderData } from '@remix-run/react'
import { useEffect, useState, type ComponentType } from 'react'
import surveyCss from 'survey-core/survey-core.fontless.min.css?url'
import { GeneralErrorBoundary } from '#app/components/error-boundary.tsx'
import type { SurveyPreviewProps } from '#app/components/builder/survey-preview.tsx'
import { loadPreview } from './app.surveys.$surveyId.preview.server.ts'
import { idParam } from '#app/utils/params.ts'

export const links: LinksFunction = () => [{ rel: 'stylesheet', href: surveyCss }]

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data ? `Preview ${data.survey.title} – CSE Insight` : 'Preview – CSE Insight' },
]

export async function loader({ request, params }: LoaderFunctionArgs) {
  return loadPreview(request, idParam(params, 'surveyId', 'Survey'))
}

export default function SurveyPreviewPage() {
  const { survey, definition, locales, lang } = useLoaderData<typeof loader>()
  const [Preview, setPreview] = useState<ComponentType<SurveyPreviewProps> | null>(null)
  useEffect(() => {
    // survey-react-ui needs the browser; it is loaded after hydration, as on the respondent page.
    let cancelled = false
    void import('#app/components/builder/survey-preview.tsx').then((m) => {
      if (!cancelled) setPreview(() => m.SurveyPreview)
    })
    return () => {
      cancelled = true
    }
  }, [])
  return (
    <>
      <p>
        <Link to={`/app/surveys/${survey.id}`}>Back to the survey overview</Link> ·{' '}
        <Link to={`/app/surveys/${survey.id}/edit`}>Edit</Link>
      </p>
      <h1>Preview: {survey.title}</h1>
      <p>
        This is the current draft, as respondents will see it once published. Answers given here are not
        saved.
      </p>
      {locales.includes('cy') ? (
        <p>
          {lang === 'cy' ? (
            <Link to="?lang=en">Show in English</Link>
          ) : (
            <Link to="?lang=cy" lang="cy">
              Dangos yn Gymraeg (show in Welsh)
            </Link>
          )}
        </p>
      ) : null}
      {Preview ? (
        <Preview key={lang} definition={definition} lang={lang} />
      ) : (
        <p role="status">Loading the preview… (it needs JavaScript)</p>
      )}
    </>
  )
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
