import type { BulkAction } from './bulk-action.js';

/** The bulk actions this Keyway knows, by name; the composition root registers them. */
export class BulkActionRegistry {
  private readonly actions = new Map<string, BulkAction>();

  /** Throws on a second action of the same name: two would answer one job. */
  register(action: BulkAction): this {
    if (!/^[a-z][a-z0-9_]{0,39}$/.test(action.name)) throw new Error(`Bulk action name ${action.name} is not valid`);
    if (this.actions.has(action.name)) throw new Error(`Bulk action ${action.name} is registered twice`);
    this.actions.set(action.name, action);
    return this;
  }

  get(name: string): BulkAction | undefined {
    return this.actions.get(name);
  }

  list(): BulkAction[] {
    return [...this.actions.values()];
  }

  names(): string[] {
    return [...this.actions.keys()];
  }
}
