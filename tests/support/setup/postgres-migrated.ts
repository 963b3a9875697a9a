// Global set-up of the `pg` project: one migrated PostgreSQL template (tests/support/postgres-template.ts).
import { templateSetup } from '../postgres-template.ts'

export default templateSetup({ seedDemo: false })
