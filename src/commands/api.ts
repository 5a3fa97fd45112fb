import type { ReadStream } from 'node:fs'

import { Args, Flags } from '@oclif/core'

import { ApiError } from '../api/errors.js'
import { MAX_GATHERED_BYTES } from '../api/limits.js'
import type { RawRequest } from '../api/raw-request.js'
import type { Transport } from '../api/transport.js'
import { buildFields, parseHeaders, toQuery, type RawField } from '../core/api-fields.js'
import { BaseCommand } from '../core/base-command.js'
import { CliError, ConfirmationRequired, Declined, ExitCode, UsageError } from '../core/errors.js'
import { terminalJson, terminalText } from '../core/escape.js'
import { sharedFlags, yesFlag } from '../core/flags.js'
import { confirm, isInteractive } from '../core/prompts.js'

// -H/--header is the request header here (as in gh api), not the tables' --no-header.
const { header: _tableHeader, ...baseFlags } = sharedFlags

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const

export default class Api extends BaseCommand<typeof Api> {
  static override summary = 'Send any request to the API, with the target, token, retries and --jq of orgctl'
  static override description =
    'PATH is a path on the target (profile, ORGCTL_API_URL or the local sandbox), such as ' +
    '/api/organizations/ID; an absolute URL is refused, so the token never leaves its target. ' +
    'The response body is printed as received when piped, as indented JSON on a terminal. ' +
    'Fields (-f strings, -F typed: numbers, true/false/null, @file, @- for stdin; name[] for arrays, ' +
    'a[b] for objects) make a JSON body, or the query string for GET. Every POST carries an ' +
    'Idempotency-Key, so retries are safe. DELETE asks first on a terminal and needs --yes otherwise. ' +
    'The exit code follows the status: 3 for 401/403, 4 for 404/410, 5 for 409/422, 7 for 5xx and network errors.'
  static override examples = [
    "<%= config.bin %> api /api/organizations/ORG --jq '.name'",
    '<%= config.bin %> api -X PATCH /api/organizations/ORG -f name=Acme -f status=active',
    "<%= config.bin %> api /api/organizations/ORG/members -F per_page=100 --paginate --slurp --jq 'map(.data.data[]) | length'",
    'echo \'{"name":"Acme","countryCode":"US"}\' | <%= config.bin %> api /api/organizations --input - -i',
    '<%= config.bin %> api /api/organizations/ORG/members --paginate --json',
  ]
  static override baseFlags = baseFlags as typeof sharedFlags
  static override args = {
    path: Args.string({ description: 'Path on the target, e.g. /api/organizations/ID', required: true }),
  }
  static override flags = {
    method: Flags.string({
      char: 'X',
      description: 'HTTP method (default GET; POST when fields (without --paginate) or --input are given)',
    }),
    header: Flags.string({
      char: 'H',
      multiple: true,
      description: "Request header 'Name: value' (repeatable)",
    }),
    'raw-field': Flags.string({
      char: 'f',
      multiple: true,
      description: 'String field key=value (repeatable)',
    }),
    field: Flags.string({
      char: 'F',
      multiple: true,
      description: 'Typed field key=value: number, true, false, null, @file or @- (repeatable)',
    }),
    input: Flags.string({
      description: 'Request body from a file, or - for stdin (fields then go in the query)',
    }),
    include: Flags.boolean({ char: 'i', description: 'Print the status line and response headers first' }),
    silent: Flags.boolean({ description: 'Do not print the response body' }),
    paginate: Flags.boolean({
      description: 'Follow the paginator (current_page/last_page, next_page_url) to the end',
    }),
    slurp: Flags.boolean({
      description: 'With --paginate: print all pages as one JSON array',
      dependsOn: ['paginate'],
    }),
    'idempotency-key': Flags.string({ description: 'Idempotency-Key for a POST (default: a new one)' }),
    'allow-authorization': Flags.boolean({
      description: 'Let -H Authorization replace the token orgctl sends',
    }),
    verbose: Flags.boolean({ description: 'Same as --debug' }),
    yes: yesFlag,
  }

  private statusText: Record<number, string | undefined> = {}

  async run(): Promise<undefined> {
    const f = this.flags
    if (f.csv || f.output === 'csv' || f.output === 'table' || f.columns !== undefined)
      throw new UsageError(
        'orgctl api prints the response body: --csv, --output table and --columns do not apply; use --jq',
      )
    const path = this.args.path
    if (/^[a-z][a-z0-9+.-]*:/i.test(path) || /^[/\\]{2}/.test(path) || path.includes('\\'))
      throw new UsageError(
        `PATH must be a path on the target, such as /api/organizations/ID, not a URL ("${path}"): ` +
          'the token only goes to its own target (set --api-url or a profile to change the target)',
      )
    const request = await this.buildRequest(path)
    if (f.paginate && request.method !== 'GET') throw new UsageError('--paginate only follows GET requests')
    if (request.method === 'DELETE' && !f.yes) {
      if (!isInteractive()) throw new ConfirmationRequired('A DELETE request')
    }

    this.statusText = (await import('node:http')).STATUS_CODES
    const api = await this.api()
    const { assertOnTarget, rawRequest, nextPagePath, MAX_PAGES, OffTargetError } =
      await import('../api/raw-request.js')
    try {
      assertOnTarget(api, request.path)
      if (request.method === 'DELETE' && !f.yes) {
        const where = api.resolve(request.path)
        if (!(await confirm(`Send DELETE ${where.pathname}${where.search} to ${where.origin}?`)))
          throw new Declined()
      }
      const slurped: unknown[] = []
      let gathered = 0
      const slurp = f.slurp || (f.paginate && this.jsonEnabled() && this.jq === undefined)
      for (let page = 1, req: RawRequest | undefined = request; req; page++) {
        const res = await this.send(api, () => rawRequest(api, req as RawRequest))
        if (slurp) {
          gathered += res.body.length
          if (gathered > MAX_GATHERED_BYTES)
            throw new UsageError(
              `--slurp gathers at most ${MAX_GATHERED_BYTES / 1024 / 1024} MiB of pages into one document; ` +
                'use --paginate without --slurp (or --json) to print each page as it arrives',
            )
          slurped.push(this.jsonBody(res.body, res.headers))
        } else this.print(api, res.status, res.headers, res.body, page)
        const next: string | undefined = f.paginate
          ? nextPagePath(api, req.path, parseJson(res.body))
          : undefined
        if (next !== undefined && page >= MAX_PAGES)
          throw new CliError(
            `--paginate stopped after ${MAX_PAGES} pages (the server kept offering more)`,
            ExitCode.Unavailable,
          )
        if (next !== undefined && next === req.path)
          throw new CliError(
            `--paginate: the server offered the same page again (${next}); stopped`,
            ExitCode.Unavailable,
          )
        req = next === undefined ? undefined : { method: 'GET', path: next, headers: request.headers }
      }
      if (slurp) this.printJson(slurped)
    } catch (error) {
      if (error instanceof OffTargetError)
        throw new CliError(`orgctl api: ${error.message}`, ExitCode.Unavailable)
      throw error
    }
    return undefined
  }

  /** Sends one page; a status that is not a success still shows its body (and headers with -i) before failing. */
  private async send<T>(api: Transport, attempt: () => Promise<T>): Promise<T> {
    try {
      return await attempt()
    } catch (error) {
      if (error instanceof ApiError && !this.jsonEnabled()) {
        if (this.flags.include) this.printHead(api, error.status, error.headers)
        if (!this.flags.silent && error.body) this.write(api, error.body, error.headers)
      }
      throw error
    }
  }

  private async buildRequest(path: string): Promise<RawRequest> {
    const f = this.flags
    if (f.verbose) (this.flags as { debug: boolean }).debug = true
    const read = async (file: string, flag: string) => readBounded(file, flag)
    const raw: RawField[] = [
      ...(f['raw-field'] ?? []).map((spec) => ({ spec, typed: false })),
      ...(f.field ?? []).map((spec) => ({ spec, typed: true })),
    ]
    const fields = await buildFields(raw, read)
    const hasFields = Object.keys(fields).length > 0
    // --paginate only makes sense for GET, so with it fields go in the query string unless -X says otherwise.
    const sendsBody = (hasFields && !f.paginate) || f.input !== undefined
    const method = (f.method ?? (sendsBody ? 'POST' : 'GET')).toUpperCase()
    if (!(METHODS as readonly string[]).includes(method))
      throw new UsageError(`-X/--method must be one of ${METHODS.join(', ')}, got "${f.method}"`)
    const headers = parseHeaders(
      (f as unknown as { header?: string[] }).header ?? [],
      f['allow-authorization'],
    )
    const idempotencyKey = f['idempotency-key'] ?? headers['idempotency-key']
    if (idempotencyKey !== undefined && !/^[\x21-\x7e]{1,255}$/.test(idempotencyKey))
      throw new UsageError('--idempotency-key must be 1-255 printable characters without spaces')
    delete headers['idempotency-key']
    if (idempotencyKey !== undefined && method !== 'POST')
      throw new UsageError('--idempotency-key applies to POST requests only')
    if (method === 'GET' || method === 'HEAD' || f.input !== undefined) {
      const query = toQuery(fields).toString()
      const withQuery = query ? `${path}${path.includes('?') ? '&' : '?'}${query}` : path
      const req: RawRequest = {
        method,
        path: withQuery,
        headers,
        ...(idempotencyKey ? { idempotencyKey } : {}),
      }
      if (f.input !== undefined) {
        if (method === 'GET' || method === 'HEAD')
          throw new UsageError(`--input sends a body: use -X POST, PUT, PATCH or DELETE (not ${method})`)
        const data = await readBounded(f.input, '--input')
        req.body = { data, contentType: headers['content-type'] ?? 'application/json' }
      }
      return req
    }
    return {
      method,
      path,
      headers,
      ...(hasFields ? { json: fields } : {}),
      ...(idempotencyKey ? { idempotencyKey } : {}),
    }
  }

  /** One page: status and headers with -i, then the body (pretty JSON on a terminal, as received when piped). */
  private print(
    api: Transport,
    status: number,
    headers: Record<string, string>,
    body: string,
    page: number,
  ): void {
    if (this.flags.include) this.printHead(api, status, headers, page > 1)
    if (this.flags.silent) return
    if (this.jq || this.jsonEnabled()) return this.printJson(this.jsonBody(body, headers))
    this.write(api, body, headers)
  }

  private write(api: Transport, body: string, headers: Record<string, string>): void {
    if (body === '') return
    const text = api.redact(body)
    if (!process.stdout.isTTY) {
      process.stdout.write(text.endsWith('\n') ? text : `${text}\n`)
      return
    }
    const json = isJsonType(headers) || /^\s*[[{"]/.test(text) ? parseJson(text) : undefined
    process.stdout.write(json !== undefined ? `${terminalJson(json)}\n` : `${visible(text)}\n`)
  }

  private printHead(api: Transport, status: number, headers: Record<string, string>, gap = false): void {
    const lines = [`HTTP/1.1 ${status} ${this.statusText[status] ?? ''}`.trimEnd()]
    for (const [name, value] of Object.entries(headers)) {
      const shown = /^(set-cookie|authorization|proxy-authorization|cookie)$/.test(name)
        ? '[redacted]'
        : value
      lines.push(`${name}: ${api.redact(shown)}`)
    }
    const text = lines.join('\n')
    process.stdout.write(`${gap ? '\n' : ''}${process.stdout.isTTY ? visible(text) : text}\n\n`)
  }

  /** The body as JSON for --jq, --json and --slurp; a body that is not JSON is the server's fault (exit 7). */
  private jsonBody(body: string, headers: Record<string, string>): unknown {
    if (body === '') return null
    const value = parseJson(body)
    if (value === undefined)
      throw new CliError(
        `The API answered ${headers['content-type'] ?? 'without a content type'}, not JSON, so --jq/--json/--slurp cannot apply`,
        ExitCode.Unavailable,
      )
    return value
  }

  private printJson(value: unknown): void {
    if (this.jq) {
      process.stdout.write(this.jq(value))
      return
    }
    process.stdout.write(`${terminalJson(value)}\n`)
  }
}

function isJsonType(headers: Record<string, string>): boolean {
  return /json/i.test(headers['content-type'] ?? '')
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown
  } catch {
    return undefined
  }
}

/** Text for a terminal (a body that is not JSON, the -i head): escaped as everywhere, newlines kept. */
function visible(text: string): string {
  return terminalText(text, { multiline: true })
}

async function readBounded(file: string, flag: string): Promise<string> {
  const { MAX_INPUT_BYTES } = await import('../core/api-fields.js')
  const { createReadStream } = await import('node:fs')
  const stream = file === '-' ? process.stdin : createReadStream(file)
  const chunks: Buffer[] = []
  let size = 0
  try {
    for await (const chunk of stream) {
      size += (chunk as Buffer).length
      if (size > MAX_INPUT_BYTES)
        throw new UsageError(
          `${flag}: ${file === '-' ? 'stdin' : file} is larger than ${MAX_INPUT_BYTES / 1024 / 1024} MiB`,
        )
      chunks.push(chunk as Buffer)
    }
  } catch (error) {
    if (error instanceof UsageError) throw error
    throw new UsageError(`${flag}: cannot read ${file}: ${(error as Error).message}`)
  } finally {
    if (file !== '-') (stream as ReadStream).destroy()
  }
  return Buffer.concat(chunks).toString('utf8')
}
