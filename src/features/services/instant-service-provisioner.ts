import type { ProvisionOutcome, ServiceProvisioner } from './service-provisioner.js';

/** For services that need nothing done outside Keyway: ready at once. */
export class InstantServiceProvisioner implements ServiceProvisioner {
  readonly name = 'instant';

  async provision(): Promise<ProvisionOutcome> {
    return { state: 'ready' };
  }
}
