/**
 * npm run db:seed
 *
 * Opens the database the server would open (DATABASE_URL for PostgreSQL, else PGlite in PGLITE_DIR; an
 * optional .env is read as server/start.ts does), applies the migrations and seeds the demo organisation,
 * admin and survey with `seedDemo` from db/seed.ts, the same call the server makes at start when SEED_DEMO is
 * on (app/utils/db.server.ts; by default only on embedded PGlite, app/env.server.ts). Running this command is
 * asking for the demo, so it seeds on PostgreSQL too: never on a production database, whose demo admin password
 * is public. Idempotent: a database that already holds the demo organisation is left as it is.
 * Exit code 0 = seeded or already there, 1 = failed.
 */
import { existsSync } from 'node:fs'
import path from 'node:path'
import { getEnv } from '#app/env.server.ts'
import { openDatabase } from '#db/client.ts'
import { DEMO_ADMIN, DEMO_ORGANISATION, DEMO_SURVEY_SLUG, seedDemo } from '#db/seed.ts'

async function main(): Promise<number> {
  const envFile = path.join(process.cwd(), '.env')
  if (existsSync(envFile)) process.loadEnvFile(envFile)
  const env = getEnv()
  const handle = await openDatabase({ url: env.DATABASE_URL, pgliteDir: env.PGLITE_DIR, poolMax: env.DATABASE_POOL_MAX })
  try {
    await handle.migrate()
    const seeded = await seedDemo(handle.db)
    const where = handle.driver === 'pglite' ? `PGlite in ${env.PGLITE_DIR}` : 'PostgreSQL (DATABASE_URL)'
    console.log(
      seeded
        ? `Seeded the demo into ${where}: organisation "${DEMO_ORGANISATION.name}", survey /s/${DEMO_SURVEY_SLUG}, sign in as ${DEMO_ADMIN.email}.`
        : `The demo organisation "${DEMO_ORGANISATION.slug}" already exists in ${where}; nothing changed.`,
    )
    return 0
  } finally {
    await handle.close()
  }
}

main().then(
  (code) => {
    process.exitCode = code
  },
  (error: unknown) => {
    console.error(`db:seed failed: ${error instanceof Error ? error.message : String(error)}`)
    process.exitCode = 1
  },
)
