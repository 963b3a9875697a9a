import { openDatabase, type Database, type DatabaseHandle } from '#db/client.ts'
import { seedDemo } from '#db/seed.ts'
import { getEnv } from '#app/env.server.ts'
import { log, logError } from '#app/utils/logger.server.ts'

declare global {
  // One database per process, shared by the server entry and the Remix bundle (two module copies) and
  // surviving Vite's module reloads in development.
  var __cseDatabase: Promise<DatabaseHandle> | undefined
}

export function getDatabaseHandle(): Promise<DatabaseHandle> {
  globalThis.__cseDatabase ??= (async () => {
    const env = getEnv()
    const handle = await openDatabase({
      url: env.DATABASE_URL,
      pgliteDir: env.PGLITE_DIR,
      poolMax: env.DATABASE_POOL_MAX,
      onPoolError: (error) => logError('db.pool_error', error),
    })
    await handle.migrate()
    log('info', { event: 'db.ready', driver: handle.driver })
    if (env.SEED_DEMO) {
      const seeded = await seedDemo(handle.db)
      log('info', { event: 'db.seed', seeded })
    }
    return handle
  })().catch((error) => {
    globalThis.__cseDatabase = undefined
    throw error
  })
  return globalThis.__cseDatabase
}

export async function getDb(): Promise<Database> {
  return (await getDatabaseHandle()).db
}

export async function closeDatabase(): Promise<void> {
  const pending = globalThis.__cseDatabase
  globalThis.__cseDatabase = undefined
  if (pending) await (await pending).close()
}
