export { AdobeConsoleClient, type AddedSecret, type ConsoleSecret, type ConsoleTarget } from './adobe-console.client';
export { MANAGEMENT_SCOPES, ROTATION_TIMINGS } from './rotation.constants';
export { ConsoleApiError, RotationInProgressError, RotationNotConfiguredError, RotationStepError } from './rotation.errors';
export { RotationModule } from './rotation.module';
export type { RotationModuleOptions } from './rotation.options';
export { decideSchedule, jitterMs, jitterRange, type ScheduleDecision } from './rotation-schedule';
export type { RotationOutcome, RotationRecord, RotationState, RotationStep, RotationTrigger, StepRun } from './rotation-state';
export { type DryRunReport, RotationService, type RotationStatus } from './rotation.service';
export type { PrepareReport } from './rotation.steps';
