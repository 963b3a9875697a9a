import { and, desc, eq } from 'drizzle-orm'
import type { Database } from '../client.ts'
import { organisations, resultSnapshots } from '../schema.ts'

/*
 * Published results snapshots (docs/decisions/024-published-results-snapshots.md). A snapshot's content is
 * written once and never updated: there is no update function here on purpose.
 */

export type ResultSnapshotRow = typeof resultSnapshots.$inferSelect

export type SnapshotScope = { kind: 'wave'; wave: string } | { kind: 'period'; from: string; to: string }

export async function insertResultSnapshot(
  db: Database,
  values: {
    organisationId: string
    surveyId: string
    seriesId: string
    scope: SnapshotScope
    content: unknown
    publishedBy: string | null
    publishedAt?: Date
  },
): Promise<ResultSnapshotRow> {
  const [row] = await db
    .insert(resultSnapshots)
    .values({ ...values, ...(values.publishedAt ? { publishedAt: values.publishedAt } : {}) })
    .returning()
  return row!
}

/** Every snapshot of an organisation, newest first (the public index lists them all). */
export async function listResultSnapshots(db: Database, organisationId: string): Promise<ResultSnapshotRow[]> {
  return db
    .select()
    .from(resultSnapshots)
    .where(eq(resultSnapshots.organisationId, organisationId))
    .orderBy(desc(resultSnapshots.publishedAt), desc(resultSnapshots.id))
}

/** The snapshots of one survey series, newest first. */
export async function listSeriesSnapshots(
  db: Database,
  organisationId: string,
  seriesId: string,
): Promise<ResultSnapshotRow[]> {
  return db
    .select()
    .from(resultSnapshots)
    .where(and(eq(resultSnapshots.organisationId, organisationId), eq(resultSnapshots.seriesId, seriesId)))
    .orderBy(desc(resultSnapshots.publishedAt), desc(resultSnapshots.id))
}

/** One snapshot of an organisation (null when it is another organisation's or does not exist). */
export async function getResultSnapshot(
  db: Database,
  organisationId: string,
  snapshotId: string,
): Promise<ResultSnapshotRow | null> {
  const [row] = await db
    .select()
    .from(resultSnapshots)
    .where(and(eq(resultSnapshots.organisationId, organisationId), eq(resultSnapshots.id, snapshotId)))
    .limit(1)
  return row ?? null
}

/** The slug of an organisation: the address of its public results page (/results/:slug). */
export async function getOrganisationSlug(db: Database, organisationId: string): Promise<string | null> {
  const [row] = await db
    .select({ slug: organisations.slug })
    .from(organisations)
    .where(eq(organisations.id, organisationId))
    .limit(1)
  return row?.slug ?? null
}
