import { createHash, randomBytes, randomUUID } from 'node:crypto'
import { eq } from 'drizzle-orm'
import { composeSurvey } from '#templates/index.ts'
import type { Database } from '#db/client.ts'
import { openDatabase } from '#db/client.ts'
import { hashPassword } from '#db/passwords.ts'
import { addMembership, createOrganisation, createUser } from '#db/queries/accounts.ts'
import { createSurvey, publishSurvey } from '#db/queries/surveys.ts'
import { storeResponse } from '#db/queries/responses.ts'
import {
  auditLog,
  evidencePacks,
  memberships,
  populationProfiles,
  responseInvitations,
  responses,
  resultSnapshots,
  staffInvitations,
  surveyActions,
  surveyThemes,
  responseCommentThemes,
  surveys,
  surveyVersions,
  targets,
  users,
} from '#db/schema.ts'
import type { Role } from '#app/utils/permissions.ts'
import { newTotpSecret } from '#app/utils/two-factor.server.ts'
import { sealTotpSecret } from '#app/utils/totp-secret-box.server.ts'
import { postgresTemplate } from './database.ts'
import { createFreshPostgresDatabase } from './server.ts'

/**
 * Test tenants for the security suites, created through the real query functions (no demo data needed): an
 * organisation with one user per role, a published survey with responses and a comment, a population profile,
 * a target, a response invitation, a staff invitation and an evidence pack. `ids` maps every route parameter
 * name the app uses to this tenant's real id of that kind, so another tenant can be handed them.
 */
export interface TestUser {
  id: string
  email: string
  password: string
  role: Role
  /** The TOTP secret of a user with two-factor sign-in (every admin must have it: app/utils/auth.server.ts). */
  totpSecret?: string
}

export interface Tenant {
  label: string
  organisationId: string
  organisationName: string
  users: Record<Role, TestUser>
  surveyId: string
  surveySlug: string
  surveyTitle: string
  versionId: string
  seriesId: string
  ids: Record<string, string>
  /** Strings that belong to this tenant only: they must never appear in another tenant's responses. */
  secrets: string[]
}

export interface TenantOptions {
  /** Change the composed survey definition before it is saved (e.g. to plant XSS payloads). */
  editDefinition?: (definition: Record<string, unknown>) => void
  title?: string
  comment?: string
  /** Passwords are argon2id-hashed once per tenant (all users share one) to keep set-up fast. */
  password?: string
}

export async function createTenant(db: Database, label: string, options: TenantOptions = {}): Promise<Tenant> {
  const suffix = randomBytes(4).toString('hex')
  const organisationName = `${label} Borough ${suffix}`
  const organisation = await createOrganisation(db, `${label.toLowerCase()}-${suffix}`, organisationName)
  const password = options.password ?? `${label}-tenant-pass-${suffix}-unguessable`
  const passwordHash = await hashPassword(password)
  const tenantUsers = {} as Record<Role, TestUser>
  for (const role of ['viewer', 'analyst', 'admin'] as const) {
    const email = `${role}.${label.toLowerCase()}.${suffix}@example.test`
    const user = await createUser(db, email, `${label} ${role}`, passwordHash)
    await addMembership(db, organisation.id, user.id, role)
    tenantUsers[role] = { id: user.id, email, password, role }
  }
  // Admins must sign in with two factors (app/utils/auth.server.ts mustEnrolTwoFactor): the fixture's admin has.
  tenantUsers.admin.totpSecret = newTotpSecret()
  await db.update(users).set({ totpSecret: sealTotpSecret(tenantUsers.admin.id, tenantUsers.admin.totpSecret), totpEnabledAt: new Date() }).where(eq(users.id, tenantUsers.admin.id))
  const title = options.title ?? `${label} secret survey ${suffix}`
  const { definition, metadata } = composeSurvey(['core-satisfaction'], { title })
  options.editDefinition?.(definition as Record<string, unknown>)
  const slug = `${label.toLowerCase()}-survey-${suffix}`
  const survey = await createSurvey(db, {
    organisationId: organisation.id,
    slug,
    title,
    wave: '2026',
    templateId: 'core-satisfaction',
    definition,
    metadata,
  })
  const version = await publishSurvey(db, organisation.id, survey.id, tenantUsers.admin.id)
  const comment = options.comment ?? `${label} private comment ${suffix}`
  const stored = await storeResponse(db, {
    organisationId: organisation.id,
    surveyId: survey.id,
    surveyVersionId: version.id,
    clientId: randomUUID(),
    wave: '2026',
    answers: { overall: 5, improve: comment },
    segments: {},
    source: 'api',
  })
  if (stored.status !== 'created') throw new Error('createTenant: response not stored')
  const [profile] = await db
    .insert(populationProfiles)
    .values({ organisationId: organisation.id, name: `${label} population`, total: 1000, margins: { sex: { female: 520, male: 480 } } })
    .returning()
  const [target] = await db
    .insert(targets)
    .values({ organisationId: organisation.id, seriesId: survey.seriesId, measure: 'overall', target: 0.8 })
    .returning()
  const [invitation] = await db
    .insert(responseInvitations)
    .values({ organisationId: organisation.id, surveyId: survey.id, tokenHash: sha256(randomBytes(32).toString('hex')), batch: `${label}-batch` })
    .returning()
  const [staffInvitation] = await db
    .insert(staffInvitations)
    .values({
      organisationId: organisation.id,
      email: `invitee.${label.toLowerCase()}.${suffix}@example.test`,
      role: 'viewer',
      tokenHash: sha256(randomBytes(32).toString('hex')),
      invitedBy: tenantUsers.admin.id,
      expiresAt: new Date(Date.now() + 86_400_000),
    })
    .returning()
  const [pack] = await db
    .insert(evidencePacks)
    .values({ organisationId: organisation.id, surveyId: survey.id, createdBy: tenantUsers.admin.id, contentHash: sha256(label), sizeBytes: 4, content: 'UEsFBg==' })
    .returning()
  if (!profile || !target || !invitation || !staffInvitation || !pack) throw new Error('createTenant: insert returned no row')
  return {
    label,
    organisationId: organisation.id,
    organisationName,
    users: tenantUsers,
    surveyId: survey.id,
    surveySlug: slug,
    surveyTitle: title,
    versionId: version.id,
    seriesId: survey.seriesId,
    ids: {
      surveyId: survey.id,
      versionId: version.id,
      seriesId: survey.seriesId,
      responseId: stored.responseId,
      populationId: profile.id,
      profileId: profile.id,
      targetId: target.id,
      invitationId: invitation.id,
      staffInvitationId: staffInvitation.id,
      packId: pack.id,
      userId: tenantUsers.analyst.id,
      organisationId: organisation.id,
    },
    secrets: [organisation.id, organisationName, survey.id, title, comment, tenantUsers.admin.email, tenantUsers.analyst.email, staffInvitation.email],
  }
}

function sha256(value: string): string {
  return createHash('sha256').update(value).digest('hex')
}

/**
 * Everything one organisation owns, as a canonical string: a test takes it before and after another tenant's
 * requests, and any difference means a cross-tenant write got through.
 */
export async function snapshotOrganisation(db: Database, organisationId: string): Promise<string> {
  const tables = { surveys, surveyVersions, responses, populationProfiles, targets, responseInvitations, staffInvitations, evidencePacks, resultSnapshots, surveyActions, surveyThemes, responseCommentThemes, auditLog, memberships }
  const out: Record<string, unknown> = {}
  for (const [name, table] of Object.entries(tables)) {
    const rows = await db.select().from(table).where(eq(table.organisationId, organisationId))
    out[name] = rows.map((r) => JSON.stringify(r)).sort()
  }
  const memberRows = await db.select({ user: users }).from(users).innerJoin(memberships, eq(memberships.userId, users.id)).where(eq(memberships.organisationId, organisationId))
  out.users = memberRows.map((r) => JSON.stringify(r.user)).sort()
  return JSON.stringify(out)
}

/**
 * Prepare a database for a server test before the server starts (the server then holds PGlite's directory
 * lock): a PGlite directory, or a fresh PostgreSQL database when TEST_DATABASE_URL is set. `fill` runs on a
 * migrated database; the returned options go to startTestServer.
 */
export async function prepareServerDatabase<T>(
  pgliteDir: string,
  fill: (db: Database) => Promise<T>,
): Promise<{ result: T; serverOptions: { pgliteDir?: string; databaseUrl?: string }; drop(): Promise<void> }> {
  const admin = process.env.TEST_DATABASE_URL
  if (admin) {
    // A copy of the project's migrated template when there is one (tests/support/postgres-template.ts).
    const fresh = await createFreshPostgresDatabase(admin, postgresTemplate())
    const handle = await openDatabase({ url: fresh.url, poolMax: 4 })
    await handle.migrate()
    const result = await fill(handle.db)
    await handle.close()
    return { result, serverOptions: { databaseUrl: fresh.url }, drop: fresh.drop }
  }
  const handle = await openDatabase({ pgliteDir })
  await handle.migrate()
  const result = await fill(handle.db)
  await handle.close()
  return { result, serverOptions: { pgliteDir }, drop: async () => undefined }
}
