import { data, redirect } from '@remix-run/node'
import { z } from 'zod'
import { consumeSignInChallenge, getTwoFactorState } from '#db/queries/account-security.ts'
import { listMemberships, writeAudit } from '#db/queries/accounts.ts'
import { startSession } from '#app/utils/auth.server.ts'
import { getDb } from '#app/utils/db.server.ts'
import { safeRedirect } from '#app/utils/safe-redirect.ts'
import { challengeCookie, findSignInChallenge } from '#app/utils/sign-in-challenge.server.ts'
import { consumeSignInAttempt, recordSignInSuccess } from '#app/utils/sign-in-limits.server.ts'
import { verifySecondFactor } from '#app/utils/two-factor.server.ts'
import { tooManyAttempts } from './login.server.ts'

const codeSchema = z.object({
  code: z.string().trim().min(1, { message: 'Enter the code from your authenticator app, or a recovery code' }).max(64),
})

const EXPIRED = '/login?expired=1'

export async function loadTwoFactorStep(request: Request) {
  const challenge = await findSignInChallenge(await getDb(), request)
  if (!challenge) throw redirect(EXPIRED)
  return { ok: true as const }
}

/**
 * The second sign-in step: each code tried costs a point from the same per-account and per-client budgets as
 * a password (app/utils/sign-in-limits.server.ts); a right code (or an unused recovery code) consumes the
 * challenge, clears the limits and starts the session.
 */
export async function handleTwoFactorStep(request: Request, clientKey?: string) {
  const db = await getDb()
  const challenge = await findSignInChallenge(db, request)
  if (!challenge) throw redirect(EXPIRED)
  const parsed = codeSchema.safeParse(Object.fromEntries(await request.formData()))
  if (!parsed.success) return data({ error: parsed.error.issues[0]?.message ?? 'Check the form' }, { status: 400 })
  const wait = await consumeSignInAttempt(db, { email: challenge.email, clientKey })
  if (wait > 0) return tooManyAttempts(wait, {})
  const state = await getTwoFactorState(db, challenge.userId)
  const memberships = await listMemberships(db, challenge.userId)
  const organisationId =
    memberships.find((m) => m.organisationId === challenge.organisationId)?.organisationId ?? memberships[0]?.organisationId ?? null
  const kind = state?.secret ? await verifySecondFactor(db, { id: challenge.userId, storedSecret: state.secret }, parsed.data.code) : null
  if (!kind) {
    await writeAudit(db, { organisationId, userId: challenge.userId, action: 'auth.two_factor_failed' })
    return data({ error: 'That code is not right. Codes change every 30 seconds, and each works once.' }, { status: 401 })
  }
  if (!(await consumeSignInChallenge(db, challenge.id))) throw redirect(EXPIRED)
  await recordSignInSuccess(db, { email: challenge.email, clientKey })
  const cookie = await startSession(challenge.userId, organisationId, request)
  await writeAudit(db, {
    organisationId,
    userId: challenge.userId,
    action: 'auth.sign_in',
    details: { secondFactor: kind, ...(kind === 'recovery_code' ? { recoveryCodesLeft: (state?.recoveryCodesLeft ?? 1) - 1 } : {}) },
  })
  const headers = new Headers()
  headers.append('Set-Cookie', cookie)
  headers.append('Set-Cookie', challengeCookie('', 0))
  return redirect(safeRedirect(challenge.redirectTo), { headers })
}
