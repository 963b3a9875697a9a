/**
 * Structured JSON logging with an allow-list of fields. Request bodies, answers, tokens, cookies, e-mail
 * addresses and query strings are never logged: only the fields named below ever reach the output, and
 * `path` must be given without its query string.
 */
const ALLOWED_FIELDS = new Set([
  'event',
  'method',
  'path',
  'status',
  'durationMs',
  'route',
  'surveyId',
  'organisationId',
  'userId',
  'responseId',
  'count',
  'errorName',
  'errorCode',
  'port',
  'driver',
  'migrations',
  'seeded',
  'signal',
  'reason',
])

/**
 * A path as it may be logged: no query string, and secret path segments (staff invitation tokens in
 * /invite/:token) replaced by their parameter name.
 */
export function redactPath(path: string): string {
  return path.split('?')[0]!.replace(/^\/invite\/[^/]+/, '/invite/:token')
}

type Level = 'debug' | 'info' | 'warn' | 'error'
const ORDER: Record<Level | 'silent', number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 }

function threshold(): number {
  const level = (process.env.LOG_LEVEL ?? 'info') as Level | 'silent'
  return ORDER[level] ?? ORDER.info
}

export function log(level: Level, fields: Record<string, unknown>): void {
  if (ORDER[level] < threshold()) return
  const entry: Record<string, unknown> = { time: new Date().toISOString(), level }
  for (const [key, value] of Object.entries(fields)) {
    if (!ALLOWED_FIELDS.has(key)) continue
    if (key === 'path' && typeof value === 'string') entry[key] = redactPath(value)
    else if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') entry[key] = value
  }
  const line = JSON.stringify(entry)
  if (level === 'error' || level === 'warn') process.stderr.write(line + '\n')
  else process.stdout.write(line + '\n')
}

/** Log an error by its name and code only: messages can quote user input (e.g. a constraint's values). */
export function logError(event: string, error: unknown, fields: Record<string, unknown> = {}): void {
  const e = error as { name?: string; code?: string } | undefined
  log('error', { event, errorName: e?.name ?? typeof error, errorCode: e?.code, ...fields })
}
