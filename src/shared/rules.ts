/**
 * Rules the CLI and the sandbox server must agree on, in one place. This module imports nothing (lint
 * keeps it so), which lets src/server read it without depending on the CLI and src/api, src/core and
 * src/bulk read it without depending on the server.
 */

/** Largest avatar the API accepts (docs/DESIGN.md decision 11): the client refuses larger files before sending. */
export const MAX_AVATAR_BYTES = 2 * 1024 * 1024

/** Largest page of members the API serves (docs/DESIGN.md decision 4); larger `per_page` values are clamped. */
export const MAX_PER_PAGE = 100

/** Concurrency of a bulk run: the default and the most `--concurrency` allows. */
export const BULK_CONCURRENCY = { default: 8, max: 64 } as const

/** Longest e-mail address (RFC 5321's path limit less the brackets). */
export const MAX_EMAIL_LENGTH = 254

/**
 * An e-mail address as the sandbox validates it: ajv-formats' "full" format (HTML5-level syntax, with a dot
 * in the domain). `--email`, bulk files and the server use this one pattern, so an address valid locally
 * is never a 422 remotely.
 */
export const EMAIL_PATTERN =
  /^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*@(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/i

/** Whether `value` is an e-mail address by {@link EMAIL_PATTERN} and {@link MAX_EMAIL_LENGTH}. */
export function isEmail(value: string): boolean {
  return value.length <= MAX_EMAIL_LENGTH && EMAIL_PATTERN.test(value)
}

/** An image kind the API accepts. */
export interface ImageKind {
  ext: 'png' | 'jpg' | 'gif' | 'webp'
  contentType: 'image/png' | 'image/jpeg' | 'image/gif' | 'image/webp'
}

/**
 * The image kind of a file by its first bytes (never its name or declared type), or undefined for anything
 * else: PNG's 8-byte signature, JPEG's SOI marker, GIF87a/GIF89a, RIFF....WEBP.
 */
export function imageType(bytes: Uint8Array): ImageKind | undefined {
  const at = (i: number) => bytes[i] ?? -1
  const ascii = (from: number, to: number) => String.fromCharCode(...bytes.subarray(from, to))
  const PNG = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]
  if (PNG.every((b, i) => at(i) === b)) return { ext: 'png', contentType: 'image/png' }
  if (at(0) === 0xff && at(1) === 0xd8 && at(2) === 0xff) return { ext: 'jpg', contentType: 'image/jpeg' }
  if (bytes.length >= 6 && (ascii(0, 6) === 'GIF87a' || ascii(0, 6) === 'GIF89a'))
    return { ext: 'gif', contentType: 'image/gif' }
  if (bytes.length >= 12 && ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'WEBP')
    return { ext: 'webp', contentType: 'image/webp' }
  return undefined
}

/** The invite token in an accept path (`/api/organizations/invite/{token}/accept`): a secret in logs and traces. */
const INVITE_TOKEN_IN_PATH = /(\/invite\/)[^/?#]+/g

/** A path or URL with any invite token replaced by `[redacted]` (client traces and the server's request log). */
export function redactInviteToken(pathOrUrl: string): string {
  return pathOrUrl.replace(INVITE_TOKEN_IN_PATH, '$1[redacted]')
}
