import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'

const ROOT = resolve(import.meta.dirname, '..')

/**
 * The spawn tests run bin/run.js, which runs dist/: a dist/ built from other sources than these is rebuilt
 * first (once per run; `npm test` has just built, so it matches and this costs one hash of the sources).
 */
function ensureFreshBuild(): void {
  const node = (args: string[], inherit = false) =>
    execFileSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8', stdio: inherit ? 'inherit' : 'pipe' })
  const wanted = node(['scripts/source-stamp.mjs']).trim()
  let built: string | undefined
  try {
    built = (JSON.parse(readFileSync(join(ROOT, 'dist/source-stamp.json'), 'utf8')) as { sources?: string })
      .sources
  } catch {
    // no build yet
  }
  if (built === wanted) return
  process.stderr.write('dist/ was not built from these sources: building it once for this test run\n')
  node(['scripts/build.mjs'], true)
}

/**
 * One temporary root per test run: TMPDIR points there for the workers (and, through baseEnv() in
 * test/helpers/tmp.ts, for the processes they spawn), so os.tmpdir() in any test is inside it. At the
 * end the root must be empty; whatever a test left behind is named, removed, and fails the run.
 */
export default function setup(): () => void {
  // Each project (main, load) runs the global setup; the first one makes the root and checks it.
  if (process.env.ORGCTL_TEST_TMP_ROOT) return () => {}
  ensureFreshBuild()
  const root = mkdtempSync(join(tmpdir(), 'orgctl-test-run-'))
  process.env.ORGCTL_TEST_TMP_ROOT = root
  const previous = process.env.TMPDIR
  process.env.TMPDIR = root
  return () => {
    delete process.env.ORGCTL_TEST_TMP_ROOT
    if (previous === undefined) delete process.env.TMPDIR
    else process.env.TMPDIR = previous
    const left = readdirSync(root)
    rmSync(root, { recursive: true, force: true })
    if (left.length > 0) {
      // vitest reports an error thrown here but still exits 0; the exit code is what CI sees.
      process.exitCode = 1
      process.stderr.write(
        `\nFAIL: the test run left ${left.length} temporary file(s) or folder(s) behind (make them with ` +
          `tempDir() from test/helpers/tmp.ts): ${left.slice(0, 20).join(', ')}\n`,
      )
    }
  }
}
