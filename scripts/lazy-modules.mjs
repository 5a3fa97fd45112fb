// An esbuild plugin for the CLI bundle: packages that @oclif/core requires when it loads but uses only on
// rare paths are replaced, inside the bundle, by small stand-ins that require the real package the first
// time it is called. The real code is still bundled (and behaves exactly as before when it runs); what is
// saved is running its set-up on every start (~15 ms of a one-shot command on Node 20: docs/BENCHMARKS.md).
//
// - debug: oclif's logging, which only the DEBUG variable turns on; without it, loggers that do nothing
//   (with DEBUG set, the real package, so `DEBUG=* orgctl ...` prints what it always did).
// - semver: only oclif's check of its own engines calls it, and inside the bundle that check stops before
//   (it finds oclif's package.json through __dirname, which an ES module does not have, and gives up
//   silently): the stand-in answers for a call that cannot come, and semver is not bundled for it.
// - tinyglobby: finding command files when there is no manifest (the build always writes one).
// - minimatch: matching plugin names, which are plain names here (a pattern with a glob character still
//   goes to minimatch).
// - ejs: rendering `<%= config.bin %>` in help and examples.
// - wrap-ansi, indent-string, clean-stack: formatting an error for the terminal.
import { existsSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'

/** The packages, each with the version line its stand-in was written against. */
const LINES = {
  debug: '4',
  semver: '7',
  tinyglobby: '0.2',
  minimatch: '10',
  ejs: '6',
  'wrap-ansi': '7',
  'indent-string': '4',
  'clean-stack': '3',
}
const NAMES = Object.keys(LINES)
const FROM_OCLIF = /[\\/]node_modules[\\/]@oclif[\\/]core[\\/]/

/** Each stand-in as CommonJS; `real()` requires the package it stands in for. */
const STAND_INS = {
  debug: `
function quiet(namespace) {
  const log = () => {}
  Object.assign(log, { enabled: false, namespace, log, destroy: () => true, extend: (ns, d = ':') => quiet(namespace + d + ns) })
  return log
}
Object.assign(quiet, { enabled: () => false, enable() {}, disable: () => '', names: [], skips: [], formatters: {} })
module.exports = process.env.DEBUG ? real() : quiet`,
  semver: 'module.exports = { satisfies: () => true }',
  tinyglobby:
    'module.exports = { glob: (...a) => real().glob(...a), globSync: (...a) => real().globSync(...a) }',
  minimatch: `
const MAGIC = /[*?[\\]{}()!+]/
module.exports = { minimatch: (p, pattern, options) => (options || MAGIC.test(pattern) ? real().minimatch(p, pattern, options) : p === pattern) }`,
  ejs: 'module.exports = { render: (...a) => real().render(...a) }',
  'wrap-ansi': 'module.exports = (...a) => real()(...a)',
  'indent-string': 'module.exports = (...a) => real()(...a)',
  'clean-stack': 'module.exports = (...a) => real()(...a)',
}

/**
 * oclif sorts every plugin's commands with localeCompare when it loads them: the first localeCompare of
 * a process sets up ICU's collator, ~5 ms of every start. For IDs of lowercase letters, `:` and `-` only,
 * the collator's order is the order of the code points (letters after both, `-` before `:`, a prefix
 * first), so those are compared directly; any other ID still goes to localeCompare. The build checks
 * both orders agree on the manifest's IDs (scripts/build.mjs).
 */
const SORT = '.sort((a, b) => a.id.localeCompare(b.id))'
export const PLAIN_ID = /^[a-z:-]*$/
export function compareIds(a, b) {
  if (PLAIN_ID.test(a) && PLAIN_ID.test(b)) return a < b ? -1 : a > b ? 1 : 0
  return a.localeCompare(b)
}

export const lazyModules = {
  name: 'lazy-modules',
  setup(b) {
    b.onLoad({ filter: /[\\/]@oclif[\\/]core[\\/]lib[\\/]config[\\/]plugin\.js$/ }, (args) => {
      const text = readFileSync(args.path, 'utf8')
      if (text.split(SORT).length !== 2)
        throw new Error(`scripts/lazy-modules.mjs: ${args.path} no longer sorts commands as ${SORT}`)
      const helper = `const PLAIN_ID = ${PLAIN_ID};\n${compareIds.toString()}\n`
      return {
        contents: helper + text.replace(SORT, '.sort((a, b) => compareIds(a.id, b.id))'),
        loader: 'js',
      }
    })
    const filter = new RegExp(`^(${NAMES.map((n) => n.replace(/[-/]/g, '\\$&')).join('|')})$`)
    b.onResolve({ filter }, async (args) => {
      if (args.pluginData?.real || !FROM_OCLIF.test(args.importer)) return undefined
      const real = await b.resolve(args.path, {
        kind: args.kind,
        resolveDir: args.resolveDir,
        importer: args.importer,
        pluginData: { real: true },
      })
      if (real.errors.length > 0) return { errors: real.errors }
      return { path: real.path, namespace: 'lazy', pluginData: { name: args.path } }
    })
    b.onLoad({ filter: /.*/, namespace: 'lazy' }, (args) => {
      const name = args.pluginData.name
      // A stand-in is written against the exports of one version line: another line stops the build
      // rather than ship a stand-in that may no longer fit.
      const version = versionOf(name, args.path)
      if (version !== LINES[name] && !version.startsWith(`${LINES[name]}.`))
        throw new Error(
          `scripts/lazy-modules.mjs: ${name} ${version} is not the ${LINES[name]}.x its stand-in fits`,
        )
      const shape = STAND_INS[name]
      return {
        contents: shape.includes('real()')
          ? `let loaded\nconst real = () => (loaded ??= require(${JSON.stringify(args.path)}))\n${shape}\n`
          : `${shape}\n`,
        loader: 'js',
        resolveDir: process.cwd(),
      }
    })
  },
}

/** The version of package `name` that `file` belongs to. */
function versionOf(name, file) {
  for (let dir = dirname(file); dir !== dirname(dir); dir = dirname(dir)) {
    const pjson = join(dir, 'package.json')
    if (!existsSync(pjson)) continue
    const data = JSON.parse(readFileSync(pjson, 'utf8'))
    if (data.name === name) return data.version
  }
  throw new Error(`scripts/lazy-modules.mjs: no package.json of ${name} above ${file}`)
}
