import type { ProvisionOutcome, ServiceProvisioner } from './service-provisioner.js';

/** For services staff set up by hand: waits until someone marks it ready. */
export class ManualServiceProvisioner implements ServiceProvisioner {
  readonly name = 'manual';

  async provision(): Promise<ProvisionOutcome> {
    return { state: 'waiting' };
  }
}
