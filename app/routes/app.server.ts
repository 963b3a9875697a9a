import { requirePermission } from '#app/utils/auth.server.ts'

export async function loadStaffLayout(request: Request) {
  const ctx = await requirePermission(request, 'dashboard:read')
  return {
    user: { name: ctx.session.name, email: ctx.session.email },
    organisation: { id: ctx.organisationId, name: ctx.organisationName },
    role: ctx.role,
    memberships: ctx.memberships.map((m) => ({
      id: m.organisationId,
      name: m.organisationName,
      role: m.role,
    })),
  }
}
