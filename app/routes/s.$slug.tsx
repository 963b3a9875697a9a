import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { useActionData, useLoaderData } from '@remix-run/react'
import { useEffect, useState, type ComponentType } from 'react'
import { GeneralErrorBoundary } from '#app/components/error-boundary.tsx'
import { PrivacyNotice } from '#app/components/privacy-notice.tsx'
import { RespondentForm } from '#app/components/respondent-form.tsx'
import type { SurveyRunnerProps } from '#app/components/survey-runner.tsx'
import surveyCss from 'survey-core/survey-core.fontless.min.css?url'
import { handleFormSubmission, loadRespondentPage } from './s.$slug.server.ts'
import { textParam } from '#app/utils/params.ts'

export const links: LinksFunction = () => [{ rel: 'stylesheet', href: surveyCss }]

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data ? `${data.form.title} – CSE Insight` : 'Survey' },
]

export async function loader({ request, params }: LoaderFunctionArgs) {
  return loadRespondentPage(request, textParam(params, 'slug', 'Survey'))
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  return handleFormSubmission(request, textParam(params, 'slug', 'Survey'), context.clientKey)
}

export default function SurveyPage() {
  const data = useLoaderData<typeof loader>()
  const actionData = useActionData<typeof action>()
  const [Runner, setRunner] = useState<ComponentType<SurveyRunnerProps> | null>(null)

  useEffect(() => {
    // Progressive enhancement: the server form works on its own; with JavaScript, SurveyJS takes over
    // (one question at a time, live conditions). After a failed no-JS post, stay on the server form.
    if (actionData || data.invitationState === 'used' || data.invitationState === 'unknown') return
    let cancelled = false
    void import('#app/components/survey-runner.tsx').then((m) => {
      if (!cancelled) setRunner(() => m.SurveyRunner)
    })
    return () => {
      cancelled = true
    }
  }, [actionData, data.invitationState])

  return (
    <main id="main" className="container narrow" lang={data.lang}>
      {Runner ? (
        <Runner
          slug={data.slug}
          definition={data.definition}
          lang={data.lang}
          clientId={data.clientId}
          segments={data.segments}
          invitation={data.invitation}
          title={data.form.title}
          resume={data.resume}
          initialAnswers={data.initialAnswers as Record<string, unknown> | null}
          initialPage={data.initialPage}
        />
      ) : null}
      {Runner ? (
        <PrivacyNotice
          lang={data.lang === 'cy' ? 'cy' : 'en'}
          organisationName={data.organisationName}
          retentionDays={data.retentionDays}
          custom={data.privacyNotice}
        />
      ) : (
        <RespondentForm data={data} actionData={actionData ?? null} />
      )}
    </main>
  )
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
