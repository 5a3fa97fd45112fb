/**
 * The CLI's one door into the sandbox server. src/server never imports the CLI; the CLI reaches it only
 * through this module, which loads it (fastify, SQLite, the spec) on first use: in sandbox mode,
 * `server start` and `sandbox reset`, never for a remote API. The lint rules enforce both directions.
 */
import type * as ServerEntry from '../server/sandbox.js'

export type { RunningServer, StartOptions } from '../server/sandbox.js'

/** Loads the server's entry module (`startServer`, `resetSandbox`, `sandboxFiles`). */
export function loadServer(): Promise<typeof ServerEntry> {
  return import('../server/sandbox.js')
}
