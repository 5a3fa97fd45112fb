// Renders, with oclif itself, what bin/run.js may answer without loading oclif: the help of every
// command and topic as a non-terminal sees it. Run by scripts/build.mjs in a child process whose stdout
// is a pipe and whose environment holds nothing that changes help (so widths are oclif's non-TTY 80
// columns and there is no colour); writes dist/fast-paths.json.
//
// The file also records what it was rendered from, as a build identity made of contents, not file
// times (an installed package keeps neither the clone's mtimes nor node_modules/.package-lock.json):
// package.json's version and oclif section, the manifest (a copy beside it), and the version of each package
// that renders help (@oclif/core and the plugins). bin/run.js computes the same identity at start-up
// (stampOf there; test/startup checks both agree) and steps aside when anything differs.
import { copyFileSync, writeFileSync, renameSync, readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

import { Config, run } from '@oclif/core'

import { stampOf } from '../bin/stamp.js'

const root = resolve(fileURLToPath(import.meta.url), '../..')
const out = join(root, 'dist', 'fast-paths.json')
const indexOut = join(root, 'dist', 'fast-paths-index.json')

/** Hooks that oclif runs around --version and help; with any of them, there are no fast paths. */
const AROUND_EVERY_RUN = ['init', 'finally', 'prerun', 'postrun', 'preparse']

function stamp(rootDir) {
  const pjson = JSON.parse(readFileSync(join(rootDir, 'package.json'), 'utf8'))
  return stampOf(pathToFileURL(`${rootDir}/`), pjson)
}

async function capture(argv) {
  const chunks = []
  let stderr = ''
  const write = process.stdout.write
  const writeErr = process.stderr.write
  process.stdout.write = (chunk) => (chunks.push(String(chunk)), true)
  process.stderr.write = (chunk) => ((stderr += String(chunk)), true)
  try {
    await run(argv, root)
    return stderr || process.exitCode ? undefined : chunks.join('')
  } catch {
    return undefined
  } finally {
    process.stdout.write = write
    process.stderr.write = writeErr
    process.exitCode = undefined
  }
}

if (process.stdout.isTTY)
  throw new Error('render-fast-paths must run with stdout piped (see scripts/build.mjs)')
const config = await Config.load(root)
const hooks = [...config.plugins.values()].flatMap((p) =>
  Object.keys(p.hooks ?? {})
    .filter((h) => AROUND_EVERY_RUN.includes(h) && p.hooks[h].length > 0)
    .map((h) => `${p.name}:${h}`),
)
const help = {}
if (hooks.length === 0) {
  const sep = config.topicSeparator
  const ids = [...config.commands.map((c) => c.id), ...config.topics.map((t) => t.name)]
  const argvs = [[], ['--help'], ['help']]
  for (const id of new Set(ids)) {
    const parts = id.split(':')
    argvs.push([...parts, '--help'], ['help', ...parts])
    if (sep === ' ' && !config.findCommand(id)) argvs.push(parts)
  }
  for (const argv of argvs) {
    const text = await capture(argv)
    if (text) help[JSON.stringify(argv)] = text
  }
}
// Root help shows oclif's user agent, which names this Node: bin/run.js puts its own in its place.
const data = { stamp: stamp(root), hooks, help, userAgent: config.userAgent }
// The manifest help was rendered from, for bin/stamp.js to compare byte for byte.
copyFileSync(join(root, 'oclif.manifest.json'), join(root, 'dist', 'fast-paths-manifest.json'))
writeFileSync(`${out}.tmp`, JSON.stringify(data))
renameSync(`${out}.tmp`, out)
// What bin/run.js reads first, on every start: whether the command line has a fast answer at all (most
// do not), and what --version depends on, without reading the help texts.
const pjson = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'))
const index = {
  keys: Object.keys(help),
  helpFlags: pjson.oclif.additionalHelpFlags ?? [],
  versionFlags: ['--version', ...(pjson.oclif.additionalVersionFlags ?? [])],
  hooks,
  version: pjson.version,
  oclif: JSON.stringify(pjson.oclif),
}
writeFileSync(`${indexOut}.tmp`, JSON.stringify(index))
renameSync(`${indexOut}.tmp`, indexOut)
