import { Command, ux, type Interfaces } from '@oclif/core'

import { redactUserInfo } from '../api/redact.js'
import type { Transport } from '../api/transport.js'
import type { MemberRef, OrgRef, RoleRef } from './args.js'
import {
  BulkFailed,
  ExitCode,
  mapError,
  sandboxStartError,
  type MappedError,
  type TokenSource,
} from './errors.js'
import { terminalJson, terminalText } from './escape.js'
import { DEFAULT_TIMEOUT_SECONDS, sharedFlags, type OutputFormat } from './flags.js'
import type { JqFilter } from './jq.js'
import { pickColumns, render, type View } from './output.js'
import { defaultSandboxDbPath, resolveTarget, type Target } from './target.js'
import * as validate from './validate.js'

/** After SIGINT/SIGTERM, the longest orgctl lets anything still running (a journal flush, a close) take. */
const INTERRUPT_EXIT_MS = 1500

export type CommandFlags<T extends typeof Command> = Interfaces.InferredFlags<
  (typeof BaseCommand)['baseFlags'] & T['flags']
>
export type CommandArgs<T extends typeof Command> = Interfaces.InferredArgs<T['args']>

/** The `--json` error document: exactly this on stdout when a command fails with `--json`. */
export interface ErrorJson {
  error: MappedError
}

/**
 * What every orgctl command shares: the global flags, the target (profile, env or sandbox) and its
 * client, rendering of the returned result, and the one mapping from an error to an exit code.
 */
export abstract class BaseCommand<T extends typeof Command> extends Command {
  static override enableJsonFlag = true
  static override baseFlags = sharedFlags

  protected flags!: CommandFlags<T>
  protected args!: CommandArgs<T>
  /** Every positional argument, flags left out (for commands that take any number, `strict = false`). */
  protected positional: string[] = []

  private readonly cleanups: (() => Promise<void>)[] = []
  private tokenSource: TokenSource = 'none'
  private mapped: MappedError | undefined
  private transport: Promise<Transport> | undefined
  private resolved: Promise<Target> | undefined
  protected jq: JqFilter | undefined
  private failed = false
  private interrupt: AbortController | undefined
  /** Accessible mode (ORGCTL_ACCESSIBLE or the config): plain lines instead of boxes, spinners, redraws. */
  protected accessible = false

  override async init(): Promise<void> {
    await super.init()
    const ctor = this.ctor as typeof BaseCommand
    const { args, argv, flags } = await this.parse({
      flags: ctor.flags,
      baseFlags: ctor.baseFlags,
      enableJsonFlag: ctor.enableJsonFlag,
      args: ctor.args,
      strict: ctor.strict,
    })
    this.flags = flags as CommandFlags<T>
    this.args = args as CommandArgs<T>
    this.positional = argv.map(String)
    // jq loads (and checks the expression) before anything is sent, and only when asked for.
    if (this.flags.jq !== undefined) this.jq = await (await import('./jq.js')).loadJq(this.flags.jq)
    // Only a terminal can be drawn on, so only a terminal needs to know (piped runs never read the config for it).
    if (process.stdout.isTTY || process.stderr.isTTY)
      this.accessible = await (await import('./prompts.js')).isAccessible()
  }

  /** `--output json` is the same as `--json`, including for errors raised before flags are parsed. */
  override jsonEnabled(): boolean {
    if (super.jsonEnabled()) return true
    const argv = this.argv
    for (let i = 0; i < argv.length; i++) {
      const a = argv[i]
      if (a === '--') break
      if (a === '--output=json' || a === '-ojson' || a === '-o=json') return true
      if (a === '--jq' || a?.startsWith('--jq=')) return true
      if ((a === '--output' || a === '-o') && argv[i + 1] === 'json') return true
    }
    return false
  }

  /** The output format in effect. */
  protected get format(): OutputFormat {
    if (this.jsonEnabled()) return 'json'
    if (this.flags?.csv) return 'csv'
    return this.flags?.output ?? 'table'
  }

  /** The API client for the resolved target; starts the in-process sandbox when nothing is configured. */
  protected api(): Promise<Transport> {
    this.transport ??= this.connect()
    return this.transport
  }

  /**
   * A client for an explicit URL and token (login checks a token before saving it). The URL may carry no
   * user-info and the token no white space or control character (exit 2, nothing sent); `tokenFrom` names
   * where the token came from in that message.
   */
  protected async transportFor(
    url: string,
    token: string | undefined,
    tokenFrom = 'The token',
  ): Promise<Transport> {
    validate.apiUrl(url, 'The API URL')
    if (token !== undefined) validate.token(token, tokenFrom)
    const { Transport } = await import('../api/transport.js')
    const debug = this.flags.debug
    const transport = new Transport({
      baseUrl: url,
      token,
      userAgent: `orgctl/${this.config.version}`,
      timeoutMs: Math.round((this.flags.timeout ?? DEFAULT_TIMEOUT_SECONDS) * 1000),
      trace: debug
        ? (line) => process.stderr.write(`[debug] ${terminalText(redactUserInfo(line))}\n`)
        : undefined,
      signal: this.interruptSignal(),
    })
    this.cleanups.push(() => transport.close())
    this.showWaiting(transport)
    return transport
  }

  /**
   * A request that takes longer than a moment shows a spinner on stderr: on a terminal, for people only
   * (never with --json, nor with --debug's trace or a bulk run's own progress), a plain line in
   * accessible mode. Wrapped here rather than in the transport, which knows nothing of terminals.
   */
  private showWaiting(transport: Transport): void {
    const enabled =
      Boolean(process.stderr.isTTY) &&
      !this.jsonEnabled() &&
      !this.flags.debug &&
      (this.flags as { file?: string }).file === undefined
    if (!enabled) return
    const pending = import('./prompts.js').then((p) =>
      p.waitIndicator({ enabled, accessible: this.accessible }),
    )
    const send = transport.request.bind(transport)
    transport.request = (async (...args: Parameters<Transport['request']>) =>
      (await pending).track(() => send(...args))) as Transport['request']
  }

  /** Resolves where requests go (flags > env > profile > sandbox), once per command. */
  protected target(): Promise<Target> {
    this.resolved ??= resolveTarget(
      { apiUrl: this.flags['api-url'], profile: this.flags.profile },
      process.env,
      async () => (await import('./config.js')).readProfiles(),
      defaultSandboxDbPath,
      // The keyring module (and its helper process) only for a profile whose token lives there.
      async (profile, apiUrl) => {
        const keyring = await import('./keyring.js')
        return keyring.keyringGet(keyring.keyringAccount(profile, apiUrl))
      },
    )
    return this.resolved
  }

  /**
   * The organization the command acts on: ORG as given, else ORGCTL_ORG, the default (`org use`), or a
   * picker on a terminal (src/core/names.ts). Whatever orgctl chose is said on stderr with its name.
   */
  protected async organization(
    given: OrgRef | undefined,
    options: { destructive?: boolean } = {},
  ): Promise<string> {
    const { resolveOrg } = await import('./names.js')
    const { isInteractive } = await import('./prompts.js')
    return resolveOrg(given, {
      target: await this.target(),
      api: () => this.api(),
      note: (line) => this.note(line),
      destructive: options.destructive ?? false,
      interactive: isInteractive(),
      env: process.env,
    })
  }

  /** Adds an organization to the recent ones the ORG picker offers. */
  protected async rememberOrg(id: string, name: string | undefined): Promise<void> {
    const { remember } = await import('./names.js')
    const { readNames } = await import('./config.js')
    await remember(await readNames(), { id, ...(typeof name === 'string' ? { name } : {}) })
  }

  /** The member ID: as given, looked up by e-mail, or picked on a terminal (src/core/member-lookup.ts). */
  protected async member(orgId: string, given: MemberRef | undefined): Promise<number> {
    if (given?.id !== undefined) return given.id
    const { resolveMember } = await import('./member-lookup.js')
    const { isInteractive } = await import('./prompts.js')
    return resolveMember(given, {
      api: await this.api(),
      orgId,
      interactive: isInteractive(),
      note: (line) => this.note(line),
    })
  }

  /** The target's role names, lower case → ID (the sandbox's own; a profile's map from `roles set`). */
  protected async roleMap(): Promise<Record<string, number>> {
    const { roleMap } = await import('./names.js')
    const { readNames } = await import('./config.js')
    return roleMap(await this.target(), await readNames())
  }

  /** `--role` values as IDs; a name the target does not know is a usage error listing the known ones. */
  protected async roleIds(refs: readonly RoleRef[] | undefined): Promise<number[] | undefined> {
    if (!refs?.length) return undefined
    if (refs.every((r) => typeof r === 'number')) return [...new Set(refs as number[])]
    const { describeScope, resolveRoles } = await import('./names.js')
    return resolveRoles(refs, await this.roleMap(), describeScope(await this.target()))
  }

  private async connect(): Promise<Transport> {
    const target = await this.target()
    if (target.kind === 'remote') {
      if (target.tokenError) throw target.tokenError
      this.tokenSource = target.token ? target.tokenSource : 'none'
      const from =
        target.tokenSource === 'env' ? 'ORGCTL_TOKEN' : `The token of profile "${target.profile ?? ''}"`
      return this.transportFor(target.url, target.token, from)
    }
    const { mkdir } = await import('node:fs/promises')
    const { dirname } = await import('node:path')
    const { startServer } = await (await import('./server-entry.js')).loadServer()
    const dir = dirname(target.dbPath)
    // orgctl's own data folder is made private (and tightened); a folder named by ORGCTL_SANDBOX_DB is
    // the user's: created 0700 when missing, never chmod-ed.
    const own = dir === dirname(await defaultSandboxDbPath())
    const makeDir = async () => {
      if (own) (await import('./private-files.js')).privateDirSync(dir)
      else await mkdir(dir, { recursive: true, mode: 0o700 })
    }
    const server = await makeDir()
      .then(() => startServer({ dbPath: target.dbPath, ephemeralAdmin: true }))
      .catch((error: unknown) => {
        throw sandboxStartError(error, { dbPath: target.dbPath })
      })
    this.cleanups.push(() => server.close())
    if (this.flags.debug) process.stderr.write(`[debug] sandbox SQLite driver: ${server.sqliteDriver}\n`)
    this.note(`Using the local sandbox at ${target.dbPath} (no profile configured).`)
    this.tokenSource = 'sandbox'
    return this.transportFor(server.url, server.adminToken)
  }

  /**
   * Aborted with the signal's name on SIGINT/SIGTERM, so that requests in flight and waits end at once;
   * whatever still runs after {@link INTERRUPT_EXIT_MS} is cut short by exiting 130/143.
   */
  private interruptSignal(): AbortSignal {
    if (this.interrupt) return this.interrupt.signal
    const controller = new AbortController()
    this.interrupt = controller
    const onSignal = (signal: NodeJS.Signals): void => {
      if (controller.signal.aborted) return
      controller.abort(signal)
      setTimeout(() => process.exit(exitCodeFor(signal)), INTERRUPT_EXIT_MS).unref()
    }
    process.on('SIGINT', onSignal)
    process.on('SIGTERM', onSignal)
    this.cleanups.push(async () => {
      process.off('SIGINT', onSignal)
      process.off('SIGTERM', onSignal)
    })
    return controller.signal
  }

  /** Draws a result for people (table) or CSV; with JSON, oclif prints the returned value instead. */
  protected async show(view: View, { columnsFlag = true } = {}): Promise<void> {
    if (this.format === 'json') return
    // A second, fixed table beside the main one (wallet show's balance) ignores --columns, which names the main one's.
    process.stdout.write(await render(view, this.renderOptions(view.columns, view.extraColumns, columnsFlag)))
  }

  /** Options for {@link render}, from the shared flags. */
  protected renderOptions(available: readonly string[], extra: readonly string[] = [], columnsFlag = true) {
    const format = this.format === 'csv' ? 'csv' : 'table'
    const requested = columnsFlag ? this.flags.columns : undefined
    return {
      format,
      columns: requested ? pickColumns([...available, ...extra], requested) : available,
      header: this.flags.header,
      color: format === 'table' && this.flags.color && !process.env.NO_COLOR && Boolean(process.stdout.isTTY),
      // Boxed and fitted on a terminal; piped (or for a screen reader), a table is tab-separated text.
      width: process.stdout.isTTY && !this.accessible ? process.stdout.columns || 80 : undefined,
      rawCsv: this.flags['csv-raw'],
    } as const
  }

  /** A note for the person at the terminal: stderr, never stdout; whatever it quotes is escaped. */
  protected note(message: string): void {
    process.stderr.write(`${terminalText(message, { multiline: true })}\n`)
  }

  /** An error on stderr: it quotes servers and input, so it is escaped; only orgctl's own line breaks stay. */
  private printError(error: unknown): void {
    const { message } = mapError(error, this.tokenSource, { display: true })
    process.stderr.write(`Error: ${terminalText(message, { multiline: true })}\n`)
  }

  /** With `--jq`, a successful result goes through the filter; an error document never does. */
  override logJson(json: unknown): void {
    if (!this.jq || this.failed) return this.printJsonDocument(json)
    try {
      const text = this.jq(json)
      // jq prints strings without quotes: exact for a pipe, escaped when a person reads it.
      process.stdout.write(process.stdout.isTTY ? terminalText(text, { multiline: true }) : text)
    } catch (error) {
      this.mapped = mapError(error, this.tokenSource)
      process.exitCode = this.mapped.exitCode
      this.printError(error)
    }
  }

  /**
   * The JSON document: always the exact JSON value, with DEL, C1 and bidi characters as `\u` escapes
   * (src/core/escape.ts) so that no raw control byte leaves; on a terminal coloured as oclif colours it.
   */
  private printJsonDocument(json: unknown): void {
    // Piped too, DEL, C1 and bidi characters leave as \u escapes: the same JSON value, no raw control byte.
    if (!process.stdout.isTTY) return void process.stdout.write(`${terminalJson(json)}\n`)
    ux.stdout(ux.colorizeJson(terminalJson(json), { pretty: false, theme: this.config.theme?.json }))
  }

  override async catch(error: Interfaces.CommandError): Promise<void> {
    this.failed = true
    this.mapped = mapError(error, this.tokenSource)
    this.mapped.message = redactUserInfo(this.mapped.message)
    // Interrupted, whatever the error on the way out said (a bulk run's summary, an aborted request).
    const signal = this.interrupt?.signal
    if (signal?.aborted) this.mapped.exitCode = exitCodeFor(signal.reason as NodeJS.Signals)
    process.exitCode = this.mapped.exitCode
    if (this.jsonEnabled()) {
      this.logJson(this.toErrorJson(error))
    } else {
      this.printError(error)
    }
    if (this.flags?.debug && error instanceof Error && error.stack)
      process.stderr.write(`${terminalText(redactUserInfo(error.stack), { multiline: true })}\n`)
  }

  protected override toErrorJson(error: unknown): ErrorJson {
    const mapped = this.mapped ?? mapError(error, this.tokenSource)
    // A bulk run with failed rows still has a result: one document with the counts and the error.
    if (error instanceof BulkFailed) return { ...error.summary, error: mapped }
    return { error: mapped }
  }

  override async finally(error: Error | undefined): Promise<void> {
    // Close in reverse: the client before the sandbox it talks to.
    for (const cleanup of this.cleanups.reverse()) {
      try {
        await cleanup()
      } catch {
        // Shutting down must not hide the command's own outcome.
      }
    }
    await super.finally(error)
  }
}

function exitCodeFor(signal: NodeJS.Signals): typeof ExitCode.Interrupted | typeof ExitCode.Terminated {
  return signal === 'SIGTERM' ? ExitCode.Terminated : ExitCode.Interrupted
}
