import { describe, expect, it } from 'vitest'

import { cellText, csvField, csvRecord, pickColumns, renderCsv, renderTable } from '../../src/core/output.js'

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
    expect(csvRecord(['a', 1, true])).toBe('a,1,true\r\n')
    const view = { columns: ['id', 'name'], rows: [{ id: 1, name: 'Ada, Countess' }] }
    expect(renderCsv(view, { format: 'csv', header: true, color: false })).toBe(
      'id,name\r\n1,"Ada, Countess"\r\n',
    )
    expect(renderCsv(view, { format: 'csv', header: false, color: false, columns: ['name'] })).toBe(
      '"Ada, Countess"\r\n',
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
