// Compiles src/ to dist/, copies the server's SQL migrations beside their loader, writes
// api/openapi.yaml as dist/openapi.json, and regenerates
// oclif.manifest.json so that start-up never scans the commands folder, then renders the fast paths
// of bin/run.js (dist/fast-paths.json).
//
// The new tree is built beside dist/ and swapped in with renames, so a CLI process (or a test run)
// that starts during a build never sees a half-empty dist/.
import { execFileSync } from 'node:child_process'
import { cpSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join, relative, resolve, sep } from 'node:path'

import { build } from 'esbuild'
import { parse as parseYaml } from 'yaml'

import { compareIds, lazyModules } from './lazy-modules.mjs'
import { sourceStamp } from './source-stamp.mjs'

const require = createRequire(import.meta.url)
const run = (file, args) => execFileSync(process.execPath, [file, ...args], { stdio: 'inherit' })
const next = `dist.next-${process.pid}`
const old = `dist.old-${process.pid}`

try {
  run(require.resolve('typescript/bin/tsc'), ['-p', 'tsconfig.build.json', '--outDir', next])
  cpSync('src/server/migrations', `${next}/server/migrations`, { recursive: true })
  // The server reads the spec as JSON (src/server/spec.ts): parsing the YAML on every start costs more.
  writeFileSync(`${next}/openapi.json`, JSON.stringify(parseYaml(readFileSync('api/openapi.yaml', 'utf8'))))
  await bundle(next)
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
 * Left out: the sandbox server (tsc's dist/server/, which finds its migrations and the OpenAPI file
 * relative to itself; reached as `#server/...`, package.json's subpath imports, so that the import reads
 * the same from every output file) with fastify and better-sqlite3; typescript, which oclif only asks for
 * in development. dist/bundle-packages.json names the packages inside each output file, for the start-up
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
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    outdir,
    chunkNames: 'chunk-[hash]',
    metafile: true,
    minifyWhitespace: true,
    minifySyntax: true,
    logLevel: 'warning',
    // CommonJS packages inside an ES module still call require() for Node's built-ins.
    banner: {
      js: "import { createRequire as __orgctlRequire } from 'node:module'\nconst require = __orgctlRequire(import.meta.url)",
    },
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
  for (const [file, output] of Object.entries(outputs)) {
    const names = new Set()
    for (const input of Object.keys(output.inputs)) {
      const m = /(?:^|\/)node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input)
      if (m) names.add(m[1])
    }
    packages[`dist/${relative(outdir, file).split(sep).join('/')}`] = [...names].sort()
  }
  writeFileSync(join(outdir, 'bundle-packages.json'), `${JSON.stringify(packages, null, 2)}\n`)
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
