/**
 * The client's bounds on what a server (or a pipe) may hand it, in one place (SECURITY.md "Bounds").
 * Imports nothing, so commands and tests can read them without loading the transport.
 */

/** Largest response body read, in bytes; reading stops (and the request fails, exit 7) beyond it. */
export const MAX_BODY_BYTES = 4 * 1024 * 1024

/** Deepest JSON nesting accepted in a response; deeper is refused before `JSON.parse` sees it. */
export const MAX_JSON_DEPTH = 64

/** Longest server message shown (messages and each field error); the rest is cut with "…". */
export const MAX_MESSAGE_CHARS = 500

/** Most field errors shown from one response; a server may send thousands. */
export const MAX_FIELD_ERRORS = 20

/** Largest secret (token, password) read from stdin, in bytes. */
export const MAX_STDIN_SECRET_BYTES = 64 * 1024

/** Longest token accepted, in characters. */
export const MAX_TOKEN_CHARS = 4096

/**
 * Most bytes of response bodies gathered into one JSON document before printing (`members list --all
 * --json`, `orgctl api --paginate --slurp`); streaming forms have no such cap.
 */
export const MAX_GATHERED_BYTES = 64 * 1024 * 1024
