export { DriftStage } from './DriftStage';
export type { DriftStageOptions } from './DriftStage';
export { DRIFT_PROFILE_FIELDS, DriftProfiles } from './DriftProfiles';
export { evaluateDrift, kubernetesVersionAllowed } from './evaluate';
export type { DriftInputs, UndatedFinding } from './evaluate';
export { driftProfileOf } from './profiles';
export type { DriftProfile, DriftProfileVersion, DriftLayer } from './profiles';
