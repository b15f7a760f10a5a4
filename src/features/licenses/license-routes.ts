import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Router } from 'express';
import { z } from 'zod';
import { cursorId, pageById, pageQuerySchema } from '../../http/pagination.js';
import { idParams, idText } from '../../http/params.js';
import { validate } from '../../http/validate.js';
import { allow, principalOf } from '../auth/auth-middleware.js';
import { actorOf, operators, readers } from '../auth/principal.js';
import { licenseFileDownloaders, licenseFileDownloadGuard } from './license-file-access.js';
import { licenseStatuses } from './license-query-store.js';
import type { LicenseQueryService } from './license-query-service.js';
import type { LicenseStatus } from './license-store.js';
import type { ApiOperation } from '../../http/openapi/api-operation.js';
import { type LicenseLifecycle, lifecycleActions } from './license-lifecycle.js';

const listSchema = pageQuerySchema.extend({
  configuration: idText.optional(),
  status: z.enum(licenseStatuses as [LicenseStatus, ...LicenseStatus[]]).optional(),
  customer: idText.optional(),
  subscription: idText.optional(),
  keyNumber: z.string().trim().min(1).max(100).optional(),
  expiringBefore: z.union([z.iso.date(), z.iso.datetime({ offset: true })]).optional(),
  format: z.enum(['json', 'csv']).default('json'),
});

const lifecycleBody = z.object({ note: z.string().trim().max(2000).optional() });

const fileParams = idParams.extend({ fileId: idText });

/** A file name safe in a quoted header value; the exact name goes in `filename*`. */
export function contentDisposition(fileName: string): string {
  const ascii = fileName.replace(/[^\x20-\x7e]|["\\]/g, '_') || 'license-file';
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(fileName)}`;
}

/** Stored content types are ours, but never echo anything that is not a plain type. */
function safeContentType(value: string): string {
  return /^[a-z]+\/[a-z0-9.+-]+$/i.test(value) ? value : 'application/octet-stream';
}

export function licenseRoutes(deps: { service: LicenseQueryService; lifecycle: LicenseLifecycle }): Router {
  const router = Router();

  router.get('/license-tabs', allow(...readers), async (_req, res) => {
    res.json({ data: await deps.service.tabs() });
  });

  router.get('/licenses', allow(...readers), async (req, res) => {
    const q = validate(listSchema, req.query, 'query');
    const filter = {
      configurationId: q.configuration,
      status: q.status,
      customerId: q.customer,
      subscriptionId: q.subscription,
      keyNumber: q.keyNumber,
      expiresBeforeMs: q.expiringBefore ? Date.parse(q.expiringBefore) : undefined,
    };
    if (q.format === 'csv') {
      res.status(200);
      res.setHeader('content-type', 'text/csv; charset=utf-8');
      res.setHeader('content-disposition', contentDisposition(q.configuration ? `licenses-${q.configuration}.csv` : 'licenses.csv'));
      // Backpressure from the socket paces the database reads.
      await pipeline(Readable.from(deps.service.csv(filter)), res);
      return;
    }
    const rows = await deps.service.list({ ...filter, beforeId: cursorId(q.cursor), limit: q.limit + 1 });
    res.json(pageById(rows, q.limit));
  });

  router.get('/licenses/:id', allow(...readers), async (req, res) => {
    const { id } = validate(idParams, req.params, 'params');
    res.json(await deps.service.get(id));
  });

  // License files are what a customer pays for: one guard with the console's, and every download is audited.
  router.get('/licenses/:id/files/:fileId', licenseFileDownloadGuard, async (req, res) => {
    const { id, fileId } = validate(fileParams, req.params, 'params');
    const file = await deps.service.downloadFile(id, fileId, actorOf(principalOf(req)));
    res.setHeader('content-type', safeContentType(file.contentType));
    res.setHeader('content-disposition', contentDisposition(file.fileName));
    res.setHeader('x-content-type-options', 'nosniff');
    res.setHeader('cache-control', 'no-store');
    res.setHeader('etag', `"${file.sha256}"`);
    res.end(file.content);
  });

  for (const action of lifecycleActions) {
    router.post(`/licenses/:id/${action}`, allow(...operators), async (req, res) => {
      const { id } = validate(idParams, req.params, 'params');
      const { note } = validate(lifecycleBody, req.body ?? {});
      await deps.lifecycle.act(id, action, actorOf(principalOf(req)), note || undefined);
      res.json(await deps.service.get(id));
    });
  }

  return router;
}

/** The operations of `licenseRoutes`, for the API document. */
export const licenseOperations: ApiOperation[] = [
  { method: 'get', path: '/license-tabs', summary: 'The license tabs: one per KA configuration, with counts by status', roles: readers, answer: { status: 200, description: '`{data}` of tabs; `countsAsOf` says when a reused count was taken.' } },
  { method: 'get', path: '/licenses', summary: 'List licenses, newest first, or export them as CSV', roles: readers, query: listSchema, answer: { status: 200, description: '`{data, nextCursor}` of licenses, or a CSV file with `format=csv`.' } },
  { method: 'get', path: '/licenses/:id', summary: 'One license with its files, request, subscription and history', roles: readers, answer: { status: 200, description: 'The license.' } },
  { method: 'get', path: '/licenses/:id/files/:fileId', summary: 'Download a license file', description: 'Every download is audited.', roles: licenseFileDownloaders, answer: { status: 200, description: 'The file, as an attachment.', contentType: 'application/octet-stream' } },
  ...lifecycleActions.map(
    (action): ApiOperation => ({
      method: 'post',
      path: `/licenses/:id/${action}`,
      summary: `${action[0]?.toUpperCase()}${action.slice(1)} the license's key at its KA`,
      description: `The KA first, through the plugin of the license's configuration, which must support \`${action}\` (409 \`not_supported\` otherwise); then ${action === 'renew' ? "the license's new dates, and its request goes back to `key_issued` so the pipeline fetches and installs the renewed file" : "the license's status"}. A KA failure changes nothing and answers 502 with the classified error.`,
      roles: operators,
      body: lifecycleBody,
      answer: { status: 200, description: 'The license as the action left it.' },
    }),
  ),
];
