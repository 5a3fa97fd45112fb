import { randomBytes } from 'node:crypto'
import { Command, Flags, type Interfaces } from '@oclif/core'

import { mapError, sandboxStartError } from '../../core/errors.js'
import { terminalText } from '../../core/escape.js'

/** `orgctl server start`: the sandbox API on 127.0.0.1 until SIGINT or SIGTERM. */
export default class ServerStart extends Command {
  static override summary = 'Run the sandbox API server (the whole API on a SQLite file)'

  static override description =
    'Listens on 127.0.0.1 and prints "Listening on <url>" to stdout when ready. Without --admin-token ' +
    '(or ORGCTL_ADMIN_TOKEN) a platform-admin token is generated and printed once on stderr. ' +
    'One line per request is logged to stderr, without secrets. Stops cleanly on SIGINT or SIGTERM.'

  static override examples = [
    '<%= config.bin %> server start',
    'ORGCTL_ADMIN_TOKEN=s3cret <%= config.bin %> server start --port 4010 --db ./sandbox.db',
    '<%= config.bin %> server start --rate-limit 60 --rate-window 60',
  ]

  static override flags = {
    port: Flags.integer({
      description: 'port to listen on (0: any free port)',
      default: 4010,
      min: 0,
      max: 65535,
    }),
    host: Flags.string({ description: 'address to listen on', default: '127.0.0.1' }),
    db: Flags.string({
      description: 'SQLite database file (the outbox and media live beside it)',
      default: './sandbox.db',
    }),
    'admin-token': Flags.string({
      description: 'platform-admin bearer token to accept (stored hashed)',
      env: 'ORGCTL_ADMIN_TOKEN',
    }),
    'rate-limit': Flags.integer({ description: 'requests per token per window (off unless given)', min: 1 }),
    'rate-window': Flags.integer({ description: 'rate-limit window in seconds', default: 60, min: 1 }),
    quiet: Flags.boolean({ description: 'do not log requests', default: false }),
  }

  async run(): Promise<void> {
    const { flags } = await this.parse(ServerStart)
    // Loaded here so that no other command pays for fastify and SQLite.
    const { startServer } = await (await import('../../core/server-entry.js')).loadServer()
    const generated = flags['admin-token'] ? undefined : randomBytes(32).toString('base64url')
    const adminToken = flags['admin-token'] ?? generated!
    // A request log line holds the path a client sent: escaped like any text from outside.
    const log = flags.quiet ? undefined : (line: string) => process.stderr.write(`${terminalText(line)}\n`)
    const place = { dbPath: flags.db, host: flags.host, port: flags.port }
    const server = await startServer({
      ...place,
      adminToken,
      rateLimit: flags['rate-limit']
        ? { max: flags['rate-limit'], windowMs: flags['rate-window'] * 1000 }
        : false,
      ...(log ? { log } : {}),
    }).catch((error: unknown) => {
      throw sandboxStartError(error, place)
    })
    if (generated) process.stderr.write(`Admin token (shown once): ${generated}\n`)
    process.stdout.write(`Listening on ${server.url}\n`)

    await new Promise<void>((resolve) => {
      const stop = (): void => {
        process.off('SIGINT', stop)
        process.off('SIGTERM', stop)
        resolve()
      }
      process.on('SIGINT', stop)
      process.on('SIGTERM', stop)
    })
    await server.close()
  }

  /**
   * Not a BaseCommand (none of the client's global flags apply), but its failures go through the same
   * mapping: a message the user can act on and the documented exit code.
   */
  override async catch(error: Interfaces.CommandError): Promise<void> {
    const mapped = mapError(error)
    process.exitCode = mapped.exitCode
    process.stderr.write(`Error: ${mapped.message}\n`)
  }
}
