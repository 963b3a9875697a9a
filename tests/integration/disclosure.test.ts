import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildDashboard } from '#app/services/dashboard.server.ts'
import { addMembership, createOrganisation, createUser } from '#db/queries/accounts.ts'
import { newReceipt, payloadHash } from '#db/queries/responses.ts'
import { createSurvey, publishSurvey } from '#db/queries/surveys.ts'
import { responses } from '#db/schema.ts'
import { requireTemplate } from '#templates/index.ts'
import { attackPublished, type PublishedBreakdown } from '../support/disclosure-attack.ts'
import { createTestDatabase, type TestDatabase } from '../support/database.ts'

/*
 * Issue 11: "A disclosure test tries every subtraction over everything published for a survey with suppressed
 * groups, and recovers nothing." A small survey (130 respondents) with tiny groups, read back from the dashboard
 * as a viewer sees it, attacked by tests/support/disclosure-attack.ts.
 */
describe('disclosure: no subtraction recovers a hidden group', () => {
  let test: TestDatabase
  let organisationId: string
  let surveyId: string
  const sizes = new Map<string, number>()

  beforeAll(async () => {
    test = await createTestDatabase()
    const org = await createOrganisation(test.db, 'disclosure-org', 'Disclosure Council')
    organisationId = org.id
    const user = await createUser(test.db, 'analyst@disclosure.test', 'Analyst', 'x')
    await addMembership(test.db, org.id, user.id, 'viewer')
    const core = requireTemplate('core-satisfaction')
    const survey = await createSurvey(test.db, {
      organisationId: org.id,
      slug: 'disclosure',
      title: 'Small survey',
      wave: '2026',
      templateId: 'core-satisfaction',
      definition: core.definition,
      metadata: {
        ...core.metadata,
        segments: [{ question: 'channel', label: 'Channel' }],
        urlSegments: [
          {
            param: 'gender',
            label: 'Gender',
            values: [
              { value: 'female', label: 'Female' },
              { value: 'male', label: 'Male' },
              { value: 'nonbinary', label: 'Non-binary' },
            ],
          },
        ],
      },
    })
    surveyId = survey.id
    const version = await publishSurvey(test.db, org.id, survey.id, user.id)
    const ratings = Object.keys(core.metadata.ratings)
    // 130 respondents: gender female 65, male 60, nonbinary 3, not stated 2 (two large groups and a tiny
    // residual: only rounding can protect it); channel online, phone and 5 by letter
    const rows = Array.from({ length: 130 }, (_, i) => {
      const gender = i < 65 ? 'female' : i < 125 ? 'male' : i < 128 ? 'nonbinary' : ''
      const channel = i % 26 === 3 ? 'letter' : i % 3 === 0 ? 'phone' : 'online'
      const answers: Record<string, unknown> = {}
      ratings.forEach(
        (r, k) => (answers[r] = (i * 7 + k * 3) % 11 < 7 ? 4 + ((i + k) % 2) : 1 + ((i + k) % 3)),
      )
      answers.channel = channel
      const segments = { channel, gender }
      return {
        organisationId: org.id,
        surveyId: survey.id,
        surveyVersionId: version.id,
        clientId: randomUUID(),
        payloadHash: payloadHash(answers, segments),
        receipt: newReceipt(),
        wave: '2026',
        answers,
        segments,
        source: 'import' as const,
      }
    })
    await test.db.insert(responses).values(rows)
    for (const r of rows)
      for (const [k, v] of Object.entries(r.segments))
        sizes.set(`${k}|${v}`, (sizes.get(`${k}|${v}`) ?? 0) + 1)
  })
  afterAll(async () => test.close())

  // respondents per group as built above (the test knows; a reader does not)
  const groupSize = (segment: string, group: string) => sizes.get(`${segment}|${group}`) ?? 0

  it('hides the small groups, never a group of 50 or more, and no subtraction pins a hidden count', async () => {
    const d = (await buildDashboard(test.db, organisationId, surveyId, { weighted: false }))!
    expect(d.meta.respondents).toBe(130)
    let hiddenSeen = 0
    let attacked = 0
    for (const { name: rating } of d.meta.ratings) {
      const total = d.overall.cells[rating]!
      const breakdowns: PublishedBreakdown[] = d.meta.segments.map((s) => ({
        by: s.name,
        groups: d.rows
          .filter((r) => r.segment === s.name)
          .map((r) => ({ group: r.group, figure: r.cells[rating]! })),
      }))
      for (const row of d.rows) {
        const cell = row.cells[rating]!
        if (cell.suppressed) {
          hiddenSeen++
          expect(cell).toMatchObject({ n: null, p: null, lower: null, upper: null })
        }
      }
      for (const row of d.rows)
        if (row.cells[rating]!.suppressed)
          expect(
            groupSize(row.segment, row.group),
            `${rating} ${row.segment} ${row.group} ${JSON.stringify(row.cells[rating])}`,
          ).toBeLessThan(50)
      for (const learned of attackPublished(total, breakdowns, d.meta.confidence)) {
        // Hidden groups that together have at least the threshold are as safe as one published group of that
        // size: the reader cannot split them, because their separate bases are not published either.
        if (learned.nHidden >= d.meta.thresholds.suppress) continue
        attacked++
        expect(
          learned.possible.length,
          `${rating} by ${learned.by}: ${learned.possible.join(',')}`,
        ).toBeGreaterThan(1)
      }
    }
    expect(hiddenSeen).toBeGreaterThan(0)
    expect(attacked).toBeGreaterThan(0)
  })
})
