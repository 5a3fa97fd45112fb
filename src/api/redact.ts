/** Hides secrets from anything that may reach a terminal or a log. */

const INVITE_TOKEN_IN_PATH = /(\/invite\/)[^/?#]+(\/accept)/g

/** Replaces the invite token in an accept URL or path. */
export function redactPath(pathOrUrl: string): string {
  return pathOrUrl.replace(INVITE_TOKEN_IN_PATH, '$1[redacted]$2')
}

/**
 * Replaces every occurrence of the given secrets (tokens, passwords) in a text, plus the value of
 * any bearer authorization, so that traces and error messages never carry one.
 */
export function redactSecrets(text: string, secrets: readonly (string | undefined)[] = []): string {
  let out = redactPath(text).replace(/(Bearer\s+)[^\s"',]+/gi, '$1[redacted]')
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
