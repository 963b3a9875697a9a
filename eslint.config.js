import js from '@eslint/js'
import tseslint from 'typescript-eslint'

import path from 'node:path'
import { readFileSync } from 'node:fs'

/*
 * Module boundaries (README.md, "Where things are"; issue 11, section 4):
 *  - analysis/ is pure statistics: it imports nothing of the project outside analysis/ (no app/, db/,
 *    survey-templates/, tests/, cli/, server/ …), whether through a `#…` alias or a relative path.
 *  - db/ imports nothing of app/.
 *  - app/ reaches db/ only from *.server.ts files, so database code can never be bundled for the browser.
 *  - SQL goes through Drizzle's parameterised `sql` template; `sql.raw` is refused outside migrations.
 *
 * Why a local rule and not `no-restricted-imports`: that rule matches the specifier as text with gitignore
 * syntax, where a leading `#` starts a comment, so `'#db/*'` matched nothing (issue 11, section 4); and a
 * relative path can only be judged once it is resolved against the importing file. This rule resolves every
 * specifier (the `imports` map of package.json for `#…`, the file's folder for `./` and `../`) to a folder of
 * the repository and checks that folder. It sees static imports, `export … from`, dynamic `import()` with a
 * literal, and `import('…')` types. tests/unit/lint-boundaries.test.ts feeds it every forbidden form.
 */
const ROOT = import.meta.dirname
const ALIASES = Object.entries(JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')).imports ?? {}).map(
  ([alias, target]) => ({ prefix: alias.replace(/\*$/, ''), target: path.join(ROOT, String(target).replace(/\*$/, '')) }),
)

/** The repository-relative path (with `/`) an import specifier points at, or null for a package import. */
function resolveSpecifier(specifier, filename) {
  if (specifier.startsWith('#')) {
    const alias = ALIASES.find((a) => specifier.startsWith(a.prefix))
    // An unknown `#…` alias cannot be resolved by Node either; report it as outside every folder.
    return alias ? toRepoPath(alias.target + specifier.slice(alias.prefix.length)) : '#unknown-alias'
  }
  if (specifier.startsWith('.') || specifier.startsWith('/') || specifier.startsWith('file:')) {
    const target = specifier.startsWith('file:') ? new URL(specifier).pathname : path.resolve(path.dirname(filename), specifier)
    return toRepoPath(target)
  }
  return null
}

function toRepoPath(absolute) {
  return path.relative(ROOT, path.resolve(absolute)).split(path.sep).join('/')
}

const inFolder = (repoPath, folder) => repoPath === folder || repoPath.startsWith(`${folder}/`)

/** The boundary a file must keep: given the file and the import's target (both repository-relative), a message or null. */
function boundaryViolation(file, target) {
  if (inFolder(file, 'analysis')) {
    return inFolder(target, 'analysis') ? null : `analysis/ is pure: it imports nothing of the project outside analysis/ (this import reaches ${target}).`
  }
  if (inFolder(file, 'db')) {
    return inFolder(target, 'app') ? `db/ imports nothing of app/ (this import reaches ${target}).` : null
  }
  if (inFolder(file, 'app') && !/\.server\.tsx?$/.test(file)) {
    return inFolder(target, 'db') ? `app/ may import db/ only from *.server.ts files (this import reaches ${target}).` : null
  }
  return null
}

const boundariesPlugin = {
  rules: {
    'module-boundaries': {
      meta: { type: 'problem', schema: [], docs: { description: 'analysis/ pure, db/ free of app/, db/ reached from app/ only in *.server.ts' } },
      create(context) {
        const file = toRepoPath(context.filename)
        if (file.startsWith('..')) return {}
        const check = (source) => {
          if (!source || source.type !== 'Literal' || typeof source.value !== 'string') return
          const target = resolveSpecifier(source.value, context.filename)
          if (target === null) return
          const message = boundaryViolation(file, target)
          if (message) context.report({ node: source, message: `'${source.value}': ${message}` })
        }
        return {
          ImportDeclaration: (node) => check(node.source),
          ExportNamedDeclaration: (node) => check(node.source),
          ExportAllDeclaration: (node) => check(node.source),
          ImportExpression: (node) => check(node.source),
          TSImportType: (node) => check(node.argument?.type === 'TSLiteralType' ? node.argument.literal : node.argument),
          TSExternalModuleReference: (node) => check(node.expression),
        }
      },
    },
  },
}

export default tseslint.config(
  { ignores: ['build/**', 'node_modules/**', 'data/**', 'coverage/**', 'artifacts/**', 'bench/out/**', 'db/migrations/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { console: 'readonly', process: 'readonly', Buffer: 'readonly', URL: 'readonly', fetch: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', performance: 'readonly', window: 'readonly', document: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      'no-restricted-syntax': [
        'error',
        { selector: "MemberExpression[object.name='sql'][property.name='raw']", message: 'Use parameterised sql`` templates, never sql.raw.' },
      ],
    },
  },
  {
    files: ['**/*.ts', '**/*.tsx', '**/*.js', '**/*.mjs'],
    plugins: { boundaries: boundariesPlugin },
    rules: { 'boundaries/module-boundaries': 'error' },
  },
  {
    files: ['analysis/**/*.ts'],
    rules: {
      // Published algorithm coefficients (e.g. AS241) are quoted to more digits than a double holds, on purpose.
      'no-loss-of-precision': 'off',
    },
  },
)
