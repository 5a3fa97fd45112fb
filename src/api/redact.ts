/** Hides secrets from anything that may reach a terminal or a log. */

import { redactInviteToken } from '../shared/rules.js'

/** Replaces the invite token in an accept URL or path. */
export function redactPath(pathOrUrl: string): string {
  return redactInviteToken(pathOrUrl)
}

/**
 * Replaces every occurrence of the given secrets (tokens, passwords) in a text, plus the value of
 * any bearer authorization, so that traces and error messages never carry one.
 */
export function redactSecrets(text: string, secrets: readonly (string | undefined)[] = []): string {
  let out = redactUserInfo(redactPath(text)).replace(/(Bearer\s+)[^\s"',]+/gi, '$1[redacted]')
  for (const secret of secrets) {
    // Very short strings would blank out ordinary words; real tokens are long.
    if (secret && secret.length >= 4) out = out.split(secret).join('[redacted]')
  }
  return out
}

/** A copy of request headers fit for a trace: authorization and cookies hidden. */
export function redactHeaders(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase()
    out[name] = lower === 'authorization' || lower === 'cookie' ? '[redacted]' : value
  }
  return out
}

// `scheme://user:pass@host`: everything between `//` and the last `@` before the host's end.
const USER_INFO = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/?#@]*@/gi

/** Replaces the user-info part (`user:password@`) of every URL in a text. */
export function redactUserInfo(text: string): string {
  return text.replace(USER_INFO, '$1[redacted]@')
}

/** Whether a URL carries a user name or password. */
export function hasUserInfo(url: string): boolean {
  try {
    const u = new URL(url)
    return u.username !== '' || u.password !== ''
  } catch {
    return false
  }
}

/**
 * Server text made fit for a one-line message: controls, DEL, C1, bidi overrides and isolates shown as
 * escapes (`\x1b`, `\u202e`) and the whole cut to `max` characters.
 */
export function visible(text: string, max: number): string {
  // eslint-disable-next-line no-control-regex
  const shown = text.replace(/[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, (c) => {
    const code = c.charCodeAt(0)
    return code <= 0xff
      ? `\\x${code.toString(16).padStart(2, '0')}`
      : `\\u${code.toString(16).padStart(4, '0')}`
  })
  return shown.length > max ? `${shown.slice(0, max)}…` : shown
}
