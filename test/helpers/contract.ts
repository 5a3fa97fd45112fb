import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js'
import addFormatsModule from 'ajv-formats'
import { operations, SPEC_KEYWORDS, type JsonObject, type Operation } from '../../src/server/spec.js'

const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default

/** A response as the contract checker sees it. */
export interface ObservedResponse {
  method: string
  /** The URL's path, without the query string. */
  path: string
  status: number
  headers: Headers
  text: string
}

// The spec keeps to the subset draft-07 and 2020-12 share; 2020-12 is OpenAPI 3.1's own dialect.
const ajv = new Ajv2020({ allErrors: true, strict: true, strictRequired: false })
addFormats(ajv)
for (const keyword of SPEC_KEYWORDS) ajv.addKeyword({ keyword })

const compiled = new Map<object, ValidateFunction>()
const ops = operations().map((op) => ({
  ...op,
  pattern: new RegExp(`^${op.path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+')}$`),
  // Literal segments win over parameters, as in the server's router.
  literals: op.path.split('/').filter((s) => s && !s.startsWith('{')).length,
}))

function findOperation(method: string, path: string): Operation | undefined {
  return ops
    .filter((op) => op.method === method && op.pattern.test(path))
    .sort((a, b) => b.literals - a.literals)[0]
}

/**
 * Throws unless the response is one api/openapi.yaml documents: a known operation, a listed
 * status, the documented content type, the headers the spec requires, and a body matching the schema.
 */
export function assertMatchesContract(response: ObservedResponse): void {
  const where = `${response.method} ${response.path} → ${response.status}`
  const found = findOperation(response.method, response.path)
  if (!found)
    throw new Error(`Contract: no operation in api/openapi.yaml for ${response.method} ${response.path}`)
  const responses = found.operation.responses as Record<string, JsonObject>
  const spec = responses[String(response.status)] ?? responses.default
  if (!spec)
    throw new Error(`Contract: ${where} is not a documented status of ${String(found.operation.operationId)}`)

  for (const name of Object.keys((spec.headers as JsonObject | undefined) ?? {})) {
    if (!response.headers.has(name)) throw new Error(`Contract: ${where} lacks the header ${name}`)
  }

  const content = spec.content as Record<string, JsonObject> | undefined
  if (!content) {
    if (response.text !== '')
      throw new Error(`Contract: ${where} must have no body, got ${response.text.slice(0, 200)}`)
    return
  }
  const type = (response.headers.get('content-type') ?? '').split(';')[0]!.trim()
  const media = content[type]
  if (!media)
    throw new Error(
      `Contract: ${where} has content type "${type}", the spec allows ${Object.keys(content).join(', ')}`,
    )
  if (type !== 'application/json' || !media.schema) return
  let body: unknown
  try {
    body = JSON.parse(response.text)
  } catch {
    throw new Error(`Contract: ${where} is not JSON: ${response.text.slice(0, 200)}`)
  }
  const schema = media.schema as object
  let validate = compiled.get(schema)
  if (!validate) {
    validate = ajv.compile(schema)
    compiled.set(schema, validate)
  }
  if (!validate(body)) {
    throw new Error(
      `Contract: ${where} body does not match the spec: ${ajv.errorsText(validate.errors)}\n${response.text.slice(0, 500)}`,
    )
  }
}
