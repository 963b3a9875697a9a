import { createElement, type ComponentType } from 'react'
import { renderToString } from 'react-dom/server'
import { createStaticHandler, createStaticRouter, StaticRouterProvider } from 'react-router-dom/server'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ActionFunctionArgs, LoaderFunctionArgs } from '@remix-run/node'
import AccountTwoFactorPage, * as accountTwoFactorRoute from '#app/routes/app.account.two-factor.tsx'
import OperatorTwoFactorPage, * as operatorTwoFactorRoute from '#app/routes/operator.two-factor.tsx'
import { WRONG_CODE } from '#app/services/two-factor-enrolment.server.ts'
import { CURRENT_PASSWORD_WRONG } from '#app/services/reauthentication.server.ts'
import { startSession, TWO_FACTOR_ENROL_PATH } from '#app/utils/auth.server.ts'
import { createUser } from '#db/queries/accounts.ts'
import { setOperator } from '#db/queries/operators.ts'
import { hashPassword } from '#db/passwords.ts'
import { createTestDatabase, installAsAppDatabase, type TestDatabase } from '#tests/support/database.ts'
import { createTenant, type Tenant } from '#tests/support/security-fixtures.ts'
import { cookieOf } from '#tests/support/route-calls.ts'
import { currentStep, totpCode } from '#tests/support/two-factor.ts'

/*
 * Setting up two-factor sign-in without JavaScript (issue 12): the browser posts the form as a document request,
 * so the server runs the action and then the loader, and renders the page. A wrong code or password must show
 * the error on the same form with the SAME pending secret: the person has already scanned it into their
 * authenticator app, and a new secret would never match it. The routes run here as a document POST does, through
 * React Router's static handler (action, then loader, then render), with the real route modules.
 */

const ORIGIN = 'http://localhost'

interface Route {
  loader: (args: LoaderFunctionArgs) => Promise<unknown>
  action: (args: ActionFunctionArgs) => Promise<unknown>
}

/** A document request to one route, as a browser without JavaScript makes it: status and rendered HTML. */
async function documentRequest(route: Route, Component: ComponentType, request: Request): Promise<{ status: number; html: string }> {
  const path = new URL(request.url).pathname
  const handler = createStaticHandler([
    {
      id: 'page',
      path,
      loader: ({ request: r, params }) => route.loader({ request: r, params, context: {} }),
      action: ({ request: r, params }) => route.action({ request: r, params, context: {} }),
      Component,
    },
  ])
  const context = await handler.query(request)
  if (context instanceof Response) throw context
  const router = createStaticRouter(handler.dataRoutes, context)
  const html = renderToString(createElement(StaticRouterProvider, { router, context, hydrate: false })).replace(/<!-- -->/g, '')
  return { status: context.statusCode, html }
}

const secretInForm = (html: string) => /name="secret" value="([A-Z2-7]{32})"/.exec(html)?.[1]
const text = (html: string) => html.replace(/<[^>]+>/g, ' ').replace(/&#x27;|&#39;/g, "'").replace(/\s+/g, ' ')
// A code that is wrong for the secret: one from ten minutes ago (outside the one-step drift window).
const staleCode = (secret: string) => totpCode(secret, currentStep() - 20)

describe('two-factor set-up without JavaScript keeps the pending secret', () => {
  let test: TestDatabase
  let tenant: Tenant

  beforeAll(async () => {
    test = await createTestDatabase()
    installAsAppDatabase(test)
    tenant = await createTenant(test.db, 'NoScript')
  })
  afterAll(async () => {
    await test?.close()
  })

  async function checkPage(route: Route, Component: ComponentType, path: string, cookie: string, password: string) {
    const get = () => new Request(`${ORIGIN}${path}`, { headers: { Cookie: cookie } })
    const post = (body: Record<string, string>) =>
      new Request(`${ORIGIN}${path}`, {
        method: 'POST',
        headers: { Cookie: cookie, 'Content-Type': 'application/x-www-form-urlencoded', Origin: ORIGIN },
        body: new URLSearchParams(body),
      })

    const first = await documentRequest(route, Component, get())
    expect(first.status).toBe(200)
    const secret = secretInForm(first.html)!
    expect(secret).toBeDefined()
    expect(first.html).toContain(secret.replace(/(.{4})/g, '$1 ').trim())

    // A wrong code: the error, and the same secret in the form, its QR code and the key to type.
    const wrongCode = await documentRequest(route, Component, post({ intent: 'enable', secret, code: staleCode(secret), currentPassword: password }))
    expect(wrongCode.status).toBe(401)
    expect(text(wrongCode.html)).toContain(WRONG_CODE)
    expect(secretInForm(wrongCode.html)).toBe(secret)
    expect(wrongCode.html).toContain(secret.replace(/(.{4})/g, '$1 ').trim())

    // A wrong password: the field error, and still the same secret.
    const wrongPassword = await documentRequest(route, Component, post({ intent: 'enable', secret, code: totpCode(secret), currentPassword: `${password}x` }))
    expect(wrongPassword.status).toBe(400)
    expect(text(wrongPassword.html)).toContain(CURRENT_PASSWORD_WRONG)
    expect(secretInForm(wrongPassword.html)).toBe(secret)

    // A missing code (the browser's `required` bypassed): still the same secret.
    const noCode = await documentRequest(route, Component, post({ intent: 'enable', secret, code: '', currentPassword: password }))
    expect(noCode.status).toBe(400)
    expect(secretInForm(noCode.html)).toBe(secret)

    // A made-up secret is never echoed back: a fresh one is offered instead.
    const forged = await documentRequest(route, Component, post({ intent: 'enable', secret: 'A'.repeat(31), code: '123456', currentPassword: password }))
    expect(forged.status).toBe(400)
    expect(secretInForm(forged.html)).not.toBe('A'.repeat(31))

    // The right code for the scanned secret then turns it on.
    const ok = await documentRequest(route, Component, post({ intent: 'enable', secret, code: totpCode(secret), currentPassword: password }))
    expect(ok.status).toBe(200)
    expect(ok.html).toContain('data-testid="recovery-codes"')
  }

  it('on the staff page (/app/account/two-factor)', async () => {
    const user = tenant.users.analyst
    const cookie = cookieOf(await startSession(user.id, tenant.organisationId))
    await checkPage(accountTwoFactorRoute, AccountTwoFactorPage, TWO_FACTOR_ENROL_PATH, cookie, user.password)
  })

  it('on the operator page (/operator/two-factor)', async () => {
    const password = 'an operator passphrase without scripts'
    const operator = await createUser(test.db, 'noscript.operator@platform.example', 'Nia Operator', await hashPassword(password))
    await setOperator(test.db, operator.id, true)
    const cookie = cookieOf(await startSession(operator.id, null))
    await checkPage(operatorTwoFactorRoute, OperatorTwoFactorPage, '/operator/two-factor', cookie, password)
  })
})
