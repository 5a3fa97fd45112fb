/*
 * Terminal safety in one place (SECURITY.md "Terminal escaping"). Every string that a server, a file or
 * another person controls passes through {@link terminalText} before it reaches a terminal or a piped
 * table, so that it can only ever be *shown*, never *obeyed*: no ESC sequence (colours, cursor moves,
 * screen clears, window titles, OSC 8 links), no C1 control (0x9B is CSI on some terminals), no bidi
 * override or isolate (which reorders what follows on the line), no carriage return that draws over a
 * line, no line break that pushes a row or a summary off screen.
 *
 * This module imports nothing: it loads on every command and sits under every rendering path.
 */

/**
 * What is rendered visibly: C0 controls (TAB, LF and CR included), DEL, C1 controls, the Arabic letter
 * mark, LRM/RLM, the bidi embeddings and overrides U+202A-U+202E, the isolates U+2066-U+2069, and the
 * line and paragraph separators U+2028/U+2029 (some terminals and every browser break lines on them).
 */
/* eslint-disable no-control-regex -- matching control characters is the point */
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g
const UNSAFE_BUT_LF =
  /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g
/* eslint-enable no-control-regex */

const NAMED: Readonly<Record<string, string>> = { '\t': '\\t', '\n': '\\n', '\r': '\\r' }

/** The visible form of one unsafe character: `\t` `\n` `\r`, `\x1b` for the rest up to U+00FF, else `\u202e`. */
function visible(ch: string): string {
  const named = NAMED[ch]
  if (named) return named
  const code = ch.charCodeAt(0)
  return code <= 0xff
    ? `\\x${code.toString(16).padStart(2, '0')}`
    : `\\u${code.toString(16).padStart(4, '0')}`
}

/** `\u202e`: the JSON form of one unsafe character. */
const unicodeEscape = (ch: string): string => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`

/**
 * Indented JSON for a terminal: the same JSON value (a parser reads back exactly what was given), with
 * every unsafe character written as a `\u` escape. JSON.stringify escapes C0 controls itself but leaves
 * DEL, C1 controls and bidi characters raw. Piped, JSON is printed by JSON.stringify alone.
 */
export function terminalJson(value: unknown, indent = 2): string {
  // JSON.stringify never emits a raw TAB, and LF only as indentation: both stay.
  return JSON.stringify(value, null, indent).replace(UNSAFE_BUT_LF, unicodeEscape)
}

/** Options of {@link terminalText}. */
export interface TerminalTextOptions {
  /**
   * Keep LF as a line break (messages orgctl composes over several lines, e.g. an error and its field
   * errors). Off by default: a table cell, a name in a prompt, a progress line stay on one line.
   */
  multiline?: boolean
}

/**
 * Text made safe for a terminal: every control character, DEL, C1 control and bidi control is replaced
 * by its visible escape (`\x1b`, `\u202e`, `\t`, `\n`...), so an ESC sequence shows as text. Printable
 * text, including every other non-ASCII character, is unchanged. JSON output never goes through this
 * (it is exact), nor does CSV written to a file or pipe (see `csvField`).
 */
export function terminalText(text: string, options: TerminalTextOptions = {}): string {
  const pattern = options.multiline ? UNSAFE_BUT_LF : UNSAFE
  pattern.lastIndex = 0
  return pattern.test(text) ? text.replace(pattern, visible) : text
}

/**
 * One line for a confirmation or a note: escaped, and cut to `max` characters (code points) with an
 * ellipsis, so that a crafted name can neither draw over nor push away what follows it.
 */
export function terminalLine(text: string, max = 80): string {
  const safe = [...terminalText(text)]
  return safe.length <= max ? safe.join('') : `${safe.slice(0, Math.max(1, max - 1)).join('')}…`
}
