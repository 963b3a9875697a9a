import { randomBytes } from 'node:crypto'
import { data, redirect } from '@remix-run/node'
import { findUserByEmail, listMemberships, writeAudit } from '#db/queries/accounts.ts'
import { hashPassword, PasswordHashingBusy, passwordHashingSaturated, verifyPassword } from '#db/passwords.ts'
import { getDb } from '#app/utils/db.server.ts'
import { getSession, startSession } from '#app/utils/auth.server.ts'
import { startSignInChallenge } from '#app/utils/sign-in-challenge.server.ts'
import { loginSchema } from '#app/utils/login-schema.ts'
import { safeRedirect } from '#app/utils/safe-redirect.ts'
import { consumeSignInAttempt, recordSignInSuccess } from '#app/utils/sign-in-limits.server.ts'

// A hash with the same parameters, verified when the account does not exist, so timing does not reveal it.
let dummyHash: Promise<string> | undefined
export const getDummyHash = () => (dummyHash ??= hashPassword(randomBytes(16).toString('hex')))

export async function loadLogin(request: Request) {
  if (await getSession(request)) throw redirect('/app')
  const params = new URL(request.url).searchParams
  return {
    redirectTo: safeRedirect(params.get('redirectTo')),
    notice:
      params.get('expired') === '1'
        ? 'Your sign-in took too long. Sign in again.'
        : params.get('reset') === '1'
          ? 'Your password has been changed. Sign in with your new password.'
          : null,
  }
}

const BUSY = 'Sign-in is busy just now. Try again in a few seconds.'

/** 429 with Retry-After, in the words the sign-in and invitation pages use. */
export function tooManyAttempts<T extends Record<string, unknown>>(wait: number, extra: T) {
  return data(
    { error: `Too many attempts. Try again in ${Math.max(1, Math.ceil(wait / 60))} minutes.`, ...extra },
    { status: 429, headers: { 'Retry-After': String(wait) } },
  )
}

export async function handleLogin(request: Request, clientKey?: string) {
  const form = Object.fromEntries(await request.formData())
  const parsed = loginSchema.safeParse(form)
  if (!parsed.success) {
    return data(
      { error: parsed.error.issues[0]?.message ?? 'Check the form', email: String(form.email ?? '') },
      { status: 400 },
    )
  }
  const { email, password } = parsed.data
  // Beyond the hashing capacity, refuse before any database work: a flood then costs almost nothing.
  if (passwordHashingSaturated()) return data({ error: BUSY, email }, { status: 503, headers: { 'Retry-After': '5' } })
  const db = await getDb()
  // Limits per account and per client, shared by every instance (app/utils/sign-in-limits.server.ts).
  const wait = await consumeSignInAttempt(db, { email, clientKey })
  if (wait > 0) return tooManyAttempts(wait, { email })
  const user = await findUserByEmail(db, email)
  let ok: boolean
  try {
    ok = await verifyPassword(user?.passwordHash ?? (await getDummyHash()), password)
  } catch (error) {
    if (error instanceof PasswordHashingBusy)
      return data({ error: BUSY, email }, { status: 503, headers: { 'Retry-After': '5' } })
    throw error
  }
  if (!user || !ok) {
    // Audited (issue 12, finding 7): a wrong password for an account goes into its organisation's log; an
    // unknown address only into the platform's (no organisation), without the address typed.
    const memberships = user ? await listMemberships(db, user.id) : []
    await writeAudit(db, {
      organisationId: memberships[0]?.organisationId ?? null,
      userId: user?.id ?? null,
      action: 'auth.sign_in_failed',
      details: { reason: user ? 'wrong_password' : 'unknown_account' },
    })
    return data({ error: 'The email address or password is not right.', email }, { status: 401 })
  }
  const memberships = await listMemberships(db, user.id)
  // A platform operator who belongs to no organisation has no staff area: their page is the operator's.
  const target = memberships.length === 0 && user.isOperator ? '/operator/organisations' : safeRedirect(parsed.data.redirectTo)
  if (user.totpSecret) {
    // Two-factor sign-in: no session yet, and the limits are not cleared until the second step succeeds, so
    // knowing the password gives no fresh budget of code guesses (app/routes/login.two-factor.server.ts).
    const challenge = await startSignInChallenge(db, user.id, target)
    return redirect('/login/two-factor', { headers: { 'Set-Cookie': challenge } })
  }
  await recordSignInSuccess(db, { email, clientKey })
  const cookie = await startSession(user.id, memberships[0]?.organisationId ?? null, request)
  await writeAudit(db, {
    organisationId: memberships[0]?.organisationId ?? null,
    userId: user.id,
    action: 'auth.sign_in',
  })
  return redirect(target, { headers: { 'Set-Cookie': cookie } })
}
