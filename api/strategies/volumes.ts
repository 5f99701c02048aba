import type { Strategy } from '../resource.js';

/** PersistentVolumes start Pending and PersistentVolumeClaims Pending, until the binder moves them. */
export const persistentVolumeStrategy: Strategy = {
  prepareForCreate(volume) {
    volume.status = { phase: 'Pending' };
  },
};

export const persistentVolumeClaimStrategy: Strategy = {
  prepareForCreate(claim) {
    claim.status = { phase: 'Pending' };
  },
};
