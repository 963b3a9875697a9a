import { randomBytes } from 'node:crypto'
import { data } from '@remix-run/node'
import {
  countAdmins,
  createStaffInvitation,
  deleteStaffInvitation,
  findMember,
  listMembers,
  listPendingStaffInvitations,
  removeMember,
  updateMemberRole,
  writeAudit,
} from '#db/queries/accounts.ts'
import { hashToken, requirePermission } from '#app/utils/auth.server.ts'
import { getDb } from '#app/utils/db.server.ts'
import { getEnv } from '#app/env.server.ts'
import { sendInvitationMail } from '#app/utils/mail.server.ts'
import { usersPageSchema } from './app.settings.users.schema.ts'

const INVITATION_DAYS = 7

export async function loadUsersPage(request: Request) {
  const ctx = await requirePermission(request, 'users:manage')
  const db = await getDb()
  const [members, invitations] = await Promise.all([
    listMembers(db, ctx.organisationId),
    listPendingStaffInvitations(db, ctx.organisationId),
  ])
  return {
    currentUserId: ctx.userId,
    organisationName: ctx.organisationName,
    members: members.map((m) => ({ userId: m.userId, email: m.email, name: m.name, role: m.role })),
    invitations: invitations.map((i) => ({
      id: i.id,
      email: i.email,
      role: i.role,
      expiresAt: i.expiresAt.toISOString(),
    })),
  }
}

export type UsersActionData =
  | { ok: true; message: string; inviteLink?: string; mailed?: boolean }
  | { ok: false; error: string }

function originOf(request: Request): string {
  return getEnv().PUBLIC_ORIGIN ?? new URL(request.url).origin
}

export async function handleUsersAction(request: Request) {
  const ctx = await requirePermission(request, 'users:manage')
  const parsed = usersPageSchema.safeParse(Object.fromEntries(await request.formData()))
  if (!parsed.success) {
    return data<UsersActionData>(
      { ok: false, error: parsed.error.issues[0]?.message ?? 'Check the form' },
      { status: 400 },
    )
  }
  const db = await getDb()
  const form = parsed.data
  const audit = (action: string, targetType: string, targetId: string, details: Record<string, unknown>) =>
    writeAudit(db, {
      organisationId: ctx.organisationId,
      userId: ctx.userId,
      action,
      targetType,
      targetId,
      details,
    })

  switch (form.intent) {
    case 'invite': {
      const token = randomBytes(32).toString('base64url')
      const invitation = await createStaffInvitation(db, {
        organisationId: ctx.organisationId,
        email: form.email,
        role: form.role,
        tokenHash: hashToken(token),
        invitedBy: ctx.userId,
        expiresAt: new Date(Date.now() + INVITATION_DAYS * 86_400_000),
      })
      await audit('users.invited', 'invitation', invitation.id, { email: form.email, role: form.role })
      const inviteLink = `${originOf(request)}/invite/${token}`
      const mailed = await sendInvitationMail({
        to: form.email,
        organisationName: ctx.organisationName,
        link: inviteLink,
        inviterName: ctx.session.name,
      })
      return data<UsersActionData>({
        ok: true,
        message: mailed
          ? `Invitation sent to ${form.email}. The link below works once, for ${INVITATION_DAYS} days.`
          : `Send this link to ${form.email}. It works once, for ${INVITATION_DAYS} days, and is shown only now.`,
        inviteLink,
        mailed,
      })
    }
    case 'change-role': {
      const member = await findMember(db, ctx.organisationId, form.userId)
      if (!member) throw new Response('User not found', { status: 404 })
      if (
        member.role === 'admin' &&
        form.role !== 'admin' &&
        (await countAdmins(db, ctx.organisationId)) <= 1
      ) {
        return data<UsersActionData>(
          { ok: false, error: 'An organisation needs at least one admin.' },
          { status: 409 },
        )
      }
      await updateMemberRole(db, ctx.organisationId, form.userId, form.role)
      await audit('users.role_changed', 'user', form.userId, {
        email: member.email,
        from: member.role,
        to: form.role,
      })
      return data<UsersActionData>({
        ok: true,
        message: `${member.name} is now ${form.role === 'admin' ? 'an' : 'a'} ${form.role}.`,
      })
    }
    case 'remove': {
      const member = await findMember(db, ctx.organisationId, form.userId)
      if (!member) throw new Response('User not found', { status: 404 })
      if (member.userId === ctx.userId)
        return data<UsersActionData>({ ok: false, error: 'You cannot remove yourself.' }, { status: 409 })
      if (member.role === 'admin' && (await countAdmins(db, ctx.organisationId)) <= 1) {
        return data<UsersActionData>(
          { ok: false, error: 'An organisation needs at least one admin.' },
          { status: 409 },
        )
      }
      await removeMember(db, ctx.organisationId, form.userId)
      await audit('users.removed', 'user', form.userId, { email: member.email, role: member.role })
      return data<UsersActionData>({
        ok: true,
        message: `${member.name} no longer has access, and their sessions were signed out.`,
      })
    }
    case 'revoke-invitation': {
      const invitation = await deleteStaffInvitation(db, ctx.organisationId, form.invitationId)
      if (!invitation) throw new Response('Invitation not found', { status: 404 })
      await audit('users.invitation_revoked', 'invitation', invitation.id, { email: invitation.email })
      return data<UsersActionData>({
        ok: true,
        message: `The invitation to ${invitation.email} no longer works.`,
      })
    }
  }
}
