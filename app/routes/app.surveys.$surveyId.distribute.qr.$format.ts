import type { LoaderFunctionArgs } from '@remix-run/node'
import { qrCodeResponse } from './app.surveys.$surveyId.distribute.server.ts'
import { idParam } from '#app/utils/params.ts'

export async function loader({ request, params }: LoaderFunctionArgs) {
  return qrCodeResponse(request, idParam(params, 'surveyId', 'Survey'), params.format)
}
