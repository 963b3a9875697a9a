import type { ActionFunctionArgs, LoaderFunctionArgs } from '@remix-run/node'
import { requirePermission } from '#app/utils/auth.server.ts'
import { streamImport } from './app.surveys.$surveyId.import.server.ts'
import { idParam } from '#app/utils/params.ts'

export async function loader({ request }: LoaderFunctionArgs) {
  await requirePermission(request, 'import:create')
  throw new Response('Use the import page.', { status: 405, headers: { Allow: 'POST' } })
}

export async function action({ request, params }: ActionFunctionArgs) {
  return streamImport(request, idParam(params, 'surveyId', 'Survey'))
}
