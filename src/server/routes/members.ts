import type { FastifyInstance } from 'fastify'
import type { RouteDeps } from '../app.js'
import { caller, organizationFor } from '../auth.js'
import { HttpError, notFound, validationError } from '../errors.js'
import { fastifyPath, operation, routeSchema } from '../spec.js'
import type { MemberRow } from '../store.js'
import { MAX_PER_PAGE } from '../../shared/rules.js'

type MemberParams = { organizationId: string; memberId: number }

/** A member as the API shows it (DESIGN.md decision 5). */
function memberJson(row: MemberRow): Record<string, unknown> {
  return {
    id: row.id,
    name: row.name,
    email: row.email,
    roles: row.roles,
    workspaces: row.workspaces,
    joinedAt: row.joined_at,
  }
}

/** List, update and remove an organization's members. */
export function memberRoutes(app: FastifyInstance, { store }: RouteDeps): void {
  app.get<{ Params: { organizationId: string }; Querystring: { page?: number; per_page?: number } }>(
    fastifyPath(operation('listMembers').path),
    { schema: routeSchema('listMembers') },
    async (request) => {
      const org = organizationFor(store, caller(request), request.params.organizationId, 'read')
      const page = request.query.page ?? 1
      const perPage = Math.min(request.query.per_page ?? 15, MAX_PER_PAGE)
      const { members, total } = store.members.listMembers(org.id, page, perPage)
      return {
        success: true,
        message: 'All Organization Members',
        data: {
          current_page: page,
          data: members.map(memberJson),
          per_page: perPage,
          total,
          last_page: Math.max(1, Math.ceil(total / perPage)),
        },
      }
    },
  )

  app.put<{ Params: MemberParams; Body: { workspaces: string[]; roles: number[] } }>(
    fastifyPath(operation('updateMember').path),
    { schema: routeSchema('updateMember') },
    async (request) => {
      const org = organizationFor(store, caller(request), request.params.organizationId, 'manage')
      const { roles, workspaces } = request.body
      if (!store.members.getMember(org.id, request.params.memberId)) throw notFound()
      const errors: Record<string, string[]> = {}
      for (const i of store.members.unknownRoles(roles))
        errors[`roles.${i}`] = [`The selected roles.${i} is invalid.`]
      for (const i of store.members.foreignWorkspaces(org.id, workspaces)) {
        errors[`workspaces.${i}`] = [`The selected workspaces.${i} is invalid.`]
      }
      if (Object.keys(errors).length > 0) throw validationError(errors)
      const result = store.members.updateMember(
        org.id,
        request.params.memberId,
        [...new Set(roles)],
        [...new Set(workspaces)],
      )
      if (result === 'not-found') throw notFound()
      if (result === 'last-owner') throw new HttpError(409, 'The organization must keep at least one Owner.')
      return {
        success: true,
        message: 'Member updated',
        data: memberJson(store.members.getMember(org.id, request.params.memberId)!),
      }
    },
  )

  app.delete<{ Params: MemberParams }>(
    fastifyPath(operation('removeMember').path),
    { schema: routeSchema('removeMember') },
    async (request) => {
      const org = organizationFor(store, caller(request), request.params.organizationId, 'manage')
      const result = store.members.removeMember(org.id, request.params.memberId)
      if (result === 'not-found') throw notFound()
      if (result === 'last-owner')
        throw new HttpError(409, 'The last Owner of an organization cannot be removed.')
      return { success: true, message: 'Member deleted successfully' }
    },
  )
}
