import { BaseCommand } from '../core/base-command.js'

/** What `orgctl version --json` prints; a bug report needs all of it. */
export interface VersionInfo {
  name: string
  version: string
  nodeVersion: string
  platform: string
  arch: string
  /** The SQLite driver the sandbox would use, or null when none is installed (remote API only). */
  sqliteDriver: string | null
  sqliteDriverVersion: string | null
}

const COLUMNS = ['name', 'version', 'nodeVersion', 'platform', 'arch', 'sqliteDriver', 'sqliteDriverVersion']

/**
 * `orgctl version`: what `--version` says, with the SQLite driver, as a record or `--json`. Our own
 * command rather than @oclif/plugin-version: one more plugin would be loaded by every start-up, and the
 * plugin knows nothing of the sandbox's driver.
 */
export default class Version extends BaseCommand<typeof Version> {
  static override summary = 'Show the version of orgctl, Node.js, the platform and the SQLite driver'
  static override examples = ['<%= config.bin %> version', '<%= config.bin %> version --json']

  async run(): Promise<VersionInfo> {
    const info: VersionInfo = {
      name: this.config.name,
      version: this.config.version,
      nodeVersion: process.version,
      platform: process.platform,
      arch: process.arch,
      ...(await sqliteDriver()),
    }
    await this.show({ columns: COLUMNS, rows: [info as unknown as Record<string, unknown>], record: true })
    return info
  }
}

/** The driver's name and version from its package.json, without loading the driver (cheap). */
async function sqliteDriver(): Promise<Pick<VersionInfo, 'sqliteDriver' | 'sqliteDriverVersion'>> {
  const { preferredDriver } = await import('../sqlite/driver.js')
  // From Node 24 the sandbox uses the built-in node:sqlite (src/sqlite/driver.ts), whatever is installed.
  if (preferredDriver() === 'node:sqlite')
    return { sqliteDriver: 'node:sqlite', sqliteDriverVersion: process.versions.sqlite ?? null }
  const { createRequire } = await import('node:module')
  const { readFileSync } = await import('node:fs')
  try {
    const file = createRequire(import.meta.url).resolve('better-sqlite3/package.json')
    const { version } = JSON.parse(readFileSync(file, 'utf8')) as { version: string }
    return { sqliteDriver: 'better-sqlite3', sqliteDriverVersion: version }
  } catch {
    return { sqliteDriver: null, sqliteDriverVersion: null }
  }
}
