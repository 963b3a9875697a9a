import type { ActionFunctionArgs, LoaderFunctionArgs } from '@remix-run/node'
import { requirePermission } from '#app/utils/auth.server.ts'
import { idParam } from '#app/utils/params.ts'
import { handleResponseExport } from './app.responses.server.ts'

export async function loader({ request }: LoaderFunctionArgs) {
  // An export is audited, so it is POST only; a GET here just says so (after the same permission check).
  await requirePermission(request, 'response:read')
  throw new Response('Use the download buttons on the response page.', { status: 405, headers: { Allow: 'POST' } })
}

/** The subject access download of one response (a resource route, so the file is sent as it is). */
export async function action({ request, params }: ActionFunctionArgs) {
  return handleResponseExport(request, idParam(params, 'responseId', 'Response'))
}
