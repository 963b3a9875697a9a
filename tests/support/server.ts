import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import pg from 'pg'
import { randomBytes } from 'node:crypto'
import { postgresTemplate } from './database.ts'

/**
 * Start the real production server (`server/start.ts`, the same entry as `npm start`) on a free port, with a
 * fresh database: a new PostgreSQL database when TEST_DATABASE_URL is set, else a PGlite directory in /tmp.
 * The build must exist (`npm run build`); the server builds it itself if it is missing. The entry runs as
 * `npm run build` compiled it (see {@link serverEntry}) when that is up to date, else through tsx.
 */
export interface TestServer {
  url: string
  port: number
  databaseUrl?: string
  pgliteDir?: string
  /** Everything the process wrote to stdout and stderr, for log assertions. */
  logs(): string
  process: ChildProcess
  stop(): Promise<void>
  /** SIGKILL, as in a crash. */
  kill(): Promise<void>
}

function newestMtime(dir: string): number {
  if (!existsSync(dir)) return 0
  let newest = 0
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name)
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(full) : statSync(full).mtimeMs)
  }
  return newest
}

let entry: string[] | undefined
/**
 * How to run server/start.ts: `build/server-start.js`, the same module graph bundled by `npm run build` (esbuild,
 * packages left external), when it is newer than every source it could hold; else the source through tsx.
 * tsx's loader hooks see every module the server imports, which cost 2–4 s of each start on a busy 2-core
 * machine (4.4–4.8 s against 6.8–8.9 s to /healthz, docs/benchmarks.md "Server start"), and the browser suite
 * starts about 30 servers.
 */
export function serverEntry(): string[] {
  if (entry) return entry
  const root = process.cwd()
  const compiled = path.join(root, 'build/server-start.js')
  const sources = Math.max(
    ...['server', 'app', 'db', 'analysis', 'survey-templates'].map((d) => newestMtime(path.join(root, d))),
    statSync(path.join(root, 'package.json')).mtimeMs,
  )
  entry = existsSync(compiled) && statSync(compiled).mtimeMs >= sources ? [compiled] : ['--import', 'tsx', 'server/start.ts']
  return entry
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer()
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address()
      if (address && typeof address === 'object') {
        const port = address.port
        srv.close(() => resolve(port))
      } else reject(new Error('no port'))
    })
  })
}

/**
 * A new PostgreSQL database on the server of `adminUrl`: empty, or a copy of `template` (the browser project's
 * migrated and seeded template, tests/support/postgres-template.ts).
 */
export async function createFreshPostgresDatabase(adminUrl: string, template?: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `cse_srv_${randomBytes(6).toString('hex')}`
  const c = new pg.Client({ connectionString: adminUrl })
  await c.connect()
  await c.query(`create database ${name}${template ? ` template ${template}` : ''}`)
  await c.end()
  const url = new URL(adminUrl)
  url.pathname = `/${name}`
  return {
    url: url.toString(),
    async drop() {
      const d = new pg.Client({ connectionString: adminUrl })
      await d.connect()
      await d.query(`drop database if exists ${name} with (force)`)
      await d.end()
    },
  }
}

export async function startTestServer(
  options: {
    env?: Record<string, string>
    databaseUrl?: string
    pgliteDir?: string
    port?: number
    /** Extra options for the server's node, e.g. `--cpu-prof` (bench/ingest/run.ts; NODE_OPTIONS refuses it). */
    nodeArgs?: string[]
  } = {},
): Promise<TestServer> {
  const port = options.port ?? (await freePort())
  let databaseUrl = options.databaseUrl
  let drop: (() => Promise<void>) | undefined
  let pgliteDir = options.pgliteDir
  if (!databaseUrl && !pgliteDir) {
    if (process.env.TEST_DATABASE_URL) {
      // A server that seeds the demo starts on a copy of the seeded template (its own seed step then finds
      // the demo there); one asked for an empty database (SEED_DEMO=false) gets a really empty one.
      const seeded = (options.env?.SEED_DEMO ?? 'true') === 'true'
      const fresh = await createFreshPostgresDatabase(process.env.TEST_DATABASE_URL, seeded ? postgresTemplate('seeded') : undefined)
      databaseUrl = fresh.url
      drop = fresh.drop
    } else {
      pgliteDir = mkdtempSync(path.join(tmpdir(), 'cse-pglite-'))
    }
  }
  let output = ''
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), ...serverEntry()], {
    cwd: process.cwd(),
    env: {
      ...process.env,
      NODE_ENV: 'production',
      PORT: String(port),
      DATABASE_URL: databaseUrl ?? '',
      PGLITE_DIR: pgliteDir ?? '',
      // The browser suites sign in as the demo admin; on PostgreSQL the demo is seeded only when asked
      // (app/env.server.ts SEED_DEMO). A test that wants an empty database passes SEED_DEMO: 'false'.
      SEED_DEMO: 'true',
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()))
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()))
  const url = `http://localhost:${port}`
  const deadline = Date.now() + 180_000
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}:\n${output}`)
    try {
      const res = await fetch(`${url}/healthz`)
      if (res.ok) break
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL')
      throw new Error(`server did not start in time:\n${output}`)
    }
    await new Promise((r) => setTimeout(r, 250))
  }
  const waitExit = () => new Promise<void>((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', () => resolve())))
  const cleanup = async () => {
    if (drop) await drop().catch(() => undefined)
    if (pgliteDir && !options.pgliteDir) rmSync(pgliteDir, { recursive: true, force: true })
  }
  return {
    url,
    port,
    databaseUrl,
    pgliteDir,
    logs: () => output,
    process: child,
    async stop() {
      child.kill('SIGTERM')
      await waitExit()
      await cleanup()
    },
    async kill() {
      child.kill('SIGKILL')
      await waitExit()
    },
  }
}
