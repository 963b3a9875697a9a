import { listAudit } from '#db/queries/accounts.ts'
import { requirePermission } from '#app/utils/auth.server.ts'
import { getDb } from '#app/utils/db.server.ts'

/** The admin-only audit log of the active organisation, newest first, optionally one action only. */
export async function loadAuditLog(request: Request) {
  const ctx = await requirePermission(request, 'audit:read')
  const action = new URL(request.url).searchParams.get('action')?.slice(0, 100) || undefined
  const entries = await listAudit(await getDb(), ctx.organisationId, { limit: 500, action })
  return {
    action: action ?? '',
    entries: entries.map((e) => ({
      id: e.id,
      at: e.at.toISOString(),
      action: e.action,
      target: e.targetType ? `${e.targetType} ${e.targetId ?? ''}`.trim() : '',
      details:
        e.details && typeof e.details === 'object' && Object.keys(e.details).length > 0
          ? JSON.stringify(e.details)
          : '',
      who: e.userName ? `${e.userName} <${e.userEmail}>` : 'system',
    })),
  }
}
