import type { ErrorObject } from 'ajv'
import type { FastifySchemaCompiler } from 'fastify'
// In the server bundle this import is the build's precompiled validators (scripts/build.mjs).
import { validatorFor, type ValidatorKind } from './validators.js'

type Validator = ((data: unknown, context?: object) => boolean) & {
  errors?: ErrorObject[] | null
  schemaEnv?: unknown
}

/**
 * A validator as fastify wants it: like an Ajv function it carries `errors` (fastify reads them after
 * a `false`) and, for URL parts, a truthy `schemaEnv`: fastify then passes the parent data, as it does
 * to an Ajv function. A missing body is validated as `{}` so that the caller learns which fields are
 * required.
 */
function wrap(schema: object, kind: ValidatorKind, body: boolean): Validator {
  const validate = validatorFor(schema, kind)
  const wrapped: Validator = (data, context) => {
    const ok = body ? validate(data ?? {}) : validate(data, context as never)
    wrapped.errors = validate.errors
    return ok
  }
  if (!body) wrapped.schemaEnv = true
  return wrapped
}

/** fastify's validator compiler: bodies go through the strict Ajv, URL parts through the coercing one. */
export const schemaCompiler: FastifySchemaCompiler<unknown> = ({ schema, httpPart }) =>
  httpPart === 'body' ? wrap(schema as object, 'strict', true) : wrap(schema as object, 'coercing', false)

/** A standalone validator for a schema of the spec (for example the Idempotency-Key header). */
export function compileStrict(schema: object): (data: unknown) => boolean {
  return validatorFor(schema, 'strict')
}

/** "countryCode" → "country code", "sms_point" → "sms point", "roles.0" → "roles.0". */
function words(field: string): string {
  return field
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/_/g, ' ')
    .toLowerCase()
}

function fieldOf(error: ErrorObject, root: string): string {
  const path = error.instancePath
    .split('/')
    .slice(1)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
  if (error.keyword === 'required') path.push(String(error.params.missingProperty))
  if (error.keyword === 'additionalProperties') path.push(String(error.params.additionalProperty))
  return path.length === 0 ? root : path.join('.')
}

function article(type: string): string {
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`
}

function describe(error: ErrorObject, field: string): string {
  const name = words(field)
  const custom = (error.parentSchema as Record<string, unknown> | undefined)?.['x-orgctl-message']
  const p = error.params as Record<string, unknown>
  switch (error.keyword) {
    case 'required':
      return typeof custom === 'string' ? `The ${name} field ${custom}` : `The ${name} field is required.`
    case 'additionalProperties':
      return `The ${name} field is not allowed.`
    case 'minProperties':
      return typeof custom === 'string' ? `The request ${custom}` : 'The request body must not be empty.'
    default:
      break
  }
  if (typeof custom === 'string') return `The ${name} field ${custom}`
  switch (error.keyword) {
    case 'type': {
      const types = String(p.type).split(',')
      if (field === 'body') return 'The request body must be a JSON object.'
      return `The ${name} field must be ${types
        .filter((t) => t !== 'null')
        .map(article)
        .join(' or ')}.`
    }
    case 'format':
      if (p.format === 'email') return `The ${name} field must be a valid email address.`
      if (p.format === 'uuid') return `The ${name} field must be a valid UUID.`
      if (p.format === 'uri') return `The ${name} field must be a valid URL.`
      return `The ${name} field must be a valid ${String(p.format)}.`
    case 'minLength':
      return p.limit === 1
        ? `The ${name} field is required.`
        : `The ${name} field must be at least ${String(p.limit)} characters.`
    case 'maxLength':
      return `The ${name} field must not be greater than ${String(p.limit)} characters.`
    case 'minimum':
      return `The ${name} field must be at least ${String(p.limit)}.`
    case 'maximum':
      return `The ${name} field must not be greater than ${String(p.limit)}.`
    case 'minItems':
      return `The ${name} field must have at least ${String(p.limit)} item${p.limit === 1 ? '' : 's'}.`
    case 'maxItems':
      return `The ${name} field must not have more than ${String(p.limit)} items.`
    case 'enum':
    case 'const':
      return `The selected ${name} is invalid.`
    case 'pattern':
      return `The ${name} field format is invalid.`
    default:
      return `The ${name} field is invalid.`
  }
}

/** Ajv errors as Laravel's `errors` map: one entry per field, readable sentences, no duplicates. */
export function laravelErrors(errors: readonly ErrorObject[], root = 'body'): Record<string, string[]> {
  // No prototype: a client's unknown field may be called `constructor` or `toString`.
  const out: Record<string, string[]> = Object.create(null) as Record<string, string[]>
  for (const error of errors) {
    // `if` only says that a `then` failed; the `then` error itself names the field.
    if (error.keyword === 'if') continue
    const field = fieldOf(error, root)
    const message = describe(error, field)
    const list = (out[field] ??= [])
    if (!list.includes(message)) list.push(message)
  }
  return out
}
