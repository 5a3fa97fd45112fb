import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import type { RouteDeps } from '../app.js'
import { notFound } from '../errors.js'
import { fastifyPath, operation, routeSchema } from '../spec.js'

const TYPES: Record<string, string> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
}

/** Serves uploaded avatars by their content-hash name (the schema's pattern admits no path tricks). */
export function mediaRoutes(app: FastifyInstance, { mediaDir }: RouteDeps): void {
  app.get<{ Params: { file: string } }>(
    fastifyPath(operation('getAvatar').path),
    { schema: routeSchema('getAvatar'), config: { public: true } },
    async (request, reply) => {
      const { file } = request.params
      const ext = file.slice(file.lastIndexOf('.') + 1)
      const bytes = await readFile(join(mediaDir, file)).catch(() => undefined)
      if (!bytes) throw notFound()
      return (
        reply
          .type(TYPES[ext] ?? 'application/octet-stream')
          .header('cache-control', 'public, max-age=31536000, immutable')
          // Only the first bytes were checked: a browser must not sniff the rest into HTML or script.
          .header('x-content-type-options', 'nosniff')
          .send(bytes)
      )
    },
  )
}
