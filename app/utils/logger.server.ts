import pino from 'pino'

/**
 * Structured JSON logging through pino (docs/decisions/010-pino-structured-logging.md), with an allow-list of
 * fields as pino's `log` formatter. Request bodies, answers, tokens, cookies, e-mail addresses and query strings
 * are never logged: only the fields named below ever reach the output, `path` is always passed through
 * `redactPath`, and every other value is dropped. In the production server, console.* from Remix, React Router
 * and Express goes through the same logger (`routeConsoleThroughLogger`), so no line bypasses the allow-list.
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
  'limit',
])

/** Path segments that follow these (compared case-insensitively, after percent-decoding) are secrets. */
const SECRET_AFTER = new Set(['invite'])

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment)
  } catch {
    return segment
  }
}

/**
 * A path as it may be logged: no query string or fragment, runs of slashes collapsed, and any secret path
 * segment (the staff invitation token in /invite/:token) replaced by its parameter name, whatever its case or
 * percent-encoding (`/INVITE/x`, `//invite/x` and `/%69nvite/x` are all served by the same route).
 */
export function redactPath(path: string): string {
  const bare = path.split(/[?#]/, 1)[0]!.replace(/\/{2,}/g, '/')
  const segments = bare.split('/')
  for (let i = 1; i < segments.length; i++) {
    if (SECRET_AFTER.has(decodeSegment(segments[i - 1]!).toLowerCase()) && segments[i] !== '') segments[i] = ':token'
  }
  return segments.join('/')
}

/** pino's `log` formatter: keep allow-listed fields with primitive values, redact `path`, drop the rest. */
export function allowListedFields(fields: Record<string, unknown>): Record<string, unknown> {
  const entry: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(fields)) {
    if (!ALLOWED_FIELDS.has(key)) continue
    if (key === 'path' && typeof value === 'string') entry[key] = redactPath(value)
    else if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') entry[key] = value
  }
  return entry
}

type Level = 'debug' | 'info' | 'warn' | 'error'
const LEVELS = ['debug', 'info', 'warn', 'error', 'silent'] as const

function configuredLevel(): (typeof LEVELS)[number] {
  const level = process.env.LOG_LEVEL as (typeof LEVELS)[number] | undefined
  return level && LEVELS.includes(level) ? level : 'info'
}

/** One logger per module copy (the server entry and the Remix bundle each hold one), both on fd 1 and 2. */
function createLogger(): pino.Logger {
  return pino(
    {
      level: configuredLevel(),
      base: undefined,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: {
        level: (label) => ({ level: label }),
        log: allowListedFields,
      },
    },
    // Debug and info to stdout, warnings and errors to stderr (each line to one stream only). process.stdout
    // and process.stderr write synchronously to files and pipes on Linux, so a line logged just before an exit
    // is not lost.
    pino.multistream(
      [
        { level: 'debug', stream: { write: (line: string) => process.stdout.write(line) } },
        { level: 'warn', stream: { write: (line: string) => process.stderr.write(line) } },
      ],
      { dedupe: true },
    ),
  )
}

let logger: pino.Logger | undefined

export function log(level: Level, fields: Record<string, unknown>): void {
  logger ??= createLogger()
  // LOG_LEVEL is read at each call (a string comparison) so a test or an operator's change takes effect.
  const wanted = configuredLevel()
  if (logger.level !== wanted) logger.level = wanted
  logger[level](fields)
}

/** Log an error by its name and code only: messages can quote user input (e.g. a constraint's values). */
export function logError(event: string, error: unknown, fields: Record<string, unknown> = {}): void {
  const e = error as { name?: unknown; code?: unknown } | undefined
  log('error', {
    event,
    errorName: typeof e?.name === 'string' ? e.name : typeof error,
    errorCode: typeof e?.code === 'string' || typeof e?.code === 'number' ? e.code : undefined,
    ...fields,
  })
}

/**
 * What a console line from a library was about, without its text (React Router's "No routes matched location"
 * quotes the full URL, query string and all; Express's error handler prints stacks that may quote input).
 */
function classifyConsole(args: unknown[]): Record<string, unknown> {
  const text = args.filter((a): a is string => typeof a === 'string').join(' ')
  const error = args.find((a): a is Error => a instanceof Error)
  const reason = /No routes matched location/i.test(text)
    ? 'no_route_matched'
    : /You made a (POST|PUT|PATCH|DELETE) request to .* but did not provide an `action`/i.test(text)
      ? 'no_action'
      : error
        ? 'error'
        : 'unclassified'
  const code = (error as { code?: unknown } | undefined)?.code
  return {
    event: 'console',
    reason,
    errorName: error?.name,
    errorCode: typeof code === 'string' || typeof code === 'number' ? code : undefined,
  }
}

/**
 * Send console.log/info/debug/trace/warn/error through the structured logger, keeping only what the line was
 * about. The production server calls this once at start (server/start.ts), so libraries cannot write a line
 * that escapes the allow-list. Deliberate human output (the start-up banner) is written to stdout directly.
 */
export function routeConsoleThroughLogger(): void {
  const routes: Array<[keyof Console, Level]> = [
    ['log', 'info'],
    ['info', 'info'],
    ['debug', 'debug'],
    ['trace', 'debug'],
    ['warn', 'warn'],
    ['error', 'error'],
  ]
  for (const [method, level] of routes) {
    ;(console as unknown as Record<string, (...args: unknown[]) => void>)[method] = (...args: unknown[]) =>
      log(level, classifyConsole(args))
  }
}
