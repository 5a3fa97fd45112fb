import { UsageError } from './errors.js'

/** The most a `@file`, `@-` or `--input` value may hold: a request body is never larger. */
export const MAX_INPUT_BYTES = 16 * 1024 * 1024

/** A JSON value built from `-f`/`-F` fields. */
export type FieldValue = string | number | boolean | null | FieldValue[] | { [key: string]: FieldValue }
export type FieldObject = { [key: string]: FieldValue }

/** Reads a file (or `-`, stdin) as text, at most {@link MAX_INPUT_BYTES}; what is wrong names the flag. */
export type ReadInput = (path: string, flag: string) => Promise<string>

/** One `-f key=value` or `-F key=value` as typed. */
export interface RawField {
  spec: string
  typed: boolean
}

/**
 * Builds the request's fields as gh's `api` does: `-f` values are strings; `-F` values are typed
 * (`true`, `false`, `null`, numbers) or read from a file (`@path`, `@-` for stdin). A key may name an
 * array element (`roles[]=2`) or a nested member (`owner[name]=Ann`, `a[b][]=c`).
 */
export async function buildFields(raw: readonly RawField[], read: ReadInput): Promise<FieldObject> {
  const out: FieldObject = {}
  let stdinUsed = false
  for (const { spec, typed } of raw) {
    const flag = typed ? '-F/--field' : '-f/--raw-field'
    const eq = spec.indexOf('=')
    if (eq <= 0) throw new UsageError(`${flag} must be key=value, got "${spec}"`)
    const path = parseKey(spec.slice(0, eq), flag)
    const text = spec.slice(eq + 1)
    let value: FieldValue = text
    if (typed) {
      if (text.startsWith('@')) {
        const file = text.slice(1)
        if (file === '-') {
          if (stdinUsed) throw new UsageError(`${flag}: only one value can be read from stdin (@-)`)
          stdinUsed = true
        }
        value = await read(file, `${flag} ${spec.slice(0, eq)}`)
      } else value = typedValue(text)
    }
    assign(out, path, value, spec.slice(0, eq), flag)
  }
  return out
}

/** `true`, `false`, `null` and JSON numbers become those; anything else stays a string. */
function typedValue(text: string): FieldValue {
  if (text === 'true') return true
  if (text === 'false') return false
  if (text === 'null') return null
  if (/^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/.test(text)) {
    const n = Number(text)
    if (Number.isFinite(n)) return n
  }
  return text
}

/** `a[b][]` → ['a', 'b', '']: '' is "append to an array". */
function parseKey(key: string, flag: string): string[] {
  const m = /^([^[\]]+)((?:\[[^[\]]*\])*)$/.exec(key)
  if (!m) throw new UsageError(`${flag}: "${key}" is not a field name (use name, name[], or name[sub])`)
  const parts = [m[1] as string]
  for (const part of (m[2] ?? '').matchAll(/\[([^[\]]*)\]/g)) parts.push(part[1] as string)
  parts.slice(0, -1).forEach((p, i) => {
    if (p === '' && i < parts.length - 1)
      throw new UsageError(`${flag}: "${key}": [] may only come last (arrays of objects are not supported)`)
  })
  return parts
}

function assign(target: FieldObject, path: string[], value: FieldValue, key: string, flag: string): void {
  let node: FieldObject = target
  for (let i = 0; i < path.length; i++) {
    const part = path[i] as string
    const last = i === path.length - 1
    const next = path[i + 1]
    if (last) {
      if (part === '') throw new UsageError(`${flag}: "${key}" needs a name`)
      if (node[part] !== undefined) throw new UsageError(`${flag}: "${key}" is given twice`)
      node[part] = value
      return
    }
    if (next === '') {
      // name[] = value: append.
      const existing = node[part]
      if (existing === undefined) node[part] = [value]
      else if (Array.isArray(existing)) existing.push(value)
      else throw new UsageError(`${flag}: "${key}" mixes an array with a value of another kind`)
      return
    }
    const existing = node[part]
    if (existing === undefined) node = node[part] = {}
    else if (existing !== null && typeof existing === 'object' && !Array.isArray(existing)) node = existing
    else throw new UsageError(`${flag}: "${key}" mixes an object with a value of another kind`)
  }
}

/**
 * The fields as a query string the way Laravel reads one: `a=1&roles[]=2&roles[]=3&owner[name]=Ann`
 * (`null` is an empty value).
 */
export function toQuery(fields: FieldObject): URLSearchParams {
  const params = new URLSearchParams()
  const walk = (prefix: string, value: FieldValue): void => {
    if (Array.isArray(value)) for (const v of value) walk(`${prefix}[]`, v)
    else if (value !== null && typeof value === 'object')
      for (const [k, v] of Object.entries(value)) walk(`${prefix}[${k}]`, v)
    else params.append(prefix, value === null ? '' : String(value))
  }
  for (const [k, v] of Object.entries(fields)) walk(k, v)
  return params
}

/** Header names orgctl sets itself from the request, which `-H` may not replace. */
const RESERVED_HEADERS = new Set(['host', 'content-length', 'transfer-encoding', 'connection', 'upgrade'])

/**
 * `-H 'Name: value'` headers. A header line with CR, LF or another control character is refused (it would
 * smuggle a second header); so is `Authorization` unless `allowAuthorization` (the profile's token is
 * what orgctl sends otherwise).
 */
export function parseHeaders(lines: readonly string[], allowAuthorization: boolean): Record<string, string> {
  const out: Record<string, string> = {}
  for (const line of lines) {
    const colon = line.indexOf(':')
    const name = colon > 0 ? line.slice(0, colon).trim() : ''
    const value = colon > 0 ? line.slice(colon + 1).trim() : ''
    if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name))
      throw new UsageError(`-H/--header must be "Name: value" with a valid header name, got "${line}"`)
    // eslint-disable-next-line no-control-regex
    if (/[\u0000-\u0008\u000a-\u001f\u007f]/.test(value))
      throw new UsageError(`-H/--header ${name}: the value may not hold control characters (CR, LF, ...)`)
    const lower = name.toLowerCase()
    if (RESERVED_HEADERS.has(lower)) throw new UsageError(`-H/--header ${name} is set by orgctl itself`)
    if (lower === 'authorization' && !allowAuthorization)
      throw new UsageError(
        '-H/--header Authorization would replace the token of your profile or ORGCTL_TOKEN: ' +
          'pass --allow-authorization as well if that is what you mean',
      )
    out[lower] = value
  }
  return out
}
