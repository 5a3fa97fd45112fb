// `npm run bench`: runs every benchmark module under bench/ (each exports `async run()` returning
// `{title, markdown}`), one after another so that they do not compete for the machine, and rewrites
// docs/BENCHMARKS.md from this one run. `npm run bench -- startup size` runs only those modules and
// prints their sections without touching the document (a partial run must not mix with a full one).
import { readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'

import { machine, root } from './lib.mjs'

// Start-up first: it is the most sensitive to a machine warmed up (or worn out) by the others.
const ORDER = ['startup', 'installed', 'server', 'size', 'bulk-throughput', 'bulk-paced', 'bulk-memory']
const HELPERS = new Set(['lib', 'run'])

const dir = join(root, 'bench')
const found = readdirSync(dir)
  .filter((f) => f.endsWith('.mjs'))
  .map((f) => f.slice(0, -'.mjs'.length))
  .filter((name) => !HELPERS.has(name))
  .sort((a, b) => rank(a) - rank(b) || a.localeCompare(b))
const only = process.argv.slice(2)
const selected = only.length ? found.filter((name) => only.includes(name)) : found
if (only.length && selected.length !== only.length)
  throw new Error(
    `unknown benchmark(s): ${only.filter((n) => !found.includes(n)).join(', ')}; have ${found.join(', ')}`,
  )

function rank(name) {
  const i = ORDER.indexOf(name)
  return i < 0 ? ORDER.length : i
}

const started = Date.now()
const sections = []
for (const name of selected) {
  const t = Date.now()
  process.stderr.write(`bench: ${name} ...\n`)
  const { run } = await import(pathToFileURL(join(dir, `${name}.mjs`)).href)
  const { title, markdown } = await run()
  const seconds = (Date.now() - t) / 1000
  process.stderr.write(`bench: ${name} done in ${seconds.toFixed(0)} s\n`)
  sections.push(`## ${title}\n\n_bench/${name}.mjs, ${seconds.toFixed(0)} s._\n\n${markdown}\n`)
}
const minutes = ((Date.now() - started) / 60000).toFixed(1)

if (only.length) {
  process.stdout.write(sections.join('\n'))
} else {
  const doc = [
    '# Benchmarks',
    '',
    '<!-- Written by `npm run bench` (bench/run.mjs); edit the benchmarks, not this file. -->',
    '',
    `All figures below come from one \`npm run bench\` run of ${minutes} minutes on ${new Date().toISOString().slice(0, 10)}.`,
    '',
    `- Machine: ${machine()}`,
    `- Node ${process.version}; orgctl as built by \`npm run build\` (bin/run.js)`,
    '',
    'Absolute times drift on a shared machine; each benchmark therefore measures its own baseline in the',
    'same run (interleaved where it can) and states the goal as a ratio to it.',
    '',
    ...sections,
  ].join('\n')
  writeFileSync(join(root, 'docs', 'BENCHMARKS.md'), doc)
  process.stderr.write(`bench: wrote docs/BENCHMARKS.md (${minutes} min)\n`)
}
