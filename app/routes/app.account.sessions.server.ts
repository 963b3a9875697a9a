import { data } from '@remix-run/node'
import { z } from 'zod'
import { listLiveSessions, revokeOtherSessions, revokeUserSession } from '#db/queries/account-security.ts'
import { reauthenticate, type WithPasswordField } from '#app/services/reauthentication.server.ts'
import { auditAccount } from '#app/utils/account.server.ts'
import { requirePermission } from '#app/utils/auth.server.ts'
import { getDb } from '#app/utils/db.server.ts'

const sessionsSchema = z.discriminatedUnion('intent', [
  z.object({ intent: z.literal('revoke'), sessionId: z.uuid({ message: 'Unknown session' }) }),
  z.object({ intent: z.literal('revoke-others') }),
])

export interface SessionView {
  id: string
  createdAt: string
  lastSeenAt: string
  browser: string
  current: boolean
}

/**
 * The sessions, and the one chosen for signing out (`?end=<id>`, from a row's "Sign out" link), which the page then
 * asks to confirm with the current password; an unknown or ended one is simply not offered.
 */
export async function loadSessionsPage(request: Request) {
  const ctx = await requirePermission(request, 'dashboard:read')
  const sessions = (await listLiveSessions(await getDb(), ctx.userId)).map<SessionView>((s) => ({
    id: s.id,
    createdAt: s.createdAt.toISOString(),
    lastSeenAt: s.lastSeenAt.toISOString(),
    browser: s.userAgent ?? 'Unknown browser',
    current: s.id === ctx.session.sessionId,
  }))
  const end = new URL(request.url).searchParams.get('end')
  return { sessions, email: ctx.session.email, ending: sessions.find((s) => s.id === end) ?? null }
}

export type SessionsResult = WithPasswordField<{ ok: true; message: string } | { ok: false; error: string }>

/**
 * Revoke one of one's own sessions (only one's own: the query is scoped by user), or all but this one, after the
 * current password is typed again (ASVS 5.0 7.5.2: app/services/reauthentication.server.ts).
 */
export async function handleSessionsAction(request: Request, clientKey?: string) {
  const ctx = await requirePermission(request, 'dashboard:read')
  const raw = Object.fromEntries(await request.formData())
  const parsed = sessionsSchema.safeParse(raw)
  if (!parsed.success)
    return data<SessionsResult>({ ok: false, error: parsed.error.issues[0]?.message ?? 'Check the form' }, { status: 400 })
  const db = await getDb()
  const password = await reauthenticate(db, { userId: ctx.userId, email: ctx.session.email, clientKey }, raw.currentPassword, parsed.data.intent)
  if (!password.ok) return password.response
  await password.refund()
  if (parsed.data.intent === 'revoke') {
    if (!(await revokeUserSession(db, ctx.userId, parsed.data.sessionId))) throw new Response('Session not found', { status: 404 })
    await auditAccount(db, ctx.userId, 'account.session_revoked', { sessionId: parsed.data.sessionId, current: parsed.data.sessionId === ctx.session.sessionId })
    return data<SessionsResult>({ ok: true, message: parsed.data.sessionId === ctx.session.sessionId ? 'This session has been signed out.' : 'That session has been signed out.' })
  }
  const count = await revokeOtherSessions(db, ctx.userId, ctx.session.sessionId)
  await auditAccount(db, ctx.userId, 'account.sessions_revoked', { count })
  return data<SessionsResult>({ ok: true, message: `${count} other ${count === 1 ? 'session was' : 'sessions were'} signed out.` })
}
