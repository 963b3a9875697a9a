import { randomBytes } from 'node:crypto'
import { data } from '@remix-run/node'
import {
  countAdmins,
  createStaffInvitation,
  deleteStaffInvitation,
  findMember,
  listMembers,
  listMemberships,
  listPendingStaffInvitations,
  removeMember,
  updateMemberRole,
  writeAudit,
} from '#db/queries/accounts.ts'
import {
  listLiveSessions,
  listMembersWithoutTwoFactor,
  resetMemberTwoFactor,
  revokeOtherSessions,
  revokeUserSession,
  setOrganisationRequiresTwoFactor,
} from '#db/queries/account-security.ts'
import { hashToken, requirePermission } from '#app/utils/auth.server.ts'
import { getDb } from '#app/utils/db.server.ts'
import { getEnv } from '#app/env.server.ts'
import { sendInvitationMail } from '#app/utils/mail.server.ts'
import { TWO_FACTOR_OPTIONAL_WARNING, usersPageSchema } from './app.settings.users.schema.ts'

const INVITATION_DAYS = 7

export async function loadUsersPage(request: Request) {
  const ctx = await requirePermission(request, 'users:manage')
  const db = await getDb()
  const [members, invitations, withoutTwoFactor] = await Promise.all([
    listMembers(db, ctx.organisationId),
    listPendingStaffInvitations(db, ctx.organisationId),
    listMembersWithoutTwoFactor(db, ctx.organisationId),
  ])
  // Each member's live sessions (members are listed by organisation, so only this organisation's people).
  const sessions = await Promise.all(members.map((m) => listLiveSessions(db, m.userId)))
  const active = ctx.memberships.find((m) => m.organisationId === ctx.organisationId)
  return {
    currentUserId: ctx.userId,
    currentSessionId: ctx.session.sessionId,
    organisationName: ctx.organisationName,
    requireTwoFactor: Boolean(active?.requireTwoFactor),
    members: members.map((m, i) => ({
      userId: m.userId,
      email: m.email,
      name: m.name,
      role: m.role,
      twoFactor: !withoutTwoFactor.includes(m.userId),
      isOperator: m.isOperator,
      sessions: (sessions[i] ?? []).map((s) => ({
        id: s.id,
        browser: s.userAgent ?? 'Unknown browser',
        createdAt: s.createdAt.toISOString(),
        lastSeenAt: s.lastSeenAt.toISOString(),
      })),
    })),
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
    case 'revoke-sessions': {
      // Only members of this organisation: another organisation's user id matches nothing here (404).
      const member = await findMember(db, ctx.organisationId, form.userId)
      if (!member) throw new Response('User not found', { status: 404 })
      if (form.sessionId) {
        if (!(await revokeUserSession(db, member.userId, form.sessionId))) throw new Response('Session not found', { status: 404 })
        await audit('users.session_revoked', 'user', member.userId, { email: member.email, sessionId: form.sessionId })
        return data<UsersActionData>({ ok: true, message: `One of ${member.name}’s sessions was signed out.` })
      }
      const count = await revokeOtherSessions(db, member.userId, member.userId === ctx.userId ? ctx.session.sessionId : null)
      await audit('users.sessions_revoked', 'user', member.userId, { email: member.email, count })
      return data<UsersActionData>({
        ok: true,
        message: `${member.name} was signed out of ${count} ${count === 1 ? 'session' : 'sessions'}.`,
      })
    }
    case 'require-two-factor': {
      const required = form.required === 'on'
      await setOrganisationRequiresTwoFactor(db, ctx.organisationId, required)
      await audit('organisation.two_factor_requirement_changed', 'organisation', ctx.organisationId, { required })
      return data<UsersActionData>({
        ok: true,
        message: required
          ? 'Every member must now sign in with two factors. Members without it are asked to set it up at their next page.'
          : `Two-factor sign-in is now required of admins only. Other members may still use it. ${TWO_FACTOR_OPTIONAL_WARNING}`,
      })
    }
    case 'reset-two-factor': {
      // A lost second factor: only a member of this organisation (404 otherwise), never oneself (recovery codes
      // are for that), never a platform operator (a platform account is not this organisation's to weaken).
      const member = await findMember(db, ctx.organisationId, form.userId)
      if (!member) throw new Response('User not found', { status: 404 })
      if (member.userId === ctx.userId)
        return data<UsersActionData>(
          { ok: false, error: 'You cannot reset your own two-factor sign-in here. Use one of your recovery codes, or ask another admin.' },
          { status: 409 },
        )
      if (member.isOperator)
        return data<UsersActionData>({ ok: false, error: `${member.name} is a platform operator: an organisation cannot reset their two-factor sign-in.` }, { status: 409 })
      const reset = await resetMemberTwoFactor(db, { organisationId: ctx.organisationId, userId: member.userId })
      if (!reset) return data<UsersActionData>({ ok: false, error: `${member.name} does not have two-factor sign-in to reset.` }, { status: 409 })
      await audit('users.two_factor_reset', 'user', member.userId, { email: member.email, sessionsRevoked: reset.sessionsRevoked })
      // The account is shared by every organisation the member belongs to: their admins see it too.
      const memberships = await listMemberships(db, member.userId)
      for (const other of memberships) {
        if (other.organisationId === ctx.organisationId) continue
        await writeAudit(db, {
          organisationId: other.organisationId,
          userId: ctx.userId,
          action: 'account.two_factor_reset_by_admin',
          targetType: 'user',
          targetId: member.userId,
          details: { byOrganisation: ctx.organisationName, sessionsRevoked: reset.sessionsRevoked },
        })
      }
      const mustEnrol = memberships.some((m) => m.role === 'admin' || m.requireTwoFactor)
      return data<UsersActionData>({
        ok: true,
        message: `${member.name}’s two-factor sign-in was reset and they were signed out everywhere. ${
          mustEnrol ? 'They must set it up again, with their password and a new authenticator, when they next sign in.' : 'They sign in with their password alone until they set it up again.'
        }`,
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
