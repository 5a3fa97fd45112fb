import { describe, expect, it } from 'vitest'

import {
  cellText,
  csvField,
  csvRecord,
  fitWidths,
  pickColumns,
  renderCsv,
  renderTable,
} from '../../src/core/output.js'

describe('CSV output (RFC 4180)', () => {
  it('quotes fields holding commas, quotes or line breaks and doubles the quotes', () => {
    expect(csvField('plain')).toBe('plain')
    expect(csvField('a,b')).toBe('"a,b"')
    expect(csvField('say "hi"')).toBe('"say ""hi"""')
    expect(csvField('two\nlines')).toBe('"two\nlines"')
    expect(csvField(null)).toBe('')
    expect(csvField([1, 2])).toBe('"1,2"')
  })

  it('ends records with CRLF and honours --columns and --no-header', () => {
    expect(csvRecord(['a', 1, true])).toBe('a,1,true\n')
    const view = { columns: ['id', 'name'], rows: [{ id: 1, name: 'Ada, Countess' }] }
    expect(renderCsv(view, { format: 'csv', header: true, color: false })).toBe(
      'id,name\n1,"Ada, Countess"\n',
    )
    expect(renderCsv(view, { format: 'csv', header: false, color: false, columns: ['name'] })).toBe(
      '"Ada, Countess"\n',
    )
  })
})

describe('tables and columns', () => {
  it('rejects an unknown --columns name and lists the allowed ones', () => {
    expect(pickColumns(['id', 'name'], 'name,id')).toEqual(['name', 'id'])
    expect(() => pickColumns(['id', 'name'], 'id,colour')).toThrow(
      /unknown column "colour"; allowed: id, name/,
    )
  })

  it('draws no colour codes when colour is off', async () => {
    const text = await renderTable(
      { columns: ['id'], rows: [{ id: 7 }] },
      { format: 'table', header: true, color: false },
    )
    expect(text).toContain('7')
    expect(text).not.toContain('\u001b[')
  })

  it('shows arrays as comma-separated values', () => {
    expect(cellText([1, 4])).toBe('1,4')
    expect(cellText(undefined)).toBe('')
  })
})

describe('tables on a terminal and piped', () => {
  const long = { id: 1, name: 'Ada Lovelace', text: `${'x'.repeat(200)}\nsecond line` }
  const view = { columns: ['id', 'name', 'text'], rows: [long, { id: 22, name: 'B', text: 'short' }] }

  it('fits the terminal width, cutting long values with an ellipsis instead of wrapping', async () => {
    const text = await renderTable(view, { format: 'table', header: true, color: false, width: 60 })
    const lines = text.trimEnd().split('\n')
    // One line each for the header and the two rows: nothing wrapped onto continuation lines.
    expect(lines.filter((l) => l.startsWith('│'))).toHaveLength(3)
    for (const line of lines) expect([...line].length).toBeLessThanOrEqual(60)
    expect(text).toContain('…')
    expect(text).toContain('Ada Lovelace')
    expect(text).not.toContain('second line')
  })

  it('fits a FIELD | VALUE record to the width too', async () => {
    const text = await renderTable(
      { ...view, record: true, rows: [long] },
      { format: 'table', header: true, color: false, width: 50 },
    )
    for (const line of text.trimEnd().split('\n')) expect([...line].length).toBeLessThanOrEqual(50)
    expect(text).toMatch(/│ name\s+│ Ada Lovelace\s+│/)
  })

  it('prints tab-separated lines without borders or colour when piped', async () => {
    expect(await renderTable(view, { format: 'table', header: true, color: false })).toBe(
      `id\tname\ttext\n1\tAda Lovelace\t${'x'.repeat(200)}\\nsecond line\n22\tB\tshort\n`,
    )
    expect(
      await renderTable(
        { ...view, record: true, rows: [{ id: 1, name: 'Ada' }] },
        { format: 'table', header: true, color: false, columns: ['name', 'id'] },
      ),
    ).toBe('name\tAda\nid\t1\n')
  })

  it('shrinks the widest columns first and never below the minimum', () => {
    expect(fitWidths([10, 50, 8], 40)).toEqual([10, 22, 8])
    expect(fitWidths([10, 10], 100)).toEqual([10, 10])
    expect(fitWidths([30, 30], 6)).toEqual([5, 5])
  })
})
