import { describe, expect, it } from 'vitest'

import { buildFields, parseHeaders, toQuery, type RawField } from '../../src/core/api-fields.js'

const read = async (file: string) => `contents of ${file}`
const f = (spec: string): RawField => ({ spec, typed: false })
const F = (spec: string): RawField => ({ spec, typed: true })

describe('orgctl api fields', () => {
  it('keeps -f values as strings and types -F values', async () => {
    expect(
      await buildFields(
        [f('a=1'), F('b=1'), F('c=true'), F('d=null'), F('e=1.5e3'), F('g=0x10'), F('h=@x.txt')],
        read,
      ),
    ).toEqual({ a: '1', b: 1, c: true, d: null, e: 1500, g: '0x10', h: 'contents of x.txt' })
  })

  it('builds arrays and nested objects', async () => {
    expect(
      await buildFields([F('roles[]=2'), F('roles[]=3'), f('owner[name]=Ann'), F('a[b][]=1')], read),
    ).toEqual({
      roles: [2, 3],
      owner: { name: 'Ann' },
      a: { b: [1] },
    })
  })

  it.each([['novalue'], ['=x'], ['a[=1'], ['a[][b]=1']])('refuses the malformed field %s', async (spec) => {
    await expect(buildFields([f(spec)], read)).rejects.toThrow(/-f\/--raw-field/)
  })

  it('refuses a key given twice or of two kinds, and stdin twice', async () => {
    await expect(buildFields([f('a=1'), f('a=2')], read)).rejects.toThrow(/given twice/)
    await expect(buildFields([f('a=1'), f('a[b]=2')], read)).rejects.toThrow(/mixes/)
    await expect(buildFields([F('a=@-'), F('b=@-')], read)).rejects.toThrow(/only one value/)
  })

  it('writes the query string the way Laravel reads it', () => {
    expect(toQuery({ q: 'a b', ids: [1, 2], o: { n: 'x' }, z: null }).toString()).toBe(
      'q=a+b&ids%5B%5D=1&ids%5B%5D=2&o%5Bn%5D=x&z=',
    )
  })

  it('parses headers and refuses injection, reserved names and Authorization without the flag', () => {
    expect(parseHeaders(['X-A: b', 'Accept:text/plain'], false)).toEqual({ 'x-a': 'b', accept: 'text/plain' })
    expect(() => parseHeaders(['X-A: b\r\nX-B: c'], false)).toThrow(/control characters/)
    expect(() => parseHeaders(['Bad Name: x'], false)).toThrow(/valid header name/)
    expect(() => parseHeaders(['Host: evil'], false)).toThrow(/set by orgctl/)
    expect(() => parseHeaders(['Authorization: Bearer x'], false)).toThrow(/--allow-authorization/)
    expect(parseHeaders(['Authorization: Bearer x'], true)).toEqual({ authorization: 'Bearer x' })
  })
})
