import { type Request, type Response, Router } from 'express';
import { z } from 'zod';
import type { ConsoleReads } from '../console-reads.js';
import { AppError, NotFoundError } from '../../errors/app-error.js';
import { allow, principalOf } from '../../http/access.js';
import { actorOf } from '../../kernel/principal.js';
import { permissions } from '../../kernel/permissions.js';
import { type LicenseRequestState, licenseRequestStates } from '../../features/license-requests/license-request.js';
import type { ManualLicenseService } from '../../features/uploads/manual-license-service.js';
import { multipartReader } from '../../features/uploads/multipart-upload.js';
import type { UploadLimits } from '../../features/uploads/upload-options.js';
import { cursorId, pageById } from '../../http/pagination.js';
import { idParams, idText } from '../../http/params.js';
import { validate } from '../../http/validate.js';
import type { FieldErrors } from '../components/form-fields.js';
import { formErrorsOf, formText } from '../form-body.js';
import { parseForm } from '../form-input.js';
import { cancelBody, installBody, uploadFields } from '../../features/uploads/manual-license-routes.js';
import { LicenseRequestPage, type LicenseRequestPageProps } from '../pages/license-request-page.js';
import { LicenseRequestsPage } from '../pages/license-requests-page.js';
import { configurationNames, customerNames } from '../../read-models/names.js';
import { needsManualByReason } from '../../read-models/needs-attention.js';
import { queryString, sendPage } from '../render.js';
import { CsrfError, csrfField, tokensMatch } from '../session/csrf.js';
import { viewContext } from '../view-context.js';

export interface LicenseRequestWebDeps {
  context: ConsoleReads;
  manual: ManualLicenseService;
  limits: UploadLimits;
}

const pageSize = 50;
const listQuery = z.object({
  state: z.enum([...licenseRequestStates, 'all']).default('needs_manual'),
  configuration: idText.optional(),
  cursor: z.string().max(200).optional(),
});

const notices: Record<string, string> = {
  retried: 'Back in the automatic pipeline with a fresh attempt budget.',
  uploaded: 'Key and files stored; the license is being installed.',
  install_retried: 'The install step runs again.',
  installed: 'Recorded as installed by hand.',
  cancelled: 'Request cancelled.',
};

/** `keyNumbers.0` and `files.1` name one item of a field; the form shows them at the field. */
function atField(errors: FieldErrors): FieldErrors {
  const out: FieldErrors = {};
  for (const [field, message] of Object.entries(errors)) {
    const name = field.split('.')[0] ?? field;
    out[name] = out[name] ? `${out[name]} ${message}` : message;
  }
  return out;
}

/**
 * License requests: the "needs attention" summary, lists by state, a request's steps and the
 * staff actions that fit its state. Actions call ManualLicenseService, as the API does.
 */
export function licenseRequestWebRoutes(deps: LicenseRequestWebDeps): { pages: Router; uploads: Router } {
  const { db, stores } = deps.context;
  const pages = Router();
  const accept = [...new Set(deps.limits.allowedTypes.flatMap((t) => t.contentTypes))]
    .concat(['.xml', '.key', '.lic'])
    .join(',');

  const show = async (
    req: Request,
    res: Response,
    id: number,
    extra: Partial<LicenseRequestPageProps> = {},
    status = 200,
  ) => {
    const request = await stores.licenseRequests.get(db, id);
    if (!request) throw new NotFoundError('license request', id);
    const [license, history, configurations, customers] = await Promise.all([
      stores.licenses.getByRequest(db, id),
      stores.audit.history(db, 'license_request', id),
      configurationNames(db, [request.configurationId]),
      customerNames(db, [request.customerId]),
    ]);
    sendPage(
      res,
      <LicenseRequestPage
        ctx={viewContext(req)}
        request={request}
        license={license ?? null}
        history={history}
        configurationName={configurations.get(request.configurationId)}
        customerName={request.customerId ? customers.get(request.customerId) : undefined}
        acceptFiles={accept}
        {...extra}
      />,
      status,
    );
  };

  /** A refused action comes back to the request's page saying why; other errors go on. */
  const refused = async (
    req: Request,
    res: Response,
    id: number,
    err: unknown,
    toForm?: (shown: { errors: FieldErrors; problem?: string }) => Partial<LicenseRequestPageProps>,
  ) => {
    const shown = formErrorsOf(err);
    if (!shown || !(err instanceof AppError)) throw err;
    const extra = toForm ? toForm(shown) : { problem: shown.problem ?? err.message };
    await show(req, res, id, extra, err.status);
  };

  pages.get('/license-requests', async (req, res) => {
    const query = validate(listQuery, req.query, 'query');
    const state: LicenseRequestState | undefined = query.state === 'all' ? undefined : query.state;
    const [counts, byReason, rows] = await Promise.all([
      stores.licenseRequests.countByState(db),
      needsManualByReason(db),
      stores.licenseRequests.list(db, {
        state,
        configurationId: query.configuration,
        beforeId: cursorId(query.cursor),
        limit: pageSize + 1,
      }),
    ]);
    const page = pageById(rows, pageSize);
    const countsByState: Partial<Record<LicenseRequestState, number>> = {};
    const waiting = new Map<number, number>();
    for (const c of counts) {
      countsByState[c.state] = (countsByState[c.state] ?? 0) + c.count;
      if (c.state === 'needs_manual') waiting.set(c.configurationId, c.count);
    }
    const [configurations, customers] = await Promise.all([
      configurationNames(db, [...page.data.map((r) => r.configurationId), ...waiting.keys(), query.configuration]),
      customerNames(
        db,
        page.data.map((r) => r.customerId),
      ),
    ]);
    const attention = {
      total: countsByState.needs_manual ?? 0,
      byConfiguration: [...waiting]
        .map(([configurationId, count]) => ({
          configurationId,
          count,
          name: configurations.get(configurationId) ?? `#${configurationId}`,
        }))
        .sort((a, b) => b.count - a.count),
      byReason,
    };
    sendPage(
      res,
      <LicenseRequestsPage
        ctx={viewContext(req)}
        attention={attention}
        countsByState={countsByState}
        states={licenseRequestStates}
        state={state}
        configurationId={query.configuration}
        requests={page.data}
        configurations={configurations}
        customers={customers}
        nextCursor={page.nextCursor}
        cursor={query.cursor}
      />,
    );
  });

  pages.get('/license-requests/:id', async (req, res) => {
    const { id } = validate(idParams, req.params, 'params');
    await show(req, res, id, { notice: notices[queryString(req.query.done) ?? ''] });
  });

  pages.post('/license-requests/:id/retry', allow(...permissions.workOnLicenseRequests), async (req, res) => {
    const { id } = validate(idParams, req.params, 'params');
    try {
      await deps.manual.retry(id, actorOf(principalOf(req)));
      res.redirect(303, `/license-requests/${id}?done=retried`);
    } catch (err) {
      await refused(req, res, id, err);
    }
  });

  pages.post('/license-requests/:id/install', allow(...permissions.workOnLicenseRequests), async (req, res) => {
    const { id } = validate(idParams, req.params, 'params');
    const mode = formText(req.body, 'mode');
    const note = formText(req.body, 'confirmNote').trim();
    try {
      // The API's schema: the form's `confirmNote` is the body's `note`.
      const input = validate(installBody, mode === 'confirm' ? { mode, note } : { mode });
      await deps.manual.install(id, input, actorOf(principalOf(req)));
      res.redirect(303, `/license-requests/${id}?done=${input.mode === 'confirm' ? 'installed' : 'install_retried'}`);
    } catch (err) {
      await refused(
        req,
        res,
        id,
        err,
        mode === 'confirm'
          ? (shown): Partial<LicenseRequestPageProps> => ({
              confirm: { note, errors: shown.errors.note ? { confirmNote: shown.errors.note } : undefined },
              problem: shown.problem,
            })
          : undefined,
      );
    }
  });

  pages.post('/license-requests/:id/cancel', allow(...permissions.workOnLicenseRequests), async (req, res) => {
    const { id } = validate(idParams, req.params, 'params');
    try {
      const { note } = parseForm(cancelBody, req.body);
      await deps.manual.cancel(id, actorOf(principalOf(req)), note);
      res.redirect(303, `/license-requests/${id}?done=cancelled`);
    } catch (err) {
      await refused(req, res, id, err);
    }
  });

  // Multipart: mounted before the console's CSRF check, which cannot read an unparsed body;
  // the token is checked here after parsing into memory and before anything is stored.
  const uploads = Router();
  const readMultipart = multipartReader(deps.limits);
  uploads.post('/license-requests/:id/uploads', allow(...permissions.workOnLicenseRequests), async (req, res) => {
    const { id } = validate(idParams, req.params, 'params');
    let body: Awaited<ReturnType<typeof readMultipart>>;
    try {
      body = await readMultipart(req, res);
    } catch (err) {
      return refused(req, res, id, err, (shown) => ({
        upload: { errors: atField(shown.errors), problem: shown.problem },
      }));
    }
    if (!tokensMatch(req.staffSession?.csrfToken, body.fields[csrfField])) throw new CsrfError();
    const state = {
      keyNumbers: formText(body.fields, 'keyNumbers'),
      note: formText(body.fields, 'note').trim(),
      override: formText(body.fields, 'override') !== '',
    };
    try {
      // The API's schema and service: the same checks and messages as `POST /api/v1/license-requests/:id/uploads`.
      const fields = parseForm(uploadFields, body.fields);
      await deps.manual.uploadFiles(
        id,
        { keyNumbers: fields.keyNumbers, files: body.files, override: fields.override, note: fields.note },
        actorOf(principalOf(req)),
      );
      res.redirect(303, `/license-requests/${id}?done=uploaded`);
    } catch (err) {
      await refused(req, res, id, err, (shown) => ({
        upload: {
          ...state,
          errors: atField(shown.errors),
          problem:
            shown.problem ??
            (Object.keys(shown.errors).length
              ? 'The upload was refused; nothing was stored. See the fields below.'
              : undefined),
        },
      }));
    }
  });

  return { pages, uploads };
}
