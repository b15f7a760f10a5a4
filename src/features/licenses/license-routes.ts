import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { z } from 'zod';
import { cursorId, pageById, pageQuerySchema } from '../../http/pagination.js';
import { idText } from '../../http/params.js';
import { principalOf } from '../../http/access.js';
import { type DeclaredRouter, declaredRouter, defineRoute } from '../../http/route-declaration.js';
import { customerScope, reachLicense } from './license-reach.js';
import { permissions } from '../../kernel/permissions.js';
import { actorOf, readers } from '../../kernel/principal.js';
import { type LicenseFilter, licenseStatuses } from './license-query-store.js';
import { type PhaseFilter, phaseFilters } from './license-phase.js';
import type { LicenseQueryService } from './license-query-service.js';
import type { LicenseStatus } from './license.js';
import { syncStates } from './license-sync-state.js';
import { AppError } from '../../errors/app-error.js';
import type { Db } from '../../infra/db/database.js';
import type { IdempotencyKeyStore } from './idempotency-key-store.js';
import {
  errorReply,
  IdempotentReplies,
  idempotencyClaimOf,
  idempotencyHeader,
  idempotencyKeySchema,
  maxIdempotencyKeyLength,
  type Reply,
} from './idempotent-replies.js';
import { type LicenseLifecycle, lifecycleActions } from './license-lifecycle.js';
import type { LicenseOperationStore } from './license-operation-store.js';
import { listAnswerSchema, pageSchema } from '../../http/response-schema.js';
import { licenseDetailsSchema, licenseListItemSchema, licenseTabSchema } from './license-schema.js';

/** The filters of `GET /licenses`, also a bulk job's selection over licenses (`licenseFilterOf` reads them). */
export const licenseFilterSchema = z.object({
  configuration: idText.optional(),
  status: z
    .enum(licenseStatuses as [LicenseStatus, ...LicenseStatus[]], {
      error: `must be one of ${licenseStatuses.join(', ')}; an expiry is a phase, not a status: filter with phase=${phaseFilters.join('|')}`,
    })
    .optional(),
  phase: z.enum(phaseFilters as [PhaseFilter, ...PhaseFilter[]]).optional(),
  customer: idText.optional(),
  subscription: idText.optional(),
  keyNumber: z.string().trim().min(1).max(100).optional(),
  expiringBefore: z.union([z.iso.date(), z.iso.datetime({ offset: true })]).optional(),
  sync: z.enum(syncStates).optional(),
});

/** What the license query service is asked for the filters of `licenseFilterSchema`. */
export function licenseFilterOf(q: z.output<typeof licenseFilterSchema>): Omit<LicenseFilter, 'limit' | 'beforeId'> {
  return {
    configurationId: q.configuration,
    status: q.status,
    phase: q.phase,
    customerId: q.customer,
    subscriptionId: q.subscription,
    keyNumber: q.keyNumber,
    expiresBeforeMs: q.expiringBefore ? Date.parse(q.expiringBefore) : undefined,
    syncState: q.sync,
  };
}

const listSchema = pageQuerySchema.extend(licenseFilterSchema.shape).extend({
  format: z.enum(['json', 'csv']).default('json'),
});

/** A lifecycle action's body (a note for the audit log), the API's and the console's. */
export const lifecycleBody = z.object({ note: z.string().trim().max(2000).optional() });
const lifecycleHeaders = z.object({ [idempotencyHeader]: idempotencyKeySchema.optional() });

/** Settling an operation by hand, the API's and the console's. */
export const settleBody = z.object({
  applied: z.boolean(),
  note: z.string().trim().min(1, 'Say what you checked at the KA.').max(2000),
  expiresAt: z.union([z.iso.date(), z.iso.datetime({ offset: true })]).optional(),
});

/** A file name safe in a quoted header value; the exact name goes in `filename*`. */
export function contentDisposition(fileName: string): string {
  const ascii = fileName.replace(/[^\x20-\x7e]|["\\]/g, '_') || 'license-file';
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(fileName)}`;
}

/** Stored content types are ours, but never echo anything that is not a plain type. */
function safeContentType(value: string): string {
  return /^[a-z]+\/[a-z0-9.+-]+$/i.test(value) ? value : 'application/octet-stream';
}

export function licenseRoutes(deps: {
  db: Db;
  service: LicenseQueryService;
  lifecycle: LicenseLifecycle;
  operations: LicenseOperationStore;
  idempotencyKeys: IdempotencyKeyStore;
  /** Reads a license's owner, for a customer token's reach. */
  licenses: Parameters<typeof reachLicense>[0];
}): DeclaredRouter {
  const reach = (req: Parameters<typeof principalOf>[0], id: number) =>
    reachLicense(deps.licenses, deps.db, principalOf(req), id);
  const replies = new IdempotentReplies({
    db: deps.db,
    keys: deps.idempotencyKeys,
    operations: deps.operations,
    currentReply: async (id) => ({ status: 200, body: await deps.service.get(id) }),
  });

  return declaredRouter([
    defineRoute(
      {
        method: 'get',
        path: '/license-tabs',
        summary: 'The license tabs: one per KA configuration, with counts by status',
        roles: readers,
        answer: {
          status: 200,
          description: '`{data}` of tabs; `countsAsOf` says when a reused count was taken.',
          schema: listAnswerSchema(licenseTabSchema),
        },
      },
      async (_input, _req, res) => {
        res.json({ data: await deps.service.tabs() });
      },
    ),
    defineRoute(
      {
        method: 'get',
        path: '/licenses',
        summary: 'List licenses, newest first, or export them as CSV',
        description:
          "`phase` filters by the phase the license's dates give now (`active`, `expiring`, `grace`, `lapsed`, or `expired` for grace and lapsed together; terminated keys have none); each license answers its `phase`. `sync=not_in_sync` (or `in_sync`, `failed`) lists the licenses whose last sync with their KA left them so; each license answers its `sync` (state, `lastSyncedAt`, `differences`).",
        roles: permissions.readLicenses,
        query: listSchema,
        answer: {
          status: 200,
          description: '`{data, nextCursor}` of licenses, or a CSV file with `format=csv`.',
          schema: pageSchema(licenseListItemSchema),
        },
      },
      async ({ query: q }, req, res) => {
        // A customer token lists its own licenses only, whatever it asks.
        const filter = { ...licenseFilterOf(q), customerId: customerScope(principalOf(req)) ?? q.customer };
        if (q.format === 'csv') {
          res.status(200);
          res.setHeader('content-type', 'text/csv; charset=utf-8');
          res.setHeader(
            'content-disposition',
            contentDisposition(q.configuration ? `licenses-${q.configuration}.csv` : 'licenses.csv'),
          );
          // Backpressure from the socket paces the database reads.
          await pipeline(Readable.from(deps.service.csv(filter)), res);
          return;
        }
        const rows = await deps.service.list({ ...filter, beforeId: cursorId(q.cursor), limit: q.limit + 1 });
        res.json(pageById(rows, q.limit));
      },
    ),
    defineRoute(
      {
        method: 'get',
        path: '/licenses/:id',
        summary: 'One license with its files, request, subscription and history',
        description: "A customer token reads its own licenses; another customer's answers 404.",
        roles: permissions.readLicenses,
        answer: { status: 200, description: 'The license.', schema: licenseDetailsSchema },
      },
      async ({ params: { id } }, req, res) => {
        await reach(req, id);
        res.json(await deps.service.get(id));
      },
    ),
    // License files are what a customer pays for: one rule with the console's, and every download is audited.
    defineRoute(
      {
        method: 'get',
        path: '/licenses/:id/files/:fileId',
        summary: 'Download a license file',
        description:
          "Every download is audited. A customer token downloads its own licenses' files; another customer's answers 404.",
        roles: permissions.downloadLicenseFile,
        answer: { status: 200, description: 'The file, as an attachment.', contentType: 'application/octet-stream' },
      },
      async ({ params: { id, fileId } }, req, res) => {
        await reach(req, id);
        const file = await deps.service.downloadFile(id, fileId, actorOf(principalOf(req)));
        res.setHeader('content-type', safeContentType(file.contentType));
        res.setHeader('content-disposition', contentDisposition(file.fileName));
        res.setHeader('x-content-type-options', 'nosniff');
        res.setHeader('cache-control', 'no-store');
        res.setHeader('etag', `"${file.sha256}"`);
        res.end(file.content);
      },
    ),
    ...lifecycleActions.map((action) =>
      defineRoute(
        {
          method: 'post',
          path: `/licenses/:id/${action}`,
          summary: `${action[0]?.toUpperCase()}${action.slice(1)} the license's key at its KA`,
          description: [
            `The KA first, through the plugin of the license's configuration, which must support \`${action}\` (409 \`not_supported\` otherwise); then ${action === 'renew' ? "the license's new dates, and its request goes back to `key_issued` so the pipeline fetches and installs the renewed file" : "the license's status"}. A KA failure changes nothing and answers 502 with the classified error.`,
            "One action runs on a license at a time: while one is in progress, another answers 409 `operation_in_progress` at once, naming it (the license's `openOperation`). When the KA's answer was lost (a timeout after sending), the answer is 502 and the operation stays open with `state: outcome_unknown`; the next action on the license first reads the key at the KA to find out what happened and records it. The same action asked again is then answered by the earlier one if the KA had done it, not done twice; 409 `operation_outcome_unknown` says what to check when the reading cannot tell.",
            `\`${idempotencyHeader}\` (optional, 1 to ${maxIdempotencyKeyLength} visible ASCII characters, per caller): a retry with the same key answers the first request's status and body (with \`Idempotent-Replayed: true\`) instead of acting again; 409 \`idempotency_key_in_progress\` while the first is still running; 422 \`idempotency_key_reused\` when the key was used for another action, license or body.`,
          ].join('\n\n'),
          roles: permissions.actOnLicense,
          // Read by the handler (`idempotencyClaimOf`), whose refusal names the header.
          headers: lifecycleHeaders,
          body: lifecycleBody,
          answer: {
            status: 200,
            description: 'The license as the action left it (or as the earlier operation that did the same left it).',
            schema: licenseDetailsSchema,
          },
        },
        async ({ params: { id }, body }, req, res) => {
          const principal = principalOf(req);
          const claim = idempotencyClaimOf(req.get(idempotencyHeader), principal, { action, license: id, body });
          const replay = claim && (await replies.before(claim, id));
          if (replay) {
            res.setHeader('idempotent-replayed', 'true');
            res.status(replay.status).json(replay.body);
            return;
          }
          let reply: Reply;
          try {
            await deps.lifecycle.act(id, action, actorOf(principal), body.note || undefined, { idempotency: claim });
            reply = { status: 200, body: await deps.service.get(id) };
          } catch (err) {
            if (claim && err instanceof AppError) await replies.after(claim, errorReply(err));
            throw err;
          }
          if (claim) await replies.after(claim, reply);
          res.status(reply.status).json(reply.body);
        },
      ),
    ),
    defineRoute(
      {
        method: 'post',
        path: '/licenses/:id/operations/:operationId/settle',
        summary: "Settle by hand an action on the license's key whose outcome Keyway could not find out",
        description:
          "For the license's open operation (`openOperation`) whose outcome is unknown and that reading the key at the KA did not settle (the plugin cannot read keys, or the KA's answer does not tell). Staff check the key at the KA and say whether the action happened (`applied`), with a note of what they saw; a renewal that happened needs the expiry the KA shows (`expiresAt`). Recorded as the KA's answer would have been, and the license is free for the next action. 409 while another request holds the operation.",
        roles: permissions.actOnLicense,
        body: settleBody,
        answer: { status: 200, description: 'The license, its operation closed.', schema: licenseDetailsSchema },
      },
      async ({ params: { id, operationId }, body }, req, res) => {
        await deps.lifecycle.settle(
          id,
          operationId,
          { applied: body.applied, note: body.note, expiresAt: body.expiresAt ? new Date(body.expiresAt) : undefined },
          actorOf(principalOf(req)),
        );
        res.json(await deps.service.get(id));
      },
    ),
  ]);
}
