import { execFile } from 'node:child_process'
import { resolve } from 'node:path'
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
