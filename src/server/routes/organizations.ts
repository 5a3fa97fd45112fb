import { mkdirSync, renameSync, writeFileSync, existsSync } from 'node:fs'
import { join } from 'node:path'
import type { MultipartFile } from '@fastify/multipart'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { RouteDeps } from '../app.js'
import { caller, organizationFor } from '../auth.js'
import { sha256 } from '../crypto.js'
import { fieldError, HttpError } from '../errors.js'
import { idempotent } from '../idempotency.js'
import { MAX_AVATAR_BYTES, imageType, type ImageKind } from '../../shared/rules.js'
import { fastifyPath, operation, routeSchema } from '../spec.js'
import type { OrganizationRow } from '../store.js'

/**
 * The organization JSON of the API; an uploaded avatar's URL is made from the request's own host.
 * The reference calls `avatarUrl` nullable, so it is always sent (null when there is none); `type`
 * and `statusReason` are optional but not nullable, so they are left out when unset (docs/CONTRACT.md).
 */
export function organizationJson(row: OrganizationRow, request: FastifyRequest): Record<string, unknown> {
  const avatarUrl = row.avatar_media
    ? `${request.protocol}://${request.host}/media/avatars/${row.avatar_media}`
    : row.avatar_url
  return {
    id: row.id,
    name: row.name,
    countryCode: row.country_code,
    avatarUrl,
    status: row.status,
    ...(row.status_reason === null ? {} : { statusReason: row.status_reason }),
    ...(row.type === null ? {} : { type: row.type }),
    owner: row.owner_id,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  }
}

/** The first file part of a multipart request, read whole; a broken form is a 400, not a 5xx. */
async function readFirstFile(
  request: FastifyRequest,
): Promise<{ part: MultipartFile | undefined; bytes: Buffer | undefined }> {
  try {
    const part = await request.file({ limits: { fileSize: MAX_AVATAR_BYTES } })
    return { part, bytes: part ? await part.toBuffer() : undefined }
  } catch (error) {
    const status = (error as { statusCode?: unknown }).statusCode
    if (typeof status === 'number' && status >= 400 && status < 500) throw error
    throw new HttpError(400, 'The multipart form is malformed.')
  }
}

interface Upload {
  bytes: Buffer
  type: ImageKind['ext']
}

const uploads = new WeakMap<FastifyRequest, Upload>()

type OrgParams = { organizationId: string }
type CreateBody = { name: string; countryCode: string; type?: string }
type PatchBody = { name?: string; avatarUrl?: string | null; status?: string; statusReason?: string | null }

/** Create, get, update an organization and upload its avatar. */
export function organizationRoutes(app: FastifyInstance, { store, mediaDir }: RouteDeps): void {
  const create = operation('createOrganization')
  app.post<{ Body: CreateBody }>(
    fastifyPath(create.path),
    { schema: routeSchema('createOrganization'), preHandler: idempotent(store) },
    async (request, reply) => {
      const id = store.organizations.createOrganization(request.body, caller(request).id)
      return reply.code(201).header('location', `/api/organizations/${id}`).send()
    },
  )

  const get = operation('getOrganization')
  app.get<{ Params: OrgParams }>(
    fastifyPath(get.path),
    { schema: routeSchema('getOrganization') },
    async (request) =>
      organizationJson(
        organizationFor(store, caller(request), request.params.organizationId, 'read'),
        request,
      ),
  )

  app.patch<{ Params: OrgParams; Body: PatchBody }>(
    fastifyPath(operation('updateOrganization').path),
    { schema: routeSchema('updateOrganization') },
    async (request) => {
      const org = organizationFor(store, caller(request), request.params.organizationId, 'manage')
      store.organizations.updateOrganization(org.id, request.body)
      return organizationJson(store.organizations.getOrganization(org.id)!, request)
    },
  )

  app.post<{ Params: { organization: string } }>(
    fastifyPath(operation('uploadAvatar').path),
    {
      schema: routeSchema('uploadAvatar'),
      config: { multipart: true },
      preHandler: [
        // Access first, then the file: an outsider's upload is refused before it is read.
        async (request) => {
          organizationFor(store, caller(request), request.params.organization, 'manage')
          if (!request.isMultipart()) {
            throw new HttpError(415, 'The request must be multipart/form-data with a file field.')
          }
          const { part, bytes } = await readFirstFile(request)
          if (!part || part.fieldname !== 'file' || !bytes)
            throw fieldError('file', 'The file field is required.')
          if (part.file.truncated)
            throw new HttpError(413, 'The file may not be greater than 2048 kilobytes.')
          const type = imageType(bytes)
          if (!type) throw new HttpError(415, 'The file must be a file of type png, jpeg, gif, webp.')
          uploads.set(request, { bytes, type: type.ext })
        },
        idempotent(store, { extra: (request) => sha256(uploads.get(request)?.bytes ?? '') }),
      ],
    },
    async (request) => {
      const upload = uploads.get(request)!
      // The upload took a while: what other processes committed meanwhile (a demotion, a removal) counts.
      store.refresh()
      const org = organizationFor(store, caller(request), request.params.organization, 'manage')
      // Named by content: the client's file name never reaches a path.
      const file = `${sha256(upload.bytes)}.${upload.type}`
      const target = join(mediaDir, file)
      if (!existsSync(target)) {
        mkdirSync(mediaDir, { recursive: true, mode: 0o700 })
        const temp = `${target}.${process.pid}.tmp`
        writeFileSync(temp, upload.bytes)
        renameSync(temp, target)
      }
      store.organizations.uploadAvatar(org.id, file)
      const json = organizationJson(store.organizations.getOrganization(org.id)!, request)
      return { success: true, message: 'File uploaded successfully', data: { avatarUrl: json.avatarUrl } }
    },
  )
}
