import { type Request, type Response, Router } from 'express';
import { z } from 'zod';
import type { ConsoleReads } from '../console-reads.js';
import { AppError, NotFoundError } from '../../errors/app-error.js';
import { allow, principalOf } from '../../http/access.js';
import { actorOf } from '../../kernel/principal.js';
import { permissions } from '../../kernel/permissions.js';
import type { KaConfigurationStore } from '../../features/ka-configurations/ka-configuration-store.js';
import {
  type LicenseLifecycle,
  type LifecycleAction,
  lifecycleActions,
} from '../../features/licenses/license-lifecycle.js';
import type { LicenseQueryService } from '../../features/licenses/license-query-service.js';
import type { AdditionalKeys } from '../../features/licenses/additional-keys.js';
import type { ActivationList, Activations } from '../../features/licenses/activations.js';
import { createAdditionalKeySchema, modifyAdditionalKeySchema } from '../../features/licenses/additional-key-routes.js';
import { activationsCsv, deactivateSchema } from '../../features/licenses/activation-routes.js';
import { type LicenseFilter, licenseStatuses } from '../../features/licenses/license-query-store.js';
import type { ManualLicenseService } from '../../features/uploads/manual-license-service.js';
import { type PhaseFilter, phaseFilters } from '../../features/licenses/license-phase.js';
import { multipartReader } from '../../features/uploads/multipart-upload.js';
import type { UploadLimits } from '../../features/uploads/upload-options.js';
import { cursorId, pageById } from '../../http/pagination.js';
import { idParams, idText } from '../../http/params.js';
import { validate } from '../../http/validate.js';
import type { FieldErrors } from '../components/form-fields.js';
import { formErrorsOf, formText } from '../form-body.js';
import { parseForm } from '../form-input.js';
import { lifecycleBody, settleBody } from '../../features/licenses/license-routes.js';
import { transferBody } from '../../features/licenses/license-transfer-routes.js';
import type { LicenseTransferService } from '../../features/licenses/license-transfer-service.js';
import { newLicenseUploadOf, newRequestBody, newUploadFields } from '../../features/uploads/manual-license-routes.js';
import { LicensePage, type LicensePageProps } from '../pages/license-page.js';
import { type BulkActionChoice, type LicenseListQuery, LicensesPage } from '../pages/licenses-page.js';
import { type NewLicenseForm, NewLicensePage } from '../pages/new-license-page.js';
import { customerNames } from '../../read-models/names.js';
import { queryString, sendPage } from '../render.js';
import { CsrfError, csrfField, tokensMatch } from '../session/csrf.js';
import { canOperate, viewContext } from '../view-context.js';
import { may } from '../../kernel/permissions.js';
import { syncStates } from '../../features/licenses/license-sync-state.js';
import type { LicenseSyncService, SyncOutcome } from '../../features/license-sync/license-sync-service.js';
import { refusalOf, resolveBody } from '../../features/license-sync/license-sync-routes.js';
import type { SyncResolution } from '../../features/license-sync/sync-resolution.js';

export interface LicenseWebDeps {
  context: ConsoleReads;
  licenses: LicenseQueryService;
  lifecycle: LicenseLifecycle;
  /** Additional keys and farms (absent: the license page has no such sections). */
  keys?: { additionalKeys: AdditionalKeys; activations: Activations };
  manual: ManualLicenseService;
  configurations: KaConfigurationStore;
  limits: UploadLimits;
  /** The bulk actions over licenses, offered on the list (over the filter or the checked rows). */
  bulkActions?: BulkActionChoice[];
  /** Sync with the KA and resolving differences (absent in tests that build the console without it). */
  sync?: { service: LicenseSyncService; resolution: SyncResolution };
  /** Transfer to another customer or subscription (absent: no form). */
  transfer?: LicenseTransferService;
  /** Whether the tabs offer "Migrate…" (the form is `migrate-web-routes.tsx`). */
  migrate?: boolean;
}

const pageSize = 50;
const fileParams = idParams.extend({ fileId: idText });

const lifecycleNotices: Record<string, string> = {
  settled: 'Recorded what the KA did; the license is free for the next action.',
  earlier:
    'The KA had already done this: the answer to the earlier request was lost, and reading the key showed it done. Nothing was sent again.',
  suspend: 'The KA suspended the key.',
  resume: 'The KA resumed the key.',
  terminate: 'The KA terminated the key.',
  renew: 'The KA renewed the key; the renewed license file is being fetched and installed.',
  in_sync: 'Read at the KA: the license is in sync.',
  not_in_sync: 'Read at the KA: the license is not in sync; the differences are below.',
  failed: 'Reading the key at the KA failed; the error is below.',
  key_created: 'The KA created the additional key; its quota is reserved out of the primary key.',
  key_changed: 'The KA changed the additional key.',
  key_deleted: 'The KA deleted the additional key; its quota is back with the primary key.',
  farms_deactivated: 'The KA deactivated the farms; their keys are free for another installation.',
  transferred: 'The license and its request were moved.',
} satisfies Record<
  | LifecycleAction
  | 'settled'
  | 'earlier'
  | 'in_sync'
  | 'not_in_sync'
  | 'failed'
  | 'key_created'
  | 'key_changed'
  | 'key_deleted'
  | 'farms_deactivated'
  | 'transferred',
  string
>;
const listSchema = z.object({
  configuration: idText.optional(),
  status: z.enum(licenseStatuses as [string, ...string[]]).optional(),
  phase: z.enum(phaseFilters as [PhaseFilter, ...PhaseFilter[]]).optional(),
  key: z.string().trim().max(80).optional(),
  customer: idText.optional(),
  subscription: idText.optional(),
  expiresBefore: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date like 2030-01-31')
    .optional(),
  sync: z.enum(syncStates).optional(),
  cursor: z.string().max(200).optional(),
});

/** Empty query values mean "no filter". */
function present(query: Request['query']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(query)) if (typeof v === 'string' && v.trim() !== '') out[k] = v;
  return out;
}

function filterOf(q: z.output<typeof listSchema>, configurationId: number): Omit<LicenseFilter, 'limit'> {
  return {
    configurationId,
    status: q.status as LicenseFilter['status'],
    phase: q.phase,
    keyNumber: q.key?.toUpperCase(),
    customerId: q.customer,
    subscriptionId: q.subscription,
    expiresBeforeMs: q.expiresBefore ? Date.parse(`${q.expiresBefore}T00:00:00Z`) : undefined,
    syncState: q.sync,
  };
}

/** A file name safe in a Content-Disposition header, with the exact name in filename*. */
function disposition(fileName: string): string {
  const ascii = fileName.replace(/[^\w.-]/g, '_').slice(0, 120) || 'license-file';
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(fileName)}`;
}

/** Licenses in tabs per KA configuration, their details and files, CSV export and New License. */
export function licenseWebRoutes(deps: LicenseWebDeps): { pages: Router; uploads: Router } {
  const { db } = deps.context;
  const pages = Router();
  const accept = [...new Set(deps.limits.allowedTypes.flatMap((t) => t.contentTypes))]
    .concat(['.xml', '.key', '.lic'])
    .join(',');

  pages.get('/licenses', async (req, res) => {
    const raw = present(req.query);
    const parsed = listSchema.safeParse(raw);
    const tabs = await deps.licenses.tabs();
    const errors: FieldErrors = {};
    if (!parsed.success)
      for (const issue of parsed.error.issues)
        errors[String(issue.path[0])] ??= `${issue.message.charAt(0).toUpperCase()}${issue.message.slice(1)}.`;
    const q = parsed.success ? parsed.data : { configuration: Number(raw.configuration) || undefined };
    const tab = tabs.find((t) => t.configurationId === q.configuration) ?? tabs[0];
    const query: LicenseListQuery = { ...raw, configuration: tab ? String(tab.configurationId) : undefined };
    if (!tab || !parsed.success) {
      return sendPage(
        res,
        <LicensesPage
          ctx={viewContext(req)}
          tabs={tabs}
          tab={tab}
          statuses={licenseStatuses}
          licenses={[]}
          customers={new Map()}
          query={query}
          errors={errors}
          nextCursor={null}
        />,
        parsed.success ? 200 : 400,
      );
    }
    const rows = await deps.licenses.list({
      ...filterOf(parsed.data, tab.configurationId),
      beforeId: cursorId(parsed.data.cursor),
      limit: pageSize + 1,
    });
    const page = pageById(rows, pageSize);
    const customers = await customerNames(
      db,
      page.data.map((l) => l.customerId),
    );
    sendPage(
      res,
      <LicensesPage
        ctx={viewContext(req)}
        tabs={tabs}
        tab={tab}
        statuses={licenseStatuses}
        licenses={page.data}
        customers={customers}
        query={query}
        nextCursor={page.nextCursor}
        bulkActions={deps.bulkActions}
        migrate={deps.migrate}
      />,
    );
  });

  pages.get('/licenses.csv', async (req, res) => {
    const q = validate(listSchema, present(req.query), 'query');
    if (q.configuration === undefined) throw new NotFoundError('KA configuration', '(none)');
    const configuration = await deps.configurations.get(db, q.configuration);
    if (!configuration) throw new NotFoundError('KA configuration', q.configuration);
    res.setHeader('content-type', 'text/csv; charset=utf-8');
    res.setHeader('content-disposition', `attachment; filename="licenses-${configuration.id}.csv"`);
    // Streamed in keyset batches: an export of any size holds one batch in memory.
    for await (const chunk of deps.licenses.csv(filterOf(q, configuration.id))) {
      if (!res.write(chunk)) await new Promise((resolve) => res.once('drain', resolve));
    }
    res.end();
  });

  const showNew = async (
    req: Request,
    res: Response,
    forms: { request?: NewLicenseForm; upload?: NewLicenseForm },
    status = 200,
  ) => {
    const configurations = (await deps.configurations.list(db)).filter((c) => c.enabled);
    const chosen = Number(
      forms.request?.configuration ?? forms.upload?.configuration ?? queryString(req.query.configuration),
    );
    const current = configurations.find((c) => c.id === chosen) ?? configurations[0];
    const request = { configuration: current ? String(current.id) : undefined, ...forms.request };
    sendPage(
      res,
      <NewLicensePage
        ctx={viewContext(req)}
        configurations={configurations.map((c) => ({ id: c.id, name: c.name }))}
        products={current?.products ?? []}
        request={request}
        upload={forms.upload ?? {}}
        accept={accept}
      />,
      status,
    );
  };

  pages.get('/licenses/new', allow(...permissions.workOnLicenseRequests), (req, res) => showNew(req, res, {}));

  pages.post('/licenses/new/request', allow(...permissions.workOnLicenseRequests), async (req, res) => {
    const form: NewLicenseForm = {
      configuration: formText(req.body, 'configurationId'),
      product: formText(req.body, 'product').trim(),
      features: formText(req.body, 'features').trim(),
      subscription: formText(req.body, 'subscriptionId').trim(),
      quantity: formText(req.body, 'quantity').trim(),
      periodMonths: formText(req.body, 'periodMonths').trim(),
    };
    try {
      // The API's schema and service: the same checks and messages as `POST /api/v1/licenses`.
      const input = parseForm(newRequestBody, { ...req.body, mode: 'request' });
      const result = await deps.manual.newLicenseRequest(input, actorOf(principalOf(req)));
      res.redirect(303, `/license-requests/${result.request.id}`);
    } catch (err) {
      const shown = formErrorsOf(err);
      if (!shown) throw err;
      await showNew(req, res, { request: { ...form, errors: shown.errors, problem: shown.problem } }, 400);
    }
  });

  // Multipart: parsed into memory, CSRF-checked, then handed to the service (see the requests' uploads).
  const uploads = Router();
  const readMultipart = multipartReader(deps.limits);
  uploads.post('/licenses/new/upload', allow(...permissions.workOnLicenseRequests), async (req, res) => {
    let body: Awaited<ReturnType<typeof readMultipart>>;
    try {
      body = await readMultipart(req, res);
    } catch (err) {
      const shown = formErrorsOf(err);
      if (!shown) throw err;
      return showNew(req, res, { upload: { errors: shown.errors, problem: shown.problem } }, 400);
    }
    if (!tokensMatch(req.staffSession?.csrfToken, body.fields[csrfField])) throw new CsrfError();
    const f = body.fields;
    const form: NewLicenseForm = {
      configuration: formText(f, 'configurationId'),
      keyNumbers: formText(f, 'keyNumbers'),
      product: formText(f, 'product').trim(),
      subscription: formText(f, 'subscriptionId').trim(),
      note: formText(f, 'note').trim(),
      override: formText(f, 'override') !== '',
    };
    try {
      const result = await deps.manual.newLicenseUpload(
        newLicenseUploadOf(parseForm(newUploadFields, f), body.files),
        actorOf(principalOf(req)),
      );
      res.redirect(303, `/license-requests/${result.request.id}?done=uploaded`);
    } catch (err) {
      const shown = formErrorsOf(err);
      if (!shown) throw err;
      const fieldErrors: FieldErrors = {};
      for (const [k, v] of Object.entries(shown.errors)) fieldErrors[k.split('.')[0] ?? k] = v;
      await showNew(
        req,
        res,
        {
          upload: {
            ...form,
            errors: fieldErrors,
            problem: shown.problem ?? 'The upload was refused; nothing was stored.',
          },
        },
        400,
      );
    }
  });

  const showLicense = async (
    req: Request,
    res: Response,
    id: number,
    extra: Pick<
      LicensePageProps,
      'notice' | 'problem' | 'terminate' | 'settle' | 'additionalKeyForm' | 'transfer'
    > = {},
    status = 200,
  ) => {
    const ctx = viewContext(req);
    const license = await deps.licenses.get(id);
    const [configuration, customer, actions, farms] = await Promise.all([
      deps.configurations.get(db, license.configurationId),
      license.customerId ? deps.context.stores.customers.get(db, license.customerId) : undefined,
      canOperate(ctx) ? deps.lifecycle.available(license, license.openOperation) : [],
      farmsOf(id),
    ]);
    sendPage(
      res,
      <LicensePage
        ctx={ctx}
        license={license}
        configurationName={configuration?.name}
        customer={customer}
        actions={actions}
        canSync={deps.sync !== undefined && may(ctx.user?.role, 'syncLicense')}
        farms={farms}
        keysShown={deps.keys !== undefined}
        {...extra}
      />,
      status,
    );
  };

  /** The license's farms read from its KA now; undefined when its plugin cannot list them. */
  async function farmsOf(id: number): Promise<ActivationList | undefined> {
    if (!deps.keys) return undefined;
    try {
      return await deps.keys.activations.list(id);
    } catch (err) {
      if (err instanceof AppError && err.status === 409) return undefined;
      // Never read: say so on the page rather than failing it.
      return { data: [], readAt: null, stale: true, active: 0, error: { message: (err as Error).message } };
    }
  }

  /** Runs an action on the license's keys or farms, then back to the license saying what happened, or why not. */
  const keyAction =
    (
      run: (req: Request, id: number) => Promise<string>,
      formOf?: (req: Request) => LicensePageProps['additionalKeyForm'],
    ) =>
    async (req: Request, res: Response) => {
      if (!deps.keys) throw new NotFoundError('page', req.path);
      const { id } = validate(idParams, req.params, 'params');
      try {
        const notice = await run(req, id);
        res.redirect(303, `/licenses/${id}?done=${notice}`);
      } catch (err) {
        if (!(err instanceof AppError) || err.status === 404) throw err;
        // A KA failure (502) is said on the license as a refusal is.
        const shown = formErrorsOf(err) ?? { errors: {}, problem: err.message };
        const form = formOf?.(req);
        const status = err instanceof AppError ? err.status : 400;
        if (form) return showLicense(req, res, id, { additionalKeyForm: { ...form, ...shown } }, status);
        return showLicense(req, res, id, { problem: shown.problem ?? (err as Error).message }, status);
      }
    };
  const keys = () => deps.keys as NonNullable<LicenseWebDeps['keys']>;
  const keyParams = idParams.extend({ keyId: idText });

  pages.post(
    '/licenses/:id/additional-keys',
    allow(...permissions.manageAdditionalKeys),
    keyAction(
      async (req, id) => {
        await keys().additionalKeys.create(
          id,
          parseForm(createAdditionalKeySchema, req.body),
          actorOf(principalOf(req)),
        );
        return 'key_created';
      },
      (req) => ({
        quota: formText(req.body, 'quota').trim(),
        name: formText(req.body, 'name').trim(),
        expiresAt: formText(req.body, 'expiresAt').trim(),
      }),
    ),
  );
  pages.post(
    '/licenses/:id/additional-keys/:keyId',
    allow(...permissions.manageAdditionalKeys),
    keyAction(async (req, id) => {
      const { keyId } = validate(keyParams, req.params, 'params');
      await keys().additionalKeys.modify(
        id,
        keyId,
        parseForm(modifyAdditionalKeySchema, req.body),
        actorOf(principalOf(req)),
      );
      return 'key_changed';
    }),
  );
  pages.post(
    '/licenses/:id/additional-keys/:keyId/delete',
    allow(...permissions.manageAdditionalKeys),
    keyAction(async (req, id) => {
      const { keyId } = validate(keyParams, req.params, 'params');
      await keys().additionalKeys.remove(id, keyId, actorOf(principalOf(req)));
      return 'key_deleted';
    }),
  );
  pages.post(
    '/licenses/:id/activations/deactivate',
    allow(...permissions.manageActivations),
    keyAction(async (req, id) => {
      // One farm's own button, or the selected ones.
      const only = formText(req.body, 'only').trim();
      const selected = ([] as unknown[]).concat(req.body?.activationKeys ?? []).map(String);
      const { activationKeys } = validate(deactivateSchema, { activationKeys: only ? [only] : selected });
      await keys().activations.deactivate(id, activationKeys, actorOf(principalOf(req)));
      return 'farms_deactivated';
    }),
  );
  pages.get('/licenses/:id/activations.csv', async (req, res) => {
    if (!deps.keys) throw new NotFoundError('page', req.path);
    const { id } = validate(idParams, req.params, 'params');
    const farms = await deps.keys.activations.list(id);
    res.setHeader('content-type', 'text/csv; charset=utf-8');
    res.setHeader('content-disposition', `attachment; filename="license-${id}-activations.csv"`);
    res.send(activationsCsv(farms.data));
  });

  pages.get('/licenses/:id', async (req, res) => {
    const { id } = validate(idParams, req.params, 'params');
    const done = typeof req.query.done === 'string' ? lifecycleNotices[req.query.done] : undefined;
    await showLicense(req, res, id, { notice: done });
  });

  for (const action of lifecycleActions) {
    pages.post(`/licenses/:id/${action}`, allow(...permissions.actOnLicense), async (req, res) => {
      const { id } = validate(idParams, req.params, 'params');
      const note = formText(req.body, 'note').trim();
      if (action === 'terminate' && formText(req.body, 'confirm') === '') {
        return showLicense(
          req,
          res,
          id,
          { terminate: { note, errors: { confirm: 'Confirm that the key stops working for good.' } } },
          400,
        );
      }
      let byEarlierOperation: boolean;
      try {
        const body = parseForm(lifecycleBody, req.body);
        ({ byEarlierOperation } = await deps.lifecycle.act(
          id,
          action,
          actorOf(principalOf(req)),
          body.note || undefined,
        ));
      } catch (err) {
        // Refused (state, plugin) or failed at the KA: back on the license, saying why.
        if (!(err instanceof AppError) || err.status === 404) throw err;
        return showLicense(req, res, id, { problem: err.message }, err.status);
      }
      res.redirect(303, `/licenses/${id}?done=${byEarlierOperation ? 'earlier' : action}`);
    });
  }

  if (deps.sync) {
    const sync = deps.sync;
    const afterSync = async (req: Request, res: Response, id: number, run: () => Promise<SyncOutcome>) => {
      let outcome: SyncOutcome;
      try {
        outcome = await run();
      } catch (err) {
        if (!(err instanceof AppError) || err.status === 404) throw err;
        return showLicense(req, res, id, { problem: err.message }, err.status);
      }
      const refusal = refusalOf(outcome);
      if (refusal) return showLicense(req, res, id, { problem: refusal.message }, refusal.status);
      res.redirect(303, `/licenses/${id}?done=${outcome.result}`);
    };
    pages.post('/licenses/:id/sync', allow(...permissions.syncLicense), async (req, res) => {
      const { id } = validate(idParams, req.params, 'params');
      await afterSync(req, res, id, () => sync.service.sync(id, actorOf(principalOf(req))));
    });
    pages.post('/licenses/:id/sync/resolve', allow(...permissions.syncLicense), async (req, res) => {
      const { id } = validate(idParams, req.params, 'params');
      await afterSync(req, res, id, async () => {
        const body = parseForm(resolveBody, req.body);
        return sync.resolution.resolve(id, body.resolution, actorOf(principalOf(req)));
      });
    });
  }
  pages.post('/licenses/:id/transfer', allow(...permissions.transferLicense), async (req, res) => {
    const { id } = validate(idParams, req.params, 'params');
    if (!deps.transfer) throw new NotFoundError('page', req.path);
    const form = {
      customerId: formText(req.body, 'customerId').trim(),
      subscriptionId: formText(req.body, 'subscriptionId').trim(),
      note: formText(req.body, 'note').trim(),
    };
    try {
      const body = parseForm(transferBody, {
        ...(form.customerId ? { customerId: form.customerId } : {}),
        ...(form.subscriptionId ? { subscriptionId: form.subscriptionId } : {}),
        ...(form.note ? { note: form.note } : {}),
      });
      await deps.transfer.transfer(id, { ...body, note: body.note || undefined }, actorOf(principalOf(req)));
    } catch (err) {
      const refused = formErrorsOf(err);
      if (!refused) throw err;
      return showLicense(
        req,
        res,
        id,
        { transfer: { ...form, errors: refused.errors }, problem: refused.problem },
        400,
      );
    }
    res.redirect(303, `/licenses/${id}?done=transferred`);
  });

  pages.post('/licenses/:id/operations/:operationId/settle', allow(...permissions.actOnLicense), async (req, res) => {
    const { id, operationId } = validate(idParams.extend({ operationId: idText }), req.params, 'params');
    const form = { note: formText(req.body, 'note').trim(), expiresAt: formText(req.body, 'expiresAt').trim() };
    try {
      const body = parseForm(settleBody, req.body);
      await deps.lifecycle.settle(
        id,
        operationId,
        { applied: body.applied, note: body.note, expiresAt: body.expiresAt ? new Date(body.expiresAt) : undefined },
        actorOf(principalOf(req)),
      );
    } catch (err) {
      const shown = formErrorsOf(err);
      if (!shown || (err instanceof AppError && err.status === 404)) throw err;
      return showLicense(
        req,
        res,
        id,
        { settle: { ...form, errors: shown.errors }, problem: shown.problem },
        err instanceof AppError ? err.status : 400,
      );
    }
    res.redirect(303, `/licenses/${id}?done=settled`);
  });

  pages.get('/licenses/:id/files/:fileId', allow(...permissions.downloadLicenseFile), async (req, res) => {
    const { id, fileId } = validate(fileParams, req.params, 'params');
    const file = await deps.licenses.downloadFile(id, fileId, actorOf(principalOf(req)));
    res.setHeader('content-type', file.contentType);
    res.setHeader('content-disposition', disposition(file.fileName));
    res.setHeader('x-checksum-sha256', file.sha256);
    res.send(file.content);
  });

  return { pages, uploads };
}
