import { randomBytes } from 'node:crypto'
import pg from 'pg'
import { openDatabase } from '#db/client.ts'
import { DEMO_ADMIN, DEMO_ORGANISATION } from '#db/seed.ts'
import { findOrganisationBySlug, findUserByEmail } from '#db/queries/accounts.ts'
import { createSurvey, publishSurvey } from '#db/queries/surveys.ts'
import { composeSurvey } from '#templates/index.ts'

/**
 * A published survey with logic, for the respondent page's tests: core satisfaction plus the equality block
 * (whose "gender identity" follow-up shows only for one answer, on the same part), with `overall` required,
 * the "your ideas" part shown only when `overall` is 1 or 2, and a completion text with HTML in it.
 */
export function logicSurvey() {
  const { definition, metadata } = composeSurvey(['core-satisfaction', 'equality-monitoring'], {
    title: 'Logic survey',
    urlSegments: [{ param: 'channel', label: 'Channel', values: [{ value: 'phone', label: 'Phone' }, { value: 'online', label: 'Online' }] }],
  })
  const copy = structuredClone(definition) as unknown as {
    pages: Array<{ name: string; visibleIf?: string; elements: Array<Record<string, unknown>> }>
    completedHtml?: unknown
  }
  for (const page of copy.pages) {
    if (page.name === 'your_ideas') page.visibleIf = '{overall} <= 2'
    for (const element of page.elements) if (element.name === 'overall') element.isRequired = true
  }
  copy.completedHtml = { default: '<h3>We will call you back <script>alert(1)</script>within a week.</h3>', cy: '<p>Byddwn yn eich ffonio’n ôl o fewn wythnos.</p>' }
  return { definition: copy as unknown as typeof definition, metadata }
}

/** Publish {@link logicSurvey} in the demo organisation of a running test server's database; returns its slug. */
export async function publishLogicSurvey(databaseUrl: string): Promise<string> {
  const handle = await openDatabase({ url: databaseUrl })
  try {
    const organisation = await findOrganisationBySlug(handle.db, DEMO_ORGANISATION.slug)
    const admin = await findUserByEmail(handle.db, DEMO_ADMIN.email)
    if (!organisation || !admin) throw new Error('the demo organisation is missing')
    const slug = `logic-${randomBytes(3).toString('hex')}`
    const { definition, metadata } = logicSurvey()
    const survey = await createSurvey(handle.db, {
      organisationId: organisation.id,
      slug,
      title: 'Logic survey',
      wave: '2026',
      templateId: 'core-satisfaction',
      definition,
      metadata,
    })
    await publishSurvey(handle.db, organisation.id, survey.id, admin.id)
    return slug
  } finally {
    await handle.close()
  }
}

/** The stored answers and segments of the response with this receipt. */
export async function storedResponse(databaseUrl: string, receipt: string) {
  const client = new pg.Client({ connectionString: databaseUrl })
  await client.connect()
  try {
    const result = await client.query<{ answers: Record<string, unknown>; segments: Record<string, string>; source: string }>(
      'select answers, segments, source from responses where receipt = $1',
      [receipt],
    )
    return result.rows[0] ?? null
  } finally {
    await client.end()
  }
}
