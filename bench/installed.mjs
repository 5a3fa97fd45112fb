// The package as users install it (issue 11, issue 13's start-up tricks): `npm pack` of the current
// build, `npm install -g --prefix` into a temporary folder (npm's cache first), and then, interleaved
// with `node -e 0`:
// - `--version` and `--help` of the installed copy, with its fast paths and without them
//   (ORGCTL_FAST_PATHS=0), so the gain of the fast paths is measured where users meet them;
// - `org get ID --json` against a server in another process, as installed and without the start-up
//   shortcuts (ORGCTL_FAST_PATHS=0: no fast-path index, oclif finds and reads package.json itself);
// - `org get ID --jq .name`, as installed and in a copy whose bundle does not set `--liftoff-only`.
// ORGCTL_BENCH_PREFIX=<folder> reuses an install made before; without it the bench installs (about a
// minute, mostly npm) and removes its own.
import { execFileSync, spawnSync } from 'node:child_process'
import {
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'

import { fmt, median, root, startServerProcess, timeInterleaved } from './lib.mjs'

const RUNS = 21
const TOKEN = 'bench-admin-token-installed'
const LIFTOFF = 'setFlagsFromString("--liftoff-only")'

/** As test/package/tarball.ts installPacked: install scripts skipped, better-sqlite3's addon reused. */
function install(dir) {
  const out = execFileSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], {
    cwd: root,
    encoding: 'utf8',
  })
  const tarball = join(dir, JSON.parse(out)[0].filename)
  const prefix = join(dir, 'prefix')
  const npm = (args) =>
    execFileSync(
      'npm',
      [...args, '-g', '--prefix', prefix, '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'],
      { cwd: dir, stdio: ['ignore', 'ignore', 'inherit'] },
    )
  npm(['install', '--ignore-scripts', tarball])
  const installed = join(prefix, 'lib/node_modules/orgctl/node_modules/better-sqlite3')
  const ours = join(root, 'node_modules/better-sqlite3')
  const addon = 'build/Release/better_sqlite3.node'
  const version = (d) => JSON.parse(readFileSync(join(d, 'package.json'), 'utf8')).version
  if (!existsSync(installed)) return prefix
  if (version(installed) === version(ours) && existsSync(join(ours, addon))) {
    mkdirSync(join(installed, 'build/Release'), { recursive: true })
    copyFileSync(join(ours, addon), join(installed, addon))
  } else npm(['rebuild', 'better-sqlite3'])
  return prefix
}

/**
 * Median CPU time (user + system, ms) of each case's process, interleaved as timeInterleaved does:
 * bash's `times` after the command. CPU time hardly moves with the load of a shared machine, which
 * wall time does: it is what tells a trick's gain from noise there.
 */
function cpuInterleaved(cases, runs = RUNS) {
  const samples = cases.map(() => [])
  const seconds = (t) => {
    const m = /^(\d+)m([\d.]+)s$/.exec(t)
    return Number(m[1]) * 60 + Number(m[2])
  }
  for (let i = 0; i < runs; i++) {
    cases.forEach((c, j) => {
      const r = spawnSync('bash', ['-c', '"$@" >/dev/null 2>&1 || exit 9; times', '_', c.cmd, ...c.args], {
        encoding: 'utf8',
        ...c.options,
      })
      if (r.status !== 0) throw new Error(`${c.name}: exited ${r.status}`)
      const [user, sys] = r.stdout.trim().split('\n').at(-1).split(' ')
      samples[j].push((seconds(user) + seconds(sys)) * 1000)
    })
  }
  return samples.map((xs) => median(xs))
}

/** A copy of the installed package beside it, changed by `edit(dir)`; returns its bin/run.js. */
async function variant(pkg, name, edit) {
  const dir = `${pkg}-${name}`
  rmSync(dir, { recursive: true, force: true })
  cpSync(pkg, dir, { recursive: true, verbatimSymlinks: true })
  await edit(dir)
  return join(dir, 'bin', 'run.js')
}

export async function run() {
  const dir = mkdtempSync(join(tmpdir(), 'orgctl-bench-installed-'))
  const prefix = process.env.ORGCTL_BENCH_PREFIX || install(dir)
  const pkg = join(prefix, 'lib', 'node_modules', 'orgctl')
  const bin = join(pkg, 'bin', 'run.js')
  const home = {
    HOME: dir,
    XDG_DATA_HOME: join(dir, 'data'),
    XDG_CONFIG_HOME: join(dir, 'config'),
    PATH: process.env.PATH,
    NO_COLOR: '1',
  }
  const slow = { ...home, ORGCTL_FAST_PATHS: '0' }
  const c = (name, args, env) => ({ name, cmd: process.execPath, args, options: { env, cwd: dir } })
  const rows = []
  const all = []
  const ratio = (cases) => {
    const results = timeInterleaved(cases, { runs: RUNS })
    const cpu = cpuInterleaved(cases)
    results.forEach((r, i) => all.push({ ...r, cpu: cpu[i] }))
    const floor = results[0].median
    results.forEach((r, i) =>
      rows.push(`| ${r.name} | ${fmt(r.median, 1)} | ${fmt(r.median / floor, 2)}x | ${fmt(cpu[i])} |`),
    )
  }
  const noLiftoff = await variant(pkg, 'no-liftoff', (d) => {
    // The bundle's chunk that holds src/core/jq.ts, with the flag's call made a no-op.
    const chunks = readdirSync(join(d, 'dist')).filter((f) => f.endsWith('.js'))
    const holder = chunks.find((f) => readFileSync(join(d, 'dist', f), 'utf8').includes(LIFTOFF))
    if (!holder) throw new Error('bench/installed.mjs: no chunk sets --liftoff-only to drop')
    const file = join(d, 'dist', holder)
    writeFileSync(
      file,
      readFileSync(file, 'utf8').replace(LIFTOFF, 'setFlagsFromString("--no-liftoff-only")'),
    )
  })
  try {
    ratio([
      c('`node -e 0` (floor)', ['-e', '0'], home),
      c('installed `orgctl --version`', [bin, '--version'], home),
      c('installed `orgctl --version`, no fast paths', [bin, '--version'], slow),
      c('installed `orgctl --help`', [bin, '--help'], home),
      c('installed `orgctl --help`, no fast paths', [bin, '--help'], slow),
    ])
    const server = await startServerProcess({ db: join(dir, 'bench.db'), token: TOKEN })
    try {
      const res = await fetch(`${server.url}/api/organizations`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'Installed', countryCode: 'US' }),
      })
      const org = res.headers.get('location').split('/').pop()
      const remote = { ...home, ORGCTL_API_URL: server.url, ORGCTL_TOKEN: TOKEN }
      ratio([
        c('`node -e 0` (floor)', ['-e', '0'], home),
        c(
          'installed `org get ID --json` (server in another process)',
          [bin, 'org', 'get', org, '--json'],
          remote,
        ),
        c('… with ORGCTL_FAST_PATHS=0 (no start-up shortcuts)', [bin, 'org', 'get', org, '--json'], {
          ...remote,
          ORGCTL_FAST_PATHS: '0',
        }),
        c('installed `org get ID --jq .name`', [bin, 'org', 'get', org, '--jq', '.name'], remote),
        c('… without `--liftoff-only`', [noLiftoff, 'org', 'get', org, '--jq', '.name'], remote),
      ])
    } finally {
      await server.stop()
    }
  } finally {
    rmSync(`${pkg}-no-liftoff`, { recursive: true, force: true })
    rmSync(dir, { recursive: true, force: true })
  }
  const gain = (without, withTrick) => {
    const [a, b] = [all[without], all[withTrick]]
    const pct = (x, y) => fmt((100 * (x - y)) / x)
    return `${fmt(a.median - b.median)} ms wall (${pct(a.median, b.median)} %), ${fmt(a.cpu - b.cpu)} ms CPU (${pct(a.cpu, b.cpu)} %)`
  }
  const markdown = [
    `Median wall time of ${RUNS} interleaved runs per case (after 2 warm-up rounds), output piped, run from a folder outside the clone with a fresh HOME; then as many interleaved runs for the CPU time of each process (user + system, from bash's \`times\`), which a loaded machine moves far less than wall time. "Installed" is \`npm pack\` of this build installed with \`npm install -g --prefix\`; the last row is a copy of that install with one start-up trick taken out. Command: \`node bench/run.mjs installed\` (\`ORGCTL_BENCH_PREFIX=<prefix>\` reuses an install).`,
    '',
    '| command | median wall (ms) | / floor | median CPU (ms) |',
    '| --- | ---: | ---: | ---: |',
    ...rows,
    '',
    '### Start-up tricks (issue 13)',
    '',
    `- **Fast paths** (bin/run.js answers \`--version\` and piped help from dist/fast-paths.json without loading oclif): kept. They are stamped with a build identity made of contents (bin/stamp.js: package.json's version and oclif section, the manifest, compared byte for byte with the copy help was rendered from, the versions of @oclif/core and the plugins that render help), no longer file times, so they fire in an installed copy too (test/package/installed.test.ts, test/startup/fast-paths.test.ts). Gain in the installed copy: \`--version\` ${gain(2, 1)}, \`--help\` ${gain(4, 3)}.`,
    `- **oclif's load options** (bin/run.js hands oclif package.json as it read it, and no user plugins; issue 17): test/startup/fast-paths.test.ts checks that the answers are the same. The next row's \`ORGCTL_FAST_PATHS=0\` also turns off the fast-path index read, so the two rows compare every start-up shortcut on a command that has no fast answer: ${gain(7, 6)}. (Loading oclif without its plugins for orgctl's own commands was tried and dropped: once oclif's sort no longer set up ICU and plugin names were compared without minimatch, the plugins cost about 2 ms, within the noise.)`,
    `- **undici-lite**: gone with undici (issue 17): the transport is node:http, which loads in a few ms and needs no WebAssembly.`,
    `- **\`--liftoff-only\`** (V8 flag set by \`--jq\` before jq-web's WebAssembly is compiled, so it is compiled once at the baseline tier and the process does not wait for the optimising compile at exit): kept for jq, the only WebAssembly left. test/startup/liftoff.test.ts fails on a Node whose V8 no longer accepts the flag silently, and checks that it precedes jq's load; CI's other Node lines run it. Gain on \`org get --jq\`: ${gain(9, 8)}.`,
  ].join('\n')
  return { title: 'Start-up of the installed package', markdown }
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { title, markdown } = await run()
  console.log(`## ${title}\n\n${markdown}`)
}
