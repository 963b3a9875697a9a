import { data } from '@remix-run/node'
import { z } from 'zod'
import { disableTotp, getTwoFactorState, replaceRecoveryCodes } from '#db/queries/account-security.ts'
import { reauthenticate, type WithPasswordField } from '#app/services/reauthentication.server.ts'
import { confirmEnrolment, enrolmentOffer, enrolmentSecret, keepingOffer, type EnrolmentOffer, WRONG_CODE } from '#app/services/two-factor-enrolment.server.ts'
import { auditAccount } from '#app/utils/account.server.ts'
import { mustEnrolTwoFactor, requirePermission } from '#app/utils/auth.server.ts'
import { getDb } from '#app/utils/db.server.ts'
import { consumeSignInAttempt } from '#app/utils/sign-in-limits.server.ts'
import { hashRecoveryCode, newRecoveryCodes, verifySecondFactor } from '#app/utils/two-factor.server.ts'
import { tooManyAttempts } from './login.server.ts'

const code = z.string().trim().min(1, { message: 'Enter a code' }).max(64)
const twoFactorSchema = z.discriminatedUnion('intent', [
  z.object({ intent: z.literal('enable'), code, secret: enrolmentSecret }),
  z.object({ intent: z.literal('disable'), code }),
  z.object({ intent: z.literal('recovery-codes'), code }),
])

export async function loadTwoFactorPage(request: Request) {
  const ctx = await requirePermission(request, 'dashboard:read')
  const db = await getDb()
  const state = await getTwoFactorState(db, ctx.userId)
  if (!state) throw new Response('Account not found', { status: 404 })
  const active = ctx.memberships.find((m) => m.organisationId === ctx.organisationId)
  // Why it is required, if it is: operators and admins always (app/utils/auth.server.ts mustEnrolTwoFactor).
  const requiredBecause = ctx.session.isOperator ? 'operator' : ctx.role === 'admin' ? 'admin' : active?.requireTwoFactor ? 'organisation' : null
  const required = requiredBecause !== null
  const mustEnrol = mustEnrolTwoFactor(ctx.session, ctx.role, Boolean(active?.requireTwoFactor))
  if (state.secret) {
    return { enabled: true as const, required, mustEnrol, recoveryCodesLeft: state.recoveryCodesLeft, enabledAt: state.enabledAt?.toISOString() ?? null }
  }
  return { enabled: false as const, required, requiredBecause, mustEnrol, email: state.email, ...(await enrolmentOffer(state.email)) }
}

export type TwoFactorResult = WithPasswordField<{ ok: true; message: string; recoveryCodes?: string[] } | { ok: false; error: string }> & {
  /** On a failed set-up: the secret that was sent, offered again (app/services/two-factor-enrolment.server.ts keepingOffer). */
  offer?: EnrolmentOffer
}

/**
 * Turn two-factor sign-in on (with the current password and a code from the new authenticator:
 * app/services/reauthentication.server.ts), off, or replace the recovery codes (each with a current code or a
 * recovery code). Every try costs a point from the sign-in limits, and every change is audited.
 */
export async function handleTwoFactorAction(request: Request, clientKey?: string) {
  const ctx = await requirePermission(request, 'dashboard:read')
  const raw = Object.fromEntries(await request.formData())
  const parsed = twoFactorSchema.safeParse(raw)
  if (!parsed.success) {
    const refused = data({ ok: false as const, error: parsed.error.issues[0]?.message ?? 'Check the form' }, { status: 400 })
    return raw.intent === 'enable' ? keepingOffer(refused, raw.secret, ctx.session.email) : refused
  }
  const db = await getDb()
  const state = await getTwoFactorState(db, ctx.userId)
  if (!state) throw new Response('Account not found', { status: 404 })
  const form = parsed.data

  if (form.intent === 'enable') {
    if (state.secret) return data<TwoFactorResult>({ ok: false, error: 'Two-factor sign-in is already on.' }, { status: 409 })
    // The password spends this request's sign-in-limit point (given back only when the code is right too).
    const who = { userId: ctx.userId, email: ctx.session.email, clientKey }
    const password = await reauthenticate(db, who, raw.currentPassword, 'two_factor_enable')
    if (!password.ok) return keepingOffer(password.response, form.secret, ctx.session.email)
    const result = await confirmEnrolment(db, { userId: ctx.userId, secret: form.secret, code: form.code })
    if (!result.ok) return keepingOffer(data({ ok: false as const, error: result.error }, { status: result.status }), form.secret, ctx.session.email)
    await password.refund()
    return data<TwoFactorResult>({ ok: true, message: 'Two-factor sign-in is on.', recoveryCodes: result.recoveryCodes })
  }

  const wait = await consumeSignInAttempt(db, { email: ctx.session.email, clientKey })
  if (wait > 0) return tooManyAttempts(wait, { ok: false as const })

  if (!state.secret) return data<TwoFactorResult>({ ok: false, error: 'Two-factor sign-in is not on.' }, { status: 409 })
  const kind = await verifySecondFactor(db, { id: ctx.userId, storedSecret: state.secret }, form.code)
  if (!kind) {
    await auditAccount(db, ctx.userId, 'account.two_factor_code_failed', { intent: form.intent })
    return data<TwoFactorResult>({ ok: false, error: WRONG_CODE }, { status: 401 })
  }
  if (form.intent === 'disable') {
    await disableTotp(db, ctx.userId)
    await auditAccount(db, ctx.userId, 'account.two_factor_disabled', { with: kind })
    return data<TwoFactorResult>({ ok: true, message: 'Two-factor sign-in is off.' })
  }
  const codes = newRecoveryCodes()
  await replaceRecoveryCodes(db, ctx.userId, codes.map(hashRecoveryCode))
  await auditAccount(db, ctx.userId, 'account.recovery_codes_replaced', { with: kind })
  return data<TwoFactorResult>({ ok: true, message: 'You have new recovery codes. The old ones no longer work.', recoveryCodes: codes })
}
