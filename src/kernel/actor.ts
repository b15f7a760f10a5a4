/** Who did something: a staff user, an API client, the worker, or the system itself. */
export interface Actor {
  type: 'staff' | 'api' | 'worker' | 'system';
  id?: string;
  name?: string;
}

export const workerActor: Actor = { type: 'worker', name: 'pipeline' };
export const systemActor: Actor = { type: 'system', name: 'keyway' };
