import { auditOperations } from './features/audit/audit-routes.js';
import { tokenOperations } from './features/auth/token-routes.js';
import { customerOperations } from './features/customers/customer-routes.js';
import { kaConfigurationOperations } from './features/ka-configurations/ka-configuration-routes.js';
import { licenseRequestOperations } from './features/license-requests/license-request-routes.js';
import { licenseOperations } from './features/licenses/license-routes.js';
import { workedOperationOperations } from './features/licenses/worked-operation-routes.js';
import { orderOperations } from './features/orders/order-routes.js';
import { renewalOperations } from './features/renewals/renewal-routes.js';
import { subscriptionActionOperations } from './features/subscription-actions/subscription-action-routes.js';
import { planOperations } from './features/plans/plan-routes.js';
import { serviceOperations } from './features/services/service-routes.js';
import { subscriptionOperations } from './features/subscriptions/subscription-routes.js';
import { manualLicenseOperations } from './features/uploads/manual-license-routes.js';
import type { ApiOperation } from './http/openapi/api-operation.js';
import { eventOperations } from './features/events/event-routes.js';
import { mailOperations } from './features/mail/mail-routes.js';
import { mailRecipientOperations } from './features/mail/mail-recipient-routes.js';
import { webhookOperations } from './features/webhooks/webhook-routes.js';

/** Every operation of the JSON API, in the order the document lists them. */
export const apiOperations: ApiOperation[] = [
  ...orderOperations,
  ...customerOperations,
  ...planOperations,
  ...subscriptionOperations,
  ...renewalOperations,
  ...subscriptionActionOperations,
  ...serviceOperations,
  ...licenseRequestOperations,
  ...manualLicenseOperations,
  ...licenseOperations,
  ...workedOperationOperations,
  ...kaConfigurationOperations,
  ...auditOperations,
  ...tokenOperations,
  ...eventOperations,
  ...webhookOperations,
  ...mailOperations,
  ...mailRecipientOperations,
];
