// Node module hooks that give command-line entry points what Vite gives the app: `import text from
// './file.txt?raw'` as the file's text (app/utils/password-policy.ts reads its common-password list so).
// Registered by cli/create-operator.ts before it loads the password policy.
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

export async function resolve(specifier, context, nextResolve) {
  if (!specifier.endsWith('?raw')) return nextResolve(specifier, context)
  const resolved = await nextResolve(specifier.slice(0, -'?raw'.length), context)
  return { url: `${resolved.url}?raw`, shortCircuit: true }
}

export async function load(url, context, nextLoad) {
  if (!url.endsWith('?raw')) return nextLoad(url, context)
  const text = readFileSync(fileURLToPath(url.slice(0, -'?raw'.length)), 'utf8')
  return { format: 'module', source: `export default ${JSON.stringify(text)}`, shortCircuit: true }
}
