import { randomBytes } from 'node:crypto'
import type { Database } from '#db/client.ts'
import { createPasswordReset, deleteStalePasswordResets } from '#db/queries/account-security.ts'
import { findUserByEmail, listMemberships, writeAudit } from '#db/queries/accounts.ts'
import { getEnv } from '#app/env.server.ts'
import { hashToken } from './auth.server.ts'
import { sendMail, type MailConfig } from './mail.server.ts'

/*
 * Account actions shared by the account pages, sign-in and password reset (docs/security.md, "Staff accounts").
 */

/** Password reset links work once, for this long. */
export const RESET_MINUTES = 30

/**
 * Write one audit entry about a person's own account into every organisation they belong to (so each
 * organisation's admins see it), or one without an organisation when they belong to none.
 */
export async function auditAccount(
  db: Database,
  userId: string,
  action: string,
  details: Record<string, unknown> = {},
  actorId: string | null = userId,
): Promise<void> {
  const memberships = await listMemberships(db, userId)
  const organisationIds = memberships.length > 0 ? memberships.map((m) => m.organisationId) : [null]
  for (const organisationId of organisationIds) {
    await writeAudit(db, { organisationId, userId: actorId, action, targetType: 'user', targetId: userId, details })
  }
}

export function publicOrigin(request: Request): string {
  return getEnv().PUBLIC_ORIGIN ?? new URL(request.url).origin
}

/**
 * Start a password reset for whatever address was typed. When an account has it, a one-time link (256 random
 * bits, stored as SHA-256, valid RESET_MINUTES) is mailed; when none does, nothing happens. The caller gives
 * the same answer either way, and the mail is sent after the answer (not awaited), so timing reveals nothing
 * either. Returns a promise for the mail (tests await it; the route does not).
 */
export async function startPasswordReset(
  db: Database,
  input: { email: string; origin: string },
  mailConfig?: MailConfig,
): Promise<{ mailed: Promise<boolean> }> {
  await deleteStalePasswordResets(db)
  const user = await findUserByEmail(db, input.email)
  if (!user) return { mailed: Promise.resolve(false) }
  const token = randomBytes(32).toString('base64url')
  await createPasswordReset(db, {
    userId: user.id,
    tokenHash: hashToken(token),
    expiresAt: new Date(Date.now() + RESET_MINUTES * 60_000),
  })
  await auditAccount(db, user.id, 'account.password_reset_requested', {}, null)
  const link = `${input.origin}/reset-password?token=${token}`
  const mailed = sendMail(
    {
      to: user.email,
      subject: 'Reset your CSE Insight password',
      text: [
        `Someone asked to reset the password of the CSE Insight account for ${user.email}.`,
        '',
        `To choose a new password, open this link (it works once, for ${RESET_MINUTES} minutes):`,
        link,
        '',
        'If this was not you, ignore this message: your password has not changed.',
      ].join('\n'),
      reason: 'password_reset',
    },
    mailConfig,
  )
  return { mailed }
}
