import type { z } from 'zod';
import type { Subscription } from './subscription.js';

/**
 * The port through which routes show a whole subscription (its services, license requests and
 * licenses, which other features own). The read model above the features implements it
 * (`src/read-models/subscription-view.ts`); the composition root passes it in.
 */
export interface SubscriptionReader {
  /** The subscription with everything the API shows of it, or undefined when there is none. */
  get(id: number): Promise<Subscription | undefined>;
  /** The schema of what `get` answers, for the API document: the read model knows the parts it adds. */
  readonly schema: z.ZodType;
}
