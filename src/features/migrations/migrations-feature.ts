import type { DeclaredRouter } from '../../http/route-declaration.js';
import { type MigrationBulkJobs, migrationRoutes } from './migration-routes.js';
import { MigrationService, type MigrationServiceDeps } from './migration-service.js';
import { MigrationStore } from './migration-store.js';

/** The sweep the reconcile loop runs: migrations whose request was cancelled fail; stragglers move on. */
export class MigrationSweep {
  readonly entity = { name: 'license_migration' };
  constructor(private readonly service: MigrationService) {}
  reconcile(): Promise<{ failed: number; moved: number }> {
    return this.service.sweep();
  }
}

/** Migrations of licenses to another KA configuration: the service, its routes and its sweep. */
export function createMigrationsFeature(deps: Omit<MigrationServiceDeps, 'store'> & { bulk: MigrationBulkJobs }): {
  service: MigrationService;
  routes: DeclaredRouter;
  sweep: MigrationSweep;
} {
  const service = new MigrationService({ ...deps, store: new MigrationStore(deps.now) });
  return { service, routes: migrationRoutes({ service, bulk: deps.bulk }), sweep: new MigrationSweep(service) };
}
