import { rmSync, writeFileSync, createWriteStream } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { once } from 'node:events'
import { join } from 'node:path'
import { PassThrough, Readable } from 'node:stream'
import { createHash } from 'node:crypto'

import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import {
  BulkInputError,
  countRows,
  detectFormat,
  fingerprintFile,
  readRows,
  scanInput,
  spoolToFile,
} from '../../src/bulk/reader.js'
import type { ReadRowsOptions, RowItem } from '../../src/bulk/reader.js'
import { tempDir } from '../helpers/tmp.js'

let dir: string
beforeAll(() => {
  dir = tempDir('reader')
})
afterAll(() => {
  rmSync(dir, { recursive: true, force: true })
})

let fileCount = 0
function file(name: string, content: string | Buffer): string {
  const path = join(dir, `${fileCount++}-${name}`)
  writeFileSync(path, content)
  return path
}

async function collect(input: string, options?: ReadRowsOptions): Promise<RowItem[]> {
  const items: RowItem[] = []
  for await (const item of readRows(input, options)) items.push(item)
  return items
}

async function inputError(input: string, options?: ReadRowsOptions): Promise<BulkInputError> {
  try {
    await collect(input, options)
  } catch (error) {
    expect(error).toBeInstanceOf(BulkInputError)
    return error as BulkInputError
  }
  throw new Error('expected a BulkInputError')
}

describe('reading a CSV file', () => {
  it('yields each valid row with its line number, trimmed, roles split on ;', async () => {
    const path = file(
      'ok.csv',
      'email,name,roles\nalice@example.com,Alice,2;3\n  bob@example.com , Bob Smith ,3\n',
    )
    expect(await collect(path)).toEqual([
      { line: 2, row: { email: 'alice@example.com', name: 'Alice', roles: [2, 3] } },
      { line: 3, row: { email: 'bob@example.com', name: 'Bob Smith', roles: [3] } },
    ])
  })

  it('accepts the columns in any order, in any case, with a BOM, CRLF and blank lines', async () => {
    const path = file('variant.csv', '\uFEFF Roles ,EMAIL,Name\r\n\r\n"2;3",a@example.com,"Doe, Jane"\r\n')
    expect(await collect(path)).toEqual([
      { line: 3, row: { email: 'a@example.com', name: 'Doe, Jane', roles: [2, 3] } },
    ])
  })

  it('gives a quoted line break the line where its row starts', async () => {
    const path = file('multi.csv', 'email,name,roles\n"a@example.com","Line\nbreak",2\nb@example.com,B,3\n')
    const items = await collect(path)
    expect(items.map((item) => item.line)).toEqual([2, 4])
  })

  it('reports invalid rows with the field and what is allowed, and keeps reading', async () => {
    const path = file(
      'bad-rows.csv',
      [
        'email,name,roles',
        'not-an-email,Alice,2',
        'b@example.com,,2',
        'c@example.com,C,',
        'd@example.com,D,2;x',
        'e@example.com,E,"2,3"',
        `f@example.com,${'n'.repeat(256)},2`,
        'g@example.com,G,2,extra',
        'h@example.com,H,0',
        'i@example.com,I,3',
      ].join('\n'),
    )
    const items = await collect(path)
    expect(items.map((item) => [item.line, item.error])).toEqual([
      [2, 'email "not-an-email" is not a valid e-mail address (expected name@example.com)'],
      [3, 'name is missing (1 to 255 characters)'],
      [4, 'roles is empty; at least one role ID is required (e.g. 3, or 2;3)'],
      [5, 'roles: "x" is not a role ID; role IDs are positive integers (e.g. 3, or 2;3)'],
      [
        6,
        `roles: "2,3" is not a role ID; role IDs are positive integers (e.g. 3, or 2;3); separate role IDs with ';', not ','`,
      ],
      [7, 'name is 256 characters long; at most 255 are allowed'],
      [8, 'the row has 4 fields but the header has 3; quote a value that contains a comma ("Doe, Jane")'],
      [9, 'roles: "0" is not a role ID; role IDs are positive integers (e.g. 3, or 2;3)'],
      [10, undefined],
    ])
    expect(items[1]).toMatchObject({ email: 'b@example.com' })
  })

  it('rejects a row with 500 roles, saying how many are allowed', async () => {
    const roles = Array.from({ length: 500 }, (_, i) => i + 1).join(';')
    const items = await collect(file('roles.csv', `email,name,roles\na@example.com,A,${roles}\n`))
    expect(items).toEqual([
      { line: 2, email: 'a@example.com', error: 'roles lists 500 role IDs; at most 20 are allowed per row' },
    ])
  })

  it('reports later occurrences of an address as duplicates, whatever its case', async () => {
    const path = file(
      'dupes.csv',
      'email,name,roles\na@example.com,A,2\nb@example.com,B,2\nA@Example.COM,A again,3\na@example.com,A,2\n',
    )
    const items = await collect(path)
    expect(items.filter((item) => item.error === undefined).map((item) => item.line)).toEqual([2, 3])
    expect(items.slice(2)).toEqual([
      {
        line: 4,
        email: 'A@Example.COM',
        error: 'duplicate of line 2 (A@Example.COM); each address is invited once',
      },
      {
        line: 5,
        email: 'a@example.com',
        error: 'duplicate of line 2 (a@example.com); each address is invited once',
      },
    ])
  })
})

describe('rejecting a CSV file as a whole', () => {
  it.each([
    ['an empty file', '', 'EMPTY', 1, 'the file is empty'],
    ['a file of blank lines', '\n\r\n  \n', 'EMPTY', 1, 'the file is empty'],
    ['a header with no rows', 'email,name,roles\n', 'NO_ROWS', 2, 'has a header (line 1) but no rows'],
    ['a missing header', 'a@example.com,Alice,2\n', 'MISSING_HEADER', 1, 'line 1 is not a header'],
    [
      'semicolons',
      'email;name;roles\na@example.com;A;2\n',
      'WRONG_DELIMITER',
      1,
      "seems to use ';' as delimiter; orgctl expects commas",
    ],
    ['tabs', 'email\tname\troles\n', 'WRONG_DELIMITER', 1, 'seems to use tabs as delimiter'],
    ['an unknown column', 'email,name,roles,phone\n', 'UNKNOWN_COLUMN', 1, 'unknown column "phone"'],
    ['a missing column', '\nemail,name\n', 'MISSING_COLUMN', 2, 'has no roles column'],
    ['a repeated column', 'email,name,roles,Email\n', 'DUPLICATE_COLUMN', 1, 'names the column email twice'],
    ['JSON Lines', '{"email":"a@example.com"}\n', 'MISSING_HEADER', 1, 'looks like JSON'],
    [
      'an unclosed quote',
      'email,name,roles\na@example.com,"Alice,2\n',
      'MALFORMED_CSV',
      2,
      'a quoted value is never closed',
    ],
  ])('rejects %s', async (_, content, code, line, message) => {
    const error = await inputError(file('bad.csv', content))
    expect(error).toMatchObject({ code, line })
    expect(error.message).toContain(message)
  })

  it('rejects a file that is not UTF-8, naming the line', async () => {
    const latin1 = Buffer.concat([
      Buffer.from('email,name,roles\na@example.com,Ann,2\nb@example.com,Jos'),
      Buffer.from([0xe9]), // é in Latin-1
      Buffer.from(',2\n'),
    ])
    const error = await inputError(file('latin1.csv', latin1))
    expect(error).toMatchObject({ code: 'NOT_UTF8', line: 3 })
    expect(error.message).toBe(
      'line 3 is not valid UTF-8; save the file as UTF-8 (in Excel: "CSV UTF-8") and try again',
    )
  })

  it('accepts UTF-8 characters split across read chunks', async () => {
    const rows = Array.from({ length: 5000 }, (_, i) => `u${i}@example.com,Zoë Ørsted 名前 ${i},2`)
    const items = await collect(file('utf8.csv', `email,name,roles\n${rows.join('\n')}\n`))
    expect(items).toHaveLength(5000)
    expect(
      items.every((item) => item.error === undefined && item.row.name.startsWith('Zoë Ørsted 名前')),
    ).toBe(true)
  })

  it('rejects a 10 MB single line quickly, without reading it all', async () => {
    const path = file('huge.csv', `email,name,roles\na@example.com,${'x'.repeat(10 * 1024 * 1024)},2\n`)
    let bytesRead = 0
    const error = await inputError(path, { onBytes: (chunk) => (bytesRead += chunk.length) })
    expect(error).toMatchObject({ code: 'LINE_TOO_LONG', line: 2 })
    expect(error.message).toBe('line 2 is longer than 64 KiB; each row must fit on a line of at most 64 KiB')
    expect(bytesRead).toBeLessThan(1024 * 1024)
  })
})

describe('reading a JSON Lines file', () => {
  it('yields valid rows and reports malformed lines as invalid rows', async () => {
    const path = file(
      'people.jsonl',
      [
        '{"email":"a@example.com","name":"A","roles":[2,3]}',
        '',
        '{"email":"b@example.com","name":"B","roles":[2]',
        '{"email":"c@example.com","name":"C","roles":"2"}',
        '[1,2]',
        '{"email":"d@example.com","name":"D","roles":[2],"phone":"1"}',
        '{"email":"a@EXAMPLE.com","name":"A","roles":[2]}\r',
      ].join('\n'),
    )
    const items = await collect(path)
    expect(items[0]).toEqual({ line: 1, row: { email: 'a@example.com', name: 'A', roles: [2, 3] } })
    expect(items.slice(1).map((item) => [item.line, item.error])).toEqual([
      [3, expect.stringMatching(/^the line is not valid JSON \(/)],
      [4, 'roles must be a list of role IDs (e.g. [2, 3])'],
      [5, 'the line is not a JSON object like {"email": ..., "name": ..., "roles": [...]}'],
      [6, 'unknown field "phone"; the fields are email, name and roles'],
      [7, 'duplicate of line 1 (a@EXAMPLE.com); each address is invited once'],
    ])
  })

  it('rejects a CSV file given as JSON Lines, and an empty one', async () => {
    const error = await inputError(file('x.jsonl', 'email,name,roles\n'))
    expect(error).toMatchObject({ code: 'NOT_JSONL', line: 1 })
    expect(error.message).toContain('is this a CSV file?')
    expect(await inputError(file('empty.ndjson', '\n\n'))).toMatchObject({ code: 'EMPTY' })
  })

  it('rejects a 10 MB single line with its own bound', async () => {
    const path = file(
      'huge.jsonl',
      `{"email":"a@example.com","name":"${'x'.repeat(10 * 1024 * 1024)}","roles":[2]}\n`,
    )
    expect(await inputError(path)).toMatchObject({ code: 'LINE_TOO_LONG', line: 1 })
  })

  it('rejects bytes that are not UTF-8 on a later line', async () => {
    const content = Buffer.concat([
      Buffer.from('{"email":"a@example.com","name":"A","roles":[2]}\n{"name":"'),
      Buffer.from([0xff, 0xfe]),
      Buffer.from('"}\n'),
    ])
    expect(await inputError(file('bad.jsonl', content))).toMatchObject({ code: 'NOT_UTF8', line: 2 })
  })
})

describe('stdin and formats', () => {
  it('reads - from the given stream, in small chunks, in either format', async () => {
    const csv = 'email,name,roles\na@example.com,A,2\n'
    const chunks = [...csv].map((char) => Buffer.from(char))
    expect(await collect('-', { stdin: Readable.from(chunks) })).toEqual([
      { line: 2, row: { email: 'a@example.com', name: 'A', roles: [2] } },
    ])
    const stdin = new PassThrough()
    stdin.end('{"email":"b@example.com","name":"B","roles":[4]}\n')
    expect(await collect('-', { stdin, format: 'jsonl' })).toHaveLength(1)
  })

  it('chooses the format by extension or option, and refuses to guess otherwise', () => {
    expect(detectFormat('a/b.CSV')).toBe('csv')
    expect(detectFormat('b.ndjson')).toBe('jsonl')
    expect(detectFormat('b.txt', 'jsonl')).toBe('jsonl')
    expect(() => detectFormat('b.txt')).toThrow(/pass --format csv\|jsonl/)
  })

  it('says when the file cannot be read', async () => {
    expect(await inputError(join(dir, 'missing.csv'))).toMatchObject({ code: 'UNREADABLE' })
  })

  it('spools stdin to a file with its hash, so it can be validated before sending', async () => {
    const content = 'email,name,roles\na@example.com,A,2\n'
    const spooled = await spoolToFile(Readable.from([Buffer.from(content)]), join(dir, 'spool'))
    expect(await readFile(spooled.path, 'utf8')).toBe(content)
    expect(spooled.sha256).toBe(createHash('sha256').update(content).digest('hex'))
    expect(spooled.bytes).toBe(content.length)
  })
})

describe('large inputs', () => {
  it('streams 200,000 rows, counting them cheaply and in a full validating scan', async () => {
    const path = join(dir, 'large.csv')
    const out = createWriteStream(path)
    out.write('email,name,roles\n')
    for (let i = 1; i <= 200_000; i++) {
      if (!out.write(`person${i}@example.com,Person ${i},${(i % 4) + 1}\n`)) await once(out, 'drain')
    }
    out.end()
    await once(out, 'finish')

    expect(await countRows(path)).toBe(200_000)
    let valid = 0
    for await (const item of readRows(path)) if (item.error === undefined) valid++
    expect(valid).toBe(200_000)
    const scan = await scanInput(path)
    const fingerprint = await fingerprintFile(path)
    expect(scan).toMatchObject({
      valid: 200_000,
      invalid: 0,
      sha256: fingerprint.sha256,
      bytes: fingerprint.bytes,
    })
  })

  it('stops reading when the caller stops early', async () => {
    const rows = Array.from({ length: 10_000 }, (_, i) => `p${i}@example.com,P,2`).join('\n')
    const path = file('early.csv', `email,name,roles\n${rows}\n`)
    let bytesRead = 0
    for await (const item of readRows(path, { onBytes: (chunk) => (bytesRead += chunk.length) })) {
      expect(item.line).toBe(2)
      break
    }
    expect(bytesRead).toBeLessThan(rows.length)
  })
})
