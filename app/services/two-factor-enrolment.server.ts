import { data } from '@remix-run/node'
import { z } from 'zod'
import type { Database } from '#db/client.ts'
import { enableTotp } from '#db/queries/account-security.ts'
import { auditAccount } from '#app/utils/account.server.ts'
import { sealTotpSecret } from '#app/utils/totp-secret-box.server.ts'
import { formatSecret, hashRecoveryCode, newRecoveryCodes, newTotpSecret, totpQrSvg, totpStepOf } from '#app/utils/two-factor.server.ts'

/*
 * Setting up two-factor sign-in, shared by the staff page (/app/account/two-factor) and the page of a platform
 * operator who belongs to no organisation (/operator/two-factor): a new secret offered with its QR code, and
 * confirmation with a code from the authenticator, after which the secret is sealed (app/utils/totp-secret-box.server.ts)
 * and stored, and ten recovery codes are shown once.
 */

/** The secret offered by the page comes back with the code (nothing is written on GET); it must be a full
 * 160-bit secret, so nobody can set up a weaker one for themselves. */
export const enrolmentSecret = z.string().regex(/^[A-Z2-7]{32}$/, { message: 'Reload this page and scan the new code' })

export const WRONG_CODE = 'That code is not right. Codes change every 30 seconds, and each works once.'

export interface EnrolmentOffer {
  qrSvg: string
  /** The key in groups of four, for typing into the app. */
  secret: string
  /** The key as the form sends it back. */
  rawSecret: string
}

async function offerOf(secret: string, email: string): Promise<EnrolmentOffer> {
  return { qrSvg: await totpQrSvg(secret, email), secret: formatSecret(secret), rawSecret: secret }
}

/** A fresh secret for the set-up page: QR code, the key in groups of four, and the raw key for the form. */
export async function enrolmentOffer(email: string): Promise<EnrolmentOffer> {
  return offerOf(newTotpSecret(), email)
}

/**
 * A failed set-up answer (wrong code, wrong or missing password, 429, 503) with the secret the form sent, so the
 * page offers the SAME secret again. Without JavaScript the browser posts a document request: the loader runs
 * again after the action and would offer a new secret, which the authenticator app, already scanned, would never
 * match. The secret is echoed only when it is a well-formed 160-bit key (`enrolmentSecret`); it is the person's
 * own pending key, on a `no-store` page.
 */
export async function keepingOffer<T extends { ok: false }>(
  answer: { data: T; init: ResponseInit | null },
  sentSecret: unknown,
  email: string,
) {
  const secret = enrolmentSecret.safeParse(sentSecret)
  const body: T & { offer?: EnrolmentOffer } = secret.success ? { ...answer.data, offer: await offerOf(secret.data, email) } : answer.data
  return data(body, answer.init ?? undefined)
}

export type EnrolmentResult =
  | { ok: true; recoveryCodes: string[] }
  | { ok: false; status: 401 | 409; error: string }

/**
 * Turn two-factor sign-in on with the offered secret when `code` is right for it; audited
 * (`account.two_factor_enabled`, or `account.two_factor_code_failed`). The caller has spent a sign-in-limit point.
 */
export async function confirmEnrolment(db: Database, input: { userId: string; secret: string; code: string }): Promise<EnrolmentResult> {
  const step = await totpStepOf(input.secret, input.code)
  if (step === null) {
    await auditAccount(db, input.userId, 'account.two_factor_code_failed', { intent: 'enable' })
    return { ok: false, status: 401, error: WRONG_CODE }
  }
  const codes = newRecoveryCodes()
  const enabled = await enableTotp(db, {
    userId: input.userId,
    secret: sealTotpSecret(input.userId, input.secret),
    step,
    recoveryCodeHashes: codes.map(hashRecoveryCode),
  })
  if (!enabled) return { ok: false, status: 409, error: 'Two-factor sign-in is already on.' }
  await auditAccount(db, input.userId, 'account.two_factor_enabled')
  return { ok: true, recoveryCodes: codes }
}
