import { existsSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { gzipSync } from 'node:zlib'

/**
 * Every script a page loads, read from its HTML and the built files: `<script src>`, `<link rel=modulepreload>`,
 * the inline module script's imports (Remix's manifest and route modules), then, recursively, every chunk those
 * import statically, and the chunks they import with `import()` (loaded later, still loaded). Sizes are of the
 * files in build/client, gzip level 9 (what the server's compression sends, at most).
 */
export interface PageScript {
  file: string
  how: 'script' | 'modulepreload' | 'inline import' | 'static import' | 'dynamic import'
  raw: number
  gzip: number
  /** Holds SurveyJS code (its licence banner names surveyjs.io). */
  surveyJs: boolean
}

const ASSET = /\/assets\/[\w.-]+\.js/g

export function pageScripts(html: string, clientDir = path.resolve('build/client')): PageScript[] {
  const found = new Map<string, PageScript['how']>()
  const add = (url: string, how: PageScript['how']) => {
    if (!found.has(url)) found.set(url, how)
  }
  for (const m of html.matchAll(/<script[^>]*\bsrc="([^"]+\.js)"/g)) add(m[1]!, 'script')
  for (const m of html.matchAll(/<link[^>]*rel="modulepreload"[^>]*href="([^"]+)"/g)) add(m[1]!, 'modulepreload')
  for (const m of html.matchAll(/<script[^>]*type="module"[^>]*>([\s\S]*?)<\/script>/g))
    for (const url of m[1]!.match(ASSET) ?? []) add(url, 'inline import')
  const queue = [...found.keys()]
  const out: PageScript[] = []
  while (queue.length > 0) {
    const url = queue.shift()!
    const file = path.join(clientDir, url)
    if (!existsSync(file)) throw new Error(`${url} is not in ${clientDir}: build first (npm run build)`)
    const bytes = readFileSync(file)
    const source = bytes.toString('utf8')
    out.push({ file: url, how: found.get(url)!, raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length, surveyJs: /surveyjs/i.test(source) })
    const dir = path.posix.dirname(url)
    const follow = (spec: string, how: PageScript['how']) => {
      const target = spec.startsWith('/') ? spec : path.posix.join(dir, spec)
      if (!found.has(target)) {
        found.set(target, how)
        queue.push(target)
      }
    }
    for (const m of source.matchAll(/(?:^|[;}\s])import\s*(?:[\w${}*,\s]+from\s*)?["']([^"']+\.js)["']/g)) follow(m[1]!, 'static import')
    for (const m of source.matchAll(/import\(\s*["']([^"']+\.js)["']\s*\)/g)) follow(m[1]!, 'dynamic import')
    // Vite's preload helper lists dependencies of dynamic imports as strings ("assets/x.js").
    for (const m of source.matchAll(/["'](assets\/[\w.-]+\.js)["']/g)) follow(`/${m[1]!}`, 'dynamic import')
  }
  return out
}
