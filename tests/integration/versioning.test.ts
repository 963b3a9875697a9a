import { randomUUID } from 'node:crypto'
import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { rowsOf } from '#db/client.ts'
import { getSurveyForOrganisation, listVersions } from '#db/queries/surveys.ts'
import { startSession } from '#app/utils/auth.server.ts'
import { submitResponse } from '#app/services/submit-response.server.ts'
import { createNewSurvey } from '#app/routes/app.surveys.new.server.ts'
import { handleSurveyAction } from '#app/routes/app.surveys.$surveyId.server.ts'
import { handleBuilderAction } from '#app/routes/app.surveys.$surveyId.edit.server.ts'
import { loadRespondentPage } from '#app/routes/s.$slug.server.ts'
import { createTestDatabase, installAsAppDatabase, type TestDatabase } from '#tests/support/database.ts'
import { createTenant, type Tenant } from '#tests/support/security-fixtures.ts'

/*
 * Publishing makes an immutable version; editing a published survey edits its draft; publishing again makes
 * version N+1; every response keeps the version it answered. Driven through the same handlers as the pages.
 */
let test: TestDatabase
let tenant: Tenant
let cookie: string

async function post(
  handler: (request: Request) => Promise<unknown>,
  path: string,
  fields: Record<string, string>,
) {
  const request = new Request(`http://localhost${path}`, {
    method: 'POST',
    headers: { Cookie: cookie, 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields),
  })
  try {
    return await handler(request)
  } catch (thrown) {
    return thrown
  }
}

function statusOf(result: unknown): number {
  if (result instanceof Response) return result.status
  const init = (result as { init?: ResponseInit | null }).init
  return init?.status ?? 200
}

async function responseVersion(receipt: string): Promise<string> {
  return rowsOf<{ v: string }>(
    await test.db.execute(sql`select survey_version_id as v from responses where receipt = ${receipt}`),
  )[0]!.v
}

const answers = { overall: 4, delivery: 5, improve: 'Quicker replies' }

beforeAll(async () => {
  test = await createTestDatabase()
  installAsAppDatabase(test)
  tenant = await createTenant(test.db, 'Versions')
  cookie = (await startSession(tenant.users.analyst.id, tenant.organisationId)).split(';')[0]!
})
afterAll(async () => {
  await test?.close()
})

describe('publishing and versions', () => {
  let surveyId: string
  const slug = `versions-${randomUUID().slice(0, 8)}`

  it('creates a draft from a template that nobody can answer until it is published', async () => {
    const created = await post(createNewSurvey, '/app/surveys/new', {
      templateId: 'core-satisfaction',
      title: 'Residents 2026',
      slug,
      wave: '2026',
      includeEquality: 'on',
    })
    expect(created).toBeInstanceOf(Response)
    const location = (created as Response).headers.get('Location')!
    surveyId = location.split('/')[3]!
    const survey = await getSurveyForOrganisation(test.db, tenant.organisationId, surveyId)
    expect(survey?.status).toBe('draft')
    expect(survey?.currentVersionId).toBeNull()
    expect(JSON.stringify(survey?.draftDefinition)).toContain('ethnic_group')
    expect((await submitResponse(slug, { id: randomUUID(), answers, segments: {} }, 'api')).kind).toBe(
      'not_found',
    )
  })

  it('publishes version 1, writes an audit entry, and the link takes answers against it', async () => {
    const result = await post((r) => handleSurveyAction(r, surveyId), `/app/surveys/${surveyId}`, {
      intent: 'publish',
    })
    expect(statusOf(result)).toBe(200)
    const versions = await listVersions(test.db, tenant.organisationId, surveyId)
    expect(versions.map((v) => v.version)).toEqual([1])
    const audit = rowsOf<{ action: string; details: { version: number } }>(
      await test.db.execute(
        sql`select action, details from audit_log where target_id = ${surveyId} and action = 'survey.publish'`,
      ),
    )
    expect(audit).toHaveLength(1)
    expect(audit[0]!.details.version).toBe(1)
    const outcome = await submitResponse(slug, { id: randomUUID(), answers, segments: {} }, 'api')
    expect(outcome.kind).toBe('created')
  })

  it('keeps each response on the version it answered after a re-publish; new responses get the new version', async () => {
    const first = await submitResponse(slug, { id: randomUUID(), answers, segments: {} }, 'api')
    if (first.kind !== 'created') throw new Error(first.kind)
    const v1 = await responseVersion(first.receipt)

    // Edit the published survey: the change goes into the draft only.
    const edit = await post((r) => handleBuilderAction(r, surveyId), `/app/surveys/${surveyId}/edit`, {
      intent: 'edit-question',
      name: 'overall',
      titleEn: 'All in all, how satisfied are you with our service?',
      titleCy: 'At ei gilydd, pa mor fodlon ydych chi?',
    })
    expect(statusOf(edit)).toBe(200)
    const live = await loadRespondentPage(new Request(`http://localhost/s/${slug}`), slug)
    expect(JSON.stringify(live.form)).not.toContain('All in all')

    const republished = await post((r) => handleSurveyAction(r, surveyId), `/app/surveys/${surveyId}`, {
      intent: 'publish',
    })
    expect(statusOf(republished)).toBe(200)
    const versions = await listVersions(test.db, tenant.organisationId, surveyId)
    expect(versions.map((v) => v.version)).toEqual([2, 1])
    const v2 = versions[0]!.id
    expect(v2).not.toBe(v1)

    expect(await responseVersion(first.receipt)).toBe(v1)
    const second = await submitResponse(slug, { id: randomUUID(), answers, segments: {} }, 'api')
    if (second.kind !== 'created') throw new Error(second.kind)
    expect(await responseVersion(second.receipt)).toBe(v2)
    const after = await loadRespondentPage(new Request(`http://localhost/s/${slug}`), slug)
    expect(JSON.stringify(after.form)).toContain('All in all')

    // Version 1 itself is unchanged: it still holds the old wording.
    const v1Definition = rowsOf<{ d: unknown }>(
      await test.db.execute(sql`select definition as d from survey_versions where id = ${v1}`),
    )[0]!.d
    expect(JSON.stringify(v1Definition)).not.toContain('All in all')
    const counted = await listVersions(test.db, tenant.organisationId, surveyId)
    expect(counted.find((v) => v.version === 1)!.responses).toBe(2)
    expect(counted.find((v) => v.version === 2)!.responses).toBe(1)
  })

  it('closes and reopens: a closed survey refuses answers', async () => {
    expect(
      statusOf(
        await post((r) => handleSurveyAction(r, surveyId), `/app/surveys/${surveyId}`, { intent: 'close' }),
      ),
    ).toBe(200)
    expect((await submitResponse(slug, { id: randomUUID(), answers, segments: {} }, 'api')).kind).toBe(
      'closed',
    )
    expect(
      statusOf(
        await post((r) => handleSurveyAction(r, surveyId), `/app/surveys/${surveyId}`, { intent: 'reopen' }),
      ),
    ).toBe(200)
    expect((await submitResponse(slug, { id: randomUUID(), answers, segments: {} }, 'api')).kind).toBe(
      'created',
    )
  })

  it('refuses to publish a draft with problems, and says which', async () => {
    const added = await post((r) => handleBuilderAction(r, surveyId), `/app/surveys/${surveyId}/edit`, {
      intent: 'add-page',
      titleEn: 'Extra questions',
      titleCy: 'Cwestiynau ychwanegol',
    })
    expect(statusOf(added)).toBe(200)
    const result = await post((r) => handleSurveyAction(r, surveyId), `/app/surveys/${surveyId}`, {
      intent: 'publish',
    })
    expect(statusOf(result)).toBe(422)
    const problems = (result as { data: { problems: Array<{ code: string; message: string }> } }).data
      .problems
    expect(problems.map((p) => p.code)).toContain('empty_page')
    expect(problems[0]!.message).toMatch(/no questions/)
    expect((await listVersions(test.db, tenant.organisationId, surveyId)).map((v) => v.version)).toEqual([
      2, 1,
    ])
  })

  it('does not let a viewer publish', async () => {
    const viewerCookie = (await startSession(tenant.users.viewer.id, tenant.organisationId)).split(';')[0]!
    const request = new Request(`http://localhost/app/surveys/${surveyId}`, {
      method: 'POST',
      headers: { Cookie: viewerCookie, 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ intent: 'publish' }),
    })
    const result = await handleSurveyAction(request, surveyId).catch((e: unknown) => e)
    expect(statusOf(result)).toBe(403)
  })
})
