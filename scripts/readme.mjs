// Regenerates README.md's command reference (between <!-- commands --> and <!-- commandsstop -->) from
// the commands' own help, with `oclif readme`; `--check` fails instead when the committed one is stale.
//
// The output must not depend on the machine: a fixed width (oclif wraps help at $COLUMNS), no source
// links (they embed a version and a repository URL), and no update check. The result is formatted with
// prettier, as `npm run lint` checks every Markdown file.
// Needs a build (dist/ and oclif.manifest.json), as `npm test` makes first.
import { execFileSync } from 'node:child_process'
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const require = createRequire(import.meta.url)
const oclif = require.resolve('oclif/bin/run.js')

async function generate(readmePath) {
  execFileSync(
    process.execPath,
    [oclif, 'readme', '--readme-path', readmePath, '--no-source-links', '--no-aliases'],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, COLUMNS: '120', OCLIF_SKIP_NEW_VERSION_CHECK: 'true', NO_COLOR: '1' },
    },
  )
  const prettier = await import('prettier')
  const options = (await prettier.resolveConfig('README.md')) ?? {}
  const text = readFileSync(readmePath, 'utf8')
  writeFileSync(readmePath, await prettier.format(text, { ...options, filepath: 'README.md' }))
}

if (process.argv.includes('--check')) {
  const dir = mkdtempSync(join(tmpdir(), 'orgctl-readme-'))
  try {
    const copy = join(dir, 'README.md')
    copyFileSync('README.md', copy)
    await generate(copy)
    if (readFileSync(copy, 'utf8') !== readFileSync('README.md', 'utf8')) {
      console.error(
        "README.md's command reference is out of date: run `npm run build && npm run readme` and commit it.",
      )
      process.exit(1)
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
} else {
  await generate('README.md')
}
