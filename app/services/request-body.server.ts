/**
 * Strict reading of public request bodies (issue 12, finding 6: hostile input gave 500s or passed quietly).
 * Used by the JSON API (app/routes/api.v1.surveys.$slug.server.ts) and the no-JavaScript form
 * (app/routes/s.$slug.server.ts). Every refusal here is a 4xx decided before anything is stored:
 *  - invalid UTF-8 is refused (400), never replaced by U+FFFD, whether raw or percent-encoded in a form;
 *  - JSON nested deeper than {@link MAX_JSON_DEPTH} is refused (400) before it is parsed, so no recursive step
 *    (parsing, validation, serialising to the database) ever sees it;
 *  - a `__proto__` key anywhere in JSON is refused: 422 inside `answers` (it used to be dropped silently, and a
 *    partial response stored), 400 elsewhere;
 *  - a form field whose name is a property of Object.prototype (`__proto__`, `constructor`, `toString`, …) is
 *    refused (400): no question, segment or form field of ours is called that.
 */

/** No answer, segment or draft of ours nests deeper than a few levels (a matrix answer is 3). */
export const MAX_JSON_DEPTH = 32

const RESERVED_NAMES = new Set([...Object.getOwnPropertyNames(Object.prototype), '__proto__', 'prototype'])

/** Whether a key could reach or shadow an object's prototype machinery. */
export function isReservedName(name: string): boolean {
  return RESERVED_NAMES.has(name)
}

/** The body's bytes, or null as soon as it passes `max` bytes (a chunked upload cannot make us buffer more). */
export async function readBodyBytesCapped(request: Request, max: number): Promise<Uint8Array | null> {
  if (!request.body) return new Uint8Array(0)
  const reader = request.body.getReader()
  const chunks: Uint8Array[] = []
  let size = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    size += value.byteLength
    if (size > max) {
      await reader.cancel().catch(() => undefined)
      return null
    }
    chunks.push(value)
  }
  return Buffer.concat(chunks)
}

/** UTF-8 text, or null when the bytes are not well-formed UTF-8 (overlong forms and encoded surrogates included). */
export function decodeUtf8Strict(bytes: Uint8Array): string | null {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes)
  } catch {
    return null
  }
}

/** Whether JSON text nests arrays and objects deeper than `max`; a linear scan that skips string contents. */
export function jsonNestsDeeperThan(text: string, max: number): boolean {
  let depth = 0
  let inString = false
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (inString) {
      if (c === 0x5c) i++ // backslash: skip the escaped character
      else if (c === 0x22) inString = false
    } else if (c === 0x22) inString = true
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > max) return true
    } else if (c === 0x7d || c === 0x5d) depth--
  }
  return false
}

/** The path of the first `__proto__` key in a parsed JSON value, or null. The value is already depth-checked. */
function findProtoKey(value: unknown, path: string[]): string[] | null {
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = findProtoKey(value[i], [...path, String(i)])
      if (found) return found
    }
    return null
  }
  if (typeof value !== 'object' || value === null) return null
  for (const key of Object.keys(value)) {
    if (key === '__proto__') return [...path, key]
    const found = findProtoKey((value as Record<string, unknown>)[key], [...path, key])
    if (found) return found
  }
  return null
}

export type StrictJson =
  | { ok: true; value: unknown }
  | { ok: false; status: 400 | 422; error: string; message: string; problems?: Array<{ question: string; message: string }> }

/** Parse a JSON body strictly: well-formed UTF-8, at most {@link MAX_JSON_DEPTH} deep, no `__proto__` keys. */
export function parseJsonStrict(bytes: Uint8Array): StrictJson {
  const text = decodeUtf8Strict(bytes)
  if (text === null) return { ok: false, status: 400, error: 'invalid_encoding', message: 'The body is not valid UTF-8.' }
  if (jsonNestsDeeperThan(text, MAX_JSON_DEPTH)) {
    return { ok: false, status: 400, error: 'too_deep', message: `The body nests deeper than ${MAX_JSON_DEPTH} levels.` }
  }
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    return { ok: false, status: 400, error: 'malformed_json', message: 'The body is not valid JSON.' }
  }
  const proto = findProtoKey(value, [])
  if (proto) {
    if (proto[0] === 'answers') {
      const question = proto.slice(1).join('.')
      return {
        ok: false,
        status: 422,
        error: 'invalid_answers',
        message: 'Some answers are not valid.',
        problems: [{ question, message: `"__proto__" is not a question or answer of this survey (at answers.${question})` }],
      }
    }
    return { ok: false, status: 400, error: 'bad_request', message: `"__proto__" is not allowed in the body (at ${proto.join('.')}).` }
  }
  return { ok: true, value }
}

export type StrictForm = { ok: true; fields: Array<[string, string]> } | { ok: false; status: 400 | 413 | 415; message: string }

const FORM_TYPE = 'application/x-www-form-urlencoded'

/**
 * Read an HTML form post strictly: only `application/x-www-form-urlencoded` (the type a plain `<form
 * method="post">` sends; multipart and JSON get 415), at most `max` bytes (413), well-formed UTF-8 both in
 * the raw bytes and after percent-decoding (400), and no field named after a prototype property (400).
 */
export async function readFormStrict(request: Request, max: number): Promise<StrictForm> {
  const type = (request.headers.get('Content-Type') ?? '').split(';')[0]!.trim().toLowerCase()
  if (type !== FORM_TYPE) return { ok: false, status: 415, message: `The form must be sent as ${FORM_TYPE}.` }
  const bytes = await readBodyBytesCapped(request, max)
  if (bytes === null) return { ok: false, status: 413, message: 'The form is too large.' }
  const text = decodeUtf8Strict(bytes)
  if (text === null) return { ok: false, status: 400, message: 'The form is not valid UTF-8.' }
  const fields: Array<[string, string]> = []
  for (const pair of text.split('&')) {
    if (pair === '') continue
    const eq = pair.indexOf('=')
    const name = percentDecodeStrict(eq === -1 ? pair : pair.slice(0, eq))
    const value = percentDecodeStrict(eq === -1 ? '' : pair.slice(eq + 1))
    if (name === null || value === null) return { ok: false, status: 400, message: 'The form is not valid UTF-8.' }
    const bare = name.startsWith('segment.') ? name.slice('segment.'.length) : name
    if (isReservedName(name) || isReservedName(bare)) return { ok: false, status: 400, message: `The form has a field this survey does not use.` }
    fields.push([name, value])
  }
  return { ok: true, fields }
}

/** application/x-www-form-urlencoded decoding (`+` is a space, `%XX` a byte), refusing bytes that are not UTF-8. */
function percentDecodeStrict(text: string): string | null {
  const spaced = text.replace(/\+/g, ' ')
  if (!spaced.includes('%')) return spaced
  const bytes: number[] = []
  const encoder = new TextEncoder()
  for (let i = 0; i < spaced.length; i++) {
    const c = spaced[i]!
    if (c === '%' && /^[0-9a-fA-F]{2}$/.test(spaced.slice(i + 1, i + 3))) {
      bytes.push(parseInt(spaced.slice(i + 1, i + 3), 16))
      i += 2
    } else {
      const code = spaced.codePointAt(i)!
      const char = String.fromCodePoint(code)
      if (code > 0xffff) i++ // a surrogate pair is one character
      bytes.push(...encoder.encode(char))
    }
  }
  return decodeUtf8Strict(Uint8Array.from(bytes))
}
