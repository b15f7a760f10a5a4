import type { LicenseStatus } from './license.js';

/** What staff can do to a license at its KA after it was issued (DESIGN.md: cancelling after the key is a terminate). */
export const lifecycleActions = ['suspend', 'resume', 'terminate', 'renew'] as const;
export type LifecycleAction = (typeof lifecycleActions)[number];

export function isLifecycleAction(kind: string): kind is LifecycleAction {
  return (lifecycleActions as readonly string[]).includes(kind);
}

/** The statuses each action starts from. A renewal reinstalls, so it waits for the install. */
export const allowedFrom: Record<LifecycleAction, LicenseStatus[]> = {
  suspend: ['issued', 'files_retrieved', 'installed'],
  resume: ['suspended'],
  terminate: ['issued', 'files_retrieved', 'installed', 'suspended'],
  renew: ['installed'],
};

/**
 * Where a resumed license goes back to: installed, or waiting for its install (with its files,
 * or with only its key).
 */
export function resumedStatus(license: { installedAt: string | null; files: readonly unknown[] }): LicenseStatus {
  return license.installedAt ? 'installed' : license.files.length ? 'files_retrieved' : 'issued';
}

/** Audit action names: `license.suspended` and so on. */
export const pastTense: Record<LifecycleAction, string> = {
  suspend: 'suspended',
  resume: 'resumed',
  terminate: 'terminated',
  renew: 'renewed',
};

/** Present participles for messages: "a renewal is in progress". */
export const actionNoun: Record<LifecycleAction, string> = {
  suspend: 'suspension',
  resume: 'resumption',
  terminate: 'termination',
  renew: 'renewal',
};
