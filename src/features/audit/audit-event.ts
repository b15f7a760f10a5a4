import type { Actor } from '../../kernel/actor.js';

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
