import { desc, eq, sql } from 'drizzle-orm'
import type { Database } from '../client.ts'
import { memberships, organisations, users } from '../schema.ts'

/*
 * Platform operators (users.is_operator): the people who run an installation and create organisations with
 * their first admin (cli/create-organisation.ts, /operator/organisations). Being an operator gives no role in
 * any organisation: it reads only the organisations' names, slugs and member counts, never their data.
 */

/** Whether this user is a platform operator. */
export async function isOperator(db: Database, userId: string): Promise<boolean> {
  const rows = await db.select({ isOperator: users.isOperator }).from(users).where(eq(users.id, userId)).limit(1)
  return rows[0]?.isOperator === true
}

/** Make (or stop making) a user a platform operator. */
export async function setOperator(db: Database, userId: string, value: boolean): Promise<void> {
  await db.update(users).set({ isOperator: value }).where(eq(users.id, userId))
}

/** How many operators there are: a first start with none prints how to create one (server/start.ts). */
export async function countOperators(db: Database): Promise<number> {
  const rows = await db.select({ n: sql<number>`count(*)::int` }).from(users).where(eq(users.isOperator, true))
  return Number(rows[0]?.n ?? 0)
}

/** How many organisations there are. */
export async function countOrganisations(db: Database): Promise<number> {
  const rows = await db.select({ n: sql<number>`count(*)::int` }).from(organisations)
  return Number(rows[0]?.n ?? 0)
}

export interface OrganisationSummary {
  id: string
  slug: string
  name: string
  createdAt: Date
  members: number
  admins: number
}

/** Every organisation, newest first, with its member and admin counts. */
export async function listOrganisationSummaries(db: Database): Promise<OrganisationSummary[]> {
  const rows = await db
    .select({
      id: organisations.id,
      slug: organisations.slug,
      name: organisations.name,
      createdAt: organisations.createdAt,
      members: sql<number>`count(${memberships.userId})::int`,
      admins: sql<number>`count(${memberships.userId}) filter (where ${memberships.role} = 'admin')::int`,
    })
    .from(organisations)
    .leftJoin(memberships, eq(memberships.organisationId, organisations.id))
    .groupBy(organisations.id)
    .orderBy(desc(organisations.createdAt))
  return rows.map((r) => ({ ...r, members: Number(r.members), admins: Number(r.admins) }))
}
