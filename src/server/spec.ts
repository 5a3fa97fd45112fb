import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'
import type { parse as parseYaml } from 'yaml'

/** A JSON Schema (or any part of the OpenAPI document) as plain data. */
export type JsonObject = { [key: string]: unknown }

/** The fastify route schema parts derived from one operation of the spec. */
export interface RouteSchema {
  body?: JsonObject
  params?: JsonObject
  querystring?: JsonObject
}

/** Keywords the spec uses beside JSON Schema's own; validators must accept them as annotations. */
export const SPEC_KEYWORDS = ['example', 'x-orgctl-message', 'x-orgctl-extension'] as const

// src/server/spec.ts and dist/server/spec.js both sit two levels below the package root.
const SPEC_URL = new URL('../../api/openapi.yaml', import.meta.url)
// The build writes api/openapi.yaml as JSON to dist/openapi.json (scripts/build.mjs); from src/ there
// is none, and the YAML is parsed instead.
const SPEC_JSON_URL = new URL('../openapi.json', import.meta.url)

let cached: JsonObject | undefined

function readSpec(): JsonObject {
  try {
    return JSON.parse(readFileSync(fileURLToPath(SPEC_JSON_URL), 'utf8')) as JsonObject
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
  }
  // Loaded only here: parsing YAML costs far more at start-up than reading the generated JSON.
  const { parse } = createRequire(import.meta.url)('yaml') as { parse: typeof parseYaml }
  return parse(readFileSync(fileURLToPath(SPEC_URL), 'utf8')) as JsonObject
}

/** The parsed api/openapi.yaml (dist/openapi.json when built), read once per process. */
export function loadSpec(): JsonObject {
  cached ??= readSpec()
  return cached
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function pointer(spec: JsonObject, ref: string): unknown {
  if (!ref.startsWith('#/')) throw new Error(`Only local $refs are supported: ${ref}`)
  let node: unknown = spec
  for (const raw of ref.slice(2).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~')
    if (!isObject(node) || !(key in node)) throw new Error(`Unresolvable $ref: ${ref}`)
    node = node[key]
  }
  return node
}

/**
 * A deep copy of `node` with every local `$ref` replaced by its target, so that the result is a
 * self-contained schema that any validator can compile. The spec has no recursive shapes.
 */
export function deref(node: unknown, spec: JsonObject = loadSpec(), depth = 0): unknown {
  if (depth > 64) throw new Error('$ref nesting too deep (a recursive schema?)')
  if (Array.isArray(node)) return node.map((item) => deref(item, spec, depth + 1))
  if (!isObject(node)) return node
  if (typeof node.$ref === 'string') {
    const { $ref, ...rest } = node
    const target = deref(pointer(spec, $ref), spec, depth + 1)
    return Object.keys(rest).length === 0 ? target : { ...(target as JsonObject), ...rest }
  }
  const out: JsonObject = {}
  for (const [key, value] of Object.entries(node)) out[key] = deref(value, spec, depth + 1)
  return out
}

/** One operation of the spec with its method and OpenAPI path template. */
export interface Operation {
  method: string
  path: string
  operation: JsonObject
}

const METHODS = ['get', 'put', 'post', 'patch', 'delete'] as const

const rawOperationsOf = new WeakMap<JsonObject, Operation[]>()
const operationsOf = new WeakMap<JsonObject, Operation[]>()

/** Every operation of the spec as written, `$ref`s and all (cheap: nothing is copied). */
function rawOperations(spec: JsonObject): Operation[] {
  const known = rawOperationsOf.get(spec)
  if (known) return known
  const out: Operation[] = []
  for (const [path, item] of Object.entries(spec.paths as JsonObject)) {
    if (!isObject(item)) continue
    for (const method of METHODS) {
      const op = item[method]
      if (isObject(op)) out.push({ method: method.toUpperCase(), path, operation: op })
    }
  }
  rawOperationsOf.set(spec, out)
  return out
}

/** Every operation of the spec, dereferenced (once per spec; the contract tests and the build read them). */
export function operations(spec: JsonObject = loadSpec()): Operation[] {
  const known = operationsOf.get(spec)
  if (known) return known
  const out = rawOperations(spec).map((op) => ({ ...op, operation: deref(op.operation, spec) as JsonObject }))
  operationsOf.set(spec, out)
  return out
}

/**
 * The operation with this operationId, as written (not dereferenced: a route needs its path, and
 * {@link routeSchema} dereferences only the parts it takes; dereferencing every response of the spec
 * cost the sandbox's start-up 7 ms). Throws when the spec has none (a typo in a route file).
 */
export function operation(operationId: string): Operation {
  const found = rawOperations(loadSpec()).find((op) => op.operation.operationId === operationId)
  if (!found) throw new Error(`api/openapi.yaml has no operation ${operationId}`)
  return found
}

/** The fastify URL for an OpenAPI path template: `{id}` becomes `:id`. */
export function fastifyPath(template: string): string {
  return template.replace(/\{([^}]+)\}/g, ':$1')
}

function parametersSchema(params: JsonObject[], where: 'path' | 'query'): JsonObject | undefined {
  const chosen = params.filter((p) => p.in === where)
  if (chosen.length === 0) return undefined
  const properties: JsonObject = {}
  const required: string[] = []
  for (const p of chosen) {
    const name = String(p.name)
    properties[name] = p.schema ?? {}
    if (p.required === true) required.push(name)
  }
  return { type: 'object', properties, ...(required.length > 0 ? { required } : {}) }
}

/**
 * The fastify schema (body, params, querystring) of an operation, taken from the spec so that the
 * server validates exactly what the contract says. Multipart bodies are left to the route.
 */
export function routeSchema(operationId: string): RouteSchema {
  const raw = operation(operationId).operation
  // deref copies: fastify and Ajv are given schemas they may annotate, never the shared spec.
  const op = deref({ parameters: raw.parameters, requestBody: raw.requestBody }) as JsonObject
  const params = Array.isArray(op.parameters) ? (op.parameters as JsonObject[]) : []
  const out: RouteSchema = {}
  const path = parametersSchema(params, 'path')
  const query = parametersSchema(params, 'query')
  if (path) out.params = path
  if (query) out.querystring = query
  const content = isObject(op.requestBody) ? op.requestBody.content : undefined
  if (isObject(content) && isObject(content['application/json'])) {
    const schema = content['application/json'].schema
    if (isObject(schema)) out.body = schema
  }
  return out
}

/** The schema of a named header parameter of the spec (components/parameters). */
export function headerSchema(name: string): JsonObject {
  const param = deref(pointer(loadSpec(), `#/components/parameters/${name}`)) as JsonObject
  return param.schema as JsonObject
}
