import { UsageError } from './errors.js'
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
}

/** A cell as text: arrays joined with commas, null/undefined empty, objects as JSON. */
export function cellText(value: unknown): string {
  if (value === null || value === undefined) return ''
  if (Array.isArray(value)) return value.map(cellText).join(',')
  if (typeof value === 'object') return JSON.stringify(value)
  return String(value)
}

/** One CSV field per RFC 4180: quoted when it holds a comma, quote, CR or LF; quotes doubled. */
export function csvField(value: unknown): string {
  const text = cellText(value)
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text
}

/** One CSV record, CRLF-terminated as RFC 4180 asks. */
export function csvRecord(values: readonly unknown[]): string {
  return `${values.map(csvField).join(',')}\r\n`
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
  let out = options.header ? csvRecord(columns) : ''
  for (const row of view.rows) out += csvRecord(columns.map((c) => row[c]))
  return out
}

/** Renders a view as a table (cli-table3, loaded only here); colour only when asked for. */
export async function renderTable(view: View, options: RenderOptions): Promise<string> {
  const { default: Table } = await import('cli-table3')
  const columns = options.columns ?? view.columns
  const paint = options.color ? (await import('chalk')).default.bold.cyan : (s: string) => s
  const style = { head: [] as string[], border: [] as string[] }
  if (view.record) {
    const table = new Table({ style })
    for (const row of view.rows) for (const c of columns) table.push({ [paint(c)]: cellText(row[c]) })
    return `${table.toString()}\n`
  }
  if (view.rows.length === 0) return options.header ? '(none)\n' : ''
  const table = new Table({ head: options.header ? columns.map(paint) : [], style })
  for (const row of view.rows) table.push(columns.map((c) => cellText(row[c])))
  return `${table.toString()}\n`
}

/** Renders a view in the chosen format. */
export async function render(view: View, options: RenderOptions): Promise<string> {
  return options.format === 'csv' ? renderCsv(view, options) : renderTable(view, options)
}
