import { z } from 'zod';
import { assertSchemaFits } from '../../http/response-schema.js';
import { licenseRequestSchema } from '../license-requests/license-request-schema.js';
import { licenseSchema } from '../licenses/license-schema.js';
import type { ManualResult } from './manual-license-service.js';

/** A request with its license, as a manual action left them. */
export const manualResultSchema = z.object({ request: licenseRequestSchema, license: licenseSchema.nullable() });
assertSchemaFits<typeof manualResultSchema, ManualResult>();
