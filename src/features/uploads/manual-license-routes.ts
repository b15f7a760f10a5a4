import type { Request } from 'express';
import { z } from 'zod';
import { idNumber, idText } from '../../http/params.js';
import { validate } from '../../http/validate.js';
import { principalOf } from '../../http/access.js';
import { type DeclaredRouter, declaredRouter, defineRoute } from '../../http/route-declaration.js';
import { permissions } from '../../kernel/permissions.js';
import { actorOf } from '../../kernel/principal.js';
import type { ManualLicenseService } from './manual-license-service.js';
import { multipartReader } from './multipart-upload.js';
import type { UploadLimits } from './upload-options.js';
import { manualResultSchema } from './manual-result-schema.js';

const stringList = z
  .union([z.string().max(4000), z.array(z.string().max(200)).max(50)])
  .transform((v) => (Array.isArray(v) ? v : [v]));
const flag = z.enum(['true', 'false', '1', '0', 'on']).transform((v) => v === 'true' || v === '1' || v === 'on');

/** Text fields of an upload for a request (multipart), the API's and the console's. */
export const uploadFields = z.object({
  keyNumbers: stringList.optional().default([]),
  override: flag.optional(),
  note: z.string().max(2000).optional(),
});

/** Text fields of a New License upload (multipart), the API's and the console's. */
export const newUploadFields = uploadFields.extend({
  mode: z.literal('upload').optional(),
  configurationId: idText,
  subscriptionId: idText.optional(),
  product: z.string().min(1).max(120).optional(),
  features: stringList.optional(),
});

/** New License through a configuration, the API's and the console's. */
export const newRequestBody = z.object({
  mode: z.literal('request'),
  configurationId: idNumber,
  product: z.string().min(1).max(120),
  features: z.array(z.string().min(1).max(120)).max(50).default([]),
  quantity: z.number().int().min(1).max(1000).optional(),
  periodMonths: z.number().int().min(1).max(120).nullable().optional(),
  subscriptionId: idNumber.nullable().optional(),
});

/** Retry the install, or confirm one done by hand saying how; the API's and the console's. */
export const installBody = z.discriminatedUnion('mode', [
  z.object({ mode: z.literal('retry') }),
  z.object({
    mode: z.literal('confirm'),
    note: z.string().trim().min(1, 'Say how the license was installed.').max(2000),
  }),
]);

export const cancelBody = z.object({ note: z.string().max(2000).optional() });

function splitFeatures(values: string[] | undefined): string[] | undefined {
  return values
    ?.flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter(Boolean);
}

type NewLicenseUpload = Parameters<ManualLicenseService['newLicenseUpload']>[0];

/** A New License upload's fields, as parsed by `newUploadFields`, and its files as the service takes them (API and console). */
export function newLicenseUploadOf(
  f: z.output<typeof newUploadFields>,
  files: NewLicenseUpload['files'],
): NewLicenseUpload {
  return {
    configurationId: f.configurationId,
    subscriptionId: f.subscriptionId ?? null,
    product: f.product,
    features: splitFeatures(f.features),
    keyNumbers: f.keyNumbers,
    files,
    override: f.override,
    note: f.note,
  };
}

/**
 * HTTP for manual license work: upload, install, retry, cancel, New License. Validation and
 * multipart parsing live here; every decision is the service's, which the console calls too.
 */
export function manualLicenseRoutes(deps: { service: ManualLicenseService; limits: UploadLimits }): DeclaredRouter {
  const readMultipart = multipartReader(deps.limits);
  const actor = (req: Request) => actorOf(principalOf(req));

  return declaredRouter([
    defineRoute(
      {
        method: 'post',
        path: '/license-requests/:id/uploads',
        summary: 'Upload key(s) and license file(s) for a request that needs staff',
        description:
          'Checked against the request (key number, product, expiry); a mismatch needs `override` with a `note`. Nothing is stored unless the whole upload validates; the pipeline then installs it.',
        roles: permissions.workOnLicenseRequests,
        multipart: uploadFields,
        answer: {
          status: 201,
          description: '`{request, license}` as the upload left them.',
          schema: manualResultSchema,
        },
      },
      async ({ params: { id } }, req, res) => {
        const body = await readMultipart(req, res);
        const fields = validate(uploadFields, body.fields);
        const result = await deps.service.uploadFiles(
          id,
          { keyNumbers: fields.keyNumbers, files: body.files, override: fields.override, note: fields.note },
          actor(req),
        );
        res.status(201).json(result);
      },
    ),
    defineRoute(
      {
        method: 'post',
        path: '/license-requests/:id/install',
        summary: 'Retry the install, or confirm an install done by hand',
        roles: permissions.workOnLicenseRequests,
        body: installBody,
        answer: {
          status: 200,
          description: '`{request, license}` as the action left them.',
          schema: manualResultSchema,
        },
      },
      async ({ params: { id }, body }, req, res) => {
        res.json(await deps.service.install(id, body, actor(req)));
      },
    ),
    defineRoute(
      {
        method: 'post',
        path: '/license-requests/:id/retry',
        summary: 'Retry online from the step that failed, attempts reset',
        roles: permissions.workOnLicenseRequests,
        answer: {
          status: 200,
          description: '`{request, license}` as the action left them.',
          schema: manualResultSchema,
        },
      },
      async ({ params: { id } }, req, res) => {
        res.json(await deps.service.retry(id, actor(req)));
      },
    ),
    defineRoute(
      {
        method: 'post',
        path: '/license-requests/:id/cancel',
        summary: 'Cancel a request that has no key',
        roles: permissions.workOnLicenseRequests,
        body: cancelBody,
        answer: {
          status: 200,
          description: '`{request, license}`, the request `cancelled`.',
          schema: manualResultSchema,
        },
      },
      async ({ params: { id }, body }, req, res) => {
        res.json(await deps.service.cancel(id, actor(req), body.note));
      },
    ),
    defineRoute(
      {
        method: 'post',
        path: '/licenses',
        summary: 'New License: request a key through a configuration, or upload key(s) and file(s)',
        description: 'A JSON body requests a key (`mode: request`); a multipart body uploads one.',
        roles: permissions.workOnLicenseRequests,
        body: newRequestBody,
        multipart: newUploadFields,
        answer: {
          status: 201,
          description: '`{request, license}`: the new request, and for an upload its license.',
          schema: manualResultSchema,
        },
      },
      async ({ body }, req, res) => {
        // A multipart body is read here, streamed; the declaration checked only a JSON one.
        if (req.is('multipart/form-data')) {
          const upload = await readMultipart(req, res);
          const f = validate(newUploadFields, upload.fields);
          const result = await deps.service.newLicenseUpload(newLicenseUploadOf(f, upload.files), actor(req));
          res.status(201).json(result);
          return;
        }
        res.status(201).json(await deps.service.newLicenseRequest(body, actor(req)));
      },
    ),
  ]);
}
