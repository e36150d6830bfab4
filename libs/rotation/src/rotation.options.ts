/** Options of `RotationModule.forRoot`. */
export interface RotationModuleOptions {
  /** `fleet`: the record lives in Redis (needs the global RedisModule); `local`: in process memory. */
  readonly mode: 'fleet' | 'local';
  /** How often every instance looks for due schedules, retirements and interrupted rotations. */
  readonly checkIntervalMs: number;
}
