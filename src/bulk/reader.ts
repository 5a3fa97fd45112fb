import { createHash } from 'node:crypto'
import { createReadStream, createWriteStream } from 'node:fs'
import { readdir, rm } from 'node:fs/promises'
import { extname, join } from 'node:path'
import { Transform, pipeline } from 'node:stream'
import type { Readable, TransformCallback } from 'node:stream'
import { pipeline as pipelineAsync } from 'node:stream/promises'

import { privateDirSync } from '../core/private-files.js'
import { EmailIndex } from './email-index.js'
import { BulkInputError } from './errors.js'
import { InputGuard } from './input-guard.js'
import { listing, type RowCheckResult, type RowSchema } from './schema.js'
import { INVITE_ROWS, show } from './validate-row.js'
import type { InviteRow } from './validate-row.js'

export { BulkInputError } from './errors.js'
export type { InviteRow } from './validate-row.js'
export { ROW_LIMITS } from './validate-row.js'

/** Input formats: CSV with a header, or JSON Lines (one object per line). */
export type InputFormat = 'csv' | 'jsonl'

/** A row that passed validation. `line` is 1-based, the line where the row starts. */
export interface ValidItem<Row = InviteRow> {
  line: number
  row: Row
  error?: undefined
}

/** A row that must not be sent: `error` names the field(s) and what is allowed. */
export interface InvalidItem {
  line: number
  /** The trimmed e-mail address of an invitation row, when it had one (for the report). */
  email?: string
  /** The key of another kind of row (see {@link RowSchema.keyField}), when it had one. */
  key?: string
  error: string
  row?: undefined
}

/** What {@link readRows} yields for each data row, in file order. */
export type RowItem<Row = InviteRow> = ValidItem<Row> | InvalidItem

/** The key an item is reported under: the e-mail of an invitation, the key of any other row. */
export function itemKey(item: RowItem<unknown>): string | undefined {
  return item.error === undefined ? undefined : (item.email ?? item.key)
}

/** Options of {@link readRows}. */
export interface ReadRowsOptions<Row = InviteRow> {
  /** The kind of row (default: invitations, `email,name,roles`). */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  schema?: RowSchema<Row> | RowSchema<any> | undefined
  /** Overrides the format that the file name implies; required in practice for stdin (default there: csv). */
  format?: InputFormat | undefined
  /** The stream read when the input is `-` (default `process.stdin`). */
  stdin?: Readable | undefined
  /** Longest physical line in bytes (default 64 KiB); a longer line rejects the whole input at once. */
  maxLineBytes?: number | undefined
  /** Sees every raw chunk as it is read, e.g. to hash the input in the same pass. */
  onBytes?: ((chunk: Buffer) => void) | undefined
}

/** Default bound on one line: generous for a row (the longest valid row is well under 2 KB). */
export const DEFAULT_MAX_LINE_BYTES = 64 * 1024

/** Reads for hashing only: large, nothing is parsed. */
const CHUNK_BYTES = 64 * 1024
/**
 * Reads for parsing: small. Each chunk's rows are parsed into one array that lives until the caller has seen
 * them, so the chunk size sets how many row objects are alive when V8 collects its young generation. With
 * 64 KiB (~1,300 rows) enough of them survived each collection that V8 doubled the young generation during a
 * large file (+8 MiB of heap); with 4 KiB (~80 rows) it stays at its start size. Measured in bench/bulk-memory.mjs
 * (docs/BULK.md): 1,000,000 rows at 64 KiB, 16 KiB, 4 KiB: ~100, ~93, ~86 MiB peak; 10,000 rows: ~70 in each.
 */
const READ_CHUNK_BYTES = 4 * 1024

/**
 * The format of `input`: `explicit` when given, else from the extension (`.csv`; `.jsonl` or `.ndjson`).
 * Stdin (`-`) without an explicit format is CSV.
 * @throws BulkInputError (`UNKNOWN_FORMAT`) for any other extension.
 */
export function detectFormat(input: string, explicit?: InputFormat): InputFormat {
  if (explicit) return explicit
  if (input === '-') return 'csv'
  const extension = extname(input).toLowerCase()
  if (extension === '.csv') return 'csv'
  if (extension === '.jsonl' || extension === '.ndjson') return 'jsonl'
  throw new BulkInputError(
    `cannot tell the format of ${input} from its name; use a .csv or .jsonl file, or pass --format csv|jsonl`,
    { code: 'UNKNOWN_FORMAT' },
  )
}

/**
 * Reads and validates the rows of a CSV or JSON Lines file (or `-` for stdin) as a stream: memory does not
 * grow with the file except for the duplicate index (see {@link EmailIndex}, about 25 bytes per row).
 *
 * Each data row yields a {@link RowItem}: invalid rows (bad field, wrong field count, malformed JSON line,
 * repeated e-mail address: "duplicate of line N") are reported and reading goes on.
 *
 * @throws BulkInputError during iteration when the input as a whole is unusable: empty, no header, wrong
 *   delimiter, unknown/missing/repeated column, not UTF-8, a line over `maxLineBytes`, broken CSV quoting,
 *   or a JSON Lines file whose first line is not JSON. Rows before the problem may already have been yielded,
 *   so a caller that must send nothing from a bad file reads it once to the end first (see {@link scanInput}).
 */
export async function* readRows<Row = InviteRow>(
  input: string,
  options: ReadRowsOptions<Row> = {},
): AsyncGenerator<RowItem<Row>> {
  for await (const items of readRowBatches(input, options)) yield* items
}

/**
 * {@link readRows} a chunk at a time: the same items, in the same order, as arrays (a few hundred rows each).
 * A caller that only looks at each row once (a dry run, {@link scanInput}) saves an await and its garbage per
 * row, which is most of what makes the heap grow over a large file.
 */
export async function* readRowBatches<Row = InviteRow>(
  input: string,
  options: ReadRowsOptions<Row> = {},
): AsyncGenerator<RowItem<Row>[]> {
  const format = detectFormat(input, options.format)
  const schema = (options.schema ?? INVITE_ROWS) as RowSchema<Row>
  const guard = new InputGuard({
    maxLineBytes: options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES,
    onBytes: options.onBytes,
  })
  const source =
    input === '-'
      ? (options.stdin ?? process.stdin)
      : createReadStream(input, { highWaterMark: READ_CHUNK_BYTES })
  const seen = new EmailIndex()
  const header = { line: 0 }
  try {
    // The parsers hand over the rows of each chunk read as one array: one await per chunk rather than a
    // chain of async generators per row keeps the garbage per row, and so the heap, small (docs/BULK.md).
    const batches =
      format === 'csv' ? csvItems(source, guard, options, header, schema) : jsonlItems(source, guard, schema)
    let rows = 0
    for await (const items of batches) {
      for (let i = 0; i < items.length; i++) items[i] = dedupe(items[i] as RowItem<Row>, seen, schema)
      rows += items.length
      yield items
    }
    if (rows === 0) {
      throw header.line === 0
        ? new BulkInputError('the file is empty; it has no rows to send', { code: 'EMPTY', line: 1 })
        : new BulkInputError(`the file has a header (line ${header.line}) but no rows`, {
            code: 'NO_ROWS',
            line: header.line + 1,
          })
    }
  } catch (error) {
    throw asInputError(error, input)
  } finally {
    // Stops reading when the caller breaks out early or an error ends the iteration.
    if (!source.destroyed && source !== process.stdin) source.destroy()
  }
}

function dedupe<Row>(item: RowItem<Row>, seen: EmailIndex, schema: RowSchema<Row>): RowItem<Row> {
  const key = item.error === undefined ? schema.keyOf(item.row) : itemKey(item)
  if (key === undefined) return item
  // The index compares keys lower-cased, without making a lower-cased copy of each.
  const first = seen.firstLineOf(key, item.line)
  if (first === undefined) return item
  return { line: item.line, [schema.keyField]: key, error: schema.duplicate(first, key) }
}

async function* csvItems<Row>(
  source: Readable,
  guard: InputGuard,
  options: ReadRowsOptions<Row>,
  header: { line: number },
  schema: RowSchema<Row>,
): AsyncGenerator<RowItem<Row>[]> {
  // Loaded here so that commands that never read a file do not pay for csv-parse at start-up.
  const { Parser } = await import('csv-parse')
  /**
   * Emits the records of each chunk as one array of [record, line where it ends]. csv-parse's own
   * `info: true` (or `on_record`) copies the whole info object for every record, which more than tripled the
   * parse time and made most of the garbage of a large file; csv-parse calls `push` synchronously while
   * `info` describes the record just finished, so reading the one counter there gives the same number.
   */
  class BatchParser extends Parser {
    private batch: [string[], number][] = []

    override push(record: unknown, encoding?: BufferEncoding): boolean {
      if (record === null) {
        this.flushBatch()
        return super.push(null, encoding)
      }
      this.batch.push([record as string[], this.info.lines])
      return true
    }

    override _transform(chunk: Buffer, encoding: BufferEncoding, callback: TransformCallback): void {
      super._transform(chunk, encoding, (error?: Error | null) => {
        this.flushBatch()
        callback(error)
      })
    }

    override _flush(callback: TransformCallback): void {
      super._flush((error?: Error | null) => {
        this.flushBatch()
        callback(error)
      })
    }

    private flushBatch(): void {
      if (this.batch.length === 0) return
      const batch = this.batch
      this.batch = []
      super.push(batch)
    }
  }
  const parser = new BatchParser({
    bom: true,
    // A quote inside an unquoted value (`Jane "JJ" Doe`) is kept as text rather than failing the file.
    relax_quotes: true,
    relax_column_count: true,
    skip_empty_lines: true,
    max_record_size: options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES,
  })
  pipeline(source, guard, parser, () => {
    // Errors surface through the parser's iterator below; pipeline destroys every stage on the first one.
  })
  let columns: [string, number][] | undefined
  let width = 0
  for await (const batch of parser as AsyncIterable<[string[], number][]>) {
    const items: RowItem<Row>[] = []
    for (const [record, end] of batch) {
      // info.lines is where the record ends; quoted newlines inside it move its start back.
      let line = end
      for (const field of record)
        for (let i = field.indexOf('\n'); i !== -1; i = field.indexOf('\n', i + 1)) line--
      if (isBlank(record)) continue
      if (!columns) {
        columns = readHeader(record, line, schema)
        width = record.length
        header.line = line
        continue
      }
      const fields: Record<string, unknown> = {}
      for (const [name, index] of columns) fields[name] = record[index]
      if (record.length !== width) {
        const key = schema.keyOfFields(fields)
        items.push({
          line,
          ...(key === undefined ? {} : { [schema.keyField]: key }),
          error: `the row has ${record.length} fields but the header has ${width}; quote a value that contains a comma ("Doe, Jane")`,
        })
        continue
      }
      items.push(toItem(line, schema.check(fields, 'csv'), schema))
    }
    if (items.length > 0) yield items
  }
}

function isBlank(record: string[]): boolean {
  for (const field of record) if (field.trim() !== '') return false
  return true
}

function readHeader<Row>(record: string[], line: number, schema: RowSchema<Row>): [string, number][] {
  const COLUMNS = schema.columns
  const byLower = new Map(COLUMNS.map((column) => [column.toLowerCase(), column]))
  const names = record.map((cell) => cell.trim().toLowerCase())
  const all = listing(COLUMNS)
  const first = record[0] ?? ''
  if (record.length === 1) {
    for (const [delimiter, label] of [
      [';', "';'"],
      ['\t', 'tabs'],
      ['|', "'|'"],
    ] as const) {
      if (first.includes(delimiter)) {
        throw new BulkInputError(
          `the file seems to use ${label} as delimiter; orgctl expects commas (header: ${COLUMNS.join(',')})`,
          { code: 'WRONG_DELIMITER', line },
        )
      }
    }
  }
  if (first.trimStart().startsWith('{')) {
    throw new BulkInputError(
      `line ${line} looks like JSON, not a CSV header; name the file .jsonl or pass --format jsonl`,
      { code: 'MISSING_HEADER', line },
    )
  }
  if (!names.some((name) => byLower.has(name))) {
    throw new BulkInputError(
      `line ${line} is not a header; the first line must name the columns: ${COLUMNS.join(',')} (in any order)`,
      { code: 'MISSING_HEADER', line },
    )
  }
  const columns: Record<string, number> = {}
  names.forEach((name, index) => {
    const column = byLower.get(name)
    if (column === undefined) {
      const what = name === '' ? 'an empty column name' : `unknown column ${show(record[index])}`
      throw new BulkInputError(`the header (line ${line}) has ${what}; the columns are ${all}`, {
        code: 'UNKNOWN_COLUMN',
        line,
      })
    }
    if (columns[column] !== undefined) {
      throw new BulkInputError(`the header (line ${line}) names the column ${column} twice`, {
        code: 'DUPLICATE_COLUMN',
        line,
      })
    }
    columns[column] = index
  })
  const missing = schema.required.filter((column) => columns[column] === undefined)
  if (missing.length > 0) {
    throw new BulkInputError(
      `the header (line ${line}) has no ${missing.join(' or ')} column; the columns are ${all}`,
      { code: 'MISSING_COLUMN', line },
    )
  }
  return Object.entries(columns)
}

async function* jsonlItems<Row>(
  source: Readable,
  guard: InputGuard,
  schema: RowSchema<Row>,
): AsyncGenerator<RowItem<Row>[]> {
  const known = new Set(schema.columns)
  const example = `{${schema.columns
    .slice(0, 3)
    .map((c) => `"${c}": ...`)
    .join(', ')}${schema.columns.length > 3 ? ', ...' : ''}}`
  pipeline(source, guard, () => {
    // Errors surface through the guard's iterator below.
  })
  let line = 0
  let sawRow = false
  for await (const lines of splitLines(guard as AsyncIterable<Buffer>)) {
    const items: RowItem<Row>[] = []
    for (const text of lines) {
      line++
      const trimmed = (line === 1 ? text.replace(/^\uFEFF/, '') : text).trim()
      if (trimmed === '') continue
      let value: unknown
      try {
        value = JSON.parse(trimmed)
      } catch (error) {
        if (!sawRow && !trimmed.startsWith('{') && !trimmed.startsWith('[')) {
          throw new BulkInputError(
            `line ${line} is not JSON; is this a CSV file? name it .csv or pass --format csv`,
            { code: 'NOT_JSONL', line },
          )
        }
        items.push({ line, error: `the line is not valid JSON (${(error as Error).message})` })
        continue
      } finally {
        sawRow = true
      }
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        items.push({
          line,
          error: `the line is not a JSON object like ${schema === (INVITE_ROWS as unknown) ? '{"email": ..., "name": ..., "roles": [...]}' : example}`,
        })
        continue
      }
      const record = value as Record<string, unknown>
      const unknown = Object.keys(record).filter((key) => !known.has(key))
      if (unknown.length > 0) {
        const key = schema.keyOfFields(record)
        items.push({
          line,
          ...(key === undefined ? {} : { [schema.keyField]: key }),
          error: `unknown field ${show(unknown[0])}; the fields are ${listing(schema.columns)}`,
        })
        continue
      }
      items.push(toItem(line, schema.check(record, 'jsonl'), schema))
    }
    if (items.length > 0) yield items
  }
}

/**
 * Splits a byte stream on '\n' (dropping a '\r' before it), yielding the lines completed by each chunk as
 * one array; line length is bounded by the guard upstream.
 */
async function* splitLines(chunks: AsyncIterable<Buffer>): AsyncGenerator<string[]> {
  let pending: Buffer[] = []
  for await (const chunk of chunks) {
    const lines: string[] = []
    let start = 0
    for (let end = chunk.indexOf(0x0a); end !== -1; end = chunk.indexOf(0x0a, start)) {
      pending.push(chunk.subarray(start, end))
      lines.push(decodeLine(pending))
      pending = []
      start = end + 1
    }
    if (start < chunk.length) pending.push(chunk.subarray(start))
    if (lines.length > 0) yield lines
  }
  if (pending.length > 0) yield [decodeLine(pending)]
}

function decodeLine(parts: Buffer[]): string {
  const text = (parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts)).toString('utf8')
  return text.endsWith('\r') ? text.slice(0, -1) : text
}

function toItem<Row>(line: number, check: RowCheckResult<Row>, schema: RowSchema<Row>): RowItem<Row> {
  if (check.errors === undefined) return { line, row: check.row }
  return {
    line,
    ...(check.key === undefined ? {} : { [schema.keyField]: check.key }),
    error: check.errors.join('; '),
  }
}

function asInputError(error: unknown, input: string): unknown {
  if (error instanceof BulkInputError) return error
  const code = (error as { code?: unknown }).code
  if (typeof code === 'string' && code.startsWith('CSV_')) {
    const line = (error as { lines?: number }).lines
    const reason =
      code === 'CSV_QUOTE_NOT_CLOSED'
        ? 'a quoted value is never closed'
        : code === 'CSV_MAX_RECORD_SIZE'
          ? 'a row is too long'
          : 'a quote is misplaced (a value with a quote inside must be quoted, with the quote doubled: "a ""b"" c")'
    return new BulkInputError(`the CSV is malformed at line ${line}: ${reason}`, {
      code: 'MALFORMED_CSV',
      line,
      cause: error,
    })
  }
  if (code === 'ENOENT' || code === 'EACCES' || code === 'EISDIR' || code === 'EPERM') {
    const why =
      code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a folder' : 'permission denied'
    return new BulkInputError(`cannot read ${input}: ${why}`, { code: 'UNREADABLE', cause: error })
  }
  return error
}

/** What one streaming pass over a file learns without parsing it. */
export interface InputFingerprint {
  /** SHA-256 of the bytes, hex: the input's identity for the journal. */
  sha256: string
  bytes: number
  /** Physical lines that are not blank. */
  nonBlankLines: number
}

/** Hashes and counts the lines of a file in one streaming pass (about as fast as the disk reads). */
export async function fingerprintFile(path: string): Promise<InputFingerprint> {
  const hash = createHash('sha256')
  let bytes = 0
  let nonBlankLines = 0
  let lineHasContent = false
  try {
    for await (const chunk of createReadStream(path, {
      highWaterMark: CHUNK_BYTES,
    }) as AsyncIterable<Buffer>) {
      hash.update(chunk)
      bytes += chunk.length
      for (let i = 0; i < chunk.length; i++) {
        const byte = chunk[i] as number
        if (byte === 0x0a) {
          if (lineHasContent) nonBlankLines++
          lineHasContent = false
        } else if (byte !== 0x0d && byte !== 0x20 && byte !== 0x09) lineHasContent = true
      }
    }
  } catch (error) {
    throw asInputError(error, path)
  }
  if (lineHasContent) nonBlankLines++
  return { sha256: hash.digest('hex'), bytes, nonBlankLines }
}

/**
 * Number of data rows in a file, for progress totals: non-blank lines, less the header for CSV. A CSV value
 * with a quoted line break makes this an over-estimate by one per break.
 */
export async function countRows(path: string, format?: InputFormat): Promise<number> {
  const { nonBlankLines } = await fingerprintFile(path)
  return detectFormat(path, format) === 'csv' ? Math.max(0, nonBlankLines - 1) : nonBlankLines
}

/** Totals of a full validating pass: see {@link scanInput}. */
export interface InputScan {
  sha256: string
  bytes: number
  valid: number
  invalid: number
}

/**
 * Reads the whole input once, validating every row and hashing the bytes, so that a caller learns of any
 * whole-file problem (thrown as BulkInputError) before it sends anything, and gets the journal key and the
 * progress total in the same pass.
 */
export async function scanInput<Row = InviteRow>(
  input: string,
  options: ReadRowsOptions<Row> & {
    /** Counts only the rows it accepts (a shard), every row when absent. */
    select?: ((line: number) => boolean) | undefined
    /** Sees every selected item, e.g. to total a billing run's amounts for its confirmation. */
    visit?: ((item: RowItem<Row>) => void) | undefined
  } = {},
): Promise<InputScan> {
  const hash = createHash('sha256')
  let bytes = 0
  let valid = 0
  let invalid = 0
  const { select, visit } = options
  for await (const items of readRowBatches<Row>(input, {
    ...options,
    onBytes: (chunk) => {
      hash.update(chunk)
      bytes += chunk.length
      options.onBytes?.(chunk)
    },
  })) {
    for (const item of items) {
      if (select && !select(item.line)) continue
      visit?.(item)
      if (item.error === undefined) valid++
      else invalid++
    }
  }
  return { sha256: hash.digest('hex'), bytes, valid, invalid }
}

/**
 * Copies a stream (stdin) to a new file in `dir`, hashing it on the way, so that piped input can be read
 * twice (validate, then send) and identified for the journal by its content. Memory stays at one chunk.
 */
export async function spoolToFile(
  stream: Readable,
  dir: string,
): Promise<{ path: string; sha256: string; bytes: number }> {
  privateDirSync(dir)
  await removeStaleSpools(dir)
  const path = join(dir, `stdin-${process.pid}-${Date.now()}.part`)
  const hash = createHash('sha256')
  let bytes = 0
  await pipelineAsync(
    stream,
    new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        hash.update(chunk)
        bytes += chunk.length
        callback(null, chunk)
      },
    }),
    createWriteStream(path, { mode: 0o600 }),
  )
  return { path, sha256: hash.digest('hex'), bytes }
}

const SPOOL_NAME = /^stdin-(\d+)-\d+\.part$/

/**
 * Removes the spools of stdin runs that are gone (killed before they could clean up: SIGKILL, a crash, a
 * power cut): a spool is named after its run's process ID, and a process that no longer exists will never
 * read it again. A live process keeps its spool, whoever it is (the ID may have been reused: the file then
 * goes at a later run). Called by every bulk run (src/bulk/runner.ts) and before each new spool.
 */
export async function removeStaleSpools(dir: string): Promise<void> {
  let names: string[]
  try {
    names = await readdir(dir)
  } catch {
    return // no spool folder yet
  }
  for (const name of names) {
    const pid = Number(SPOOL_NAME.exec(name)?.[1])
    if (!pid || pid === process.pid || processExists(pid)) continue
    await rm(join(dir, name), { force: true })
  }
}

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    // EPERM: it exists, as another user's process.
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}
