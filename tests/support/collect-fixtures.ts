import { randomUUID } from 'node:crypto'
import { DEMO_ADMIN, DEMO_ORGANISATION, DEMO_SURVEY_SLUG, seedDemo } from '#db/seed.ts'
import { findOrganisationBySlug, findUserByEmail } from '#db/queries/accounts.ts'
import { findPublishedSurveyBySlug } from '#db/queries/surveys.ts'
import { startSession } from '#app/utils/auth.server.ts'
import { createTestDatabase, installAsAppDatabase, type TestDatabase } from './database.ts'
import { enrolTotpDirectly } from './two-factor.ts'

/** A test database with the demo organisation and survey (few seeded responses), installed as the app's. */
export async function demoDatabase(responses = 10): Promise<{ test: TestDatabase; organisationId: string; surveyId: string; userId: string }> {
  const test = await createTestDatabase()
  installAsAppDatabase(test)
  await seedDemo(test.db, { responses })
  const organisation = await findOrganisationBySlug(test.db, DEMO_ORGANISATION.slug)
  const user = await findUserByEmail(test.db, DEMO_ADMIN.email)
  const published = await findPublishedSurveyBySlug(test.db, DEMO_SURVEY_SLUG)
  if (!organisation || !user || !published) throw new Error('demo seed incomplete')
  // Admins must use two-factor sign-in (app/utils/auth.server.ts mustEnrolTwoFactor): here the demo admin has.
  await enrolTotpDirectly(test.db, user.id)
  return { test, organisationId: organisation.id, surveyId: published.survey.id, userId: user.id }
}

/** A request carrying a live staff session for this user (the cookie the login page would set). */
export async function staffRequest(userId: string, organisationId: string, url: string, init: RequestInit = {}): Promise<Request> {
  const setCookie = await startSession(userId, organisationId)
  const cookie = setCookie.split(';')[0]!
  return new Request(url, { ...init, headers: { ...(init.headers as Record<string, string>), Cookie: cookie } })
}

/** A complete, valid set of answers for the demo survey (core satisfaction + equality block). */
export function demoAnswers(overall: number | string = 5): Record<string, unknown> {
  return { overall, delivery: 4, timeliness: 3, information: 5, access: 4, professionalism: 5, staff_attitude: 5 }
}

export function submission(answers: Record<string, unknown> = demoAnswers(), extra: Record<string, unknown> = {}) {
  return { id: randomUUID(), answers, segments: {}, ...extra }
}
