import { and, asc, eq, sql } from 'drizzle-orm'
import type { Database } from '../client.ts'
import { surveyActions } from '../schema.ts'

/* "You said, we did" actions of a survey series, always scoped by organisation (issue 14, item 2). */

export type SurveyActionRow = typeof surveyActions.$inferSelect
export type ActionStatus = SurveyActionRow['status']

export interface ActionValues {
  findingKind: 'measure' | 'group' | 'driver' | 'theme'
  finding: string
  measure: string | null
  title: string
  owner: string
  dueDate: string | null
  status: ActionStatus
  publicWording: string
  publicWordingCy: string
  showPublicly: boolean
  waveBefore: string | null
  waveAfter: string | null
}

export async function insertAction(
  db: Database,
  scope: { organisationId: string; surveyId: string; seriesId: string; createdBy: string | null },
  values: ActionValues,
): Promise<SurveyActionRow> {
  const [row] = await db
    .insert(surveyActions)
    .values({ ...scope, ...values, completedAt: values.status === 'completed' ? new Date() : null })
    .returning()
  return row!
}

/** Updates an action of the series; completedAt is set when it becomes completed and cleared when it stops being so. */
export async function updateAction(
  db: Database,
  organisationId: string,
  seriesId: string,
  actionId: string,
  values: ActionValues,
): Promise<SurveyActionRow | null> {
  const [row] = await db
    .update(surveyActions)
    .set({
      ...values,
      completedAt:
        values.status === 'completed'
          ? sql`coalesce(${surveyActions.completedAt}, now())`
          : null,
      updatedAt: new Date(),
    })
    .where(
      and(
        eq(surveyActions.organisationId, organisationId),
        eq(surveyActions.seriesId, seriesId),
        eq(surveyActions.id, actionId),
      ),
    )
    .returning()
  return row ?? null
}

/** The actions of a survey series, oldest first. */
export async function listActions(db: Database, organisationId: string, seriesId: string): Promise<SurveyActionRow[]> {
  return db
    .select()
    .from(surveyActions)
    .where(and(eq(surveyActions.organisationId, organisationId), eq(surveyActions.seriesId, seriesId)))
    .orderBy(asc(surveyActions.createdAt), asc(surveyActions.id))
}

/** Completed actions staff chose to show publicly, of every series of the organisation (the public page). */
export async function listPublicActions(db: Database, organisationId: string): Promise<SurveyActionRow[]> {
  return db
    .select()
    .from(surveyActions)
    .where(
      and(
        eq(surveyActions.organisationId, organisationId),
        eq(surveyActions.status, 'completed'),
        eq(surveyActions.showPublicly, true),
      ),
    )
    .orderBy(asc(surveyActions.completedAt), asc(surveyActions.id))
}
