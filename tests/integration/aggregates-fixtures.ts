import { randomUUID } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { parseAnalysisConfig } from '#analysis/parse-analysis-config.ts'
import { readResponsesCsv } from '#analysis/read-responses-csv.ts'
import type { Database } from '#db/client.ts'
import { addMembership, createOrganisation, createUser } from '#db/queries/accounts.ts'
import { newReceipt, payloadHash } from '#db/queries/responses.ts'
import { createSurvey, publishSurvey } from '#db/queries/surveys.ts'
import { populationProfiles, responses } from '#db/schema.ts'
import { requireTemplate } from '#templates/index.ts'

export const ORACLE_DIR = resolve(__dirname, '../fixtures/oracle-public')
export const oracleConfigJson = () => JSON.parse(readFileSync(join(ORACLE_DIR, 'analysis.json'), 'utf8')) as Record<string, unknown>
export const oraclePopulationJson = () => JSON.parse(readFileSync(join(ORACLE_DIR, 'population.json'), 'utf8')) as { total: number; margins: Record<string, Record<string, number>> }

/**
 * Stores the public oracle's responses.csv as survey responses, the way the app stores them: ratings as JSON
 * numbers in `answers` (a blank rating is "dont_know"), segment values as text in `segments`, the comment as
 * the `improve` answer. Returns the organisation and survey ids. (Small test helper; the product importer
 * is the collection issue's.)
 */
export async function importOracleFixture(
  db: Database,
  options: { slug?: string; withDefaultPopulation?: boolean } = {},
): Promise<{ organisationId: string; surveyId: string; slug: string; userId: string }> {
  const config = parseAnalysisConfig(oracleConfigJson())
  const rows = readResponsesCsv(readFileSync(join(ORACLE_DIR, 'responses.csv'), 'utf8'), config)
  const slug = options.slug ?? `oracle-${randomUUID().slice(0, 8)}`
  const organisation = await createOrganisation(db, `org-${slug}`, `Organisation ${slug}`)
  const user = await createUser(db, `analyst-${slug}@example.test`, 'Analyst', 'x')
  await addMembership(db, organisation.id, user.id, 'analyst')
  const core = requireTemplate('core-satisfaction')
  const survey = await createSurvey(db, {
    organisationId: organisation.id,
    slug,
    title: 'Oracle fixture',
    wave: '2026',
    templateId: 'core-satisfaction',
    definition: core.definition,
    metadata: {
      ...core.metadata,
      segments: [
        { question: 'channel', label: 'Channel' },
        { question: 'service', label: 'Service' },
        { question: 'age_band', label: 'Age' },
        { question: 'gender', label: 'Gender' },
        { question: 'disability', label: 'Disability' },
      ],
      urlSegments: [],
    },
  })
  const version = await publishSurvey(db, organisation.id, survey.id, user.id)
  if (options.withDefaultPopulation) {
    const population = oraclePopulationJson()
    await db.insert(populationProfiles).values({ organisationId: organisation.id, name: 'Oracle population', total: population.total, margins: population.margins, isDefault: true })
  }
  const values = rows.map((row) => {
    const answers: Record<string, unknown> = {}
    for (const rating of config.ratings) {
      const raw = row[rating]
      answers[rating] = raw === null || raw === undefined || String(raw).trim() === '' ? 'dont_know' : Number(raw)
    }
    if (row.comment) answers.improve = String(row.comment)
    const segments: Record<string, string> = {}
    for (const s of config.segments) segments[s] = String(row[s] ?? '')
    return {
      organisationId: organisation.id,
      surveyId: survey.id,
      surveyVersionId: version.id,
      clientId: randomUUID(),
      payloadHash: payloadHash(answers, segments),
      receipt: newReceipt(),
      wave: String(row[config.wave]),
      answers,
      segments,
      source: 'import' as const,
    }
  })
  for (let i = 0; i < values.length; i += 500) await db.insert(responses).values(values.slice(i, i + 500))
  return { organisationId: organisation.id, surveyId: survey.id, slug, userId: user.id }
}
