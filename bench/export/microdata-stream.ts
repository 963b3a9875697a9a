/*
 * Streaming microdata export benchmark: peak resident memory while 1,000,000 responses are exported.
 *
 *   npx tsx bench/dashboard/load.ts --responses 1000000     # once: bulk-load the bench survey into PostgreSQL
 *   npx tsx bench/export/microdata-stream.ts [--url postgres://postgres@127.0.0.1:5432/cse_bench] [--out FILE]
 *
 * Runs the exact code path of the exports page (loadExportContext, then microdataStream with every column,
 * free text and equality answers included) against the bench survey, piping the CSV into a file (default
 * /dev/null) through a row counter. It samples VmRSS every 100 ms and reads VmHWM (the kernel's peak RSS of the
 * whole process) at the end. Target: peak RSS under 200 MB, i.e. memory independent of the number of rows.
 */
import { readFileSync, createWriteStream } from 'node:fs'
import { performance } from 'node:perf_hooks'
import { Readable, Transform } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import type { ReadableStream as NodeReadableStream } from 'node:stream/web'
import { openDatabase } from '../../db/client.ts'
import { findOrganisationBySlug } from '../../db/queries/accounts.ts'
import { findPublishedSurveyBySlug } from '../../db/queries/surveys.ts'
import { loadExportContext } from '../../app/services/export-context.server.ts'
import { microdataStream } from '../../app/services/export-microdata.server.ts'

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(name)
  return i > 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback
}

function status(field: 'VmRSS' | 'VmHWM'): number {
  const line = readFileSync('/proc/self/status', 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${field}:`))
  return Number(line?.replace(/\D+/g, '') ?? 0) / 1024
}

async function main(): Promise<void> {
  const url = arg('--url', process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/cse_bench')
  const out = arg('--out', '/dev/null')
  const batchSize = Number(arg('--batch', '1000'))
  const handle = await openDatabase({ url, poolMax: 2 })
  try {
    const organisation = await findOrganisationBySlug(handle.db, 'bench-council')
    const published = await findPublishedSurveyBySlug(handle.db, 'bench-core')
    if (!organisation || !published)
      throw new Error('No bench survey: run `npx tsx bench/dashboard/load.ts --responses 1000000` first')
    let peakRss = status('VmRSS')
    let peakHeap = 0
    let peakExternal = 0
    const sampler = setInterval(() => {
      peakRss = Math.max(peakRss, status('VmRSS'))
      const m = process.memoryUsage()
      peakHeap = Math.max(peakHeap, m.heapUsed / 1048576)
      peakExternal = Math.max(peakExternal, (m.external + m.arrayBuffers) / 1048576)
    }, 100)
    const rssBefore = status('VmRSS')
    const t0 = performance.now()
    const ctx = await loadExportContext(handle.db, organisation.id, published.survey.id, {
      organisationName: organisation.name,
    })
    if (!ctx) throw new Error('bench survey not found')
    const t1 = performance.now()
    let bytes = 0
    let lines = 0
    // RSS at each tenth of the rows: flat = memory independent of the number of rows exported
    const checkpoints: string[] = []
    let nextCheckpoint = ctx.fieldwork.responses / 10
    const counter = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        bytes += chunk.length
        for (let i = 0; i < chunk.length; i++) if (chunk[i] === 10) lines++
        if (lines >= nextCheckpoint) {
          checkpoints.push(`${Math.round(lines / 1000)}k: ${status('VmRSS').toFixed(0)}`)
          nextCheckpoint += ctx.fieldwork.responses / 10
        }
        callback(null, chunk)
      },
    })
    const options = { includeFreeText: true, includeEquality: true, bom: false }
    await pipeline(
      Readable.fromWeb(
        microdataStream(handle.db, ctx, options, { batchSize }) as unknown as NodeReadableStream,
      ),
      counter,
      createWriteStream(out),
    )
    const t2 = performance.now()
    clearInterval(sampler)
    peakRss = Math.max(peakRss, status('VmRSS'))
    const hwm = status('VmHWM')
    const rows = lines - 1
    const lines_ = [
      `responses in survey: ${ctx.fieldwork.responses.toLocaleString('en-GB')}; rows written: ${rows.toLocaleString('en-GB')}; CSV size: ${(bytes / 1e6).toFixed(1)} MB; batch ${batchSize}`,
      `RSS before export: ${rssBefore.toFixed(1)} MB`,
      `context (raking-cell counts in SQL, raking): ${((t1 - t0) / 1000).toFixed(1)} s`,
      `stream ${rows.toLocaleString('en-GB')} rows: ${((t2 - t1) / 1000).toFixed(1)} s (${Math.round(rows / ((t2 - t1) / 1000)).toLocaleString('en-GB')} rows/s)`,
      `peak RSS sampled every 100 ms: ${peakRss.toFixed(1)} MB; VmHWM (kernel peak RSS): ${hwm.toFixed(1)} MB; peak V8 heap used ${peakHeap.toFixed(1)} MB; peak external + array buffers ${peakExternal.toFixed(1)} MB`,
      `RSS (MB) after each tenth of the rows: ${checkpoints.join(', ')}`,
      `target: peak RSS < 200 MB: ${hwm < 200 ? 'met' : 'NOT met'}; rows = responses: ${rows === ctx.fieldwork.responses ? 'yes' : 'NO'}`,
    ]
    console.log(lines_.join('\n'))
    console.log('\n| rows | CSV | stream time | rows/s | RSS before | peak RSS (VmHWM) | target < 200 MB |')
    console.log('|---:|---:|---:|---:|---:|---:|---|')
    console.log(
      `| ${rows.toLocaleString('en-GB')} | ${(bytes / 1e6).toFixed(1)} MB | ${((t2 - t1) / 1000).toFixed(1)} s | ${Math.round(rows / ((t2 - t1) / 1000)).toLocaleString('en-GB')} | ${rssBefore.toFixed(1)} MB | ${hwm.toFixed(1)} MB | ${hwm < 200 ? 'met' : 'NOT met'} |`,
    )
    if (hwm >= 200 || rows !== ctx.fieldwork.responses) process.exitCode = 1
  } finally {
    await handle.close()
  }
}

main().catch((error: unknown) => {
  console.error(error)
  process.exit(2)
})
