import { randomUUID } from 'node:crypto'
import { composeSurvey } from '../survey-templates/index.ts'
import type { Database } from './client.ts'
import { hashPassword } from './passwords.ts'
import { addMembership, createOrganisation, createUser, findOrganisationBySlug, findUserByEmail, NEW_ORGANISATION_DEFAULTS } from './queries/accounts.ts'
import { newReceipt, payloadHash } from './queries/responses.ts'
import { createSurvey, publishSurvey } from './queries/surveys.ts'
import { populationProfiles, responses } from './schema.ts'
import { foldAllQueuedResponses } from './queries/aggregate-queue.ts'

/** The demo login, printed on the console at start and given in the README. Change it on a real install. */
export const DEMO_ORGANISATION = { slug: 'demo-council', name: 'Demo Council' } as const
export const DEMO_ADMIN = { email: 'admin@demo.example', password: 'demo-council-admin', name: 'Demo Admin' } as const
export const DEMO_SURVEY_SLUG = 'demo'

/** Deterministic PRNG (mulberry32) so every fresh clone gets the same demo data. */
function prng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

function pick<T>(random: () => number, items: ReadonlyArray<readonly [T, number]>): T {
  const total = items.reduce((s, [, w]) => s + w, 0)
  let r = random() * total
  for (const [item, w] of items) {
    r -= w
    if (r <= 0) return item
  }
  return items[items.length - 1]![0]
}

function normal(random: () => number): number {
  // Box-Muller; 1 - random() avoids log(0).
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random())
}

/** Map a latent score onto the 5-point scale, with a few "don't know" answers. */
function toRating(latent: number, random: () => number, dontKnowRate: number): number | 'dont_know' {
  if (random() < dontKnowRate) return 'dont_know'
  if (latent < -1.3) return 1
  if (latent < -0.5) return 2
  if (latent < 0.1) return 3
  if (latent < 1.0) return 4
  return 5
}

const DRIVERS = ['delivery', 'timeliness', 'information', 'access', 'professionalism', 'staff_attitude'] as const
const OVERALL_WEIGHTS: Record<(typeof DRIVERS)[number], number> = {
  delivery: 0.36,
  timeliness: 0.26,
  information: 0.1,
  access: 0.05,
  professionalism: 0.08,
  staff_attitude: 0.15,
}
const CHANNEL_EFFECT = { phone: -0.15, online: 0.2, in_person: 0.25, letter: -0.35 } as const
const SERVICE_EFFECT = { waste_recycling: 0.3, council_tax: -0.25, parking: -0.45, libraries: 0.55 } as const
const AGE_EFFECT: Record<string, number> = {
  '16-24': -0.3,
  '25-34': -0.2,
  '35-44': -0.1,
  '45-54': 0,
  '55-64': 0.15,
  '65-74': 0.3,
  '75_plus': 0.35,
}
// The sample over-represents older people and women, as real postal and phone samples do, so weighting matters.
const AGE_SAMPLE: Array<readonly [string, number]> = [
  ['16-24', 5],
  ['25-34', 10],
  ['35-44', 13],
  ['45-54', 16],
  ['55-64', 20],
  ['65-74', 21],
  ['75_plus', 15],
]
export const DEMO_POPULATION = {
  name: 'Demo Council adult residents (illustrative)',
  total: 120_000,
  margins: {
    age_band: { '16-24': 16_800, '25-34': 22_800, '35-44': 20_400, '45-54': 19_200, '55-64': 18_000, '65-74': 13_200, '75_plus': 9_600 },
    sex: { female: 61_200, male: 58_800 },
  },
} as const

const COMMENTS = [
  'It took three weeks to hear back.',
  'Staff were friendly and sorted it first time.',
  'The website kept timing out when I tried to pay.',
  'Please answer the phone faster.',
  'Clear letter, thank you.',
  'I had to explain my problem to four different people.',
  'The library staff are brilliant.',
  'Bins were missed twice this month.',
]

/**
 * Create the demo organisation, its admin, the demo survey (core satisfaction + equality block) at /s/demo
 * and about 2,000 synthetic responses over two waves with real differences between groups. Idempotent: it
 * does nothing when the demo organisation already exists. Returns whether it seeded.
 */
export async function seedDemo(db: Database, options: { responses?: number } = {}): Promise<boolean> {
  if (await findOrganisationBySlug(db, DEMO_ORGANISATION.slug)) return false
  const passwordHash = await hashPassword(DEMO_ADMIN.password)
  const total = options.responses ?? 2000
  try {
    await db.transaction(async (tx) => {
      // Like every organisation the product makes, the demo requires two-factor sign-in of every member.
      const organisation = await createOrganisation(tx as unknown as Database, DEMO_ORGANISATION.slug, DEMO_ORGANISATION.name, NEW_ORGANISATION_DEFAULTS)
      const db2 = tx as unknown as Database
      const admin = (await findUserByEmail(db2, DEMO_ADMIN.email)) ?? (await createUser(db2, DEMO_ADMIN.email, DEMO_ADMIN.name, passwordHash))
      await addMembership(db2, organisation.id, admin.id, 'admin')

      const { definition, metadata } = composeSurvey(['core-satisfaction', 'equality-monitoring'], {
        title: 'Tell us about our service',
        urlSegments: [
          {
            param: 'channel',
            label: 'Channel',
            values: [
              { value: 'phone', label: 'Phone' },
              { value: 'online', label: 'Online' },
              { value: 'in_person', label: 'In person' },
              { value: 'letter', label: 'Letter' },
            ],
          },
        ],
      })
      const survey = await createSurvey(db2, {
        organisationId: organisation.id,
        slug: DEMO_SURVEY_SLUG,
        title: 'Customer satisfaction 2026',
        wave: '2026',
        templateId: 'core-satisfaction',
        definition,
        metadata,
      })
      const version = await publishSurvey(db2, organisation.id, survey.id, admin.id)
      await tx.insert(populationProfiles).values({
        organisationId: organisation.id,
        name: DEMO_POPULATION.name,
        total: DEMO_POPULATION.total,
        margins: DEMO_POPULATION.margins,
        isDefault: true,
      })

      const random = prng(20261122)
      const rows: Array<typeof responses.$inferInsert> = []
      for (let i = 0; i < total; i++) {
        const wave = i < total * 0.47 ? '2025' : '2026'
        const channel = pick(random, [['phone', 30], ['online', 40], ['in_person', 18], ['letter', 12]] as const)
        const service = pick(random, [['waste_recycling', 35], ['council_tax', 30], ['parking', 15], ['libraries', 20]] as const)
        const age = pick(random, AGE_SAMPLE)
        const sex = pick(random, [['female', 58], ['male', 42]] as const)
        const condition = pick(random, [['yes', 24], ['no', 70], ['prefer_not_to_say', 6]] as const)
        const halo = normal(random) * 0.6
        const base =
          CHANNEL_EFFECT[channel] + SERVICE_EFFECT[service] + (AGE_EFFECT[age] ?? 0) + (condition === 'yes' ? -0.3 : 0)
        const latent: Record<string, number> = {}
        const answers: Record<string, unknown> = {}
        for (const driver of DRIVERS) {
          const waveShift = wave === '2026' ? (driver === 'timeliness' ? 0.35 : driver === 'delivery' ? 0.1 : 0) : 0
          latent[driver] = 0.2 + base + halo + waveShift + normal(random) * 0.8
          answers[driver] = toRating(latent[driver]!, random, driver === 'access' ? 0.08 : 0.04)
        }
        const overallLatent = DRIVERS.reduce((s, d) => s + OVERALL_WEIGHTS[d] * latent[d]!, 0) + normal(random) * 0.35
        answers.overall = toRating(overallLatent * 1.15, random, 0.01)
        answers.channel = channel
        answers.service = service
        answers.age_band = age
        answers.sex = sex
        answers.long_term_condition = condition
        if (condition === 'yes') answers.reduced_activity = pick(random, [['yes_a_lot', 35], ['yes_a_little', 45], ['not_at_all', 20]] as const)
        if (random() < 0.3) answers.improve = COMMENTS[Math.floor(random() * COMMENTS.length)]!
        const segments = { channel, service, age_band: age, sex, long_term_condition: condition }
        const year = Number(wave)
        const submittedAt = new Date(Date.UTC(year - 0, 8, 1) + Math.floor(random() * 42 * 86_400_000))
        rows.push({
          organisationId: organisation.id,
          surveyId: survey.id,
          surveyVersionId: version.id,
          clientId: randomUUID(),
          payloadHash: payloadHash(answers, segments),
          receipt: newReceipt(),
          wave,
          answers,
          segments,
          source: 'import',
          submittedAt,
        })
      }
      for (let start = 0; start < rows.length; start += 500) {
        await tx.insert(responses).values(rows.slice(start, start + 500))
      }
    })
  } catch (error) {
    // Two processes seeding at once: the loser hits the unique slug; the winner's data is complete.
    if (await findOrganisationBySlug(db, DEMO_ORGANISATION.slug)) return false
    throw error
  }
  // Count the demo's responses into the aggregates now (db/queries/aggregate-queue.ts), not at the first read.
  await foldAllQueuedResponses(db)
  return true
}
