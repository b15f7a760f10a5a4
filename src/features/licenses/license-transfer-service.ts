import { NotFoundError, ValidationError } from '../../errors/app-error.js';
import type { Db } from '../../infra/db/database.js';
import { transaction } from '../../infra/db/transaction.js';
import type { Actor } from '../../kernel/actor.js';
import type { AuditStore } from '../audit/audit-store.js';
import type { CustomerReader } from '../customers/customer-reader.js';
import type { LicenseRequestPort } from '../license-requests/license-request-port.js';
import type { SubscriptionLookup } from '../subscriptions/subscription-port.js';
import type { LicenseStore } from './license-store.js';
import type { LicenseSummary } from './license.js';

/** Where a license goes: another customer, or a subscription (of that customer, when both are named). */
export interface TransferInput {
  customerId?: number;
  subscriptionId?: number;
  note?: string;
}

export interface LicenseTransferDeps {
  db: Db;
  licenses: LicenseStore;
  requests: LicenseRequestPort;
  customers: CustomerReader;
  subscriptions: SubscriptionLookup;
  audit: AuditStore;
}

/**
 * Moves a license, with its request, to another customer or to another subscription (staff),
 * in one transaction with its audit events. A subscription named with a customer must be that
 * customer's; a customer alone detaches the license from its subscription. Mismatches are
 * refused naming the field, and change nothing.
 */
export class LicenseTransferService {
  constructor(private readonly deps: LicenseTransferDeps) {}

  async transfer(licenseId: number, input: TransferInput, actor: Actor): Promise<LicenseSummary> {
    const { db } = this.deps;
    if (input.customerId === undefined && input.subscriptionId === undefined)
      throw ValidationError.forFields([{ field: 'customerId', message: 'name a customerId or a subscriptionId' }]);
    const license = await this.deps.licenses.get(db, licenseId);
    if (!license) throw new NotFoundError('license', licenseId);
    const owner = await this.ownerOf(input);
    if (owner.customerId === license.customerId && owner.subscriptionId === license.subscriptionId)
      throw ValidationError.forFields([
        {
          field: input.subscriptionId !== undefined ? 'subscriptionId' : 'customerId',
          message: 'the license already belongs there',
        },
      ]);
    await transaction(db, async (tx) => {
      await this.deps.licenses.reassign(tx, license.id, owner);
      if (license.requestId !== null) await this.deps.requests.reassign(tx, license.requestId, owner);
      const data = {
        from: { customerId: license.customerId, subscriptionId: license.subscriptionId },
        to: owner,
        keyNumber: license.keyNumber,
        ...(input.note ? { note: input.note } : {}),
      };
      await this.deps.audit.recordMany(tx, [
        { actor, action: 'license.transferred', entityType: 'license', entityId: license.id, data },
        ...(license.requestId === null
          ? []
          : [
              {
                actor,
                action: 'license_request.transferred',
                entityType: 'license_request',
                entityId: license.requestId,
                data: { ...data, licenseId: license.id },
              },
            ]),
      ]);
    });
    return (await this.deps.licenses.get(db, license.id)) as LicenseSummary;
  }

  private async ownerOf(input: TransferInput): Promise<{ customerId: number; subscriptionId: number | null }> {
    const { db } = this.deps;
    if (input.subscriptionId !== undefined) {
      const subscription = await this.deps.subscriptions.get(db, input.subscriptionId);
      if (!subscription)
        throw ValidationError.forFields([
          { field: 'subscriptionId', message: `no subscription ${input.subscriptionId}` },
        ]);
      if (input.customerId !== undefined && subscription.customerId !== input.customerId)
        throw ValidationError.forFields([
          {
            field: 'subscriptionId',
            message: `subscription ${subscription.id} belongs to customer ${subscription.customerId}, not ${input.customerId}`,
          },
        ]);
      return { customerId: subscription.customerId, subscriptionId: subscription.id };
    }
    const customerId = input.customerId as number;
    if (!(await this.deps.customers.get(db, customerId)))
      throw ValidationError.forFields([{ field: 'customerId', message: `no customer ${customerId}` }]);
    return { customerId, subscriptionId: null };
  }
}
