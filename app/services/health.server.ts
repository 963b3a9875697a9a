import { sql } from 'drizzle-orm'
import { getDb } from '#app/utils/db.server.ts'

/** Liveness and database reachability, for load balancers: 200 when a trivial query answers, else 503. */
export async function checkHealth(): Promise<Response> {
  try {
    await (await getDb()).execute(sql`select 1`)
    return new Response('ok', { status: 200, headers: { 'Cache-Control': 'no-store' } })
  } catch {
    return new Response('database unavailable', { status: 503, headers: { 'Retry-After': '5', 'Cache-Control': 'no-store' } })
  }
}
