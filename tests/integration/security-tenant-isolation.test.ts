import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import routes from '#app/routes.ts'
import { startSession } from '#app/utils/auth.server.ts'
import { createTestDatabase, installAsAppDatabase, type TestDatabase } from '#tests/support/database.ts'
import { createTenant, snapshotOrganisation, type Tenant } from '#tests/support/security-fixtures.ts'

/*
 * Tenant isolation (PRODUCT.md §5, IDOR): every route in app/routes.ts must be classified below. Each staff
 * route's loader and action is called as organisation B's admin (the strongest role, so no 403 can hide a
 * missing organisation filter) with organisation A's real ids for every route parameter. Loaders must answer
 * 404; actions 404 (405 when there is none). A's data must be byte-for-byte unchanged afterwards, and no
 * response may contain any of A's secrets. As a control, B's own ids must NOT give 404, so the 404 proves
 * scoping rather than a broken route. A route added to app/routes.ts without a row here fails the suite.
 */
type RouteClass =
  | { kind: 'public'; why: string }
  | {
      kind: 'staff'
      /** The loader answers with its own ids without more input (query string), so the control can run. */
      controlQuery?: string
      /** Why the control with the tenant's own ids is skipped, if it is. */
      skipControl?: string
      /** The loader only answers 405 (a POST-only resource route that reads nothing on GET). */
      getIs405?: true
    }

const CLASSIFICATION: Record<string, RouteClass> = {
  'routes/index.tsx': { kind: 'public', why: 'landing page' },
  'routes/login.tsx': { kind: 'public', why: 'sign-in form' },
  'routes/login.two-factor.tsx': { kind: 'public', why: 'second sign-in step, opened only by the caller’s own sign-in challenge cookie' },
  'routes/forgot-password.tsx': { kind: 'public', why: 'asks for a reset link; the same answer for any address' },
  'routes/reset-password.tsx': { kind: 'public', why: 'new password by an unguessable one-time reset token' },
  'routes/logout.tsx': { kind: 'public', why: 'ends the caller’s own session only' },
  'routes/healthz.tsx': { kind: 'public', why: 'liveness, no data' },
  'routes/invite.$token.tsx': { kind: 'public', why: 'staff invitation by unguessable one-time token' },
  'routes/s.$slug.tsx': { kind: 'public', why: 'respondent page of a published survey' },
  'routes/s.$slug.thanks.tsx': { kind: 'public', why: 'respondent receipt page' },
  'routes/s.$slug.opt-out.tsx': { kind: 'public', why: 'stops reminders for the unguessable invitation token it is given, nothing more' },
  'routes/results.$orgSlug.tsx': { kind: 'public', why: 'published results of an organisation (frozen snapshots only)' },
  'routes/results.$orgSlug.$snapshotId.tsx': { kind: 'public', why: 'one published results snapshot' },
  'routes/results.$orgSlug.$snapshotId.csv.ts': { kind: 'public', why: 'open-data CSV of a published snapshot' },
  'routes/api.v1.surveys.$slug.tsx': { kind: 'public', why: 'public survey definition (docs/api.md)' },
  'routes/api.v1.surveys.$slug.responses.tsx': {
    kind: 'public',
    why: 'public response submission (docs/api.md)',
  },

  'routes/api.v1.surveys.$slug.resume.tsx': { kind: 'public', why: 'save and resume by an unguessable resume token' },

  'routes/operator.organisations.tsx': {
    kind: 'public',
    why: 'platform operators only: 404 for everyone else (tests/integration/operator-organisations.test.ts)',
  },
  'routes/operator.two-factor.tsx': {
    kind: 'public',
    why: 'a platform operator sets up their own two-factor sign-in: 404 for everyone else (tests/integration/security-two-factor-admin.test.ts)',
  },

  'routes/app.tsx': { kind: 'staff' },
  'routes/app._index.tsx': { kind: 'staff' },
  'routes/app.account.tsx': { kind: 'staff' },
  'routes/app.account.two-factor.tsx': { kind: 'staff' },
  'routes/app.account.sessions.tsx': { kind: 'staff' },
  'routes/app.settings.users.tsx': { kind: 'staff' },
  'routes/app.settings.population.tsx': { kind: 'staff' },
  'routes/app.settings.targets.tsx': { kind: 'staff' },
  'routes/app.switch-organisation.tsx': { kind: 'staff' },
  'routes/app.audit.tsx': { kind: 'staff' },
  'routes/app.responses.tsx': { kind: 'staff' },
  'routes/app.responses.$responseId.tsx': { kind: 'staff' },
  'routes/app.responses.$responseId.export.ts': { kind: 'staff', getIs405: true },
  'routes/app.surveys.$surveyId.retention.tsx': { kind: 'staff' },
  'routes/app.surveys.new.tsx': { kind: 'staff' },
  'routes/app.surveys.import-json.tsx': { kind: 'staff' },
  'routes/app.surveys.$surveyId.tsx': { kind: 'staff' },
  'routes/app.surveys.$surveyId.edit.tsx': { kind: 'staff' },
  'routes/app.surveys.$surveyId.mapping.tsx': { kind: 'staff' },
  'routes/app.surveys.$surveyId.preview.tsx': { kind: 'staff' },
  'routes/app.surveys.$surveyId.export-json.tsx': { kind: 'staff' },
  'routes/app.surveys.$surveyId.distribute.tsx': { kind: 'staff' },
  'routes/app.surveys.$surveyId.distribute.qr.$format.ts': { kind: 'staff' },
  'routes/app.surveys.$surveyId.invitations.tsx': { kind: 'staff' },
  'routes/app.surveys.$surveyId.invitations.download.ts': { kind: 'staff', getIs405: true },
  'routes/app.surveys.$surveyId.invitations.email.tsx': { kind: 'staff' },
  'routes/app.surveys.$surveyId.import.tsx': { kind: 'staff' },
  'routes/app.surveys.$surveyId.import.stream.ts': { kind: 'staff', getIs405: true },
  'routes/app.surveys.$surveyId.import.template.ts': { kind: 'staff' },
  'routes/app.surveys.$surveyId.dashboard.tsx': { kind: 'staff' },
  'routes/app.surveys.$surveyId.comments.tsx': { kind: 'staff' },
  'routes/app.surveys.$surveyId.themes.tsx': { kind: 'staff' },
  'routes/app.surveys.$surveyId.exports.tsx': { kind: 'staff' },
  'routes/app.surveys.$surveyId.exports.download.ts': { kind: 'staff', getIs405: true },
  'routes/app.surveys.$surveyId.exports.packs.ts': { kind: 'staff', getIs405: true },
  'routes/app.surveys.$surveyId.exports.packs.$packId.ts': { kind: 'staff' },
  'routes/app.surveys.$surveyId.results.tsx': { kind: 'staff' },
  'routes/app.surveys.$surveyId.actions.tsx': { kind: 'staff' },
}

/** Route parameters that are not tenant ids, with a valid value for them. */
const NON_ID_PARAMS: Record<string, string> = { format: 'svg' }

interface ConfigEntry {
  path?: string
  file: string
  index?: boolean
  children?: ConfigEntry[]
}
interface FlatRoute {
  file: string
  path: string
  params: string[]
}

function flatten(entries: ConfigEntry[], parentPath = ''): FlatRoute[] {
  const out: FlatRoute[] = []
  for (const entry of entries) {
    const joined = entry.path ? `${parentPath.replace(/\/$/, '')}/${entry.path}` : parentPath || '/'
    const path = joined.replace(/\/+/g, '/')
    out.push({ file: entry.file, path, params: [...path.matchAll(/:([A-Za-z_]+)/g)].map((m) => m[1]!) })
    if (entry.children) out.push(...flatten(entry.children, entry.path ? path : parentPath))
  }
  return out
}

const manifest = flatten(routes as unknown as ConfigEntry[])

interface Outcome {
  status: number
  body: string
}

async function settle(call: () => Promise<unknown>): Promise<Outcome> {
  let result: unknown
  try {
    result = await call()
  } catch (thrown) {
    result = thrown
  }
  if (result instanceof Response) {
    const body = await result.text().catch(() => '')
    return { status: result.status, body }
  }
  if (result && typeof result === 'object' && (result as { type?: string }).type === 'DataWithResponseInit') {
    const d = result as { data: unknown; init: ResponseInit | null }
    return { status: d.init?.status ?? 200, body: JSON.stringify(d.data) }
  }
  if (result instanceof Error) throw result
  return { status: 200, body: JSON.stringify(result ?? null) }
}

type RouteModule = {
  loader?: (args: {
    request: Request
    params: Record<string, string>
    context: Record<string, unknown>
  }) => Promise<unknown>
  action?: (args: {
    request: Request
    params: Record<string, string>
    context: Record<string, unknown>
  }) => Promise<unknown>
}

function fill(path: string, values: Record<string, string>): string {
  return path.replace(/:([A-Za-z_]+)/g, (_, name: string) => values[name] ?? NON_ID_PARAMS[name] ?? 'missing')
}

function paramsFor(route: FlatRoute, tenant: Tenant): Record<string, string> {
  return Object.fromEntries(route.params.map((p) => [p, tenant.ids[p] ?? NON_ID_PARAMS[p] ?? '']))
}

function formWithIds(tenant: Tenant): URLSearchParams {
  const form = new URLSearchParams()
  for (const [name, value] of Object.entries(tenant.ids)) form.set(name, value)
  form.set('id', tenant.surveyId)
  return form
}

describe('tenant isolation over every route in app/routes.ts', () => {
  let test: TestDatabase
  let a: Tenant
  let b: Tenant
  let cookieB: string
  const origin = 'http://localhost'

  beforeAll(async () => {
    test = await createTestDatabase()
    installAsAppDatabase(test)
    a = await createTenant(test.db, 'Alpha')
    b = await createTenant(test.db, 'Bravo')
    const setCookie = await startSession(b.users.admin.id, b.organisationId)
    cookieB = setCookie.split(';')[0]!
  })
  afterAll(async () => {
    await test?.close()
  })

  it('classifies every route: an unclassified route fails here', () => {
    const unclassified = manifest.map((r) => r.file).filter((file) => !(file in CLASSIFICATION))
    expect(unclassified, 'add these routes to CLASSIFICATION in this test (public or staff)').toEqual([])
  })

  it('puts every staff route under /app and every /app route in the staff class', () => {
    for (const route of manifest) {
      const cls = CLASSIFICATION[route.file]
      if (!cls) continue
      if (cls.kind === 'staff')
        expect(route.path === '/' || route.path.startsWith('/app'), route.file).toBe(true)
      if (route.path.startsWith('/app')) expect(cls.kind, route.file).toBe('staff')
    }
  })

  it('knows every route parameter: each is a tenant id the fixtures provide, or a listed non-id', async () => {
    const fixtureIds = new Set(Object.keys((await Promise.resolve(a)).ids))
    const unknown = manifest
      .flatMap((r) => r.params)
      .filter((p) => !fixtureIds.has(p) && !(p in NON_ID_PARAMS) && !['slug', 'token', 'orgSlug', 'snapshotId'].includes(p))
    expect(
      unknown,
      'give createTenant an id for these parameters (tests/support/security-fixtures.ts)',
    ).toEqual([])
  })

  const staffRoutes = manifest.filter((r) => CLASSIFICATION[r.file]?.kind === 'staff')

  for (const route of staffRoutes) {
    describe(`${route.file} (${route.path})`, () => {
      it('refuses another organisation’s ids, leaks nothing and changes nothing', async () => {
        const mod = (await import(`../../app/${route.file}`)) as RouteModule
        const before = await snapshotOrganisation(test.db, a.organisationId)
        const url = `${origin}${fill(route.path === '/' ? '/app' : route.path, a.ids)}`
        const params = paramsFor(route, a)
        const headers = { Cookie: cookieB, Origin: origin }
        const outcomes: Array<{ what: string; outcome: Outcome }> = []

        if (mod.loader) {
          const outcome = await settle(() =>
            mod.loader!({ request: new Request(url, { headers }), params, context: { cspNonce: '' } }),
          )
          outcomes.push({ what: 'GET', outcome })
          const cls = CLASSIFICATION[route.file]
          if (cls?.kind === 'staff' && cls.getIs405) expect(outcome.status, `GET ${url}`).toBe(405)
          else if (route.params.some((p) => p in a.ids)) expect(outcome.status, `GET ${url}`).toBe(404)
          else expect(outcome.status, `GET ${url}`).toBeLessThan(400)
        }
        if (mod.action) {
          for (const body of [formWithIds(a), new URLSearchParams()]) {
            const request = new Request(url, {
              method: 'POST',
              headers: { ...headers, 'Content-Type': 'application/x-www-form-urlencoded' },
              body,
            })
            const outcome = await settle(() => mod.action!({ request, params, context: { cspNonce: '' } }))
            outcomes.push({ what: `POST ${body.toString().slice(0, 40)}`, outcome })
            if (route.params.some((p) => p in a.ids)) expect(outcome.status, `POST ${url}`).toBe(404)
            else expect([400, 404, 422], `POST ${url} with A's ids must be refused`).toContain(outcome.status)
          }
        }
        for (const { what, outcome } of outcomes) {
          for (const secret of a.secrets)
            expect(outcome.body.includes(secret), `${what} ${url} leaked "${secret}"`).toBe(false)
        }
        expect(await snapshotOrganisation(test.db, a.organisationId), 'organisation A changed').toBe(before)
      })

      const cls = CLASSIFICATION[route.file]
      if (
        route.params.some(
          (p) =>
            p in NON_ID_PARAMS ||
            [
              'surveyId',
              'versionId',
              'populationId',
              'profileId',
              'targetId',
              'invitationId',
              'packId',
              'userId',
              'responseId',
              'seriesId',
              'staffInvitationId',
            ].includes(p),
        )
      ) {
        it.skipIf(cls?.kind === 'staff' && (cls.skipControl !== undefined || cls.getIs405 === true))(
          'control: the same organisation’s own ids are not 404',
          async () => {
            const mod = (await import(`../../app/${route.file}`)) as RouteModule
            if (!mod.loader) return
            const query = cls?.kind === 'staff' && cls.controlQuery ? cls.controlQuery : ''
            const url = `${origin}${fill(route.path, b.ids)}${query}`
            const outcome = await settle(() =>
              mod.loader!({
                request: new Request(url, { headers: { Cookie: cookieB } }),
                params: paramsFor(route, b),
                context: { cspNonce: '' },
              }),
            )
            expect(outcome.status, `GET ${url}: ${outcome.body.slice(0, 200)}`).toBeLessThan(400)
          },
        )
      }
    })
  }
})
