import type { LoaderFunctionArgs } from '@remix-run/node'
import { downloadSurveyJson } from './app.surveys.$surveyId.export-json.server.ts'
import { idParam } from '#app/utils/params.ts'

// A resource route: no component, only the JSON download.
export async function loader({ request, params }: LoaderFunctionArgs) {
  return downloadSurveyJson(request, idParam(params, 'surveyId', 'Survey'))
}
