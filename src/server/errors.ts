/** An error a route throws on purpose; the app's error handler turns it into a Laravel-style body. */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
    readonly errors?: Record<string, string[]>,
  ) {
    super(message)
    this.name = 'HttpError'
  }
}

/** The 422 body Laravel sends: the first message, "(and N more errors)", and every field's messages. */
export function validationError(errors: Record<string, string[]>): HttpError {
  const messages = Object.values(errors).flat()
  const extra = messages.length - 1
  const first = messages[0] ?? 'The given data was invalid.'
  const message = extra > 0 ? `${first} (and ${extra} more error${extra === 1 ? '' : 's'})` : first
  return new HttpError(422, message, errors)
}

/** 422 for one field. */
export function fieldError(field: string, message: string): HttpError {
  return validationError({ [field]: [message] })
}

export const notFound = (): HttpError => new HttpError(404, 'Not found.')
export const forbidden = (): HttpError => new HttpError(403, 'This action is unauthorized.')
export const unauthenticated = (): HttpError => new HttpError(401, 'Unauthenticated.')
