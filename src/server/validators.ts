import { Ajv, type ValidateFunction } from 'ajv'
import addFormatsModule from 'ajv-formats'
import { SPEC_KEYWORDS } from './spec.js'

// ajv-formats is CommonJS with a default export; under NodeNext its callable sits on `.default`.
const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default

/** Which Ajv validates: bodies are JSON and must have exactly the declared types; URL parts are text. */
export type ValidatorKind = 'strict' | 'coercing'

/**
 * The Ajv options of each kind. The build compiles the spec's schemas with these same instances into
 * standalone code (scripts/build.mjs, bundleServer), which the server bundle uses instead of this module.
 */
export function makeAjv(kind: ValidatorKind, options: { code?: { source: boolean } } = {}): Ajv {
  const coerce = kind === 'coercing'
  const ajv = new Ajv({
    allErrors: true,
    verbose: true,
    coerceTypes: coerce,
    removeAdditional: false,
    useDefaults: coerce,
    strict: true,
    strictRequired: false,
    ...options,
  })
  addFormats(ajv, ['uuid', 'email', 'uri', 'date-time'])
  for (const keyword of SPEC_KEYWORDS) ajv.addKeyword({ keyword })
  return ajv
}

const instances = new Map<ValidatorKind, Ajv>()

/**
 * The validator of `schema`, compiled on its first call rather than at start-up, when every route of
 * the spec would be compiled for a process that serves one request. This is the module the sources run
 * (tests, `tsx`); the server bundle replaces it with the build's precompiled validators (same signature).
 */
export function validatorFor(schema: object, kind: ValidatorKind): ValidateFunction {
  let validate: ValidateFunction | undefined
  const compile = (): ValidateFunction => {
    let ajv = instances.get(kind)
    if (!ajv) instances.set(kind, (ajv = makeAjv(kind)))
    return (validate ??= ajv.compile(schema))
  }
  const lazy = ((data: unknown, context?: object) => {
    const v = compile()
    const ok = v(data, context as never)
    lazy.errors = v.errors
    return ok
  }) as ValidateFunction
  return lazy
}
