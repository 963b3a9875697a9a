import { data, redirect } from '@remix-run/node'
import {
  acceptStaffInvitation,
  findOpenStaffInvitation,
  findUserByEmail,
  writeAudit,
} from '#db/queries/accounts.ts'
import { hashPassword, PasswordHashingBusy, passwordHashingSaturated, verifyPassword } from '#db/passwords.ts'
import { hashToken, startSession } from '#app/utils/auth.server.ts'
import { startSignInChallenge } from '#app/utils/sign-in-challenge.server.ts'
import { getDb } from '#app/utils/db.server.ts'
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH, passwordProblem } from '#app/utils/password-policy.ts'
import { consumeSignInAttempt, recordSignInSuccess } from '#app/utils/sign-in-limits.server.ts'
import { getDummyHash } from './login.server.ts'
import { acceptAsExistingUserSchema, acceptAsNewUserSchema } from './invite.$token.schema.ts'

const NOT_VALID =
  'This invitation link is not valid. It may have been used already, revoked or expired: ask your admin for a new one.'

const ACCOUNT_EXISTS =
  'An account cannot be created for this e-mail address. If you already use CSE Insight, join with that account’s password instead.'

// The same answer whether or not an account has this address (issue 12, finding 4).
const WRONG_PASSWORD = 'That password is not right for a CSE Insight account with this address.'

const BUSY = 'This is busy just now. Try again in a few seconds.'

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

/**
 * What the invitation page shows. It does not say whether the invited address already has an account (in this
 * or any other organisation): the page offers both "join with your password" and "create an account".
 */
export async function loadInvitation(token: string) {
  const invitation = await openInvitation(token)
  return {
    organisationName: invitation.organisationName,
    email: invitation.email,
    role: invitation.role,
    passwordLength: { minLength: PASSWORD_MIN_LENGTH, maxLength: PASSWORD_MAX_LENGTH },
  }
}

export type InviteActionData = { error: string }

export async function acceptInvitation(request: Request, token: string, clientKey?: string) {
  const invitation = await openInvitation(token)
  const db = await getDb()
  const form = Object.fromEntries(await request.formData())
  const tokenHash = hashToken(token)
  const busy = () => data<InviteActionData>({ error: BUSY }, { status: 503, headers: { 'Retry-After': '5' } })
  // Both forms hash a password: they draw on the sign-in limits for this address and this client, so the
  // invitation gives no guesses beyond the sign-in page's (app/utils/sign-in-limits.server.ts).
  const limited = async (guessesPassword: boolean) => {
    if (passwordHashingSaturated()) return busy()
    const wait = await consumeSignInAttempt(db, { email: invitation.email, clientKey, guessesPassword })
    return wait > 0
      ? data<InviteActionData>(
          { error: `Too many attempts. Try again in ${Math.max(1, Math.ceil(wait / 60))} minutes.` },
          { status: 429, headers: { 'Retry-After': String(wait) } },
        )
      : null
  }
  let accepted: Awaited<ReturnType<typeof acceptStaffInvitation>>
  let newAccount: boolean
  if (form.intent === 'join') {
    const parsed = acceptAsExistingUserSchema.safeParse(form)
    if (!parsed.success)
      return data<InviteActionData>(
        { error: parsed.error.issues[0]?.message ?? 'Check the form' },
        { status: 400 },
      )
    const refusal = await limited(true)
    if (refusal) return refusal
    const existing = await findUserByEmail(db, invitation.email)
    let ok: boolean
    try {
      // Without an account, a dummy hash is checked, so neither the answer nor its timing tells them apart.
      ok = await verifyPassword(existing?.passwordHash ?? (await getDummyHash()), parsed.data.password)
    } catch (error) {
      if (error instanceof PasswordHashingBusy) return busy()
      throw error
    }
    if (!existing || !ok) return data<InviteActionData>({ error: WRONG_PASSWORD }, { status: 401 })
    await recordSignInSuccess(db, { email: invitation.email, clientKey })
    accepted = await acceptStaffInvitation(db, { tokenHash, existingUserId: existing.id })
    newAccount = false
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
    const refusal = await limited(false)
    if (refusal) return refusal
    if (await findUserByEmail(db, invitation.email)) {
      // The account exists (or a concurrent accept of this very link made it and consumed the link: 404 then).
      // Saying so after a submitted form is unavoidable while whoever holds the link can try to create the
      // account; the page itself never says (docs/security.md).
      await openInvitation(token)
      return data<InviteActionData>({ error: ACCOUNT_EXISTS }, { status: 409 })
    }
    let passwordHash: string
    try {
      passwordHash = await hashPassword(parsed.data.password)
    } catch (error) {
      if (error instanceof PasswordHashingBusy) return busy()
      throw error
    }
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
    newAccount = true
  }
  if (!accepted) throw new Response(NOT_VALID, { status: 404 })
  await writeAudit(db, {
    organisationId: accepted.organisationId,
    userId: accepted.userId,
    action: 'users.invitation_accepted',
    targetType: 'invitation',
    targetId: accepted.invitationId,
    details: { role: accepted.role, newAccount },
  })
  if (!newAccount && (await findUserByEmail(db, invitation.email))?.totpSecret) {
    // An account with two-factor sign-in joins with its password and then its code, as at sign-in.
    const challenge = await startSignInChallenge(db, accepted.userId, '/app', accepted.organisationId)
    return redirect('/login/two-factor', { headers: { 'Set-Cookie': challenge } })
  }
  const cookie = await startSession(accepted.userId, accepted.organisationId, request)
  return redirect('/app', { headers: { 'Set-Cookie': cookie } })
}
