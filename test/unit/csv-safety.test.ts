import { describe, expect, it } from 'vitest'

import { csvField, csvRecord, renderCsv } from '../../src/core/output.js'

const PREFIXES = ['=', '+', '-', '@', '\t', '\r'] as const

describe('CSV cells a spreadsheet would run as formulas are neutralised (OWASP)', () => {
  it.each(PREFIXES.map((p) => [JSON.stringify(p), p]))(
    'a text cell starting with %s is prefixed with a quote and quoted',
    (_, prefix) => {
      const cell = `${prefix}HYPERLINK("https://evil.example","x")`
      expect(csvField(cell)).toBe(`"'${cell.replace(/"/g, '""')}"`)
    },
  )

  it('leaves cells that only contain those characters later alone', () => {
    expect(csvField('a=b')).toBe('a=b')
    expect(csvField('ada@example.com')).toBe('ada@example.com')
    expect(csvField(' =1')).toBe(' =1')
  })

  it('writes numbers orgctl holds as numbers as they are, negative ones included; numeric text is neutralised', () => {
    expect(csvField(-5)).toBe('-5')
    expect(csvField(1500)).toBe('1500')
    expect(csvField('-5')).toBe(`"'-5"`)
    expect(csvField('+1 555 0100')).toBe(`"'+1 555 0100"`)
  })

  it('gives exact cells with raw (--csv-raw): RFC 4180 quoting only', () => {
    expect(csvField('=1+2', { raw: true })).toBe('=1+2')
    expect(csvField('@SUM(A1)', { raw: true })).toBe('@SUM(A1)')
    expect(csvField('\tx', { raw: true })).toBe('\tx')
    expect(csvField('\rx', { raw: true })).toBe('"\rx"')
    expect(csvField('-1,2', { raw: true })).toBe('"-1,2"')
  })

  it('shows control characters visibly when the CSV goes to a terminal, --csv-raw or not; exact otherwise', () => {
    expect(csvField('a\u001b[2Jb', { terminal: true })).toBe('a\\x1b[2Jb')
    expect(csvField('a\u001b[2Jb')).toBe('a\u001b[2Jb')
    // --csv-raw lifts formula neutralisation, never terminal escaping.
    expect(csvField('=a\u001b[2Jb', { terminal: true, raw: true })).toBe('=a\\x1b[2Jb')
  })

  it('applies to whole records and rendered views, and not to the header', () => {
    expect(csvRecord([1, '=cmd', '@x'])).toBe(`1,"'=cmd","'@x"\n`)
    const view = { columns: ['id', 'name'], rows: [{ id: 7, name: '+cmd|calc' }] }
    expect(renderCsv(view, { format: 'csv', header: true, color: false })).toBe(`id,name\n7,"'+cmd|calc"\n`)
    expect(renderCsv(view, { format: 'csv', header: true, color: false, rawCsv: true })).toBe(
      'id,name\n7,+cmd|calc\n',
    )
  })
})
