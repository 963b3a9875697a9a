import { and, desc, eq, gt, isNull, lt, ne, or, sql } from 'drizzle-orm'
import type { Database } from '../client.ts'
import { memberships, organisations, passwordResets, recoveryCodes, sessions, signInChallenges, users } from '../schema.ts'
import { SESSION_IDLE_MINUTES } from './accounts.ts'

/*
 * Staff account security (issue 12, "Staff accounts"): password changes and resets, two-factor sign-in with
 * TOTP and recovery codes, and the sessions a person can see and revoke. Tokens and codes arrive here already
 * hashed (SHA-256); nothing in these tables can be used if the database leaks.
 */

// ---------------------------------------------------------------------------------------------------------
// Passwords

/**
 * Set a new password hash and revoke every live session of the user except `keepSessionId` (the one that
 * made the change, if any), in one transaction. Returns how many sessions were revoked.
 */
export async function setPasswordAndRevokeSessions(
  db: Database,
  input: { userId: string; passwordHash: string; keepSessionId?: string },
  now = new Date(),
): Promise<number> {
  return db.transaction(async (tx) => {
    await tx.update(users).set({ passwordHash: input.passwordHash, passwordChangedAt: now }).where(eq(users.id, input.userId))
    const conditions = [eq(sessions.userId, input.userId), isNull(sessions.revokedAt)]
    if (input.keepSessionId) conditions.push(ne(sessions.id, input.keepSessionId))
    const revoked = await tx.update(sessions).set({ revokedAt: now }).where(and(...conditions)).returning({ id: sessions.id })
    // Any reset links still out there stop working too.
    await tx.update(passwordResets).set({ usedAt: now }).where(and(eq(passwordResets.userId, input.userId), isNull(passwordResets.usedAt)))
    return revoked.length
  })
}

export async function createPasswordReset(db: Database, input: { userId: string; tokenHash: string; expiresAt: Date }): Promise<void> {
  await db.insert(passwordResets).values(input)
}

export interface OpenPasswordReset {
  id: string
  userId: string
  email: string
  name: string
}

/** A reset token that is unused and unexpired, with its user; null otherwise. */
export async function findOpenPasswordReset(db: Database, tokenHash: string, now = new Date()): Promise<OpenPasswordReset | null> {
  const rows = await db
    .select({ id: passwordResets.id, userId: users.id, email: users.email, name: users.name })
    .from(passwordResets)
    .innerJoin(users, eq(users.id, passwordResets.userId))
    .where(and(eq(passwordResets.tokenHash, tokenHash), isNull(passwordResets.usedAt), gt(passwordResets.expiresAt, now)))
    .limit(1)
  return rows[0] ?? null
}

/**
 * Use a reset token: consume it with one conditional UPDATE (so two concurrent uses cannot both succeed), set
 * the password and revoke every session, in one transaction. Returns the user id, or null when the token was
 * already used, expired or never existed.
 */
export async function consumePasswordReset(
  db: Database,
  input: { tokenHash: string; passwordHash: string },
  now = new Date(),
): Promise<string | null> {
  return db.transaction(async (tx) => {
    const [reset] = await tx
      .update(passwordResets)
      .set({ usedAt: now })
      .where(and(eq(passwordResets.tokenHash, input.tokenHash), isNull(passwordResets.usedAt), gt(passwordResets.expiresAt, now)))
      .returning({ userId: passwordResets.userId })
    if (!reset) return null
    await tx.update(users).set({ passwordHash: input.passwordHash, passwordChangedAt: now }).where(eq(users.id, reset.userId))
    await tx.update(sessions).set({ revokedAt: now }).where(and(eq(sessions.userId, reset.userId), isNull(sessions.revokedAt)))
    await tx.update(passwordResets).set({ usedAt: now }).where(and(eq(passwordResets.userId, reset.userId), isNull(passwordResets.usedAt)))
    return reset.userId
  })
}

/** Delete reset rows that can no longer be used (expired or used more than a day ago). */
export async function deleteStalePasswordResets(db: Database, now = new Date()): Promise<number> {
  const dayAgo = new Date(now.getTime() - 86_400_000)
  const rows = await db
    .delete(passwordResets)
    .where(or(lt(passwordResets.expiresAt, dayAgo), lt(passwordResets.usedAt, dayAgo)))
    .returning({ id: passwordResets.id })
  return rows.length
}

// ---------------------------------------------------------------------------------------------------------
// Two-factor sign-in (TOTP) and recovery codes

export interface TwoFactorState {
  userId: string
  email: string
  name: string
  secret: string | null
  enabledAt: Date | null
  lastStep: number | null
  recoveryCodesLeft: number
}

export async function getTwoFactorState(db: Database, userId: string): Promise<TwoFactorState | null> {
  const rows = await db
    .select({
      userId: users.id,
      email: users.email,
      name: users.name,
      secret: users.totpSecret,
      enabledAt: users.totpEnabledAt,
      lastStep: users.totpLastStep,
      recoveryCodesLeft: sql<number>`(select count(*)::int from ${recoveryCodes} where ${recoveryCodes.userId} = ${users.id} and ${recoveryCodes.usedAt} is null)`,
    })
    .from(users)
    .where(eq(users.id, userId))
    .limit(1)
  const row = rows[0]
  return row ? { ...row, recoveryCodesLeft: Number(row.recoveryCodesLeft) } : null
}

/**
 * Turn two-factor sign-in on with a secret a code has just confirmed: only while it is off (so a second
 * set-up tab cannot swap the secret afterwards), remembering the confirming code's step, and replacing the
 * recovery codes, in one transaction. False when it was already on.
 */
export async function enableTotp(
  db: Database,
  input: { userId: string; secret: string; step: number; recoveryCodeHashes: string[] },
  now = new Date(),
): Promise<boolean> {
  return db.transaction(async (tx) => {
    const rows = await tx
      .update(users)
      .set({ totpSecret: input.secret, totpEnabledAt: now, totpLastStep: input.step })
      .where(and(eq(users.id, input.userId), isNull(users.totpSecret)))
      .returning({ id: users.id })
    if (rows.length === 0) return false
    await tx.delete(recoveryCodes).where(eq(recoveryCodes.userId, input.userId))
    await tx.insert(recoveryCodes).values(input.recoveryCodeHashes.map((codeHash) => ({ userId: input.userId, codeHash })))
    return true
  })
}

/** Turn two-factor sign-in off and delete the recovery codes. */
export async function disableTotp(db: Database, userId: string): Promise<void> {
  await db.transaction(async (tx) => {
    await tx
      .update(users)
      .set({ totpSecret: null, totpEnabledAt: null, totpLastStep: null })
      .where(eq(users.id, userId))
    await tx.delete(recoveryCodes).where(eq(recoveryCodes.userId, userId))
  })
}

/**
 * An organisation admin resets a member's lost second factor: the TOTP secret and recovery codes go, every
 * session and any sign-in still waiting for its code end, in one transaction; only for a member of
 * `organisationId` who has two-factor sign-in (the UPDATE checks both). Returns how many sessions were ended,
 * or null when nothing was reset.
 */
export async function resetMemberTwoFactor(
  db: Database,
  input: { organisationId: string; userId: string },
  now = new Date(),
): Promise<{ sessionsRevoked: number } | null> {
  return db.transaction(async (tx) => {
    const reset = await tx
      .update(users)
      .set({ totpSecret: null, totpEnabledAt: null, totpLastStep: null })
      .where(
        and(
          eq(users.id, input.userId),
          sql`${users.totpSecret} is not null`,
          sql`exists (select 1 from ${memberships} where ${memberships.userId} = ${users.id} and ${memberships.organisationId} = ${input.organisationId})`,
        ),
      )
      .returning({ id: users.id })
    if (reset.length === 0) return null
    await tx.delete(recoveryCodes).where(eq(recoveryCodes.userId, input.userId))
    await tx.update(signInChallenges).set({ usedAt: now }).where(and(eq(signInChallenges.userId, input.userId), isNull(signInChallenges.usedAt)))
    const revoked = await tx
      .update(sessions)
      .set({ revokedAt: now })
      .where(and(eq(sessions.userId, input.userId), isNull(sessions.revokedAt)))
      .returning({ id: sessions.id })
    return { sessionsRevoked: revoked.length }
  })
}

/**
 * Accept a TOTP code's time step once: succeeds only when `step` is later than the last step accepted, in one
 * conditional UPDATE, so the same code (or an older one) replayed within its window is refused.
 */
export async function claimTotpStep(db: Database, userId: string, step: number): Promise<boolean> {
  const rows = await db
    .update(users)
    .set({ totpLastStep: step })
    .where(and(eq(users.id, userId), sql`${users.totpSecret} is not null`, or(isNull(users.totpLastStep), lt(users.totpLastStep, step))))
    .returning({ id: users.id })
  return rows.length > 0
}

/**
 * Replace a stored TOTP secret with its re-sealed form (app/utils/totp-secret-box.server.ts), only if it is still
 * `from`: a concurrent change (turned off, set up again) wins.
 */
export async function replaceStoredTotpSecret(db: Database, userId: string, from: string, to: string): Promise<boolean> {
  const rows = await db
    .update(users)
    .set({ totpSecret: to })
    .where(and(eq(users.id, userId), eq(users.totpSecret, from)))
    .returning({ id: users.id })
  return rows.length > 0
}

/** Every stored TOTP secret with its user, for re-sealing at start-up. */
export async function listStoredTotpSecrets(db: Database): Promise<Array<{ userId: string; stored: string }>> {
  const rows = await db.select({ userId: users.id, stored: users.totpSecret }).from(users).where(sql`${users.totpSecret} is not null`)
  return rows.flatMap((r) => (r.stored ? [{ userId: r.userId, stored: r.stored }] : []))
}

/** Replace the recovery codes (after showing new ones). */
export async function replaceRecoveryCodes(db: Database, userId: string, codeHashes: string[]): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.delete(recoveryCodes).where(eq(recoveryCodes.userId, userId))
    await tx.insert(recoveryCodes).values(codeHashes.map((codeHash) => ({ userId, codeHash })))
  })
}

/** Use a recovery code: marks it used with one conditional UPDATE; false when unknown or already used. */
export async function consumeRecoveryCode(db: Database, userId: string, codeHash: string, now = new Date()): Promise<boolean> {
  const rows = await db
    .update(recoveryCodes)
    .set({ usedAt: now })
    .where(and(eq(recoveryCodes.userId, userId), eq(recoveryCodes.codeHash, codeHash), isNull(recoveryCodes.usedAt)))
    .returning({ id: recoveryCodes.id })
  return rows.length > 0
}

// ---------------------------------------------------------------------------------------------------------
// The second sign-in step

export async function createSignInChallenge(
  db: Database,
  input: { tokenHash: string; userId: string; redirectTo: string; organisationId?: string | null; expiresAt: Date },
): Promise<void> {
  await db.insert(signInChallenges).values(input)
}

export interface OpenSignInChallenge {
  id: string
  userId: string
  email: string
  redirectTo: string
  organisationId: string | null
}

export async function findOpenSignInChallenge(db: Database, tokenHash: string, now = new Date()): Promise<OpenSignInChallenge | null> {
  const rows = await db
    .select({
      id: signInChallenges.id,
      userId: signInChallenges.userId,
      email: users.email,
      redirectTo: signInChallenges.redirectTo,
      organisationId: signInChallenges.organisationId,
    })
    .from(signInChallenges)
    .innerJoin(users, eq(users.id, signInChallenges.userId))
    .where(and(eq(signInChallenges.tokenHash, tokenHash), isNull(signInChallenges.usedAt), gt(signInChallenges.expiresAt, now)))
    .limit(1)
  return rows[0] ?? null
}

/** Use a challenge once; false when already used or expired. */
export async function consumeSignInChallenge(db: Database, id: string, now = new Date()): Promise<boolean> {
  const rows = await db
    .update(signInChallenges)
    .set({ usedAt: now })
    .where(and(eq(signInChallenges.id, id), isNull(signInChallenges.usedAt), gt(signInChallenges.expiresAt, now)))
    .returning({ id: signInChallenges.id })
  return rows.length > 0
}

// ---------------------------------------------------------------------------------------------------------
// Organisation requirement

export async function setOrganisationRequiresTwoFactor(db: Database, organisationId: string, required: boolean): Promise<void> {
  await db.update(organisations).set({ requireTwoFactor: required }).where(eq(organisations.id, organisationId))
}

export async function organisationRequiresTwoFactor(db: Database, organisationId: string): Promise<boolean> {
  const rows = await db.select({ r: organisations.requireTwoFactor }).from(organisations).where(eq(organisations.id, organisationId)).limit(1)
  return rows[0]?.r ?? false
}

/** Members of the organisation without two-factor sign-in (for the admin's users page). */
export async function listMembersWithoutTwoFactor(db: Database, organisationId: string): Promise<string[]> {
  const rows = await db
    .select({ userId: users.id })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(and(eq(memberships.organisationId, organisationId), isNull(users.totpSecret)))
  return rows.map((r) => r.userId)
}

// ---------------------------------------------------------------------------------------------------------
// Sessions a person can see and revoke

export interface SessionSummary {
  id: string
  createdAt: Date
  lastSeenAt: Date
  expiresAt: Date
  userAgent: string | null
}

/** A user's live sessions (not revoked, not expired, not idle too long), most recently seen first. */
export async function listLiveSessions(db: Database, userId: string, now = new Date()): Promise<SessionSummary[]> {
  return db
    .select({ id: sessions.id, createdAt: sessions.createdAt, lastSeenAt: sessions.lastSeenAt, expiresAt: sessions.expiresAt, userAgent: sessions.userAgent })
    .from(sessions)
    .where(
      and(
        eq(sessions.userId, userId),
        isNull(sessions.revokedAt),
        gt(sessions.expiresAt, now),
        gt(sessions.lastSeenAt, new Date(now.getTime() - SESSION_IDLE_MINUTES * 60_000)),
      ),
    )
    .orderBy(desc(sessions.lastSeenAt))
}

/** Revoke one live session of `userId`; false when it is not theirs or already ended. */
export async function revokeUserSession(db: Database, userId: string, sessionId: string, now = new Date()): Promise<boolean> {
  const rows = await db
    .update(sessions)
    .set({ revokedAt: now })
    .where(and(eq(sessions.id, sessionId), eq(sessions.userId, userId), isNull(sessions.revokedAt)))
    .returning({ id: sessions.id })
  return rows.length > 0
}

/** Revoke every live session of `userId` except `keepSessionId`; returns how many. */
export async function revokeOtherSessions(db: Database, userId: string, keepSessionId: string | null, now = new Date()): Promise<number> {
  const conditions = [eq(sessions.userId, userId), isNull(sessions.revokedAt)]
  if (keepSessionId) conditions.push(ne(sessions.id, keepSessionId))
  const rows = await db.update(sessions).set({ revokedAt: now }).where(and(...conditions)).returning({ id: sessions.id })
  return rows.length
}

/** Record activity at most once a minute per session (one conditional UPDATE). */
export async function touchSession(db: Database, sessionId: string, now = new Date()): Promise<void> {
  await db
    .update(sessions)
    .set({ lastSeenAt: now })
    .where(and(eq(sessions.id, sessionId), lt(sessions.lastSeenAt, new Date(now.getTime() - 60_000))))
}
