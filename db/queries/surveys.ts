import { and, asc, desc, eq, sql } from 'drizzle-orm'
import type { Database } from '../client.ts'
import { rowsOf } from '../client.ts'
import { organisations, surveys, surveyVersions } from '../schema.ts'

export type SurveyRow = typeof surveys.$inferSelect
export type SurveyVersionRow = typeof surveyVersions.$inferSelect

/**
 * The survey row as the public path reads it: every column but the editable draft. The draft's JSON (the whole
 * definition and metadata again, 19 KB for the demo) was read and parsed on every submission, for nothing: the
 * public path answers from the published version (docs/benchmarks.md, ingest, 2026-12-03).
 */
export type PublicSurveyRow = Omit<SurveyRow, 'draftDefinition' | 'draftMetadata'>

export interface PublishedSurvey {
  survey: PublicSurveyRow
  version: SurveyVersionRow
  organisationName: string
}

// A published version never changes (editing publishes a new one), so the public path keeps recent versions in
// memory: each submission then reads only the small survey row, not the whole definition JSON, which was the
// biggest cost per submission after validation (docs/benchmarks.md, ingest). Keyed by database handle so that
// test databases in one process never share entries.
const PUBLISHED_VERSION_CACHE_SIZE = 200
const publishedVersionCache = new WeakMap<Database, Map<string, SurveyVersionRow>>()

async function getPublishedVersion(db: Database, versionId: string): Promise<SurveyVersionRow | null> {
  let cache = publishedVersionCache.get(db)
  if (!cache) publishedVersionCache.set(db, (cache = new Map()))
  const hit = cache.get(versionId)
  if (hit) return hit
  const [version] = await db.select().from(surveyVersions).where(eq(surveyVersions.id, versionId)).limit(1)
  if (!version) return null
  // Insertion order makes the Map a simple FIFO: drop the oldest entry when full.
  if (cache.size >= PUBLISHED_VERSION_CACHE_SIZE) cache.delete(cache.keys().next().value!)
  cache.set(versionId, version)
  return version
}

const publicSurveyColumns = {
  id: surveys.id,
  organisationId: surveys.organisationId,
  slug: surveys.slug,
  title: surveys.title,
  status: surveys.status,
  templateId: surveys.templateId,
  seriesId: surveys.seriesId,
  wave: surveys.wave,
  currentVersionId: surveys.currentVersionId,
  opensAt: surveys.opensAt,
  closesAt: surveys.closesAt,
  retentionDays: surveys.retentionDays,
  createdAt: surveys.createdAt,
  updatedAt: surveys.updatedAt,
} satisfies Record<keyof PublicSurveyRow, unknown>

function publicSurveyQuery(db: Database) {
  return db
    .select({ survey: publicSurveyColumns, organisationName: organisations.name })
    .from(surveys)
    .innerJoin(organisations, eq(organisations.id, surveys.organisationId))
    .where(eq(surveys.slug, sql.placeholder('slug')))
    .limit(1)
    .prepare('cse_public_survey_by_slug')
}

// Built once per database handle (or transaction): Drizzle then skips building the SQL on every submission, and
// node-postgres prepares the named statement once per connection, so PostgreSQL skips parsing and planning it.
const publicSurveyQueries = new WeakMap<Database, ReturnType<typeof publicSurveyQuery>>()

/**
 * The survey behind a public link with its current published version, or null if there is none. The survey
 * row (status, dates, current version) is read fresh every time, so closing or republishing applies at once.
 */
export async function findPublishedSurveyBySlug(db: Database, slug: string): Promise<PublishedSurvey | null> {
  let query = publicSurveyQueries.get(db)
  if (!query) publicSurveyQueries.set(db, (query = publicSurveyQuery(db)))
  const [row] = await query.execute({ slug })
  if (!row?.survey.currentVersionId) return null
  const version = await getPublishedVersion(db, row.survey.currentVersionId)
  return version ? { survey: row.survey, version, organisationName: row.organisationName } : null
}

export type SurveyAvailability = 'open' | 'closed' | 'not_yet_open'

/** Whether a published survey takes answers now: its status and its open and close dates. */
export function surveyAvailability(survey: Pick<SurveyRow, 'status' | 'opensAt' | 'closesAt'>, now = new Date()): SurveyAvailability {
  if (survey.status === 'closed') return 'closed'
  if (survey.status !== 'open') return 'closed'
  if (survey.opensAt && survey.opensAt > now) return 'not_yet_open'
  if (survey.closesAt && survey.closesAt <= now) return 'closed'
  return 'open'
}

export async function listSurveysForOrganisation(db: Database, organisationId: string): Promise<SurveyRow[]> {
  return db
    .select()
    .from(surveys)
    .where(eq(surveys.organisationId, organisationId))
    .orderBy(desc(surveys.createdAt), asc(surveys.title))
}

export async function getSurveyForOrganisation(
  db: Database,
  organisationId: string,
  surveyId: string,
): Promise<SurveyRow | null> {
  const rows = await db
    .select()
    .from(surveys)
    .where(and(eq(surveys.organisationId, organisationId), eq(surveys.id, surveyId)))
    .limit(1)
  return rows[0] ?? null
}

export async function getVersion(
  db: Database,
  organisationId: string,
  versionId: string,
): Promise<SurveyVersionRow | null> {
  const rows = await db
    .select()
    .from(surveyVersions)
    .where(and(eq(surveyVersions.organisationId, organisationId), eq(surveyVersions.id, versionId)))
    .limit(1)
  return rows[0] ?? null
}

export interface CreateSurveyInput {
  organisationId: string
  slug: string
  title: string
  wave: string
  templateId: string | null
  definition: unknown
  metadata: unknown
  seriesId?: string
}

export async function createSurvey(db: Database, input: CreateSurveyInput): Promise<SurveyRow> {
  const [row] = await db
    .insert(surveys)
    .values({
      organisationId: input.organisationId,
      slug: input.slug,
      title: input.title,
      wave: input.wave,
      templateId: input.templateId,
      draftDefinition: input.definition,
      draftMetadata: input.metadata,
      ...(input.seriesId ? { seriesId: input.seriesId } : {}),
    })
    .returning()
  if (!row) throw new Error('createSurvey: insert returned no row')
  return row
}

/**
 * Publish the draft as a new immutable version and open the survey. Version numbers are assigned under a
 * row lock on the survey, so two concurrent publishes cannot both become version N.
 */
export async function publishSurvey(
  db: Database,
  organisationId: string,
  surveyId: string,
  publishedBy: string | null,
): Promise<SurveyVersionRow> {
  return db.transaction(async (tx) => {
    const locked = rowsOf<{ id: string }>(
      await tx.execute(
        sql`select id from surveys where id = ${surveyId} and organisation_id = ${organisationId} for update`,
      ),
    )
    if (locked.length === 0) throw new Error('publishSurvey: survey not found in this organisation')
    const [survey] = await tx.select().from(surveys).where(eq(surveys.id, surveyId))
    if (!survey) throw new Error('publishSurvey: survey not found')
    const next = rowsOf<{ next: number }>(
      await tx.execute(
        sql`select coalesce(max(version), 0)::int + 1 as next from survey_versions where survey_id = ${surveyId}`,
      ),
    )[0]!.next
    const [version] = await tx
      .insert(surveyVersions)
      .values({
        organisationId,
        surveyId,
        version: next,
        definition: survey.draftDefinition,
        metadata: survey.draftMetadata,
        publishedBy,
      })
      .returning()
    if (!version) throw new Error('publishSurvey: insert returned no row')
    await tx
      .update(surveys)
      .set({ currentVersionId: version.id, status: 'open', updatedAt: new Date() })
      .where(and(eq(surveys.id, surveyId), eq(surveys.organisationId, organisationId)))
    return version
  })
}

// ---- The builder: drafts, versions, status, next wave

/** True when a public slug is already used by any survey (slugs are global: the public URL has no organisation). */
export async function slugTaken(db: Database, slug: string): Promise<boolean> {
  const rows = await db.select({ id: surveys.id }).from(surveys).where(eq(surveys.slug, slug)).limit(1)
  return rows.length > 0
}

/** Replace the editable draft (definition and metadata). Published versions are never touched. */
export async function updateDraft(
  db: Database,
  organisationId: string,
  surveyId: string,
  draft: { definition: unknown; metadata: unknown },
): Promise<boolean> {
  const rows = await db
    .update(surveys)
    .set({ draftDefinition: draft.definition, draftMetadata: draft.metadata, updatedAt: new Date() })
    .where(and(eq(surveys.organisationId, organisationId), eq(surveys.id, surveyId)))
    .returning({ id: surveys.id })
  return rows.length > 0
}

export interface SurveySettings {
  title: string
  wave: string
  retentionDays: number
  opensAt: Date | null
  closesAt: Date | null
}

/** Settings kept on the survey row itself (they apply to every version and take effect at once). */
export async function updateSurveySettings(
  db: Database,
  organisationId: string,
  surveyId: string,
  settings: SurveySettings,
): Promise<boolean> {
  const rows = await db
    .update(surveys)
    .set({ ...settings, updatedAt: new Date() })
    .where(and(eq(surveys.organisationId, organisationId), eq(surveys.id, surveyId)))
    .returning({ id: surveys.id })
  return rows.length > 0
}

/** Close or reopen a published survey. A survey that was never published stays a draft (returns false). */
export async function setSurveyStatus(
  db: Database,
  organisationId: string,
  surveyId: string,
  status: 'open' | 'closed',
): Promise<boolean> {
  const rows = await db
    .update(surveys)
    .set({ status, updatedAt: new Date() })
    .where(
      and(
        eq(surveys.organisationId, organisationId),
        eq(surveys.id, surveyId),
        sql`${surveys.currentVersionId} is not null`,
      ),
    )
    .returning({ id: surveys.id })
  return rows.length > 0
}

export interface VersionSummary {
  id: string
  version: number
  publishedAt: Date
  publishedByName: string | null
  responses: number
}

/** Every published version of a survey, newest first, with how many responses each one holds. */
export async function listVersions(
  db: Database,
  organisationId: string,
  surveyId: string,
): Promise<VersionSummary[]> {
  const rows = rowsOf<{
    id: string
    version: number
    published_at: Date | string
    published_by_name: string | null
    responses: number
  }>(
    await db.execute(sql`
      select v.id, v.version, v.published_at, u.name as published_by_name,
             (select count(*)::int from responses r
               where r.organisation_id = ${organisationId} and r.survey_version_id = v.id) as responses
        from survey_versions v
        left join users u on u.id = v.published_by
       where v.organisation_id = ${organisationId} and v.survey_id = ${surveyId}
       order by v.version desc`),
  )
  return rows.map((r) => ({
    id: r.id,
    version: Number(r.version),
    publishedAt: new Date(r.published_at),
    publishedByName: r.published_by_name,
    responses: Number(r.responses),
  }))
}

/** The other surveys of a series (earlier and later waves), oldest first. */
export async function listSeriesSurveys(
  db: Database,
  organisationId: string,
  seriesId: string,
): Promise<SurveyRow[]> {
  return db
    .select()
    .from(surveys)
    .where(and(eq(surveys.organisationId, organisationId), eq(surveys.seriesId, seriesId)))
    .orderBy(asc(surveys.createdAt))
}

/**
 * The next wave of a survey: a new draft survey in the same series, starting from the source's current draft
 * (question names kept, so trends line up), with its own slug and wave label.
 */
export async function duplicateSurveyForWave(
  db: Database,
  organisationId: string,
  sourceId: string,
  next: { slug: string; title: string; wave: string },
): Promise<SurveyRow | null> {
  const source = await getSurveyForOrganisation(db, organisationId, sourceId)
  if (!source) return null
  const [row] = await db
    .insert(surveys)
    .values({
      organisationId,
      slug: next.slug,
      title: next.title,
      wave: next.wave,
      templateId: source.templateId,
      seriesId: source.seriesId,
      draftDefinition: source.draftDefinition,
      draftMetadata: source.draftMetadata,
      retentionDays: source.retentionDays,
    })
    .returning()
  return row ?? null
}

/**
 * A survey by its slug in any organisation, for an operator's command-line tool (`npm run analyse -- --survey`).
 * Never call it from a request: everything after it must be scoped by the survey's organisation.
 */
export async function findSurveyBySlugForOperator(
  db: Database,
  slug: string,
): Promise<{ id: string; organisationId: string } | null> {
  const [row] = await db
    .select({ id: surveys.id, organisationId: surveys.organisationId })
    .from(surveys)
    .where(eq(surveys.slug, slug))
    .limit(1)
  return row ?? null
}
