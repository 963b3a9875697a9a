import { randomBytes } from 'node:crypto'
import { z } from 'zod'
import type { Database } from '#db/client.ts'
import { createOrganisation, createStaffInvitation, findOrganisationBySlug, NEW_ORGANISATION_DEFAULTS, writeAudit } from '#db/queries/accounts.ts'
import { hashToken } from '#app/utils/auth.server.ts'

/*
 * Organisations are created by a platform operator (db/queries/operators.ts), from the command line
 * (cli/create-organisation.ts) or the operator page (app/routes/operator.organisations.tsx), both through
 * createOrganisationWithAdmin below. The first admin is never given a password: they get a one-time staff
 * invitation link (the same /invite/:token flow admins use for colleagues) and choose their own.
 */

/** How long the first admin's invitation link works. */
export const FIRST_ADMIN_INVITATION_DAYS = 7

export const newOrganisationSchema = z.object({
  name: z.string().trim().min(1, 'Enter the organisation’s name.').max(200, 'Keep the name under 200 characters.'),
  slug: z
    .string()
    .trim()
    .toLowerCase()
    .regex(/^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/, 'Use 1 to 64 lower-case letters, digits and dashes, starting and ending with a letter or digit.'),
  adminEmail: z.string().trim().toLowerCase().max(254).email('Enter the first admin’s e-mail address.'),
})
export type NewOrganisation = z.infer<typeof newOrganisationSchema>

export type CreateOrganisationResult =
  | { ok: true; organisationId: string; name: string; slug: string; adminEmail: string; inviteLink: string; expiresAt: Date }
  | { ok: false; errors: Partial<Record<keyof NewOrganisation, string>> }

/** PostgreSQL's unique_violation, as raised by node-postgres and PGlite (possibly wrapped by Drizzle). */
function isUniqueViolation(error: unknown): boolean {
  for (let e = error; e && typeof e === 'object'; e = (e as { cause?: unknown }).cause) {
    if ((e as { code?: unknown }).code === '23505') return true
  }
  return false
}

/**
 * Create an organisation and a one-time invitation for its first admin, audited in the new organisation's
 * log as done by `operatorUserId` (null from the command line, where no one is signed in). `origin` is the
 * public origin the link starts with. Invalid input or a slug in use comes back as field errors.
 */
export async function createOrganisationWithAdmin(
  db: Database,
  input: unknown,
  options: { operatorUserId: string | null; origin: string; via: 'cli' | 'operator_page' },
): Promise<CreateOrganisationResult> {
  const parsed = newOrganisationSchema.safeParse(input)
  if (!parsed.success) {
    const errors: Partial<Record<keyof NewOrganisation, string>> = {}
    for (const issue of parsed.error.issues) {
      const field = issue.path[0] as keyof NewOrganisation
      errors[field] ??= issue.message
    }
    return { ok: false, errors }
  }
  const { name, slug, adminEmail } = parsed.data
  const taken = { ok: false as const, errors: { slug: `The short name "${slug}" is already used by another organisation.` } }
  if (await findOrganisationBySlug(db, slug)) return taken
  const token = randomBytes(32).toString('base64url')
  const expiresAt = new Date(Date.now() + FIRST_ADMIN_INVITATION_DAYS * 86_400_000)
  try {
    const organisationId = await db.transaction(async (tx) => {
      const t = tx as unknown as Database
      const organisation = await createOrganisation(t, slug, name, NEW_ORGANISATION_DEFAULTS)
      const invitation = await createStaffInvitation(t, {
        organisationId: organisation.id,
        email: adminEmail,
        role: 'admin',
        tokenHash: hashToken(token),
        invitedBy: options.operatorUserId,
        expiresAt,
      })
      await writeAudit(t, {
        organisationId: organisation.id,
        userId: options.operatorUserId,
        action: 'organisation.created',
        targetType: 'organisation',
        targetId: organisation.id,
        details: { slug, name, firstAdmin: adminEmail, invitationId: invitation.id, via: options.via, requireTwoFactor: organisation.requireTwoFactor },
      })
      return organisation.id
    })
    return { ok: true, organisationId, name, slug, adminEmail, inviteLink: `${options.origin.replace(/\/$/, '')}/invite/${token}`, expiresAt }
  } catch (error) {
    if (isUniqueViolation(error)) return taken
    throw error
  }
}
