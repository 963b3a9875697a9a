import { data, redirect } from '@remix-run/node'
import { z } from 'zod'
import { consumePasswordReset, findOpenPasswordReset } from '#db/queries/account-security.ts'
import { listMemberships } from '#db/queries/accounts.ts'
import { hashPassword, PasswordHashingBusy } from '#db/passwords.ts'
import { auditAccount } from '#app/utils/account.server.ts'
import { hashToken } from '#app/utils/auth.server.ts'
import { getDb } from '#app/utils/db.server.ts'
import { PASSWORD_MAX_LENGTH, passwordProblem } from '#app/utils/password-policy.ts'

const NOT_VALID =
  'This link to reset your password is not valid. It may have been used already or be more than 30 minutes old: ask for a new one.'

const resetSchema = z.object({
  token: z.string().min(1).max(100),
  password: z.string().min(1, { message: 'Enter a new password' }).max(PASSWORD_MAX_LENGTH * 4),
  confirm: z.string().max(PASSWORD_MAX_LENGTH * 4),
})

async function openReset(token: string | null) {
  if (!token || token.length > 100) return null
  return findOpenPasswordReset(await getDb(), hashToken(token))
}

export async function loadResetPassword(request: Request) {
  const token = new URL(request.url).searchParams.get('token')
  const reset = await openReset(token)
  if (!reset) throw new Response(NOT_VALID, { status: 404 })
  return { token: token!, email: reset.email }
}

/**
 * Choose a new password with a reset link: the password policy applies (app/utils/password-policy.ts), the
 * token is consumed once, every session of the account is revoked, and the change is audited.
 */
export async function handleResetPassword(request: Request) {
  const parsed = resetSchema.safeParse(Object.fromEntries(await request.formData()))
  if (!parsed.success) return data({ error: parsed.error.issues[0]?.message ?? 'Check the form' }, { status: 400 })
  const { token, password, confirm } = parsed.data
  const reset = await openReset(token)
  if (!reset) throw new Response(NOT_VALID, { status: 404 })
  if (password !== confirm) return data({ error: 'The two passwords are not the same.' }, { status: 400 })
  const db = await getDb()
  const memberships = await listMemberships(db, reset.userId)
  const problem = passwordProblem(password, {
    email: reset.email,
    name: reset.name,
    organisationNames: memberships.map((m) => m.organisationName),
  })
  if (problem) return data({ error: problem }, { status: 400 })
  let passwordHash: string
  try {
    passwordHash = await hashPassword(password)
  } catch (error) {
    if (error instanceof PasswordHashingBusy)
      return data({ error: 'This is busy just now. Try again in a few seconds.' }, { status: 503, headers: { 'Retry-After': '5' } })
    throw error
  }
  const userId = await consumePasswordReset(db, { tokenHash: hashToken(token), passwordHash })
  if (!userId) throw new Response(NOT_VALID, { status: 404 })
  await auditAccount(db, userId, 'account.password_reset', { sessionsRevoked: 'all' })
  throw redirect('/login?reset=1')
}
