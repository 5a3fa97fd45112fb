import { MAX_TOKEN_CHARS } from '../api/limits.js'
import { hasUserInfo, redactUserInfo } from '../api/redact.js'
import { ORGANIZATION_STATUSES, type OrganizationStatus } from '../api/types.js'
import { UsageError } from './errors.js'
import { MAX_AVATAR_BYTES, imageType, isEmail } from '../shared/rules.js'

/**
 * ISO 3166-1 alpha-2 officially assigned codes (249). Local checking saves a round trip and gives a
 * message that says what is allowed.
 */
const ISO_COUNTRIES = new Set(
  (
    'AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ ' +
    'CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR ' +
    'GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO ' +
    'JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR ' +
    'MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO ' +
    'RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV ' +
    'TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW'
  ).split(' '),
)

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/** True when `code` is an assigned ISO 3166-1 alpha-2 code (upper case). */
export function isCountryCode(code: string): boolean {
  return ISO_COUNTRIES.has(code)
}

/** A UUID (any version), or exit 2 naming the flag or argument. */
export function uuid(value: string, name: string): string {
  if (!UUID.test(value))
    throw new UsageError(`${name} must be a UUID (like 123e4567-e89b-12d3-a456-426614174000), got "${value}"`)
  return value.toLowerCase()
}

/**
 * An invitation token as pasted or captured from a shell: surrounding white space (a trailing CR from
 * a CRLF file, a newline) is dropped; what remains must be URL-safe, as tokens are (base64url).
 */
export function inviteToken(value: string, name: string): string {
  const token = value.trim()
  if (!/^[A-Za-z0-9_-]{1,512}$/.test(token))
    throw new UsageError(`${name} must be the invitation token from the e-mail (letters, digits, - and _)`)
  return token
}

/** An e-mail address. */
export function email(value: string, name: string): string {
  const v = value.trim()
  if (!isEmail(v)) throw new UsageError(`${name} must be an e-mail address, got "${value}"`)
  return v
}

/** An ISO 3166-1 alpha-2 country code; lower case is accepted and upper-cased. */
export function countryCode(value: string, name: string): string {
  const v = value.trim().toUpperCase()
  if (!isCountryCode(v))
    throw new UsageError(
      `${name} must be an ISO 3166-1 alpha-2 country code such as US or EG, got "${value}"`,
    )
  return v
}

/** An organization status. */
export function status(value: string, name: string): OrganizationStatus {
  if (!(ORGANIZATION_STATUSES as readonly string[]).includes(value))
    throw new UsageError(`${name} must be one of ${ORGANIZATION_STATUSES.join(', ')}, got "${value}"`)
  return value as OrganizationStatus
}

/** A positive integer written in decimal digits (no sign, fraction or exponent). */
export function positiveInt(value: string | number, name: string, max = Number.MAX_SAFE_INTEGER): number {
  const text = String(value).trim()
  const n = Number(text)
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(n) || n < 1 || n > max)
    throw new UsageError(
      `${name} must be a positive whole number${max < Number.MAX_SAFE_INTEGER ? ` up to ${max}` : ''}, got "${value}"`,
    )
  return n
}

/** An organization name: 1–255 characters after trimming. */
export function orgName(value: string, name: string): string {
  const v = value.trim()
  if (v.length < 1 || v.length > 255) throw new UsageError(`${name} must be 1 to 255 characters`)
  return v
}

/** An absolute http(s) URL. */
export function httpUrl(value: string, name: string): string {
  let url: URL
  try {
    url = new URL(value)
  } catch {
    throw new UsageError(`${name} must be an http:// or https:// URL, got "${value}"`)
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new UsageError(`${name} must be an http:// or https:// URL, got "${redactUserInfo(value)}"`)
  return value
}

/**
 * The URL of an API: http(s), and without user-info. A `user:password@` part would be sent nowhere useful
 * (orgctl authenticates with a bearer token) and would land in traces and messages, so it is refused.
 */
export function apiUrl(value: string, name: string): string {
  httpUrl(redactUserInfo(value), name)
  if (hasUserInfo(value))
    throw new UsageError(
      `${name} must not contain a user name or password ("${redactUserInfo(value)}"): orgctl sends a token, set with \`orgctl login\` or ORGCTL_TOKEN`,
    )
  return value
}

/**
 * A bearer token: printable ASCII without spaces, as every token is. Anything else (a CR/LF from a copied
 * file, a tab, a control character) would break or smuggle an HTTP header, so it is refused before sending.
 * `where` names the source (never the value).
 */
export function token(value: string, where: string): string {
  if (!/^[\x21-\x7e]+$/.test(value) || value.length > MAX_TOKEN_CHARS)
    throw new UsageError(
      `${where} must be printable ASCII without spaces, tabs, line breaks or control characters, at most ${MAX_TOKEN_CHARS} characters; nothing was sent`,
    )
  return value
}

export { MAX_AVATAR_BYTES, imageType } from '../shared/rules.js'

/**
 * Reads an avatar file and checks it locally: readable, at most 2 MiB, png/jpeg/gif/webp by its bytes.
 */
export async function readImageFile(
  path: string,
  name: string,
): Promise<{ data: Uint8Array; contentType: string; filename: string }> {
  const { stat } = await import('node:fs/promises')
  const { basename } = await import('node:path')
  let size: number
  try {
    const s = await stat(path)
    if (!s.isFile()) throw new UsageError(`${name} must be a readable image file; "${path}" is not a file`)
    size = s.size
  } catch (error) {
    if (error instanceof UsageError) throw error
    throw new UsageError(`${name} must be a readable image file; cannot read "${path}"`)
  }
  if (size > MAX_AVATAR_BYTES)
    throw new UsageError(`${name} must be at most 2 MiB; "${path}" is ${size} bytes`)
  let data: Uint8Array | undefined
  try {
    data = await readAtMost(path, MAX_AVATAR_BYTES)
  } catch {
    throw new UsageError(`${name} must be a readable image file; cannot read "${path}"`)
  }
  // stat can lie (/proc files report 0 or a false size): what counts is what reading found.
  if (!data) throw new UsageError(`${name} must be at most 2 MiB; "${path}" is larger`)
  const type = imageType(data)
  if (!type)
    throw new UsageError(`${name} must be a PNG, JPEG, GIF or WebP image; "${path}" is none of these`)
  return { data, contentType: type.contentType, filename: basename(path) }
}

/**
 * Reads a file through a bounded stream: its bytes when at most `max`, else undefined, having read no
 * more than `max + 1` bytes whatever the file claims to be.
 */
export async function readAtMost(path: string, max: number): Promise<Uint8Array | undefined> {
  const { open } = await import('node:fs/promises')
  const handle = await open(path, 'r')
  try {
    const buffer = Buffer.alloc(max + 1)
    let filled = 0
    while (filled < buffer.length) {
      let bytesRead: number
      try {
        ;({ bytesRead } = await handle.read(
          buffer,
          filled,
          Math.min(64 * 1024, buffer.length - filled),
          null,
        ))
      } catch (error) {
        // Some files refuse odd-sized reads (/proc/self/pagemap wants multiples of 8): having given `max`
        // bytes already, such a file is not one that ends within the limit.
        if (filled === max) return undefined
        throw error
      }
      if (bytesRead === 0) break
      filled += bytesRead
    }
    return filled > max ? undefined : buffer.subarray(0, filled)
  } finally {
    await handle.close()
  }
}

/** An idempotency key as the API accepts it: 1–255 printable ASCII characters. */
export function idempotencyKey(value: string, name: string): string {
  if (!/^[\x21-\x7e]{1,255}$/.test(value))
    throw new UsageError(`${name} must be 1 to 255 printable characters without spaces`)
  return value
}
