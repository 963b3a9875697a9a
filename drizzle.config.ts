import { defineConfig } from 'drizzle-kit'

// `npm run db:generate` writes SQL migrations from db/schema.ts into db/migrations. They are committed and
// applied at start-up by the runtime migrator of whichever driver is in use (PGlite or node-postgres).
export default defineConfig({
  dialect: 'postgresql',
  schema: './db/schema.ts',
  out: './db/migrations',
})
