import { Transform, type TransformCallback } from 'node:stream'
import type { NextFunction, Request, Response } from 'express'

/**
 * Request body limits, applied to every request before any route sees it (issue 12, finding 1: a 300 MB POST
 * to /s/demo took the server to 3.2 GB because the route buffered the whole body in `request.formData()`).
 *
 * - A declared Content-Length over the route's limit is refused with 413 at once, without reading the body.
 * - A body without a length (chunked) is counted as it streams to the route; as soon as it passes the limit
 *   the server answers 413 and closes the connection, so at most `limit` bytes (plus one socket buffer) are
 *   ever held.
 * - After a 413 at most 32 MiB more (or 2 s) of the body is read and discarded, so the client sees the answer
 *   before the connection is closed (a lingering close); a chunked upload that was not refused also closes its
 *   connection afterwards (`Connection: close`), so Node never drains an unread remainder.
 *
 * The limits are per route family: uploads that staff make on purpose (CSV imports, survey JSON, population
 * files) get room for their own documented caps plus multipart overhead; everything else, including every
 * public and sign-in route, gets a small limit that no legitimate form comes near.
 */
const KIB = 1024
const MIB = 1024 * KIB

export const BODY_LIMITS = {
  /** CSV import: the route's own cap is 50 MB (app/routes/app.surveys.$surveyId.import.server.ts). */
  import: 51 * MIB,
  /** Survey JSON import: the route caps the file at 2 MB (app/routes/app.surveys.import-json.server.ts). */
  surveyJson: 3 * MIB,
  /** Population profile upload: the route caps the file at 1 MB (app/routes/app.settings.population.server.ts). */
  population: 2 * MIB,
  /** Other staff forms (builder edits, settings). */
  staff: 1 * MIB,
  /** Public pages, the JSON API (64 KiB per submission, app/services/submission-schema.ts), sign-in and invitations. */
  public: 128 * KIB,
} as const

export function bodyLimitFor(path: string): number {
  if (/^\/app\/surveys\/[^/]+\/import(\/stream)?\/?$/.test(path)) return BODY_LIMITS.import
  if (/^\/app\/surveys\/import-json\/?$/.test(path)) return BODY_LIMITS.surveyJson
  if (/^\/app\/settings\/population\/?$/.test(path)) return BODY_LIMITS.population
  if (path === '/app' || path.startsWith('/app/')) return BODY_LIMITS.staff
  return BODY_LIMITS.public
}

/** The body as routes should read it: `res.locals.body` when it is being counted, else the request itself. */
export type BodyLocals = { body?: NodeJS.ReadableStream }

/** How much of a refused body is read and thrown away, at most, so the client sees the 413 (below). */
const LINGER_BYTES = 32 * MIB
const LINGER_MS = 2_000

function refuse(req: Request, res: Response, limit: number): void {
  if (res.headersSent) {
    res.destroy()
    return
  }
  // No `Connection: close` here: Node would close the socket as soon as the answer is written, while the
  // client is still sending. linger() closes it a moment later instead.
  res.removeHeader('Connection')
  const message = `The request body is over the limit of ${limit} bytes.`
  if (req.path.startsWith('/api/')) res.status(413).json({ error: 'too_large', message })
  else res.status(413).type('text/plain').send(message)
  linger(req)
}

/**
 * A lingering close: closing a socket while the client is still sending makes the kernel answer with a reset,
 * which can destroy the 413 before the client reads it. So a little more of the body is read and discarded
 * (nothing is kept), then the connection is closed: after LINGER_BYTES or LINGER_MS, whichever comes first.
 */
function linger(req: Request): void {
  const socket = req.socket
  let drained = 0
  const close = () => socket.destroy()
  const timer = setTimeout(close, LINGER_MS)
  timer.unref()
  socket.once('close', () => clearTimeout(timer))
  req.on('data', (chunk: Buffer) => {
    drained += chunk.length
    if (drained > LINGER_BYTES) close()
  })
  req.resume()
}

/** A pass-through that fails once more than `limit` bytes have gone through it. */
class CountingStream extends Transform {
  private seen = 0
  constructor(
    private readonly limit: number,
    private readonly onOverflow: () => void,
  ) {
    super()
  }
  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.seen += chunk.length
    if (this.seen > this.limit) {
      this.onOverflow()
      callback(Object.assign(new Error('Request body too large'), { status: 413, code: 'body_too_large' }))
      return
    }
    callback(null, chunk)
  }
}

export function bodyLimit(limitFor: (path: string) => number = bodyLimitFor) {
  return (req: Request, res: Response, next: NextFunction): void => {
    if (req.method === 'GET' || req.method === 'HEAD') return next()
    const limit = limitFor(req.path)
    const declared = req.headers['content-length']
    if (declared !== undefined) {
      const length = Number(declared)
      if (!Number.isSafeInteger(length) || length < 0) {
        res.setHeader('Connection', 'close')
        res.status(400).type('text/plain').send('Bad Content-Length.')
        return
      }
      if (length > limit) return refuse(req, res, limit)
      return next()
    }
    if (req.headers['transfer-encoding'] === undefined) return next()
    // No length given: count the bytes on their way to the route, and close the connection afterwards so a
    // refused or unread remainder is never drained.
    res.setHeader('Connection', 'close')
    const counted = new CountingStream(limit, () => {
      req.unpipe(counted)
      refuse(req, res, limit)
    })
    req.pipe(counted)
    ;(res.locals as BodyLocals).body = counted
    next()
  }
}
