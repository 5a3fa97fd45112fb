import { describe, expect, it } from 'vitest'

import { ApiError, NetworkError, TimeoutError } from '../../src/api/errors.js'
import { CliError, ConfirmationRequired, ExitCode, UsageError, mapError } from '../../src/core/errors.js'

describe('error to exit code mapping', () => {
  it('maps usage and confirmation problems to 2', () => {
    expect(mapError(new UsageError('bad')).exitCode).toBe(2)
    expect(mapError(new ConfirmationRequired('Charging a wallet')).message).toMatch(/--yes/)
    expect(
      mapError(Object.assign(new Error('Missing required flag name'), { oclif: { exit: 2 } })).exitCode,
    ).toBe(2)
  })

  it('maps 401 to 3 with a hint to log in, naming ORGCTL_TOKEN when the token came from it', () => {
    const profile = mapError(new ApiError(401, 'Unauthenticated.'), 'profile')
    expect(profile.exitCode).toBe(3)
    expect(profile.message).toMatch(/orgctl login/)
    expect(profile.message).not.toMatch(/ORGCTL_TOKEN/)
    expect(mapError(new ApiError(401, 'Unauthenticated.'), 'env').message).toMatch(/ORGCTL_TOKEN/)
    expect(mapError(new ApiError(403, 'This action is unauthorized.')).exitCode).toBe(3)
  })

  it('maps 404 and 410 to 4', () => {
    expect(mapError(new ApiError(404, 'Not found')).exitCode).toBe(4)
    expect(mapError(new ApiError(410, 'Gone')).exitCode).toBe(4)
  })

  it('maps 400, 409, 413, 415 and 422 to 5 and lists field errors', () => {
    for (const s of [400, 409, 413, 415]) expect(mapError(new ApiError(s, 'no')).exitCode).toBe(5)
    const m = mapError(
      new ApiError(422, 'The name field is required.', { name: ['The name field is required.'] }),
    )
    expect(m.exitCode).toBe(5)
    expect(m.fields).toEqual({ name: ['The name field is required.'] })
    expect(m.message).toMatch(/name: The name field is required\./)
  })

  it('maps network failures, timeouts, 429 and 5xx to 7', () => {
    expect(mapError(new NetworkError('down', 'u', 5)).exitCode).toBe(7)
    expect(mapError(new TimeoutError('u', 1000, 5)).exitCode).toBe(7)
    expect(mapError(new ApiError(503, 'x')).exitCode).toBe(7)
    expect(mapError(new ApiError(429, 'Too Many Attempts.')).exitCode).toBe(7)
  })

  it('keeps the exit code of an error that carries one, and 1 for anything unexpected', () => {
    expect(mapError(new CliError('no wallet show', ExitCode.NotFound, 404)).exitCode).toBe(4)
    expect(mapError(new TypeError('boom')).exitCode).toBe(1)
    expect(mapError(Object.assign(new Error('x'), { name: 'ExitPromptError' })).exitCode).toBe(130)
  })
})
