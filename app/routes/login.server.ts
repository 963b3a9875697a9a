import { createHash, randomBytes } from 'node:crypto'
import { data, redirect } from '@remix-run/node'
import { findUserByEmail, listMemberships, writeAudit } from '#db/queries/accounts.ts'
import { hashPassword, verifyPassword } from '#db/passwords.ts'
import { getDb } from '#app/utils/db.server.ts'
import { getSession, startSession } from '#app/utils/auth.server.ts'
import { loginSchema } from '#app/utils/login-schema.ts'
import { RateLimiter } from '#app/utils/rate-limit.server.ts'

// Ten attempts per account per 15 minutes: slows guessing without locking out a real user for long.
const loginLimiter = new RateLimiter(10, 15 * 60_000)
// A hash with the same parameters, verified when the account does not exist, so timing does not reveal it.
let dummyHash: Promise<string> | undefined
const getDummyHash = () => (dummyHash ??= hashPassword(randomBytes(16).toString('hex')))

export function safeRedirect(to: FormDataEntryValue | string | null | undefined, fallback = '/app'): string {
  if (typeof to !== 'string' || !to.startsWith('/') || to.startsWith('//') || to.startsWith('/\\'))
    return fallback
  return to
}

export async function loadLogin(request: Request) {
  if (await getSession(request)) throw redirect('/app')
  return { redirectTo: safeRedirect(new URL(request.url).searchParams.get('redirectTo')) }
}

export async function handleLogin(request: Request) {
  const form = Object.fromEntries(await request.formData())
  const parsed = loginSchema.safeParse(form)
  if (!parsed.success) {
    return data(
      { error: parsed.error.issues[0]?.message ?? 'Check the form', email: String(form.email ?? '') },
      { status: 400 },
    )
  }
  const { email, password } = parsed.data
  const key = createHash('sha256').update(email.toLowerCase()).digest('hex')
  const wait = loginLimiter.hit(key)
  if (wait > 0) {
    return data(
      { error: `Too many attempts. Try again in ${Math.ceil(wait / 60)} minutes.`, email },
      { status: 429, headers: { 'Retry-After': String(wait) } },
    )
  }
  const db = await getDb()
  const user = await findUserByEmail(db, email)
  const ok = await verifyPassword(user?.passwordHash ?? (await getDummyHash()), password)
  if (!user || !ok)
    return data({ error: 'The email address or password is not right.', email }, { status: 401 })
  loginLimiter.reset(key)
  const memberships = await listMemberships(db, user.id)
  const cookie = await startSession(user.id, memberships[0]?.organisationId ?? null)
  await writeAudit(db, {
    organisationId: memberships[0]?.organisationId ?? null,
    userId: user.id,
    action: 'auth.sign_in',
  })
  return redirect(safeRedirect(parsed.data.redirectTo), { headers: { 'Set-Cookie': cookie } })
}
