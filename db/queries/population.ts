import { and, asc, desc, eq } from 'drizzle-orm'
import type { Database } from '../client.ts'
import { populationProfiles, surveys } from '../schema.ts'

export type PopulationProfileRow = typeof populationProfiles.$inferSelect

/** Population margins as the statistics engine reads them: { variable: { level: count } }, each summing to total. */
export type PopulationMargins = Record<string, Record<string, number>>

export interface PopulationProfileInput {
  name: string
  total: number
  margins: PopulationMargins
  isDefault: boolean
}

export async function listPopulationProfiles(db: Database, organisationId: string): Promise<PopulationProfileRow[]> {
  return db
    .select()
    .from(populationProfiles)
    .where(eq(populationProfiles.organisationId, organisationId))
    .orderBy(desc(populationProfiles.isDefault), asc(populationProfiles.name))
}

export async function getPopulationProfile(db: Database, organisationId: string, id: string): Promise<PopulationProfileRow | null> {
  const rows = await db
    .select()
    .from(populationProfiles)
    .where(and(eq(populationProfiles.organisationId, organisationId), eq(populationProfiles.id, id)))
    .limit(1)
  return rows[0] ?? null
}

/** The organisation's default profile (the one the weighted dashboard rakes to), or null if none is set. */
export async function getDefaultPopulationProfile(db: Database, organisationId: string): Promise<PopulationProfileRow | null> {
  const rows = await db
    .select()
    .from(populationProfiles)
    .where(and(eq(populationProfiles.organisationId, organisationId), eq(populationProfiles.isDefault, true)))
    .orderBy(desc(populationProfiles.createdAt))
    .limit(1)
  return rows[0] ?? null
}

/** Creates or updates a profile; making one the default clears the flag on the others, in one transaction. */
export async function savePopulationProfile(
  db: Database,
  organisationId: string,
  input: PopulationProfileInput,
  id?: string,
): Promise<PopulationProfileRow | null> {
  return db.transaction(async (tx) => {
    if (input.isDefault) {
      await tx.update(populationProfiles).set({ isDefault: false }).where(eq(populationProfiles.organisationId, organisationId))
    }
    if (id) {
      const [row] = await tx
        .update(populationProfiles)
        .set({ name: input.name, total: input.total, margins: input.margins, isDefault: input.isDefault })
        .where(and(eq(populationProfiles.organisationId, organisationId), eq(populationProfiles.id, id)))
        .returning()
      return row ?? null
    }
    const [row] = await tx
      .insert(populationProfiles)
      .values({ organisationId, name: input.name, total: input.total, margins: input.margins, isDefault: input.isDefault })
      .returning()
    return row ?? null
  })
}

export async function deletePopulationProfile(db: Database, organisationId: string, id: string): Promise<boolean> {
  const rows = await db
    .delete(populationProfiles)
    .where(and(eq(populationProfiles.organisationId, organisationId), eq(populationProfiles.id, id)))
    .returning({ id: populationProfiles.id })
  return rows.length > 0
}

/** Makes one profile the organisation's default (clearing the others); false when it is not the organisation's. */
export async function setDefaultPopulationProfile(db: Database, organisationId: string, id: string): Promise<boolean> {
  return db.transaction(async (tx) => {
    const found = await tx
      .select({ id: populationProfiles.id })
      .from(populationProfiles)
      .where(and(eq(populationProfiles.organisationId, organisationId), eq(populationProfiles.id, id)))
    if (found.length === 0) return false
    await tx.update(populationProfiles).set({ isDefault: false }).where(eq(populationProfiles.organisationId, organisationId))
    await tx
      .update(populationProfiles)
      .set({ isDefault: true })
      .where(and(eq(populationProfiles.organisationId, organisationId), eq(populationProfiles.id, id)))
    return true
  })
}

/**
 * The segment names the organisation's surveys record (segment questions and URL segments): the variables a
 * population profile can rake on. Reads survey metadata, never responses.
 */
export async function listSegmentNames(db: Database, organisationId: string): Promise<string[]> {
  const rows = await db.select({ metadata: surveys.draftMetadata }).from(surveys).where(eq(surveys.organisationId, organisationId))
  const names = new Set<string>()
  for (const { metadata } of rows) {
    const m = (metadata ?? {}) as { segments?: unknown; urlSegments?: unknown }
    if (Array.isArray(m.segments)) for (const s of m.segments) if (typeof s?.question === 'string') names.add(s.question)
    if (Array.isArray(m.urlSegments)) for (const u of m.urlSegments) if (typeof u?.param === 'string') names.add(u.param)
  }
  return [...names].sort()
}
