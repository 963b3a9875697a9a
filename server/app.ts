import path from 'node:path'
import compression from 'compression'
import express, { type ErrorRequestHandler, type RequestHandler } from 'express'
import type { Env } from '../app/env.server.ts'
import { log, logError } from '../app/utils/logger.server.ts'
import { applySecurityHeaders, checkOrigin, newNonce } from '../app/utils/http-guards.server.ts'
import { passwordHashingSaturated } from '../db/passwords.ts'
import { bodyLimit } from './body-limit.ts'

const ALLOWED_METHODS = new Set(['GET', 'HEAD', 'POST'])

/** Posts that hash a password: sign-in, joining by invitation, setting a new password (any case, any slashes). */
const HASHING_POSTS = /^\/(login|invite\/[^/]+|reset-password(\/[^/]*)?)\/?$/i

const BUSY_PAGE =
  '<!doctype html><html lang="en"><meta charset="utf-8"><title>Busy – CSE Insight</title>' +
  '<main><h1>Sign-in is busy just now</h1><p>Wait a few seconds, then go back and try again.</p></main></html>'

/**
 * The Express app in front of the Remix build, without the build: `server/start.ts` passes the Remix handler
 * (server/remix-handler.ts), and tests pass their own handler to exercise the same middleware in-process.
 * Order matters: the access log first (it sees every answer), then headers, the allowed methods and the body
 * limit (so an oversized body is refused before anything reads it), then the Origin check, compression, static files and the app.
 */
export function createServerApp(options: {
  env: Pick<Env, 'PUBLIC_ORIGIN' | 'TRUST_PROXY'>
  handler: RequestHandler
  clientRoot?: string
}): express.Express {
  const { env } = options
  const app = express()
  app.disable('x-powered-by')
  // Client addresses (req.ip) come from X-Forwarded-For only through the proxies TRUST_PROXY names.
  app.set('trust proxy', env.TRUST_PROXY)
  app.use((req, res, next) => {
    const started = performance.now()
    res.on('finish', () => {
      // A path that matched nothing is whatever someone typed or pasted: log that it was not found, not what it
      // was. Other paths are logged without their query string and with tokens redacted (utils/logger.server.ts).
      const loggedPath = res.statusCode === 404 ? '(not found)' : req.path
      log('info', {
        event: 'http',
        method: req.method,
        path: loggedPath,
        status: res.statusCode,
        durationMs: Math.round(performance.now() - started),
      })
    })
    next()
  })
  app.use((req, res, next) => {
    res.locals.cspNonce = newNonce()
    applySecurityHeaders(req.path, res.locals.cspNonce as string, (name, value) => res.setHeader(name, value))
    next()
  })
  // The app answers GET, HEAD and POST only (forms, pages, the JSON API: docs/api.md). Anything else, TRACE
  // above all (ASVS 13.4.4: it would echo the request, cookies included), is refused here before any route
  // sees it.
  app.use((req, res, next) => {
    if (ALLOWED_METHODS.has(req.method)) return next()
    res.status(405).setHeader('Allow', 'GET, HEAD, POST').type('text/plain').send('Method not allowed.')
  })
  app.use(bodyLimit())
  // A sign-in flood beyond what password hashing can serve (db/passwords.ts) is refused here, before the body
  // is read, the database is asked or a page is rendered, so that it costs the public pages almost nothing.
  app.use((req, res, next) => {
    if (req.method !== 'POST' || !passwordHashingSaturated()) return next()
    if (!HASHING_POSTS.test(req.path.replace(/\/{2,}/g, '/'))) return next()
    res.status(503).setHeader('Retry-After', '5').type('text/html').send(BUSY_PAGE)
  })
  app.use((req, res, next) => {
    const refusal = checkOrigin({
      method: req.method,
      path: req.path,
      origin: req.get('origin'),
      secFetchSite: req.get('sec-fetch-site'),
      host: req.get('host'),
      publicOrigin: env.PUBLIC_ORIGIN,
    })
    if (refusal) {
      res.status(403).type('text/plain').send(refusal)
      return
    }
    next()
  })
  // Respondents are often on slow phones: gzip the pages, scripts and styles (about 4x smaller). Small JSON
  // answers from the API stay under the 1 KiB threshold and are sent as they are.
  app.use(
    compression({
      // Progress streams (import) must reach the page line by line, not in gzip-sized blocks; API answers are a
      // few bytes, streamed without a length, and would only pay zlib's set-up on the submission hot path.
      filter: (req, res) =>
        !req.path.startsWith('/api/') &&
        !/ndjson|event-stream/.test(String(res.getHeader('Content-Type') ?? '')) &&
        compression.filter(req, res),
    }),
  )
  if (options.clientRoot) {
    app.use('/assets', express.static(path.join(options.clientRoot, 'assets'), { immutable: true, maxAge: '1y' }))
    app.use(express.static(options.clientRoot, { maxAge: '1h' }))
  }
  app.all('*', options.handler)
  // Express's own error handler prints the stack to the console; this one logs the error's name and code.
  const onError: ErrorRequestHandler = (error, req, res, next) => {
    void next
    const status = (error as { status?: unknown }).status
    if (status === 413 || (error as { code?: unknown }).code === 'body_too_large') {
      if (!res.headersSent) res.status(413).setHeader('Connection', 'close').type('text/plain').send('The request body is too large.')
      return
    }
    logError('request.error', error, { method: req.method, path: req.path })
    if (res.headersSent) {
      res.destroy()
      return
    }
    res.status(500).type('text/plain').send('Something went wrong.')
  }
  app.use(onError)
  return app
}
