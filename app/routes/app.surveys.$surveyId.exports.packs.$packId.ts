import type { LoaderFunctionArgs } from '@remix-run/node'
import { downloadPack } from './app.surveys.$surveyId.exports.server.ts'
import { idParam } from '#app/utils/params.ts'

export async function loader({ request, params }: LoaderFunctionArgs) {
  return downloadPack(
    request,
    idParam(params, 'surveyId', 'Survey'),
    idParam(params, 'packId', 'Evidence pack'),
  )
}
