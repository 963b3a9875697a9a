// Global set-up of the `browser` project: one migrated PostgreSQL template holding the demo
// (tests/support/postgres-template.ts), copied by tests/support/server.ts for each test server.
import { templateSetup } from '../postgres-template.ts'

export default templateSetup({ seedDemo: true })
