import { z } from 'zod';
import { principalOf } from '../../http/access.js';
import { type DeclaredRouter, declaredRouter, defineRoute } from '../../http/route-declaration.js';
import { permissions } from '../../kernel/permissions.js';
import { actorOf, type Principal } from '../../kernel/principal.js';
import { activationListSchema, licenseActivationSchema } from './activation-schema.js';
import type { LicenseActivation } from './activation-store.js';
import type { Activations } from './activations.js';
import { csvLine } from './license-csv.js';

const activationKey = z.string().trim().min(1).max(80);

const listQuery = z
  .object({
    status: z.enum(['active', 'deactivated']).optional(),
    format: z.enum(['json', 'csv']).default('json'),
  })
  .strict();

/** Deactivating farms: the API's and the console's. */
export const deactivateSchema = z.object({ activationKeys: z.array(activationKey).min(1).max(100) }).strict();

export const farmNoteSchema = z
  .object({
    activationKey,
    serverId: z.string().trim().min(1).max(120).optional(),
    /** null removes the note. */
    note: z.string().trim().max(500).nullable(),
  })
  .strict();

const csvHeader = [
  'activationKey',
  'farmName',
  'status',
  'serverId',
  'appVersion',
  'activatedAt',
  'lastReportAt',
  'peakUsage',
  'movesUsed',
  'movesLeft',
  'note',
  'readAt',
] as const;

/** The farms as CSV, one line per activation (cells made safe for spreadsheets). */
export function activationsCsv(rows: LicenseActivation[]): string {
  return [csvLine([...csvHeader]), ...rows.map((r) => csvLine(csvHeader.map((k) => r[k])))].join('');
}

/** A license's activations (farms) at its KA. */
export function activationRoutes(deps: {
  activations: Activations;
  /** 404 unless the caller may reach the license (a customer token: its own). */
  reach(principal: Principal, licenseId: number): Promise<void>;
}): DeclaredRouter {
  return declaredRouter([
    defineRoute(
      {
        method: 'get',
        path: '/licenses/:id/activations',
        summary: "A license's activations (farms)",
        description:
          "Read from the KA now (a primary lists its additional keys' farms too) and kept with the time read (`readAt`): when the KA cannot be read, the last reading is answered with `stale: true` and the error. Each farm: activation key, farm name, status, server id, app version, activation and latest report dates, peak usage, moves used and left (3 per key), and the note Keyway keeps. `status=active` filters; `format=csv` exports. 409 `not_supported` when the KA plugin cannot list activations.",
        roles: permissions.readLicenses,
        query: listQuery,
        answer: {
          status: 200,
          description: '`{data, readAt, stale, active}`, or a CSV file with `format=csv`.',
          schema: activationListSchema,
        },
      },
      async ({ params: { id }, query }, req, res) => {
        await deps.reach(principalOf(req), id);
        const list = await deps.activations.list(id, { status: query.status });
        if (query.format === 'csv') {
          res.setHeader('content-type', 'text/csv; charset=utf-8');
          res.setHeader('content-disposition', `attachment; filename="license-${id}-activations.csv"`);
          res.send(activationsCsv(list.data));
          return;
        }
        res.json(list);
      },
    ),
    defineRoute(
      {
        method: 'post',
        path: '/licenses/:id/activations/deactivate',
        summary: 'Deactivate farms of a license',
        description:
          "Deactivates the active farm of each of `activationKeys` (the license's key or its additional keys) at the KA; each key becomes free for another farm. A key whose farm is already deactivated is left as it is. Idempotent at the KA: a lost answer is settled by reading the farms again. Answers the farms as read afterwards.",
        roles: permissions.manageActivations,
        body: deactivateSchema,
        answer: { status: 200, description: '`{data, readAt, stale, active}`.', schema: activationListSchema },
      },
      async ({ params: { id }, body }, req, res) => {
        await deps.reach(principalOf(req), id);
        res.json(await deps.activations.deactivate(id, body.activationKeys, actorOf(principalOf(req))));
      },
    ),
    defineRoute(
      {
        method: 'patch',
        path: '/licenses/:id/activations/note',
        summary: "Keyway's note on one farm",
        description:
          'The farm is named by its activation key (and server id, where the key activated several over time), as last read. `note: null` removes it.',
        roles: permissions.manageActivations,
        body: farmNoteSchema,
        answer: { status: 200, description: 'The farm with its note.', schema: licenseActivationSchema },
      },
      async ({ params: { id }, body }, req, res) => {
        await deps.reach(principalOf(req), id);
        res.json(
          await deps.activations.setNote(
            id,
            { activationKey: body.activationKey, serverId: body.serverId },
            body.note || null,
            actorOf(principalOf(req)),
          ),
        );
      },
    ),
  ]);
}
