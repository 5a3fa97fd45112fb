import { describe, expect, it } from 'vitest'

import { terminalJson, terminalLine, terminalText } from '../../src/core/escape.js'

/** Every code point that must never reach a terminal as itself. */
const UNSAFE_CODE_POINTS = [
  ...Array.from({ length: 0x20 }, (_, i) => i), // C0, TAB/LF/CR included
  0x7f, // DEL
  ...Array.from({ length: 0x20 }, (_, i) => 0x80 + i), // C1 (0x9b is CSI, 0x9d OSC on some terminals)
  0x061c, // Arabic letter mark
  0x200e,
  0x200f, // LRM, RLM
  0x2028,
  0x2029, // line and paragraph separators
  0x202a,
  0x202b,
  0x202c,
  0x202d,
  0x202e, // embeddings and overrides
  0x2066,
  0x2067,
  0x2068,
  0x2069, // isolates
]

const RAW_BUT_LF = new RegExp(
  `[${UNSAFE_CODE_POINTS.filter((c) => c !== 0x0a)
    .map((c) => `\\u${c.toString(16).padStart(4, '0')}`)
    .join('')}]`,
  'u',
)

const RAW = new RegExp(
  `[${UNSAFE_CODE_POINTS.map((c) => `\\u${c.toString(16).padStart(4, '0')}`).join('')}]`,
  'u',
)

describe('terminalText: what a server, a file or an argument says is shown, never obeyed', () => {
  it('renders every control, DEL, C1 and bidi character visibly and emits none of them', () => {
    for (const code of UNSAFE_CODE_POINTS) {
      const out = terminalText(`a${String.fromCharCode(code)}b`)
      expect(out, `U+${code.toString(16)}`).not.toMatch(RAW)
      expect(out.startsWith('a\\') && out.endsWith('b'), `U+${code.toString(16)}: ${out}`).toBe(true)
    }
  })

  it('writes the escapes a person recognises: \\x1b, \\t, \\n, \\r, \\x9b, \\u202e', () => {
    expect(terminalText('\u001b[2J')).toBe('\\x1b[2J')
    expect(terminalText('a\tb\nc\rd')).toBe('a\\tb\\nc\\rd')
    expect(terminalText('\u0000\u0007\u007f')).toBe('\\x00\\x07\\x7f')
    expect(terminalText('\u009b31m')).toBe('\\x9b31m')
    expect(terminalText('\u202eevil')).toBe('\\u202eevil')
    expect(terminalText('\u2066x\u2069')).toBe('\\u2066x\\u2069')
    expect(terminalText('\u061c\u200e\u200f')).toBe('\\u061c\\u200e\\u200f')
  })

  it('neutralises whole attacks: OSC 8 links, window titles, CSI cursor moves, a reversed line', () => {
    const osc8 = '\u001b]8;;https://evil.example/\u001b\\click\u001b]8;;\u001b\\'
    expect(terminalText(osc8)).toBe('\\x1b]8;;https://evil.example/\\x1b\\click\\x1b]8;;\\x1b\\')
    expect(terminalText('\u001b]0;pwned\u0007')).toBe('\\x1b]0;pwned\\x07')
    expect(terminalText('\u001b[H\u001b[2J\u001b[10;1H')).toBe('\\x1b[H\\x1b[2J\\x1b[10;1H')
    expect(terminalText('Acme \u202egnp.exe')).toBe('Acme \\u202egnp.exe')
  })

  it('leaves printable text alone, non-ASCII letters and emoji included', () => {
    const text = 'Ümlaut Straße — 東京 مرحبا 🚀 "quotes" \\ back\\slash'
    expect(terminalText(text)).toBe(text)
  })

  it('keeps line breaks only when asked (orgctl-composed messages), never CR', () => {
    expect(terminalText('one\ntwo', { multiline: true })).toBe('one\ntwo')
    expect(terminalText('one\r\ntwo\u001b', { multiline: true })).toBe('one\\r\ntwo\\x1b')
    expect(terminalText('one\ntwo')).toBe('one\\ntwo')
  })
})

describe('terminalLine: one bounded line for confirmations', () => {
  it('cuts to the width with an ellipsis, after escaping', () => {
    expect(terminalLine('short', 10)).toBe('short')
    expect(terminalLine('x'.repeat(100), 10)).toBe(`${'x'.repeat(9)}…`)
    const crafted = `Acme\n\n\n\u001b[2J${'\n'.repeat(200)}About to charge 10`
    const line = terminalLine(crafted, 60)
    expect([...line].length).toBeLessThanOrEqual(60)
    expect(line).not.toMatch(RAW)
    expect(line.startsWith('Acme\\n\\n\\n\\x1b[2J')).toBe(true)
  })
})

describe('terminalJson: JSON on a terminal, the same value', () => {
  it('writes C1 and bidi characters as \\u escapes that parse back to the exact value', () => {
    const value = { name: 'a\u001b[2J\u009b31m\u202e\u2066\u007f\t\nb', n: -5, list: ['\u200f'] }
    const text = terminalJson(value)
    expect(text).not.toMatch(RAW_BUT_LF)
    expect(JSON.parse(text)).toEqual(value)
    expect(text).toContain('"a\\u001b[2J\\u009b31m\\u202e\\u2066\\u007f\\t\\nb"')
    expect(text.split('\n')[1]).toBe('  "name": "a\\u001b[2J\\u009b31m\\u202e\\u2066\\u007f\\t\\nb",')
  })
})
