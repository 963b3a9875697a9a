import type { Readable } from 'node:stream'
import {
  createReadableStreamFromReadable,
  createRequestHandler as createRemixRequestHandler,
  writeReadableStreamToWritable,
  type AppLoadContext,
  type ServerBuild,
} from '@remix-run/node'
import type { NextFunction, Request as ExpressRequest, Response as ExpressResponse } from 'express'
import type { BodyLocals } from './body-limit.ts'

/**
 * The Express adapter for the Remix build. It is @remix-run/express's `createRequestHandler` (v2.17.5, MIT) with
 * two changes:
 *
 * 1. The route reads the request body through the byte counter that `bodyLimit` (server/body-limit.ts) put in
 *    `res.locals.body` when the body has no declared length, so a chunked upload cannot grow past its limit.
 * 2. A header that the server sets on every response (Content-Security-Policy, by `applySecurityHeaders`) is
 *    *replaced* when the route sets its own, not appended to. The stock adapter appends, which sent two CSP
 *    headers on the report export; browsers enforce both, so the stricter default blocked the report's own
 *    styles (issue 12, finding 7). Other headers are appended as before (several Set-Cookie lines, for example).
 * 3. A respondent's submission (`POST /api/v1/surveys/:slug/responses`, the hot path of docs/benchmarks.md,
 *    "Ingest") goes straight to its route module's action, with what Remix would pass it: the request, `{ slug }`
 *    and the load context. Remix matches every request by flattening and ranking the whole route table twice
 *    (`matchServerRoutes`, then the static handler's `queryRoute`), which had grown to about a sixth of a
 *    submission's CPU time with the routes added since November. Only a path that needs no decoding is taken
 *    (a slug of letters, digits, `-` and `_`, no trailing slash, exact case); any other path, and every other
 *    method, goes through Remix as before, and so reaches the same action or its 405.
 */
const REPLACED_HEADERS = new Set(['content-security-policy'])

export const SUBMISSION_ROUTE_ID = 'routes/api.v1.surveys.$slug.responses'
const SUBMISSION_PATH = /^\/api\/v1\/surveys\/([A-Za-z0-9_-]{1,200})\/responses$/

type RouteAction = (args: { request: Request; params: Record<string, string>; context: AppLoadContext }) => Promise<unknown>

/** The slug when this request is a submission the fast path takes (above), else null. */
export function submissionSlug(method: string, path: string): string | null {
  return method === 'POST' ? (SUBMISSION_PATH.exec(path)?.[1] ?? null) : null
}

export function createRequestHandler(options: {
  build: ServerBuild
  getLoadContext: (req: ExpressRequest, res: ExpressResponse) => AppLoadContext
  mode?: string
}) {
  const handleRequest = createRemixRequestHandler(options.build, options.mode ?? process.env.NODE_ENV)
  const submissionAction = options.build.routes[SUBMISSION_ROUTE_ID]?.module.action as RouteAction | undefined
  return async (req: ExpressRequest, res: ExpressResponse, next: NextFunction) => {
    try {
      const request = toFetchRequest(req, res)
      const context = options.getLoadContext(req, res)
      const slug = submissionAction ? submissionSlug(req.method, req.path) : null
      const response = slug !== null ? await callAction(submissionAction!, request, { slug }, context) : await handleRequest(request, context)
      // bodyLimit may already have answered 413 while the route was reading.
      if (res.headersSent) {
        await response.body?.cancel().catch(() => undefined)
        return
      }
      await sendResponse(res, response)
    } catch (error) {
      next(error)
    }
  }
}

/** A route action called as Remix calls it for a resource route: a thrown Response is the answer, as in Remix. */
async function callAction(action: RouteAction, request: Request, params: Record<string, string>, context: AppLoadContext): Promise<Response> {
  try {
    const result = await action({ request, params, context })
    if (result instanceof Response) return result
    throw new Error(`The action of ${SUBMISSION_ROUTE_ID} answered something other than a Response`)
  } catch (thrown) {
    if (thrown instanceof Response) return thrown
    throw thrown
  }
}

function toFetchRequest(req: ExpressRequest, res: ExpressResponse): Request {
  // As the stock adapter: req.hostname and req.protocol honour the 'trust proxy' setting; the port comes from
  // X-Forwarded-Host or Host.
  const portOf = (value: string | undefined) => Number.parseInt(value?.split(':')[1] ?? '', 10)
  const forwardedPort = portOf(req.get('X-Forwarded-Host'))
  const hostPort = portOf(req.get('host'))
  const port = Number.isSafeInteger(forwardedPort) ? forwardedPort : Number.isSafeInteger(hostPort) ? hostPort : ''
  const url = new URL(`${req.protocol}://${req.hostname}${port ? `:${port}` : ''}${req.originalUrl}`)
  let controller: AbortController | null = new AbortController()
  const headers = new Headers()
  for (const [key, values] of Object.entries(req.headers)) {
    if (values === undefined) continue
    if (Array.isArray(values)) for (const value of values) headers.append(key, value)
    else headers.set(key, values)
  }
  const init: RequestInit & { duplex?: 'half' } = { method: req.method, headers, signal: controller.signal }
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    const body = ((res.locals as BodyLocals).body ?? req) as Readable
    init.body = createReadableStreamFromReadable(body)
    init.duplex = 'half'
  }
  // Abort loaders and actions once the response can no longer be written (closed before it finished).
  res.on('finish', () => (controller = null))
  res.on('close', () => controller?.abort())
  return new Request(url.href, init)
}

export async function sendResponse(res: ExpressResponse, response: Response): Promise<void> {
  res.statusMessage = response.statusText
  res.status(response.status)
  for (const [key, value] of response.headers.entries()) {
    if (REPLACED_HEADERS.has(key.toLowerCase())) res.setHeader(key, value)
    else res.append(key, value)
  }
  if (/text\/event-stream/i.test(response.headers.get('Content-Type') ?? '')) res.flushHeaders()
  if (response.body) await writeReadableStreamToWritable(response.body, res)
  else res.end()
}
