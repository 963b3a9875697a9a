import type { LoaderFunctionArgs } from '@remix-run/node'
import { downloadImportTemplate } from './app.surveys.$surveyId.import.server.ts'
import { idParam } from '#app/utils/params.ts'

/** The CSV template for importing responses, and (`?part=codes`) its list of allowed codes. */
export async function loader({ request, params }: LoaderFunctionArgs) {
  return downloadImportTemplate(request, idParam(params, 'surveyId', 'Survey'))
}
