import { redirect } from '@remix-run/node'
import { z } from 'zod'
import { setActiveOrganisation, writeAudit } from '#db/queries/accounts.ts'
import { requirePermission } from '#app/utils/auth.server.ts'
import { getDb } from '#app/utils/db.server.ts'

export const switchOrganisationSchema = z.object({
  organisationId: z.uuid({ message: 'Choose an organisation' }),
})

export async function loadSwitchOrganisation(request: Request) {
  const ctx = await requirePermission(request, 'dashboard:read')
  return {
    activeOrganisationId: ctx.organisationId,
    memberships: ctx.memberships.map((m) => ({
      id: m.organisationId,
      name: m.organisationName,
      role: m.role,
    })),
  }
}

/** Switch the session's active organisation, but only to one the user belongs to (else 404, as for any id). */
export async function switchOrganisation(request: Request) {
  const ctx = await requirePermission(request, 'dashboard:read')
  const parsed = switchOrganisationSchema.safeParse(Object.fromEntries(await request.formData()))
  if (!parsed.success) throw new Response('Organisation not found', { status: 404 })
  const target = ctx.memberships.find((m) => m.organisationId === parsed.data.organisationId)
  if (!target) throw new Response('Organisation not found', { status: 404 })
  const db = await getDb()
  await setActiveOrganisation(db, ctx.session.sessionId, target.organisationId)
  await writeAudit(db, {
    organisationId: target.organisationId,
    userId: ctx.userId,
    action: 'auth.organisation_switched',
  })
  return redirect('/app')
}
