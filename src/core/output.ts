import { UsageError } from './errors.js'
import { terminalText } from './escape.js'
import type { OutputFormat } from './flags.js'

/** How a result is drawn as a table or CSV: its rows and the columns they have, in order. */
export interface View {
  columns: readonly string[]
  rows: readonly Record<string, unknown>[]
  /** One record shown as FIELD | VALUE lines in a table (CSV stays one row with a header). */
  record?: boolean
  /** Further columns that `--columns` may ask for but that are not shown by default. */
  extraColumns?: readonly string[]
}

/** Rendering options from the shared flags. */
export interface RenderOptions {
  format: Exclude<OutputFormat, 'json'>
  columns?: readonly string[]
  header: boolean
  color: boolean
  /**
   * The terminal's width when stdout is one: tables are drawn with borders and fitted to it. Absent when
   * piped: tables are plain tab-separated text, one line per row, for `cut`, `awk` and friends.
   */
  width?: number
  /**
   * CSV cells exactly as the data has them (`--csv-raw`): no formula neutralisation. For pipelines that
   * need exact values; a terminal still gets control characters escaped.
   */
  rawCsv?: boolean
}

/** A cell as text: arrays joined with commas, null/undefined empty, objects as JSON. */
export function cellText(value: unknown): string {
  if (value === null || value === undefined) return ''
  if (Array.isArray(value)) return value.map(cellText).join(',')
  if (typeof value === 'object') return JSON.stringify(value)
  return String(value)
}

/** How {@link csvField} writes a cell. */
export interface CsvCellOptions {
  /** No formula neutralisation: RFC 4180 quoting only (`--csv-raw`). */
  raw?: boolean
  /** The CSV goes to a terminal: control characters are shown visibly, as in tables. */
  terminal?: boolean
}

/**
 * First characters that make a spreadsheet read a cell as a formula (OWASP "CSV injection"):
 * `=HYPERLINK(...)`, `+cmd|...`, `-2+3`, `@SUM(...)`, and TAB or CR before any of them.
 */
const FORMULA_START = /^[=+\-@\t\r]/

/**
 * One CSV field per RFC 4180: quoted when it holds a comma, quote, CR or LF; quotes doubled.
 *
 * Unless `raw`, a text cell that begins like a formula is neutralised the OWASP way: prefixed with `'` and
 * quoted, so a spreadsheet shows it as text. Numbers that orgctl holds as numbers (IDs, amounts,
 * counts) are written as they are: a spreadsheet reads `-5` as the number -5, never as a formula, and
 * a script gets the number; the same characters in a text field (a name, a reason) are neutralised.
 * This is the one function every CSV orgctl writes goes through (`--csv` and bulk `--report` files).
 */
export function csvField(value: unknown, options: CsvCellOptions = {}): string {
  if (typeof value === 'number' || typeof value === 'bigint') return String(value)
  // A terminal never gets raw control bytes, --csv-raw or not: exact values are for files and pipes.
  const text = options.terminal ? terminalText(cellText(value)) : cellText(value)
  if (!options.raw && FORMULA_START.test(text)) return `"'${text.replace(/"/g, '""')}"`
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text
}

/**
 * One CSV record, LF-terminated. RFC 4180 asks for CRLF, but orgctl's CSV is read by shell scripts first
 * (`$(...)`, `cut`, `while read`), where a stray CR corrupts the last field; spreadsheets and CSV
 * parsers accept either. Fields that contain CR or LF are still quoted.
 */
export function csvRecord(values: readonly unknown[], options: CsvCellOptions = {}): string {
  return `${values.map((v) => csvField(v, options)).join(',')}\n`
}

/** Parses `--columns a,b` against the view's columns; an unknown name is a usage error listing the allowed ones. */
export function pickColumns(available: readonly string[], requested: string | undefined): readonly string[] {
  if (!requested) return available
  const wanted = requested
    .split(',')
    .map((c) => c.trim())
    .filter(Boolean)
  const unknown = wanted.filter((c) => !available.includes(c))
  if (unknown.length || wanted.length === 0)
    throw new UsageError(
      `--columns: unknown column ${unknown.map((c) => `"${c}"`).join(', ') || '(none given)'}; allowed: ${available.join(', ')}`,
    )
  return wanted
}

/** Renders a view as CSV text. */
export function renderCsv(view: View, options: RenderOptions): string {
  const columns = options.columns ?? view.columns
  // On a terminal, CSV is escaped like a table; written to a file or a pipe, cells are exact but for
  // formula neutralisation (which `--csv-raw` turns off).
  const cell = { raw: options.rawCsv, terminal: options.width !== undefined }
  let out = options.header ? csvRecord(columns, cell) : ''
  for (const row of view.rows)
    out += csvRecord(
      columns.map((c) => row[c]),
      cell,
    )
  return out
}

/**
 * A cell as it reaches a terminal or a piped table: on one line, with every control character, ESC
 * sequence and bidi control shown visibly (`\t`, `\n`, `\x1b`, `\u202e`), so that a row never spills
 * onto the next, a TAB never shifts the columns of TSV, and a value can never drive the terminal.
 */
export function flatText(value: unknown): string {
  return terminalText(cellText(value))
}

/** Renders a view as tab-separated lines (piped tables); a record is one `field<TAB>value` line per field. */
export function renderTsv(view: View, options: RenderOptions): string {
  const columns = options.columns ?? view.columns
  const line = (cells: readonly unknown[]) => `${cells.map(flatText).join('\t')}\n`
  let out = ''
  if (view.record) {
    for (const row of view.rows) for (const c of columns) out += line([c, row[c]])
    return out
  }
  if (options.header) out += line(columns)
  for (const row of view.rows) out += line(columns.map((c) => row[c]))
  return out
}

/** Display width of plain text (code points; colour is added after measuring). */
function textWidth(text: string): number {
  return [...text].length
}

/**
 * Column widths (padding included) that fit `available` characters: the widest column gives up a
 * character at a time, down to `min`, until the sum fits. Narrow columns keep their natural width.
 */
export function fitWidths(natural: readonly number[], available: number, min = 5): number[] {
  const widths = [...natural]
  let excess = widths.reduce((a, b) => a + b, 0) - available
  while (excess > 0) {
    let widest = -1
    for (let i = 0; i < widths.length; i++)
      if (widths[i]! > min && (widest < 0 || widths[i]! > widths[widest]!)) widest = i
    if (widest < 0) break // every column is at its minimum: let the terminal cut the line
    widths[widest]!--
    excess--
  }
  return widths
}

/**
 * Renders a view as a table. On a terminal (`width` given): borders, fitted to the width, long values cut
 * with an ellipsis and never wrapped (cli-table3 and chalk load only here). Piped: tab-separated text.
 */
export async function renderTable(view: View, options: RenderOptions): Promise<string> {
  if (options.width === undefined) return renderTsv(view, options)
  const { default: Table } = await import('cli-table3')
  const columns = options.columns ?? view.columns
  const paint = options.color ? (await import('chalk')).default.bold.cyan : (s: string) => s
  // compact: no rule between rows; a person reads rows by alignment, and a record stays half as tall.
  const style = { head: [] as string[], border: [] as string[], compact: true }
  const PAD = 2 // one space each side of a cell
  const fit = (grid: readonly (readonly string[])[]) => {
    const natural = (grid[0] ?? []).map((_, i) => Math.max(...grid.map((r) => textWidth(r[i] ?? ''))) + PAD)
    return fitWidths(natural, (options.width ?? 80) - (natural.length + 1))
  }
  if (view.record) {
    const lines = view.rows.flatMap((row) => columns.map((c) => [c, flatText(row[c])]))
    const table = new Table({ style, colWidths: fit(lines), wordWrap: false })
    for (const [c, v] of lines) table.push({ [paint(c!)]: v! })
    return `${table.toString()}\n`
  }
  if (view.rows.length === 0) return options.header ? '(none)\n' : ''
  const body = view.rows.map((row) => columns.map((c) => flatText(row[c])))
  const colWidths = fit(options.header ? [[...columns], ...body] : body)
  const table = new Table({
    head: options.header ? columns.map(paint) : [],
    style,
    colWidths,
    wordWrap: false,
  })
  for (const cells of body) table.push(cells)
  return `${table.toString()}\n`
}

/** Renders a view in the chosen format. */
export async function render(view: View, options: RenderOptions): Promise<string> {
  return options.format === 'csv' ? renderCsv(view, options) : renderTable(view, options)
}
