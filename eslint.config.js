import js from '@eslint/js'
import tseslint from 'typescript-eslint'

/*
 * Module boundaries (DEVELOPERS.md):
 *  - analysis/ is pure statistics: no imports from app/ or db/.
 *  - app/ reaches db/ only from *.server.ts files, so database code can never be bundled for the browser.
 *  - SQL goes through Drizzle's parameterised `sql` template; `sql.raw` is refused outside migrations.
 */
const dbImports = { group: ['#db/*', '**/db/*', '../db/*', '../../db/*'], message: 'app/ may import db/ only from *.server.ts files.' }
const appOrDbImports = [
  { group: ['#app/*', '#db/*', '**/app/*', '**/db/*'], message: 'analysis/ is pure: no imports from app/ or db/.' },
]

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
    files: ['analysis/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: appOrDbImports }],
      // Published algorithm coefficients (e.g. AS241) are quoted to more digits than a double holds, on purpose.
      'no-loss-of-precision': 'off',
    },
  },
  {
    files: ['app/**/*.ts', 'app/**/*.tsx'],
    ignores: ['app/**/*.server.ts', 'app/**/*.server.tsx'],
    rules: { 'no-restricted-imports': ['error', { patterns: [dbImports] }] },
  },
)
