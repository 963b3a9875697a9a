import { checkHealth } from '#app/services/health.server.ts'

export async function loader() {
  return checkHealth()
}
