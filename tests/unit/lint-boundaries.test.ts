import { existsSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { ESLint } from 'eslint'
import { beforeAll, describe, expect, it } from 'vitest'

/*
 * The module boundaries of eslint.config.js (issue 11, section 4), fed to ESLint as a developer would write
 * them: every alias form (`#app/…`, `#db/…`, `#templates/…`, `#tests/…`) and every relative form, in every
 * import syntax. Before this test, the boundary patterns started with `#`, which gitignore syntax reads as a
 * comment, so none of the alias imports below was reported.
 */
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
const RULE = 'boundaries/module-boundaries'

let eslint: ESLint
beforeAll(() => {
  eslint = new ESLint({ cwd: root })
})

/** Every syntax that loads a module; each must be judged the same way. */
const FORMS: Array<[string, (spec: string) => string]> = [
  ['import side effect', (s) => `import '${s}'\n`],
  ['import binding', (s) => `import { thing } from '${s}'\nexport const copy = thing\n`],
  ['import type', (s) => `import type { Thing } from '${s}'\nexport type Copy = Thing\n`],
  ['export from', (s) => `export { thing } from '${s}'\n`],
  ['export * from', (s) => `export * from '${s}'\n`],
  ['dynamic import', (s) => `export const load = () => import('${s}')\n`],
]

async function lint(file: string, code: string) {
  const [result] = await eslint.lintText(code, { filePath: path.join(root, file) })
  if (!result) throw new Error(`no lint result for ${file}`)
  return result.messages
}

const FORBIDDEN: Array<{ file: string; specs: string[] }> = [
  {
    file: 'analysis/boundary-probe.ts',
    specs: [
      '#app/utils/db.server.ts',
      '#app/services/importer.server.ts',
      '#db/client.ts',
      '#db/schema.ts',
      '#templates/metadata.ts',
      '#tests/fixtures/anything.ts',
      '#no-such-alias/x.ts',
      '../app/utils/db.server.ts',
      '../db/client.ts',
      '../survey-templates/metadata.ts',
      '../tests/unit/csv.test.ts',
      '../cli/analyse.ts',
      '../server/start.ts',
      '../package.json',
      './../db/schema.ts',
      './sub/../../db/schema.ts',
    ],
  },
  { file: 'analysis/nested/boundary-probe.ts', specs: ['../../db/schema.ts', '../../app/root.tsx', '#db/schema.ts'] },
  { file: 'db/boundary-probe.ts', specs: ['#app/utils/db.server.ts', '#app/services/importer.server.ts', '../app/utils/db.server.ts', './../app/root.tsx'] },
  { file: 'db/queries/boundary-probe.ts', specs: ['#app/utils/db.server.ts', '../../app/services/importer.server.ts'] },
  { file: 'app/routes/boundary-probe.tsx', specs: ['#db/schema.ts', '#db/queries/responses.ts', '../../db/schema.ts'] },
  { file: 'app/components/boundary-probe.ts', specs: ['#db/client.ts', '../../db/client.ts'] },
]

const ALLOWED: Array<{ file: string; specs: string[] }> = [
  { file: 'analysis/boundary-probe.ts', specs: ['./analyse.ts', '#analysis/analyse.ts', '../analysis/analyse.ts', 'node:fs', 'zod'] },
  { file: 'analysis/nested/boundary-probe.ts', specs: ['../analyse.ts', './sibling.ts', '#analysis/analyse.ts'] },
  { file: 'db/boundary-probe.ts', specs: ['./schema.ts', '#db/schema.ts', '#analysis/analyse.ts', '#templates/metadata.ts', '../analysis/analyse.ts', 'drizzle-orm'] },
  { file: 'db/queries/boundary-probe.ts', specs: ['../schema.ts', '#db/client.ts', '../../analysis/analyse.ts'] },
  { file: 'app/services/boundary-probe.server.ts', specs: ['#db/schema.ts', '../../db/schema.ts', '#app/utils/db.server.ts'] },
  { file: 'app/routes/boundary-probe.server.tsx', specs: ['#db/schema.ts'] },
  { file: 'app/routes/boundary-probe.tsx', specs: ['#app/components/anything.tsx', '#analysis/analyse.ts', '../services/x.server.ts', 'react'] },
  { file: 'cli/boundary-probe.ts', specs: ['#app/utils/db.server.ts', '#db/client.ts', '../db/seed.ts', '../app/services/importer.server.ts'] },
]

describe('lint boundaries: forbidden imports are errors', () => {
  for (const { file, specs } of FORBIDDEN) {
    for (const spec of specs) {
      for (const [form, write] of FORMS) {
        it(`${file}: ${form} '${spec}'`, async () => {
          const messages = await lint(file, write(spec))
          const boundary = messages.filter((m) => m.ruleId === RULE)
          expect(boundary, JSON.stringify(messages)).toHaveLength(1)
          expect(boundary[0]?.severity).toBe(2)
        })
      }
    }
  }
})

describe('lint boundaries: allowed imports pass', () => {
  for (const { file, specs } of ALLOWED) {
    for (const spec of specs) {
      for (const [form, write] of FORMS) {
        it(`${file}: ${form} '${spec}'`, async () => {
          expect(await lint(file, write(spec))).toEqual([])
        })
      }
    }
  }
})

describe('npm scripts point at files that exist', () => {
  const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }
  const FILE = /^[\w./-]+\.(?:[cm]?[jt]sx?|sh)$/
  for (const [name, command] of Object.entries(pkg.scripts)) {
    it(`npm run ${name}: ${command}`, () => {
      const words = command.split(/\s+/)
      const files = words.filter((w) => FILE.test(w))
      if (words[0] === 'tsx' || words[0] === 'node') expect(files.length, `${name} runs ${words[0]} without a file`).toBeGreaterThan(0)
      for (const file of files) expect(existsSync(path.join(root, file)), `${name} → ${file}`).toBe(true)
    })
  }
})
