// What a build is made from: a hash of every file under src/, api/openapi.yaml, package.json, the
// lockfile and the build scripts. scripts/build.mjs writes it to dist/source-stamp.json; the test run's
// global setup (test/global-setup.ts) compares it and rebuilds when they differ, so the spawn tests can
// never run a stale dist/.
import { createHash } from 'node:crypto'
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'

const INPUTS = ['src', 'api/openapi.yaml', 'package.json', 'package-lock.json', 'scripts', 'bin']

function* files(root, path) {
  const full = join(root, path)
  if (statSync(full).isDirectory()) {
    for (const name of readdirSync(full).sort()) yield* files(root, join(path, name))
  } else yield path
}

/** The stamp of the sources under `root` (the package folder). */
export function sourceStamp(root) {
  const hash = createHash('sha256')
  for (const input of INPUTS) {
    for (const file of files(root, input)) {
      hash.update(`${relative(root, join(root, file))}\0`)
      hash.update(readFileSync(join(root, file)))
      hash.update('\0')
    }
  }
  return hash.digest('hex')
}

// `node scripts/source-stamp.mjs` prints the stamp of this checkout.
if (import.meta.url === `file://${process.argv[1]}`) {
  process.stdout.write(`${sourceStamp(new URL('..', import.meta.url).pathname)}\n`)
}
