import type { Page } from 'playwright-core'
import { currentStep, totpCode } from './two-factor.ts'

/*
 * Signing in as staff in the browser suites now that admins must use two-factor sign-in (app/utils/auth.server.ts
 * mustEnrolTwoFactor). After the password form is sent, `finishSignIn` completes whichever step the server asks
 * for: the code step (/login/two-factor) with the account's TOTP secret, or, for an admin or operator who has not set
 * it up (the demo admin on a fresh database; an operator from the command line), the set-up page (which asks for the
 * password again: app/services/reauthentication.server.ts), whose secret it then remembers (by e-mail address, for
 * the rest of the test file, across server restarts on the same data) for later sign-ins. Codes are computed in tests/support/two-factor.ts, independently of the app's library.
 */
const secrets = new Map<string, string>()
const lastStep = new Map<string, number>()

/**
 * A code the server will accept: each 30-second step once per person, one step of drift either way
 * (app/utils/two-factor.server.ts totpStepOf, claimTotpStep). The step before now is used too while at least
 * 15 s of the current step remain (so it is still inside the window when the server checks it): three codes
 * at once instead of two before a test has to wait for the clock.
 */
export async function nextTotpCode(secret: string): Promise<string> {
  const used = lastStep.get(secret) ?? -Infinity
  const now = Date.now()
  const earliest = currentStep(now) - (now % 30_000 < 15_000 ? 1 : 0)
  let step = Math.max(used + 1, earliest)
  if (step > currentStep() + 1) {
    const wait = (step - 1) * 30_000 - Date.now() + 300
    // Printed, so that a suite's time spent waiting for the clock shows in its output (docs/benchmarks.md).
    process.stderr.write(`nextTotpCode: waiting ${wait} ms for the next 30-second step\n`)
    await new Promise((r) => setTimeout(r, wait))
    step = Math.max(used + 1, currentStep())
  }
  lastStep.set(secret, step)
  return totpCode(secret, step)
}

export async function finishSignIn(
  page: Page,
  baseUrl: string,
  account: { email: string; password: string; totpSecret?: string },
  landing = `${baseUrl}/app`,
): Promise<void> {
  const key = account.email.toLowerCase()
  await page.waitForURL((url) => url.pathname !== '/login' || url.searchParams.has('reset'))
  const url = new URL(page.url())
  if (url.pathname === '/login/two-factor') {
    const secret = account.totpSecret ?? secrets.get(key)
    if (!secret) throw new Error(`finishSignIn: no TOTP secret known for ${account.email}`)
    await page.getByLabel('Code', { exact: true }).fill(await nextTotpCode(secret))
    await page.getByLabel('Code', { exact: true }).press('Enter')
    await page.waitForURL((u) => u.pathname !== '/login/two-factor')
  } else if (url.pathname === '/app/account/two-factor' || url.pathname === '/operator/two-factor') {
    const secret = (await page.getByTestId('totp-secret').innerText()).replace(/\s/g, '')
    secrets.set(key, secret)
    await page.getByLabel('Current password').fill(account.password)
    await page.getByLabel('Code', { exact: true }).fill(await nextTotpCode(secret))
    await page.getByLabel('Code', { exact: true }).press('Enter')
    await page.getByTestId('recovery-codes').waitFor()
    await page.goto(landing)
  }
  await page.waitForURL(landing)
}

/** Sign in through the login form and finish whatever step the server asks for (above). */
export async function signInThroughForm(page: Page, baseUrl: string, account: { email: string; password: string; totpSecret?: string }): Promise<void> {
  await page.goto(`${baseUrl}/login`)
  await page.getByLabel('Email address').fill(account.email)
  await page.getByLabel('Password').fill(account.password)
  await page.getByRole('button', { name: 'Sign in' }).click()
  await finishSignIn(page, baseUrl, account)
}

/**
 * The same over plain HTTP (fetch), for suites without a browser: signs in and returns the session cookie
 * (`name=value`), completing the code step with the known secret, or setting up two-factor sign-in when the
 * server asks for it first (the secret is then remembered, as above).
 */
export async function fetchSignIn(baseUrl: string, account: { email: string; password: string; totpSecret?: string }): Promise<string> {
  const key = account.email.toLowerCase()
  const form = (values: Record<string, string>, cookie = '') => ({
    method: 'POST',
    redirect: 'manual' as const,
    headers: { Origin: baseUrl, 'Content-Type': 'application/x-www-form-urlencoded', ...(cookie ? { Cookie: cookie } : {}) },
    body: new URLSearchParams(values),
  })
  const pairOf = (res: Response, name: string) =>
    res.headers.getSetCookie().map((c) => c.split(';')[0]!).find((c) => c.startsWith(`${name}=`)) ?? ''
  const login = await fetch(`${baseUrl}/login`, form({ email: account.email, password: account.password, redirectTo: '/app' }))
  if (login.status !== 302) throw new Error(`fetchSignIn: sign-in answered ${login.status}`)
  if (login.headers.get('location') === '/login/two-factor') {
    const secret = account.totpSecret ?? secrets.get(key)
    if (!secret) throw new Error(`fetchSignIn: no TOTP secret known for ${account.email}`)
    const step = await fetch(`${baseUrl}/login/two-factor`, form({ code: await nextTotpCode(secret) }, pairOf(login, '__Host-cse_2fa')))
    const cookie = pairOf(step, '__Host-cse_session')
    if (!cookie) throw new Error(`fetchSignIn: the code step answered ${step.status}`)
    return cookie
  }
  const cookie = pairOf(login, '__Host-cse_session')
  const gate = await fetch(`${baseUrl}/app`, { redirect: 'manual', headers: { Cookie: cookie } })
  if (gate.status === 302 && gate.headers.get('location')?.startsWith('/app/account/two-factor')) {
    const page = await (await fetch(`${baseUrl}/app/account/two-factor`, { headers: { Cookie: cookie } })).text()
    const secret = /name="secret" value="([A-Z2-7]{32})"/.exec(page)?.[1]
    if (!secret) throw new Error('fetchSignIn: no secret on the set-up page')
    secrets.set(key, secret)
    const enabled = await fetch(`${baseUrl}/app/account/two-factor`, form({ intent: 'enable', secret, code: await nextTotpCode(secret), currentPassword: account.password }, cookie))
    if (enabled.status !== 200) throw new Error(`fetchSignIn: set-up answered ${enabled.status}`)
  }
  return cookie
}
