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

export const usersPageSchema = z.discriminatedUnion('intent', [
  inviteSchema,
  changeRoleSchema,
  removeMemberSchema,
  revokeInvitationSchema,
])
