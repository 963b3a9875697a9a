import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createOrganisation } from '#db/queries/accounts.ts'
import { countQueuedResponses, foldAllQueuedResponses, startAggregateFolder } from '#db/queries/aggregate-queue.ts'
import { checkAggregateTotals } from '#db/queries/aggregates-maintenance.ts'
import { storeResponse } from '#db/queries/responses.ts'
import { createSurvey, publishSurvey } from '#db/queries/surveys.ts'
import { requireTemplate } from '#templates/index.ts'
import { createTestDatabase, type TestDatabase } from '#tests/support/database.ts'

/*
 * The queue between submissions and the aggregates (db/queries/aggregate-queue.ts,
 * db/migrations/0012_aggregate_queue.sql): a submission leaves its response queued, and the server's folder
 * counts it without any read asking. Exactness of every read is tests/integration/aggregates-maintained.test.ts.
 */
describe('aggregate queue and folder', () => {
  let test: TestDatabase
  let survey: { id: string; organisationId: string; versionId: string }

  beforeAll(async () => {
    test = await createTestDatabase()
    const org = await createOrganisation(test.db, 'queue-org', 'Queue Council')
    const core = requireTemplate('core-satisfaction')
    const created = await createSurvey(test.db, {
      organisationId: org.id,
      slug: 'queue-survey',
      title: 'Queue survey',
      wave: '2026',
      templateId: 'core-satisfaction',
      definition: core.definition,
      metadata: core.metadata,
    })
    const version = await publishSurvey(test.db, org.id, created.id, null)
    survey = { id: created.id, organisationId: org.id, versionId: version.id }
  }, 60_000)
  afterAll(async () => {
    await test?.close()
  })

  const submit = (overall: number) =>
    storeResponse(test.db, {
      organisationId: survey.organisationId,
      surveyId: survey.id,
      surveyVersionId: survey.versionId,
      clientId: randomUUID(),
      wave: '2026',
      answers: { overall },
      segments: { channel: 'phone' },
      source: 'api',
    })

  it('leaves a submission queued, and the folder counts it with no read asking', async () => {
    await submit(5)
    await submit(2)
    expect(await countQueuedResponses(test.db, survey.organisationId)).toBe(2)
    const errors: unknown[] = []
    const folder = startAggregateFolder(test.db, { intervalMs: 20, onError: (error) => errors.push(error) })
    try {
      const deadline = Date.now() + 10_000
      while ((await countQueuedResponses(test.db, null)) > 0 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 20))
      }
    } finally {
      await folder.stop()
    }
    expect(errors).toEqual([])
    expect(await countQueuedResponses(test.db, null)).toBe(0)
    expect(await checkAggregateTotals(test.db, null)).toEqual([])
  })

  it('folds in batches of the given size until the queue is empty', async () => {
    for (let i = 0; i < 7; i++) await submit(1 + (i % 5))
    expect(await foldAllQueuedResponses(test.db, 3)).toBe(7)
    expect(await countQueuedResponses(test.db, null)).toBe(0)
    expect(await checkAggregateTotals(test.db, null)).toEqual([])
  })
})
