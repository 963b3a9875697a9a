import type { ActionFunctionArgs, LoaderFunctionArgs } from '@remix-run/node'
import { requirePermission } from '#app/utils/auth.server.ts'
import { downloadExport } from './app.surveys.$surveyId.exports.server.ts'
import { idParam } from '#app/utils/params.ts'

export async function loader({ request }: LoaderFunctionArgs) {
  // Every export is audited, so it is made by POST; a GET here just says so (after the same permission check).
  await requirePermission(request, 'export:create')
  throw new Response('Use the forms on the exports page.', { status: 405, headers: { Allow: 'POST' } })
}

export async function action({ request, params }: ActionFunctionArgs) {
  return downloadExport(request, idParam(params, 'surveyId', 'Survey'))
}
