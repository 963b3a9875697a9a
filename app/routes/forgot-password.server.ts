import { data, redirect } from '@remix-run/node'
import { z } from 'zod'
import { getDb } from '#app/utils/db.server.ts'
import { getSession } from '#app/utils/auth.server.ts'
import { publicOrigin, RESET_MINUTES, startPasswordReset } from '#app/utils/account.server.ts'
import { consumeSignInAttempt } from '#app/utils/sign-in-limits.server.ts'
import { tooManyAttempts } from './login.server.ts'

const requestSchema = z.object({
  email: z.email({ message: 'Enter an email address like name@example.gov.uk' }).max(254),
})

export async function loadForgotPassword(request: Request) {
  if (await getSession(request)) throw redirect('/app/account')
  return { minutes: RESET_MINUTES }
}

/** The one answer, whether or not an account has the address (no account enumeration). */
export const RESET_SENT = `If an account has this address, we have sent it a link to choose a new password. The link works once, for ${RESET_MINUTES} minutes. Check your spam folder if it does not arrive.`

/**
 * Ask for a reset link. Each request costs a point from the sign-in limits for the address typed and for the
 * client (app/utils/sign-in-limits.server.ts), whether or not an account has it, so the limits do not reveal
 * accounts either; the mail goes out after the answer (app/utils/account.server.ts).
 */
export async function handleForgotPassword(request: Request, clientKey?: string) {
  const form = Object.fromEntries(await request.formData())
  const parsed = requestSchema.safeParse(form)
  if (!parsed.success)
    return data({ ok: false as const, error: parsed.error.issues[0]?.message ?? 'Check the form' }, { status: 400 })
  const db = await getDb()
  const wait = await consumeSignInAttempt(db, { email: parsed.data.email, clientKey })
  if (wait > 0) return tooManyAttempts(wait, { ok: false as const })
  await startPasswordReset(db, { email: parsed.data.email, origin: publicOrigin(request) })
  return data({ ok: true as const, message: RESET_SENT })
}
