/**
 * npm run sbom [-- --out=path]
 *
 * Writes a CycloneDX software bill of materials of the production dependencies, from package-lock.json and
 * node_modules (`npm sbom --sbom-format cyclonedx --omit dev`; no network), to artifacts/sbom/cse-insight.cdx.json
 * (git-ignored) unless --out says otherwise. npm names the root component after the checkout's directory; this
 * names it after package.json. Made for each release and handed over with it (docs/security.md "Vulnerable
 * components", docs/decisions/026-dependency-advisories.md). Exit code 0 = written, 1 = failed.
 */
import { execFileSync } from 'node:child_process'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { parseArgs } from 'node:util'

const { values } = parseArgs({ options: { out: { type: 'string', default: 'artifacts/sbom/cse-insight.cdx.json' } }, strict: true })
const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { name: string; version: string }
const sbom = JSON.parse(
  execFileSync('npm', ['sbom', '--sbom-format', 'cyclonedx', '--omit', 'dev'], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 }),
) as { bomFormat: string; specVersion: string; metadata: { component: { name: string; version?: string } }; components: unknown[] }
if (sbom.bomFormat !== 'CycloneDX') throw new Error('npm sbom did not answer with CycloneDX')
sbom.metadata.component.name = pkg.name
sbom.metadata.component.version = pkg.version
const out = path.resolve(values.out)
mkdirSync(path.dirname(out), { recursive: true })
writeFileSync(out, `${JSON.stringify(sbom, null, 2)}\n`)
console.log(`Wrote ${path.relative(process.cwd(), out)}: CycloneDX ${sbom.specVersion}, ${sbom.components.length} components (production dependencies).`)
