// Compiles src/ to dist/, copies the server's SQL migrations beside their loader, and regenerates
// oclif.manifest.json so that start-up never scans the commands folder, then renders the fast paths
// of bin/run.js (dist/fast-paths.json).
//
// The new tree is built beside dist/ and swapped in with renames, so a CLI process (or a test run)
// that starts during a build never sees a half-empty dist/.
import { execFileSync } from 'node:child_process'
import { cpSync, renameSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)
const run = (file, args) => execFileSync(process.execPath, [file, ...args], { stdio: 'inherit' })
const next = `dist.next-${process.pid}`
const old = `dist.old-${process.pid}`

try {
  run(require.resolve('typescript/bin/tsc'), ['-p', 'tsconfig.build.json', '--outDir', next])
  cpSync('src/server/migrations', `${next}/server/migrations`, { recursive: true })
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
