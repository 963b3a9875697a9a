import type { ActionFunctionArgs, LoaderFunctionArgs } from '@remix-run/node'
import { requirePermission } from '#app/utils/auth.server.ts'
import { createPack } from './app.surveys.$surveyId.exports.server.ts'
import { idParam } from '#app/utils/params.ts'

export async function loader({ request }: LoaderFunctionArgs) {
  await requirePermission(request, 'export:create')
  throw new Response('Use the "Create evidence pack" button on the exports page.', {
    status: 405,
    headers: { Allow: 'POST' },
  })
}

export async function action({ request, params }: ActionFunctionArgs) {
  return createPack(request, idParam(params, 'surveyId', 'Survey'))
}
