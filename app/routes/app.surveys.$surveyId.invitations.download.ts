import type { ActionFunctionArgs } from '@remix-run/node'
import { requirePermission } from '#app/utils/auth.server.ts'
import { downloadNewInvitations } from './app.surveys.$surveyId.invitations.server.ts'
import { idParam } from '#app/utils/params.ts'

export async function loader({ request }: ActionFunctionArgs) {
  // Issuing changes state, so it is POST only; a GET here just says so (after the same permission check).
  await requirePermission(request, 'invitation:create')
  throw new Response('Use the form on the invitations page.', { status: 405, headers: { Allow: 'POST' } })
}

export async function action({ request, params }: ActionFunctionArgs) {
  return downloadNewInvitations(request, idParam(params, 'surveyId', 'Survey'))
}
