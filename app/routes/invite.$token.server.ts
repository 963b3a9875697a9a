import { createHash } from 'node:crypto'
import { data, redirect } from '@remix-run/node'
import {
  acceptStaffInvitation,
  findOpenStaffInvitation,
  findUserByEmail,
  writeAudit,
} from '#db/queries/accounts.ts'
import { hashPassword, verifyPassword } from '#db/passwords.ts'
import { hashToken, startSession } from '#app/utils/auth.server.ts'
import { getDb } from '#app/utils/db.server.ts'
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH, passwordProblem } from '#app/utils/password-policy.ts'
import { RateLimiter } from '#app/utils/rate-limit.server.ts'
import { acceptAsExistingUserSchema, acceptAsNewUserSchema } from './invite.$token.schema.ts'

// Guessing an existing account's password through an invitation is as slow as through the login page.
const joinLimiter = new RateLimiter(10, 15 * 60_000)

const NOT_VALID =
  'This invitation link is not valid. It may have been used already, revoked or expired: ask your admin for a new one.'

const ACCOUNT_EXISTS =
  'An account already exists for this e-mail address. Reload the page and enter its password to join.'

/** PostgreSQL's unique_violation, as raised by node-postgres and PGlite (possibly wrapped by Drizzle). */
function isUniqueViolation(error: unknown): boolean {
  for (let e = error; e && typeof e === 'object'; e = (e as { cause?: unknown }).cause) {
    if ((e as { code?: unknown }).code === '23505') return true
  }
  return false
}

async function openInvitation(token: string) {
  if (token.length > 100) throw new Response(NOT_VALID, { status: 404 })
  const invitation = await findOpenStaffInvitation(await getDb(), hashToken(token))
  if (!invitation) throw new Response(NOT_VALID, { status: 404 })
  return invitation
}

export async function loadInvitation(token: string) {
  const invitation = await openInvitation(token)
  const existing = await findUserByEmail(await getDb(), invitation.email)
  return {
    organisationName: invitation.organisationName,
    email: invitation.email,
    role: invitation.role,
    hasAccount: existing !== null,
    passwordLength: { minLength: PASSWORD_MIN_LENGTH, maxLength: PASSWORD_MAX_LENGTH },
  }
}

export type InviteActionData = { error: string }

export async function acceptInvitation(request: Request, token: string) {
  const invitation = await openInvitation(token)
  const db = await getDb()
  const form = Object.fromEntries(await request.formData())
  const existing = await findUserByEmail(db, invitation.email)
  const tokenHash = hashToken(token)
  let accepted: Awaited<ReturnType<typeof acceptStaffInvitation>>
  if (existing) {
    if (form.intent === 'create') {
      // The account appeared after this form was shown: most often a concurrent accept of this very link made it
      // and consumed the link (404 below). Otherwise the person must prove they own the account.
      await openInvitation(token)
      return data<InviteActionData>({ error: ACCOUNT_EXISTS }, { status: 409 })
    }
    const parsed = acceptAsExistingUserSchema.safeParse(form)
    if (!parsed.success)
      return data<InviteActionData>(
        { error: parsed.error.issues[0]?.message ?? 'Check the form' },
        { status: 400 },
      )
    const key = createHash('sha256').update(existing.id).digest('hex')
    const wait = joinLimiter.hit(key)
    if (wait > 0)
      return data<InviteActionData>(
        { error: 'Too many attempts. Try again later.' },
        { status: 429, headers: { 'Retry-After': String(wait) } },
      )
    if (!(await verifyPassword(existing.passwordHash, parsed.data.password))) {
      return data<InviteActionData>(
        { error: 'That password is not right for this account.' },
        { status: 401 },
      )
    }
    accepted = await acceptStaffInvitation(db, { tokenHash, existingUserId: existing.id })
  } else {
    const parsed = acceptAsNewUserSchema.safeParse(form)
    if (!parsed.success)
      return data<InviteActionData>(
        { error: parsed.error.issues[0]?.message ?? 'Check the form' },
        { status: 400 },
      )
    const problem = passwordProblem(parsed.data.password, {
      email: invitation.email,
      name: parsed.data.name,
      organisationNames: [invitation.organisationName],
    })
    if (problem) return data<InviteActionData>({ error: problem }, { status: 400 })
    const passwordHash = await hashPassword(parsed.data.password)
    try {
      accepted = await acceptStaffInvitation(db, {
        tokenHash,
        newUser: { email: invitation.email, name: parsed.data.name, passwordHash },
      })
    } catch (error) {
      // Another invitation for the same address (from another organisation) made the account a moment ago. The
      // transaction rolled back, so this link is still open for a 'join'.
      if (isUniqueViolation(error)) return data<InviteActionData>({ error: ACCOUNT_EXISTS }, { status: 409 })
      throw error
    }
  }
  if (!accepted) throw new Response(NOT_VALID, { status: 404 })
  await writeAudit(db, {
    organisationId: accepted.organisationId,
    userId: accepted.userId,
    action: 'users.invitation_accepted',
    targetType: 'invitation',
    targetId: accepted.invitationId,
    details: { role: accepted.role, newAccount: !existing },
  })
  const cookie = await startSession(accepted.userId, accepted.organisationId)
  return redirect('/app', { headers: { 'Set-Cookie': cookie } })
}
