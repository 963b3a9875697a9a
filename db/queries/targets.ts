import { and, asc, eq } from 'drizzle-orm'
import type { Database } from '../client.ts'
import { targets } from '../schema.ts'

export type TargetRow = typeof targets.$inferSelect

/** Targets of one survey series (proportion satisfied per measure), scoped by organisation. */
export async function listTargets(db: Database, organisationId: string, seriesId: string): Promise<TargetRow[]> {
  return db
    .select()
    .from(targets)
    .where(and(eq(targets.organisationId, organisationId), eq(targets.seriesId, seriesId)))
    .orderBy(asc(targets.measure))
}

/** Sets (or replaces) the target of one measure; `null` removes it. */
export async function setTarget(
  db: Database,
  organisationId: string,
  seriesId: string,
  measure: string,
  target: number | null,
): Promise<void> {
  if (target === null) {
    await db
      .delete(targets)
      .where(and(eq(targets.organisationId, organisationId), eq(targets.seriesId, seriesId), eq(targets.measure, measure)))
    return
  }
  await db
    .insert(targets)
    .values({ organisationId, seriesId, measure, target })
    .onConflictDoUpdate({ target: [targets.organisationId, targets.seriesId, targets.measure], set: { target } })
}
