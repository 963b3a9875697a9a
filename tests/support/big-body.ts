import http from 'node:http'

/**
 * Send a large POST body in 64 KiB chunks until the server answers (or `totalBytes` are sent), without ever
 * holding more than one chunk: with `declaredLength` the request carries that Content-Length, otherwise it is
 * chunked. Returns the status, how many bytes went out before the answer, and the answer's text.
 */
export async function postUntilAnswered(
  url: string,
  options: { totalBytes: number; declaredLength?: number; headers?: Record<string, string>; contentType?: string },
): Promise<{ status: number; bytesSent: number; body: string; ms: number }> {
  const target = new URL(url)
  const chunk = Buffer.alloc(64 * 1024, 'a=b&')
  const started = performance.now()
  return new Promise((resolve, reject) => {
    let bytesSent = 0
    let answered = false
    const req = http.request({
      host: target.hostname,
      port: target.port,
      path: `${target.pathname}${target.search}`,
      method: 'POST',
      headers: {
        'Content-Type': options.contentType ?? 'application/x-www-form-urlencoded',
        Origin: target.origin,
        ...(options.declaredLength !== undefined ? { 'Content-Length': String(options.declaredLength) } : {}),
        ...options.headers,
      },
    })
    req.on('response', (res) => {
      answered = true
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (d: string) => (body += d))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, bytesSent, body, ms: performance.now() - started }))
      res.on('error', () => resolve({ status: res.statusCode ?? 0, bytesSent, body, ms: performance.now() - started }))
    })
    req.on('error', (error) => {
      if (!answered) reject(new Error(`${error.message} after sending ${bytesSent} bytes to ${target.pathname}`))
    })
    const pump = () => {
      while (!answered && bytesSent < options.totalBytes) {
        const piece = chunk.subarray(0, Math.min(chunk.length, options.totalBytes - bytesSent))
        bytesSent += piece.length
        if (!req.write(piece)) {
          req.once('drain', pump)
          return
        }
      }
      if (!answered) req.end()
    }
    pump()
  })
}
