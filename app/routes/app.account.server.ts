import { data } from '@remix-run/node'
import { z } from 'zod'
import { setPasswordAndRevokeSessions } from '#db/queries/account-security.ts'
import { findUserByEmail } from '#db/queries/accounts.ts'
import { hashPassword, PasswordHashingBusy, verifyPassword } from '#db/passwords.ts'
import { CURRENT_PASSWORD_MISSING, CURRENT_PASSWORD_WRONG, type WithPasswordField } from '#app/services/reauthentication.server.ts'
import { auditAccount } from '#app/utils/account.server.ts'
import { requirePermission } from '#app/utils/auth.server.ts'
import { getDb } from '#app/utils/db.server.ts'
import { PASSWORD_MAX_LENGTH, passwordProblem } from '#app/utils/password-policy.ts'
import { consumeSignInAttempt, recordSignInSuccess } from '#app/utils/sign-in-limits.server.ts'
import { tooManyAttempts } from './login.server.ts'

const changePasswordSchema = z.object({
  currentPassword: z.string().min(1, { message: CURRENT_PASSWORD_MISSING }).max(256),
  newPassword: z.string().min(1, { message: 'Enter a new password' }).max(PASSWORD_MAX_LENGTH * 4),
  confirmPassword: z.string().max(PASSWORD_MAX_LENGTH * 4),
})

export async function loadAccountPage(request: Request) {
  const ctx = await requirePermission(request, 'dashboard:read')
  return {
    name: ctx.session.name,
    email: ctx.session.email,
    twoFactorEnabled: ctx.session.twoFactorEnabled,
  }
}

export type ChangePasswordResult = WithPasswordField<{ ok: true; message: string } | { ok: false; error: string }>

/** A missing or wrong current password: 400 with the error next to the field, as on the other forms that ask for
 * it (app/services/reauthentication.server.ts). */
const currentPasswordRefused = (error: string) => data<ChangePasswordResult>({ ok: false, error, fieldErrors: { currentPassword: error } }, { status: 400 })

/**
 * Change one's own password: the current password is required (and each try costs a point from the sign-in
 * limits, so a borrowed session cannot guess it), the new one must pass the policy, and every other session is
 * revoked in the same transaction. Audited in every organisation the person belongs to.
 */
export async function handleChangePassword(request: Request, clientKey?: string) {
  const ctx = await requirePermission(request, 'dashboard:read')
  const parsed = changePasswordSchema.safeParse(Object.fromEntries(await request.formData()))
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    if (issue?.path[0] === 'currentPassword') return currentPasswordRefused(issue.code === 'too_big' ? CURRENT_PASSWORD_WRONG : CURRENT_PASSWORD_MISSING)
    return data<ChangePasswordResult>({ ok: false, error: issue?.message ?? 'Check the form' }, { status: 400 })
  }
  const { currentPassword, newPassword, confirmPassword } = parsed.data
  const db = await getDb()
  const wait = await consumeSignInAttempt(db, { email: ctx.session.email, clientKey })
  if (wait > 0) return tooManyAttempts(wait, { ok: false as const })
  const user = await findUserByEmail(db, ctx.session.email)
  if (!user) throw new Response('Account not found', { status: 404 })
  try {
    if (!(await verifyPassword(user.passwordHash, currentPassword))) {
      await auditAccount(db, ctx.userId, 'account.password_change_failed')
      return currentPasswordRefused(CURRENT_PASSWORD_WRONG)
    }
    await recordSignInSuccess(db, { email: ctx.session.email, clientKey })
    if (newPassword !== confirmPassword)
      return data<ChangePasswordResult>({ ok: false, error: 'The two new passwords are not the same.' }, { status: 400 })
    if (newPassword === currentPassword)
      return data<ChangePasswordResult>({ ok: false, error: 'Choose a password different from your current one.' }, { status: 400 })
    const problem = passwordProblem(newPassword, {
      email: user.email,
      name: user.name,
      organisationNames: ctx.memberships.map((m) => m.organisationName),
    })
    if (problem) return data<ChangePasswordResult>({ ok: false, error: problem }, { status: 400 })
    const passwordHash = await hashPassword(newPassword)
    const revoked = await setPasswordAndRevokeSessions(db, { userId: ctx.userId, passwordHash, keepSessionId: ctx.session.sessionId })
    await auditAccount(db, ctx.userId, 'account.password_changed', { otherSessionsRevoked: revoked })
    return data<ChangePasswordResult>({
      ok: true,
      message:
        revoked > 0
          ? `Your password has been changed, and ${revoked} other ${revoked === 1 ? 'session was' : 'sessions were'} signed out.`
          : 'Your password has been changed.',
    })
  } catch (error) {
    if (error instanceof PasswordHashingBusy)
      return data<ChangePasswordResult>({ ok: false, error: 'This is busy just now. Try again in a few seconds.' }, { status: 503, headers: { 'Retry-After': '5' } })
    throw error
  }
}
