// Compiles src/ to dist/ (tsc, for the type check of the tree and the few modules loaded by path), bundles
// the CLI (dist/index.js, one entry per command, shared chunks) and the server (dist/server/sandbox.js,
// with validators compiled from the spec), copies the server's SQL migrations, writes api/openapi.yaml
// as dist/openapi.json, regenerates oclif.manifest.json (sorted) so that start-up never scans the
// commands folder, then renders the fast paths of bin/run.js (dist/fast-paths.json, its index, and the
// copy of the manifest they were rendered from).
//
// The new tree is built beside dist/ and swapped in with renames, so a CLI process (or a test run)
// that starts during a build never sees a half-empty dist/.
import { execFileSync } from 'node:child_process'
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join, relative, resolve, sep } from 'node:path'
import { pathToFileURL } from 'node:url'

import { build } from 'esbuild'
import { parse as parseYaml } from 'yaml'

import { compareIds, lazyModules } from './lazy-modules.mjs'
import { sourceStamp } from './source-stamp.mjs'

const require = createRequire(import.meta.url)

/** How the CLI and the server are bundled alike: minified ES modules for Node 20 and later. */
const ES_MODULE_FOR_NODE = {
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  metafile: true,
  minifyWhitespace: true,
  minifySyntax: true,
  logLevel: 'warning',
  // CommonJS packages inside an ES module still call require() for Node's built-ins.
  banner: {
    js: "import { createRequire as __orgctlRequire } from 'node:module'\nconst require = __orgctlRequire(import.meta.url)",
  },
}
const run = (file, args) => execFileSync(process.execPath, [file, ...args], { stdio: 'inherit' })
const next = `dist.next-${process.pid}`
const old = `dist.old-${process.pid}`

try {
  run(require.resolve('typescript/bin/tsc'), ['-p', 'tsconfig.build.json', '--outDir', next])
  cpSync('src/server/migrations', `${next}/server/migrations`, { recursive: true })
  // The server reads the spec as JSON (src/server/spec.ts): parsing the YAML on every start costs more.
  writeFileSync(`${next}/openapi.json`, JSON.stringify(parseYaml(readFileSync('api/openapi.yaml', 'utf8'))))
  await bundle(next)
  await bundleServer(next)
  // What this build was made from: the test run rebuilds when the sources differ (test/global-setup.ts).
  writeFileSync(`${next}/source-stamp.json`, JSON.stringify({ sources: sourceStamp(resolve('.')) }))
  try {
    renameSync('dist', old)
  } catch {
    // no dist/ yet
  }
  renameSync(next, 'dist')
} finally {
  rmSync(next, { recursive: true, force: true })
  rmSync(old, { recursive: true, force: true })
}
run(require.resolve('oclif/bin/run.js'), ['manifest'])
// oclif lists the commands in the order it happened to load them, which differs from build to build:
// sorted by ID, the committed manifest changes only when a command does.
const written = JSON.parse(readFileSync('oclif.manifest.json', 'utf8'))
written.commands = Object.fromEntries(Object.entries(written.commands).sort(([a], [b]) => (a < b ? -1 : 1)))
writeFileSync('oclif.manifest.json', `${JSON.stringify(written, null, 2)}\n`)
// The bundle's oclif sorts command IDs without ICU where that gives localeCompare's order (lazy-modules).
const ids = Object.keys(JSON.parse(readFileSync('oclif.manifest.json', 'utf8')).commands)
const byIcu = [...ids].sort((a, b) => a.localeCompare(b)).join()
if ([...ids].sort(compareIds).join() !== byIcu)
  throw new Error('scripts/lazy-modules.mjs: compareIds and localeCompare order the command IDs differently')

// Help as oclif renders it for a non-terminal, for bin/run.js to print without loading oclif. Its own
// process, stdout a pipe, and none of the variables that change oclif's output.
const env = Object.fromEntries(
  Object.entries(process.env).filter(
    ([name]) => !/^(OCLIF_|FORCE_COLOR$|DEBUG$|ORGCTL_|PM2_HOME$|pm_id$)/.test(name),
  ),
)
execFileSync(process.execPath, ['scripts/render-fast-paths.mjs'], {
  env,
  stdio: ['ignore', 'pipe', 'inherit'],
})

/**
 * The CLI as ES modules: dist/index.js, @oclif/core's `execute` for bin/run.js, and one entry file per
 * command where oclif's manifest points (dist/commands/<topic>/<name>.js), with the code they share split
 * into chunks beside index.js, so that a command reads a few files and only the code it runs; the code
 * a command imports lazily is a chunk of its own, read when it is used.
 * Left out: the sandbox server (its own bundle, dist/server/sandbox.js: bundleServer, below; reached as
 * `#server/...`, package.json's subpath imports, so that the import reads the same from every output
 * file) with fastify and better-sqlite3; typescript, which oclif only asks for in development. dist/bundle-packages.json names the packages inside each output file, for the start-up
 * import guard (test/startup).
 */
async function bundle(outdir) {
  const commands = listCommands('src/commands')
  const serverDir = resolve('src/server') + sep
  const result = await build({
    entryPoints: [
      { in: 'orgctl:index', out: 'index' },
      ...commands.map((c) => ({ in: c.file, out: c.file.replace(/^src\//, '').replace(/\.ts$/, '') })),
    ],
    ...ES_MODULE_FOR_NODE,
    splitting: true,
    outdir,
    chunkNames: 'chunk-[hash]',
    external: ['typescript', 'fastify', 'better-sqlite3'],
    plugins: [
      lazyModules,
      {
        name: 'entry-and-server',
        setup(b) {
          b.onResolve({ filter: /^orgctl:index$/ }, () => ({ path: 'index', namespace: 'orgctl' }))
          b.onLoad({ filter: /.*/, namespace: 'orgctl' }, () => ({
            contents: "export { execute } from '@oclif/core'",
            resolveDir: process.cwd(),
            loader: 'js',
          }))
          b.onResolve({ filter: /server\/[^/]+\.js$/ }, (args) => {
            const target = resolve(args.resolveDir, args.path)
            if (!target.startsWith(serverDir)) return undefined
            return { path: `#server/${relative(serverDir, target).split(sep).join('/')}`, external: true }
          })
        },
      },
    ],
  })
  // esbuild can emit a chunk that no output imports (code that only dead code imported lazily); it
  // would ship in the package and never run, so it goes (test/package/files.test.ts checks).
  const outputs = result.metafile.outputs
  const reached = new Set()
  const entries = Object.keys(result.metafile.outputs).filter((f) => result.metafile.outputs[f].entryPoint)
  for (const queue = [...entries]; queue.length > 0;) {
    const file = queue.shift()
    if (reached.has(file) || !outputs[file]) continue
    reached.add(file)
    queue.push(...outputs[file].imports.filter((i) => !i.external).map((i) => i.path))
  }
  for (const file of Object.keys(outputs)) {
    if (reached.has(file)) continue
    rmSync(file)
    delete outputs[file]
  }
  const packages = {}
  for (const [file, output] of Object.entries(outputs))
    packages[`dist/${relative(outdir, file).split(sep).join('/')}`] = packagesIn(output)
  writeFileSync(join(outdir, 'bundle-packages.json'), `${JSON.stringify(packages, null, 2)}\n`)
}

/**
 * The sandbox server as one ES module, dist/server/sandbox.js (issue 17): importing tsc's tree loaded
 * some 320 files (fastify and its dependencies, ours) on every sandbox command. It sits where tsc's
 * sandbox.js sat, at the same depth as src/server/*.ts, so that the files it finds beside itself
 * (src/server/paths.ts: the migrations; spec.ts: dist/openapi.json) are found from either. better-sqlite3
 * stays outside: a native addon that its `bindings` finds by path in node_modules. Then tsc's copies of
 * what the bundle holds go, so that the package ships only what runs.
 */
async function bundleServer(outdir) {
  const validators = await precompileValidators(outdir)
  const validationModule = resolve('src/server/validation.ts')
  const result = await build({
    entryPoints: ['src/server/sandbox.ts'],
    ...ES_MODULE_FOR_NODE,
    outfile: join(outdir, 'server', 'sandbox.js'),
    external: ['better-sqlite3'],
    allowOverwrite: true,
    plugins: [
      {
        name: 'precompiled-validators',
        setup(b) {
          // validation.ts's import of the run-time compiler becomes the standalone code: Ajv stays out.
          b.onResolve({ filter: /^\.\/validators\.js$/ }, (args) =>
            args.importer === validationModule ? { path: validators } : undefined,
          )
          // fastify requires its default compilers (Ajv, fast-json-stringify) only when an app gives none,
          // and light-my-request only for inject(): app.ts gives both compilers and nothing injects. Left
          // out (a third of the bundle); should fastify ever ask for one, it fails saying so.
          // fastify checks, as each plugin is registered, that the plugin's declared fastify range holds
          // for its own version. Inside the bundle both are fixed, so the build checks them once
          // (checkPluginRanges, below) and fastify's semver is a stand-in that agrees: semver (45 KB, ~4 ms
          // of the sandbox's start) stays out. Its other calls are for a fastify release candidate only.
          b.onResolve({ filter: /^semver$/ }, (args) =>
            /[\\/]fastify[\\/]lib[\\/]plugin-utils\.js$/.test(args.importer)
              ? { path: 'semver', namespace: 'checked-at-build' }
              : undefined,
          )
          b.onLoad({ filter: /.*/, namespace: 'checked-at-build' }, () => ({
            contents: [
              "const rc = () => { throw new Error('semver is not in the server bundle: a fastify release candidate? (scripts/build.mjs)') }",
              'module.exports = { satisfies: () => true, gt: rc, coerce: rc }',
            ].join('\n'),
            loader: 'js',
          }))
          const leftOut = /^(@fastify\/ajv-compiler|@fastify\/fast-json-stringify-compiler|light-my-request)$/
          b.onResolve({ filter: leftOut }, (args) => ({ path: args.path, namespace: 'left-out' }))
          b.onLoad({ filter: /.*/, namespace: 'left-out' }, (args) => ({
            contents: `throw new Error(${JSON.stringify(`${args.path} is not in the server bundle (scripts/build.mjs, bundleServer)`)})`,
            loader: 'js',
          }))
        },
      },
    ],
  })
  rmSync(dirname(validators), { recursive: true, force: true })
  checkPluginRanges(result.metafile)
  // The bundle must start: a schema without its precompiled validator stops the build here, not a request.
  const bundled = await import(pathToFileURL(join(outdir, 'server', 'sandbox.js')).href)
  const smoke = mkdtempSync(join(tmpdir(), 'orgctl-build-'))
  try {
    const server = await bundled.startServer({ dbPath: join(smoke, 'sandbox.db'), ephemeralAdmin: true })
    await server.close()
  } catch (error) {
    // Installed without the optional better-sqlite3 (Node 20, 22): the sandbox cannot run here at all,
    // and says so at run time; the build goes on (test/server/bundle.test.ts checks where SQLite is).
    if (error?.code !== 'ORGCTL_SQLITE_UNAVAILABLE') throw error
    process.stderr.write(`build: the server bundle was not started (${error.message.split(':')[0]})\n`)
  } finally {
    rmSync(smoke, { recursive: true, force: true })
  }
  // tsc's copies of the modules inside the bundle: nothing loads them any more. (dist/sqlite and
  // dist/shared stay for tests that build on them; the package does not ship them.)
  for (const entry of readdirSync(join(outdir, 'server'))) {
    if (entry !== 'sandbox.js' && entry !== 'migrations')
      rmSync(join(outdir, 'server', entry), { recursive: true })
  }
  // For the start-up import guard (test/startup): which packages the server bundle holds.
  const packagesFile = join(outdir, 'bundle-packages.json')
  const packages = JSON.parse(readFileSync(packagesFile, 'utf8'))
  packages['dist/server/sandbox.js'] = packagesIn(Object.values(result.metafile.outputs)[0])
  writeFileSync(packagesFile, `${JSON.stringify(packages, null, 2)}\n`)
}

/**
 * Every schema the server validates with (each operation's body, path and query parameters from
 * api/openapi.yaml, through tsc's spec.js: the server's own code; and the header parameters), compiled
 * by the server's own Ajv set-up (tsc's validators.js) into standalone code, one module per kind, with a
 * lookup by the schema's JSON. The bundle thus validates with exactly what the spec says: a schema that
 * differs from the one compiled has no validator, and the server refuses to start (see the smoke start
 * above; test/server/bundle.test.ts compares the bundle's answers with the sources' on samples).
 */
async function precompileValidators(outdir) {
  const spec = await import(pathToFileURL(join(outdir, 'server', 'spec.js')).href)
  const { makeAjv } = await import(pathToFileURL(join(outdir, 'server', 'validators.js')).href)
  const standalone = require('ajv/dist/standalone').default
  const schemas = { strict: new Map(), coercing: new Map() }
  const add = (kind, schema) => {
    if (schema) schemas[kind].set(JSON.stringify(schema), schema)
  }
  for (const { operation } of spec.operations()) {
    const route = spec.routeSchema(operation.operationId)
    add('strict', route.body)
    add('coercing', route.params)
    add('coercing', route.querystring)
  }
  const parameters = spec.loadSpec().components?.parameters ?? {}
  for (const [name, parameter] of Object.entries(parameters))
    if (parameter.in === 'header') add('strict', spec.headerSchema(name))
  // Inside the project, so that the generated code's require("ajv/dist/runtime/…") resolves.
  const dir = resolve(outdir, 'precompiled-validators')
  mkdirSync(dir, { recursive: true })
  const table = []
  for (const [kind, byJson] of Object.entries(schemas)) {
    const ajv = makeAjv(kind, { code: { source: true } })
    const names = {}
    ;[...byJson].forEach(([json, schema], i) => {
      ajv.addSchema(schema, `v${i}`)
      names[`v${i}`] = `v${i}`
      table.push(`[${JSON.stringify(`${kind}:${json}`)}, ${kind}.v${i}]`)
    })
    writeFileSync(join(dir, `${kind}.cjs`), standalone(ajv, names))
  }
  const entry = join(dir, 'validators.mjs')
  writeFileSync(
    entry,
    [
      "import strict from './strict.cjs'",
      "import coercing from './coercing.cjs'",
      `const table = new Map([${table.join(',\n')}])`,
      'export function validatorFor(schema, kind) {',
      '  const validate = table.get(`${kind}:${JSON.stringify(schema)}`)',
      '  if (!validate) throw new Error(`The server bundle has no ${kind} validator for ${JSON.stringify(schema).slice(0, 200)}: it was built from another api/openapi.yaml (npm run build)`)',
      '  return validate',
      '}',
    ].join('\n'),
  )
  return entry
}

/** The packages whose code is inside one output file of esbuild's metafile, sorted. */
function packagesIn(output) {
  const names = new Set()
  for (const input of Object.keys(output.inputs)) {
    const m = /(?:^|\/)node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input)
    if (m) names.add(m[1])
  }
  return [...names].sort()
}

/** Command files under `dir` and their oclif IDs (`org/get.ts` is `org:get`). */
function listCommands(dir, prefix = []) {
  return readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((e) => {
      if (e.isDirectory()) return listCommands(join(dir, e.name), [...prefix, e.name])
      if (!e.name.endsWith('.ts') || e.name.endsWith('.d.ts')) return []
      return [
        { id: [...prefix, e.name.slice(0, -3)].join(':'), file: join(dir, e.name).split(sep).join('/') },
      ]
    })
}

/**
 * What fastify checks when a plugin is registered, done once here for the bundle (whose semver is a
 * stand-in): every fastify plugin the server imports declares a fastify range that the bundled fastify
 * satisfies; otherwise the build stops with fastify's own complaint.
 */
function checkPluginRanges(metafile) {
  const semver = require('semver')
  const fastify = JSON.parse(readFileSync(require.resolve('fastify/package.json'), 'utf8')).version
  const imported = new Set()
  for (const [file, input] of Object.entries(metafile.inputs)) {
    if (!file.startsWith('src/server/')) continue
    for (const i of input.imports) {
      const m = /(?:^|\/)node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(i.path)
      if (m && m[1] !== 'fastify') imported.add(m[1])
    }
  }
  let checked = 0
  for (const name of imported) {
    const exported = require(name)
    const meta = (exported?.default ?? exported)?.[Symbol.for('plugin-meta')]
    if (!meta?.fastify) continue
    checked++
    if (!semver.satisfies(fastify, meta.fastify))
      throw new Error(`${name} expects fastify ${meta.fastify}, the bundle has ${fastify}`)
  }
  if (checked === 0)
    throw new Error('scripts/build.mjs: found no fastify plugin to check; did the imports move?')
}
