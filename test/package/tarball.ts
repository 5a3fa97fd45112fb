import { execFile } from 'node:child_process'
import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { promisify } from 'node:util'

export const ROOT = resolve(import.meta.dirname, '../..')

/** `npm` as CI has it: the one beside the running node, else the one on PATH. */
export const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm'

export const run = promisify(execFile)

/**
 * The file list of the package `npm pack` would make from the current build, without running the
 * `prepare` build again (the test run built once; see package.json "test").
 */
export async function packedFiles(): Promise<string[]> {
  const { stdout } = await run(NPM, ['pack', '--dry-run', '--json', '--ignore-scripts'], {
    cwd: ROOT,
    maxBuffer: 16 * 1024 * 1024,
  })
  const [pack] = JSON.parse(stdout) as { files: { path: string }[] }[]
  return pack!.files.map((f) => f.path).sort()
}

const versionOf = (dir: string): string | undefined =>
  existsSync(join(dir, 'package.json'))
    ? (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string }).version
    : undefined

/**
 * Packs the current build into `dir` and installs the tarball with `npm install -g --prefix
 * <dir>/prefix`, dependencies from npm's cache first (else the registry); returns the prefix.
 *
 * Install scripts are skipped: the only ones are better-sqlite3's (a compile of SQLite that takes a
 * core for minutes, longer on a loaded machine) and orgctl's `prepare`, which npm does not run for a
 * tarball. The addon this clone compiled (`npm ci`) is copied in when the installed better-sqlite3 is
 * the same version, for this same Node; otherwise `npm rebuild` compiles it as the install would have.
 */
export async function installPacked(dir: string): Promise<string> {
  const { stdout } = await run(NPM, ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], {
    cwd: ROOT,
    maxBuffer: 16 * 1024 * 1024,
  })
  const tarball = join(dir, (JSON.parse(stdout) as { filename: string }[])[0]!.filename)
  const prefix = join(dir, 'prefix')
  const npm = (args: string[]) =>
    run(NPM, [...args, '-g', '--prefix', prefix, '--prefer-offline', '--no-audit', '--no-fund'], {
      cwd: dir,
      env: { ...process.env, npm_config_loglevel: 'error' },
      maxBuffer: 16 * 1024 * 1024,
    })
  await npm(['install', '--ignore-scripts', tarball])
  const installed = join(prefix, 'lib/node_modules/orgctl/node_modules/better-sqlite3')
  const ours = join(ROOT, 'node_modules/better-sqlite3')
  const addon = 'build/Release/better_sqlite3.node'
  if (!existsSync(installed)) return prefix // an optional driver npm left out
  if (versionOf(installed) === versionOf(ours) && existsSync(join(ours, addon))) {
    mkdirSync(join(installed, 'build/Release'), { recursive: true })
    copyFileSync(join(ours, addon), join(installed, addon))
  } else {
    await npm(['rebuild', 'better-sqlite3'])
  }
  return prefix
}
