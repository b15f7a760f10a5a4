/** Who did something: a staff user, an API client, the worker, or the system itself. */
export interface Actor {
  type: 'staff' | 'api' | 'worker' | 'system';
  id?: string;
  name?: string;
}

export const workerActor: Actor = { type: 'worker', name: 'pipeline' };
export const systemActor: Actor = { type: 'system', name: 'keyway' };

export interface AuditEventInput {
  actor: Actor;
  action: string;
  entityType: string;
  entityId: string | number;
  fromState?: string | null;
  toState?: string | null;
  data?: Record<string, unknown>;
  error?: Record<string, unknown>;
}

export interface AuditEvent {
  id: number;
  at: string;
  actor: Actor;
  action: string;
  entityType: string;
  entityId: string;
  fromState: string | null;
  toState: string | null;
  data: Record<string, unknown> | null;
  error: Record<string, unknown> | null;
}
