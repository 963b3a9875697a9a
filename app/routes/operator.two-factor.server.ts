import { data } from '@remix-run/node'
import { z } from 'zod'
import { getTwoFactorState } from '#db/queries/account-security.ts'
import { isOperator } from '#db/queries/operators.ts'
import { reauthenticate, type WithPasswordField } from '#app/services/reauthentication.server.ts'
import { confirmEnrolment, enrolmentOffer, enrolmentSecret, keepingOffer, type EnrolmentOffer } from '#app/services/two-factor-enrolment.server.ts'
import { getSession } from '#app/utils/auth.server.ts'
import { getDb } from '#app/utils/db.server.ts'

/*
 * /operator/two-factor: where a platform operator sets up two-factor sign-in before the operator's page opens
 * (operator.organisations.server.ts requireOperator). Operators may belong to no organisation, so they cannot
 * use the staff page (/app/account/two-factor); an operator who is also a member manages it there afterwards.
 * Everyone who is not an operator gets the same 404 as an unknown page.
 */

const NOT_FOUND = () => new Response('Not Found', { status: 404 })
const OPERATOR_HOME = '/operator/organisations'

const enableSchema = z.object({
  intent: z.literal('enable'),
  code: z.string().trim().min(1, { message: 'Enter a code' }).max(64),
  secret: enrolmentSecret,
})

async function requireOperatorAccount(request: Request) {
  const session = await getSession(request)
  if (!session || !(await isOperator(await getDb(), session.userId))) throw NOT_FOUND()
  return session
}

/**
 * The set-up page, or, once two-factor sign-in is on, a page that says so and leads on. It does not redirect:
 * without JavaScript the loader runs again right after a successful set-up (a document POST), and a redirect
 * would hide the recovery codes before they could be written down.
 */
export async function loadOperatorTwoFactor(request: Request) {
  const session = await requireOperatorAccount(request)
  if (session.twoFactorEnabled) return { enabled: true as const, email: session.email, next: OPERATOR_HOME }
  return { enabled: false as const, email: session.email, ...(await enrolmentOffer(session.email)) }
}

export type OperatorTwoFactorResult = WithPasswordField<{ ok: true; recoveryCodes: string[] } | { ok: false; error: string }> & {
  /** On a failed set-up: the secret that was sent, offered again (app/services/two-factor-enrolment.server.ts keepingOffer). */
  offer?: EnrolmentOffer
}

/**
 * Confirm the set-up with the current password and a code (each try costs a sign-in-limit point, as on the staff
 * page: app/services/reauthentication.server.ts).
 */
export async function handleOperatorTwoFactor(request: Request, clientKey?: string) {
  const session = await requireOperatorAccount(request)
  const raw = Object.fromEntries(await request.formData())
  const parsed = enableSchema.safeParse(raw)
  if (!parsed.success)
    return keepingOffer(data({ ok: false as const, error: parsed.error.issues[0]?.message ?? 'Check the form' }, { status: 400 }), raw.secret, session.email)
  const db = await getDb()
  if ((await getTwoFactorState(db, session.userId))?.secret)
    return data<OperatorTwoFactorResult>({ ok: false, error: 'Two-factor sign-in is already on.' }, { status: 409 })
  const password = await reauthenticate(db, { userId: session.userId, email: session.email, clientKey }, raw.currentPassword, 'two_factor_enable')
  if (!password.ok) return keepingOffer(password.response, parsed.data.secret, session.email)
  const result = await confirmEnrolment(db, { userId: session.userId, secret: parsed.data.secret, code: parsed.data.code })
  if (!result.ok) return keepingOffer(data({ ok: false as const, error: result.error }, { status: result.status }), parsed.data.secret, session.email)
  await password.refund()
  return data<OperatorTwoFactorResult>({ ok: true, recoveryCodes: result.recoveryCodes })
}
