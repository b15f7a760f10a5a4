/** The job that advances a license request by one pipeline step; its payload is `{requestId}`. */
export const advanceJob = 'license.advance';

/**
 * Job id of one step of one attempt: duplicates of the same step collapse in the queue, while
 * the next step or attempt gets a new id.
 */
export function advanceJobId(requestId: number, state: string, attempts: number): string {
  return `lr-${requestId}-${state}-${attempts}`;
}
