import { z } from 'zod'
import { ROLES } from '#app/utils/permissions.ts'

/** The forms on the users page, one schema each, told apart by `intent`. */
export const inviteSchema = z.object({
  intent: z.literal('invite'),
  email: z.email({ message: 'Enter an email address like name@example.gov.uk' }).max(254),
  role: z.enum(ROLES, { message: 'Choose a role' }),
})

export const changeRoleSchema = z.object({
  intent: z.literal('change-role'),
  userId: z.uuid({ message: 'Unknown user' }),
  role: z.enum(ROLES, { message: 'Choose a role' }),
})

export const removeMemberSchema = z.object({
  intent: z.literal('remove'),
  userId: z.uuid({ message: 'Unknown user' }),
})

export const revokeInvitationSchema = z.object({
  intent: z.literal('revoke-invitation'),
  invitationId: z.uuid({ message: 'Unknown invitation' }),
})

/** Sign a member out: one session (`sessionId`) or all of them. */
export const revokeMemberSessionsSchema = z.object({
  intent: z.literal('revoke-sessions'),
  userId: z.uuid({ message: 'Unknown user' }),
  sessionId: z.uuid({ message: 'Unknown session' }).optional(),
})

/**
 * Shown on the users page while the organisation does not require two-factor sign-in of every member, and in the
 * answer when an admin turns it off (new organisations require it: db/queries/accounts.ts NEW_ORGANISATION_DEFAULTS).
 */
export const TWO_FACTOR_OPTIONAL_WARNING =
  'Viewers and analysts of this organisation can sign in with a password alone. This departs from OWASP ASVS Level 2 (requirement 6.3.3), which asks every user to sign in with more than a password.'

/** The organisation's two-factor requirement: a checkbox, so absent means off. */
export const requireTwoFactorSchema = z.object({
  intent: z.literal('require-two-factor'),
  required: z.literal('on').optional(),
})

/** Reset a member's lost second factor, after the admin ticks that they have checked who is asking. */
export const resetTwoFactorSchema = z.object({
  intent: z.literal('reset-two-factor'),
  userId: z.uuid({ message: 'Unknown user' }),
  confirm: z.literal('on', { message: 'Tick the box to confirm you have checked it is really them asking' }),
})

export const usersPageSchema = z.discriminatedUnion('intent', [
  inviteSchema,
  changeRoleSchema,
  removeMemberSchema,
  revokeInvitationSchema,
  revokeMemberSessionsSchema,
  requireTwoFactorSchema,
  resetTwoFactorSchema,
])
