/**
 * npm run org:create -- --name "Borsetshire Council" --slug borsetshire --admin-email it.lead@borsetshire.gov.uk
 *
 * For a platform operator: creates an organisation and a one-time invitation for its first admin, and prints
 * the link (never a password): the admin opens it and chooses their own password (app/routes/invite.$token.tsx).
 * The link starts with PUBLIC_ORIGIN, else http://localhost:PORT. It opens the database the server would
 * (DATABASE_URL, else PGlite in PGLITE_DIR; an optional .env is read) and migrates it first. The same action
 * is on /operator/organisations (app/services/organisations.server.ts).
 * Exit code 0 = created, 2 = invalid input or the slug is taken, 1 = failed.
 */
import { existsSync } from 'node:fs'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { getEnv } from '#app/env.server.ts'
import { createOrganisationWithAdmin, FIRST_ADMIN_INVITATION_DAYS } from '#app/services/organisations.server.ts'
import { openDatabase } from '#db/client.ts'

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: { name: { type: 'string' }, slug: { type: 'string' }, 'admin-email': { type: 'string' } },
    strict: true,
  })
  const envFile = path.join(process.cwd(), '.env')
  if (existsSync(envFile)) process.loadEnvFile(envFile)
  const env = getEnv()
  const handle = await openDatabase({ url: env.DATABASE_URL, pgliteDir: env.PGLITE_DIR, poolMax: 2 })
  try {
    await handle.migrate()
    const result = await createOrganisationWithAdmin(
      handle.db,
      { name: values.name ?? '', slug: values.slug ?? '', adminEmail: values['admin-email'] ?? '' },
      { operatorUserId: null, origin: env.PUBLIC_ORIGIN ?? `http://localhost:${env.PORT}`, via: 'cli' },
    )
    if (!result.ok) {
      for (const [field, message] of Object.entries(result.errors)) console.error(`--${field === 'adminEmail' ? 'admin-email' : field}: ${message}`)
      console.error('Usage: npm run org:create -- --name "Organisation name" --slug short-name --admin-email first.admin@example.org')
      return 2
    }
    console.log(`Created the organisation "${result.name}" (${result.slug}).`)
    console.log(`Send this one-time link to its first admin, ${result.adminEmail}. It works once, for ${FIRST_ADMIN_INVITATION_DAYS} days,`)
    console.log('and is shown only now; they choose their own password when they open it:')
    console.log(`  ${result.inviteLink}`)
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
    console.error(`org:create failed: ${error instanceof Error ? error.message : String(error)}`)
    process.exitCode = 1
  },
)
