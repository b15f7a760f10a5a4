import { ConflictError, NotFoundError, ValidationError } from '../../errors/app-error.js';
import type { Db, DbOrTx } from '../../infra/db/database.js';
import { transaction } from '../../infra/db/transaction.js';
import type { JobQueue } from '../../infra/queue/job-queue.js';
import type { Actor } from '../../kernel/actor.js';
import type { AuditEventInput } from '../audit/audit-event.js';
import type { AuditStore } from '../audit/audit-store.js';
import { applyTransition, type TransitionEventWriter } from '../audit/transition.js';
import type { KaConfigurationReader } from '../ka-configurations/ka-configuration-reader.js';
import type { LicenseRequest, LicenseRequestState } from '../license-requests/license-request.js';
import { enqueueAdvance } from '../license-requests/license-request-jobs.js';
import type { LicenseRequestPort } from '../license-requests/license-request-port.js';
import type { LicensePort } from '../licenses/license-port.js';
import type { License } from '../licenses/license.js';
import type { SubscriptionLookup } from '../subscriptions/subscription-port.js';
import { type CheckedUpload, checkUpload } from './upload-check.js';
import { UploadMismatchError } from './upload-errors.js';
import type { UploadLimits } from './upload-options.js';
import { checkFiles, type UploadedFile } from './uploaded-file.js';

/**
 * Where "retry online" puts a request back into the pipeline: at the step it failed at. One
 * with a license goes on from its key (fetch files, or install them); one whose issue call may
 * have been sent resumes at `issuing`, so the pipeline looks the key up before sending again
 * (no retry makes a second key); only one never sent asks for a key.
 */
export function retryOnlineFrom(
  request: { issueSentAt: string | null },
  license: { files: readonly unknown[] } | undefined,
): LicenseRequestState {
  if (license) return license.files.length ? 'files_retrieved' : 'key_issued';
  return request.issueSentAt ? 'issuing' : 'ready';
}

/** What staff send with a manual upload. */
export interface UploadInput {
  /** Key numbers; the first is the main key, the others additional keys. */
  keyNumbers: string[];
  files: UploadedFile[];
  /** Store it even though it does not match the request; needs a `note`. */
  override?: boolean;
  note?: string;
}

/** New License, online: a license request outside an order, issued by the pipeline. */
export interface NewLicenseRequestInput {
  configurationId: number;
  product: string;
  features: string[];
  quantity?: number;
  periodMonths?: number | null;
  subscriptionId?: number | null;
}

/** New License from files: key(s) and file(s) bought elsewhere, for a configuration. */
export interface NewLicenseUploadInput extends UploadInput {
  configurationId: number;
  /** Defaults to the key type named in the main key's file. */
  product?: string;
  features?: string[];
  subscriptionId?: number | null;
}

export type InstallMode = { mode: 'retry' } | { mode: 'confirm'; note: string };

/** A request with its license, as the API and the console show it after an action. */
export interface ManualResult {
  request: LicenseRequest;
  license: License | null;
}

export interface ManualLicenseDeps {
  db: Db;
  queue: JobQueue;
  requests: LicenseRequestPort;
  licenses: LicensePort;
  subscriptions: SubscriptionLookup;
  configurations: KaConfigurationReader;
  audit: AuditStore;
  /** The outbox, written with the transitions that have an event. */
  events: TransitionEventWriter;
  limits: UploadLimits;
  now?: () => number;
}

const entity = 'license_request';

/**
 * The staff side of license work: manual upload, manual install, retry online, cancel and
 * New License. Every action is a guarded transition written with its audit event in one
 * transaction; work for the pipeline is enqueued after commit, so the pipeline's own steps
 * (the same install step as online issuance) do it.
 */
export class ManualLicenseService {
  private readonly now: () => number;

  constructor(private readonly deps: ManualLicenseDeps) {
    this.now = deps.now ?? Date.now;
  }

  private async requestOrThrow(db: DbOrTx, id: number): Promise<LicenseRequest> {
    const request = await this.deps.requests.get(db, id);
    if (!request) throw new NotFoundError('license request', id);
    return request;
  }

  private async result(requestId: number): Promise<ManualResult> {
    const [request, license] = await Promise.all([
      this.requestOrThrow(this.deps.db, requestId),
      this.deps.licenses.getByRequest(this.deps.db, requestId),
    ]);
    return { request, license: license ?? null };
  }

  /**
   * Answers the request as the staff action left it, then hands it to the pipeline: read
   * after the enqueue, the answer would race the worker already working on it.
   */
  private async resultThenEnqueue(requestId: number, state: LicenseRequestState): Promise<ManualResult> {
    const result = await this.result(requestId);
    await enqueueAdvance(this.deps.queue, requestId, state, 0);
    return result;
  }

  private conflict(request: LicenseRequest, action: string, allowed: string): ConflictError {
    return new ConflictError(
      `License request ${request.id} is ${request.state}; ${action} is allowed only ${allowed}`,
      'invalid_state',
      { details: { state: request.state } },
    );
  }

  /** Checks structure (throws 4xx) and content (mismatches), and refuses mismatches unless overridden with a note. */
  private async checked(input: UploadInput, product: string | null): Promise<CheckedUpload> {
    const override = input.override === true;
    const note = input.note?.trim();
    if (override && !note)
      throw ValidationError.forFields([{ field: 'note', message: 'required with override' }], {
        summary: 'an override needs a note saying why',
      });
    const files = checkFiles(input.files, this.deps.limits);
    const upload = await checkUpload({ keyNumbers: input.keyNumbers, files, product, now: this.now() });
    if (upload.mismatches.length && !override) throw new UploadMismatchError(upload.mismatches);
    return upload;
  }

  private fileRows(upload: CheckedUpload) {
    return upload.files.map((f) => ({
      keyNumber: f.keyNumber,
      fileName: f.fileName,
      contentType: f.type.storeAs,
      content: f.content,
      revision: f.revision,
    }));
  }

  private licenseFacts(upload: CheckedUpload) {
    const [keyNumber, ...additionalKeyNumbers] = upload.keyNumbers as [string, ...string[]];
    const main = upload.main;
    return {
      keyNumber,
      fullKeyNumber: main?.keyVersion ? `${keyNumber}.${main.keyVersion}` : null,
      additionalKeyNumbers,
      expiresAt: main?.expiresAt ? main.expiresAt.getTime() : null,
      updatesUntil: main?.updatesUntil ? main.updatesUntil.getTime() : null,
    };
  }

  private async assertKeyFree(
    db: DbOrTx,
    configurationId: number,
    keyNumber: string,
    exceptLicenseId?: number,
  ): Promise<void> {
    const other = await this.deps.licenses.findByKey(db, configurationId, keyNumber);
    if (other && other.id !== exceptLicenseId) {
      throw new ConflictError(
        `Key ${keyNumber} is already license ${other.id} of this KA configuration`,
        'key_in_use',
        { details: { field: 'keyNumbers.0', licenseId: other.id } },
      );
    }
  }

  /** The audit of an upload: what was stored, and the mismatches staff overrode (with their note). */
  private uploadRecord(
    requestId: number,
    upload: CheckedUpload,
    input: UploadInput,
    licenseId: number,
    actor: Actor,
  ): { actor: Actor; action: string; data: Record<string, unknown>; also: AuditEventInput[] } {
    const data = {
      licenseId,
      keyNumbers: upload.keyNumbers,
      files: upload.files.map((f) => ({ name: f.fileName, size: f.content.length, keyNumber: f.keyNumber })),
    };
    const also: AuditEventInput[] = upload.mismatches.length
      ? [
          {
            actor,
            action: 'license_request.upload_override',
            entityType: entity,
            entityId: requestId,
            data: { note: input.note?.trim(), mismatches: upload.mismatches },
          },
        ]
      : [];
    return { actor, action: 'license_request.uploaded', data, also };
  }

  /**
   * Staff upload the key(s) and file(s) of a request waiting for them (`needs_manual`).
   * Nothing is stored unless the whole upload is valid; then the license and its files are
   * written with the move to `files_retrieved` in one transaction, and the pipeline installs.
   */
  async uploadFiles(requestId: number, input: UploadInput, actor: Actor): Promise<ManualResult> {
    const request = await this.requestOrThrow(this.deps.db, requestId);
    if (request.state !== 'needs_manual')
      throw this.conflict(request, 'an upload', 'while it needs manual work (needs_manual)');
    const upload = await this.checked(input, request.product);
    const facts = this.licenseFacts(upload);
    await transaction(this.deps.db, async (tx) => {
      const existing = await this.deps.licenses.getByRequest(tx, requestId);
      await this.assertKeyFree(tx, request.configurationId, facts.keyNumber, existing?.id);
      const moved = await applyTransition(
        tx,
        this.deps,
        this.deps.requests.transition(requestId, 'needs_manual', 'files_retrieved', {
          attempts: 0,
          reason: null,
          nextAttemptAt: this.now(),
        }),
        async (tx) => {
          let licenseId: number;
          if (existing) {
            licenseId = existing.id;
            await this.deps.licenses.updateFromUpload(tx, licenseId, facts);
          } else {
            licenseId = (
              await this.deps.licenses.insert(tx, {
                requestId,
                configurationId: request.configurationId,
                subscriptionId: request.subscriptionId,
                customerId: request.customerId,
                product: request.product,
                features: request.features,
                source: 'upload',
                ...facts,
              })
            ).id;
          }
          await this.deps.licenses.replaceFiles(tx, licenseId, this.fileRows(upload));
          return {
            ...this.uploadRecord(requestId, upload, input, licenseId, actor),
            alongside: [this.deps.licenses.setStatus(licenseId, ['issued', 'files_retrieved'], 'files_retrieved')],
          };
        },
      );
      if (!moved) throw new ConflictError(`License request ${requestId} changed meanwhile; reload it`, 'invalid_state');
    });
    return this.resultThenEnqueue(requestId, 'files_retrieved');
  }

  /**
   * Manual install of a request waiting for staff that has its license and files:
   * `retry` runs the pipeline's install step again; `confirm` records that staff installed
   * it by hand (who, when and the note).
   */
  async install(requestId: number, mode: InstallMode, actor: Actor): Promise<ManualResult> {
    const request = await this.requestOrThrow(this.deps.db, requestId);
    if (request.state !== 'needs_manual')
      throw this.conflict(request, 'a manual install', 'while it needs manual work (needs_manual)');
    const license = await this.deps.licenses.getByRequest(this.deps.db, requestId);
    if (!license)
      throw new ConflictError(
        `License request ${requestId} has no license yet: upload its key and files first`,
        'no_license',
      );
    if (mode.mode === 'retry' && license.files.length === 0)
      throw new ConflictError(`License ${license.id} has no files to install: upload them or retry online`, 'no_files');
    const note = mode.mode === 'confirm' ? mode.note.trim() : '';
    if (mode.mode === 'confirm' && !note)
      throw ValidationError.forFields([{ field: 'note', message: 'required' }], {
        summary: 'say how the license was installed',
      });
    const moved =
      mode.mode === 'retry'
        ? await applyTransition(
            this.deps.db,
            this.deps,
            this.deps.requests.transition(requestId, 'needs_manual', 'files_retrieved', {
              attempts: 0,
              reason: null,
              nextAttemptAt: this.now(),
            }),
            { actor, action: 'license_request.install_retried', data: { licenseId: license.id } },
          )
        : await applyTransition(
            this.deps.db,
            this.deps,
            this.deps.requests.transition(requestId, 'needs_manual', 'installed', {
              attempts: 0,
              reason: null,
              lastError: null,
              nextAttemptAt: null,
            }),
            {
              actor,
              action: 'license_request.install_confirmed',
              data: { licenseId: license.id, keyNumber: license.keyNumber, note },
              event: { type: 'license.installed', payload: { entityId: license.id, installedBy: 'staff' } },
              alongside: [
                this.deps.licenses.setStatus(license.id, ['issued', 'files_retrieved'], 'installed', {
                  installedAt: this.now(),
                }),
              ],
            },
          );
    if (!moved) throw this.conflict(request, 'a manual install', 'once');
    if (mode.mode === 'retry') return this.resultThenEnqueue(requestId, 'files_retrieved');
    return this.result(requestId);
  }

  /**
   * Retry online: back into the pipeline at the step the request failed at, with a fresh
   * attempt budget. A request whose key may have been sent resumes at `issuing`, so the
   * pipeline looks the key up before sending again: no retry creates a second key.
   */
  async retry(requestId: number, actor: Actor): Promise<ManualResult> {
    const request = await this.requestOrThrow(this.deps.db, requestId);
    if (request.state !== 'needs_manual')
      throw this.conflict(request, 'retry online', 'while it needs manual work (needs_manual)');
    const license = await this.deps.licenses.getByRequest(this.deps.db, requestId);
    const to = retryOnlineFrom(request, license);
    const moved = await applyTransition(
      this.deps.db,
      this.deps,
      this.deps.requests.transition(requestId, 'needs_manual', to, {
        attempts: 0,
        reason: null,
        nextAttemptAt: this.now(),
      }),
      { actor, action: 'license_request.retried', data: { licenseId: license?.id ?? null } },
    );
    if (!moved) throw this.conflict(request, 'retry online', 'once');
    return this.resultThenEnqueue(requestId, to);
  }

  /** Cancel a request before its key is issued; afterwards it is a lifecycle action on the license. */
  async cancel(requestId: number, actor: Actor, note?: string): Promise<ManualResult> {
    const request = await this.requestOrThrow(this.deps.db, requestId);
    const cancellable: LicenseRequestState[] = ['pending', 'ready', 'needs_manual'];
    if (!cancellable.includes(request.state))
      throw this.conflict(
        request,
        'cancelling',
        'before a key is issued (pending, ready, or needs_manual without a license)',
      );
    await transaction(this.deps.db, async (tx) => {
      if (await this.deps.licenses.getByRequest(tx, requestId)) {
        throw new ConflictError(
          `License request ${requestId} already has a key; terminate the license instead`,
          'key_issued',
        );
      }
      const moved = await applyTransition(
        tx,
        this.deps,
        this.deps.requests.transition(requestId, request.state, 'cancelled', { nextAttemptAt: null }),
        { actor, action: 'license_request.cancelled', data: note ? { note } : undefined },
      );
      if (!moved) throw this.conflict(request, 'cancelling', 'before the pipeline takes it');
    });
    return this.result(requestId);
  }

  private async target(
    configurationId: number,
    subscriptionId: number | null | undefined,
  ): Promise<{ customerId: number | null }> {
    const configuration = await this.deps.configurations.get(this.deps.db, configurationId);
    if (!configuration)
      throw ValidationError.forFields([{ field: 'configurationId', message: 'unknown KA configuration' }], {
        summary: `KA configuration ${configurationId} does not exist`,
      });
    if (subscriptionId === null || subscriptionId === undefined) return { customerId: null };
    const subscription = await this.deps.subscriptions.get(this.deps.db, subscriptionId);
    if (!subscription)
      throw ValidationError.forFields([{ field: 'subscriptionId', message: 'unknown subscription' }], {
        summary: `subscription ${subscriptionId} does not exist`,
      });
    return { customerId: subscription.customerId };
  }

  /** New License, online: a request outside an order that the pipeline issues and installs. */
  async newLicenseRequest(input: NewLicenseRequestInput, actor: Actor): Promise<ManualResult> {
    const { customerId } = await this.target(input.configurationId, input.subscriptionId);
    const configuration = await this.deps.configurations.get(this.deps.db, input.configurationId);
    if (configuration?.allowedProducts && !configuration.allowedProducts.includes(input.product)) {
      throw ValidationError.forFields([{ field: 'product', message: 'not allowed for this KA configuration' }], {
        summary: `${configuration.name} may not sell ${input.product}`,
      });
    }
    const id = await transaction(this.deps.db, async (tx) => {
      const { id: requestId } = await this.deps.requests.insert(tx, {
        subscriptionId: input.subscriptionId ?? null,
        customerId,
        configurationId: input.configurationId,
        serviceId: null,
        source: 'manual',
        product: input.product,
        features: input.features,
        quantity: input.quantity ?? 1,
        periodMonths: input.periodMonths ?? null,
        state: 'ready',
      });
      await this.deps.audit.record(tx, {
        actor,
        action: 'license_request.created',
        entityType: entity,
        entityId: requestId,
        toState: 'ready',
        data: { source: 'manual', configurationId: input.configurationId, product: input.product },
      });
      return requestId;
    });
    return this.resultThenEnqueue(id, 'ready');
  }

  /**
   * New License from files: a request and its license made from uploaded key(s) and file(s),
   * checked like any upload, then installed by the pipeline (into nothing when standalone).
   */
  async newLicenseUpload(input: NewLicenseUploadInput, actor: Actor): Promise<ManualResult> {
    const { customerId } = await this.target(input.configurationId, input.subscriptionId);
    const upload = await this.checked(input, input.product ?? null);
    const product = input.product ?? upload.main?.keyType ?? upload.main?.productFamily;
    if (!product)
      throw ValidationError.forFields([{ field: 'product', message: 'required' }], {
        summary: 'the files do not name a product; give one',
      });
    const facts = this.licenseFacts(upload);
    const id = await transaction(this.deps.db, async (tx) => {
      await this.assertKeyFree(tx, input.configurationId, facts.keyNumber);
      const { id: requestId } = await this.deps.requests.insert(tx, {
        subscriptionId: input.subscriptionId ?? null,
        customerId,
        configurationId: input.configurationId,
        serviceId: null,
        source: 'manual',
        product,
        features: input.features ?? upload.main?.features ?? [],
        quantity: 1,
        periodMonths: null,
        state: 'files_retrieved',
      });
      await this.deps.audit.record(tx, {
        actor,
        action: 'license_request.created',
        entityType: entity,
        entityId: requestId,
        toState: 'files_retrieved',
        data: { source: 'upload', configurationId: input.configurationId, product },
      });
      const licenseId = (
        await this.deps.licenses.insert(tx, {
          requestId,
          configurationId: input.configurationId,
          subscriptionId: input.subscriptionId ?? null,
          customerId,
          product,
          features: input.features ?? upload.main?.features ?? [],
          source: 'upload',
          status: 'files_retrieved',
          ...facts,
        })
      ).id;
      await this.deps.licenses.replaceFiles(tx, licenseId, this.fileRows(upload), { hasNone: true });
      const uploaded = this.uploadRecord(requestId, upload, input, licenseId, actor);
      await this.deps.audit.recordMany(tx, [
        {
          actor,
          action: uploaded.action,
          entityType: entity,
          entityId: requestId,
          fromState: null,
          toState: 'files_retrieved',
          data: uploaded.data,
        },
        ...uploaded.also,
      ]);
      return requestId;
    });
    return this.resultThenEnqueue(id, 'files_retrieved');
  }
}
