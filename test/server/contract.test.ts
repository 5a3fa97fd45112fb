import { describe, expect, it } from 'vitest'
import { assertMatchesContract } from '../helpers/contract.js'

const json = (body: unknown) => ({
  headers: new Headers({ 'content-type': 'application/json' }),
  text: JSON.stringify(body),
})
const ORG = '123e4567-e89b-12d3-a456-426614174000'
const organization = {
  id: ORG,
  name: 'Acme',
  countryCode: 'US',
  avatarUrl: null,
  status: 'active',
  owner: ORG,
  createdAt: '2025-01-01T00:00:00.000Z',
  updatedAt: '2025-01-01T00:00:00.000Z',
}

describe('the contract checker itself', () => {
  it('accepts a body that matches the spec', () => {
    expect(() =>
      assertMatchesContract({
        method: 'GET',
        path: `/api/organizations/${ORG}`,
        status: 200,
        ...json(organization),
      }),
    ).not.toThrow()
  })

  it.each([
    ['a missing required field', { ...organization, status: undefined }],
    ['a wrong type', { ...organization, avatarUrl: 42 }],
    ['an undocumented field', { ...organization, secret: 'x' }],
    ['a status outside the enum', { ...organization, status: 'deleted' }],
    // Optional is not nullable: the reference documents type as an optional string, avatarUrl as nullable.
    ['type sent as null', { ...organization, type: null }],
    ['statusReason sent as null', { ...organization, statusReason: null }],
  ])('rejects an organization with %s', (_label, body) => {
    expect(() =>
      assertMatchesContract({ method: 'GET', path: `/api/organizations/${ORG}`, status: 200, ...json(body) }),
    ).toThrow(/does not match the spec/)
  })

  it('rejects a status the operation does not document', () => {
    expect(() =>
      assertMatchesContract({
        method: 'GET',
        path: `/api/organizations/${ORG}`,
        status: 418,
        ...json({ message: 'x' }),
      }),
    ).toThrow(/not a documented status/)
  })

  it('rejects a path the spec does not have', () => {
    expect(() =>
      assertMatchesContract({ method: 'GET', path: '/api/nowhere', status: 200, ...json({}) }),
    ).toThrow(/no operation/)
  })

  it('rejects a body on a response the spec says is empty, and a missing Location', () => {
    const created = { method: 'POST', path: '/api/organizations', status: 201 }
    expect(() => assertMatchesContract({ ...created, ...json({ id: ORG }) })).toThrow()
    expect(() => assertMatchesContract({ ...created, headers: new Headers(), text: '' })).toThrow(/Location/)
  })

  it('rejects a 429 without Retry-After and an error body that is not Laravel style', () => {
    expect(() =>
      assertMatchesContract({
        method: 'GET',
        path: `/api/organizations/${ORG}`,
        status: 429,
        ...json({ message: 'slow down' }),
      }),
    ).toThrow(/Retry-After/)
    expect(() =>
      assertMatchesContract({
        method: 'GET',
        path: `/api/organizations/${ORG}`,
        status: 404,
        ...json({ error: 'gone' }),
      }),
    ).toThrow(/does not match/)
  })
})
