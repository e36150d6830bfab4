import { MESSAGES } from '../config.constants';
import { ConfigValidationError } from '../errors/config-validation.error';
import { BROKER_ENV_VARIABLES, parseEnvironment } from './environment.parser';

describe('ROTATION_CHECK_INTERVAL', () => {
  it('is absent unless set (the rotation module then checks every 30 s), and read as a duration', () => {
    expect(parseEnvironment({})).not.toHaveProperty('rotationCheckIntervalMs');
    expect(parseEnvironment({ ROTATION_CHECK_INTERVAL: '250ms' }).rotationCheckIntervalMs).toBe(250);
    expect(parseEnvironment({ ROTATION_CHECK_INTERVAL: '1m' }).rotationCheckIntervalMs).toBe(60_000);
    expect(BROKER_ENV_VARIABLES).toContain('ROTATION_CHECK_INTERVAL');
  });

  it.each([
    ['0', MESSAGES.rotationCheckInterval],
    ['50ms', MESSAGES.rotationCheckInterval],
    ['30', MESSAGES.duration],
    ['soon', MESSAGES.duration],
  ])('rejects %p', (value, message) => {
    let error: unknown;
    try {
      parseEnvironment({ ROTATION_CHECK_INTERVAL: value });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigValidationError);
    expect((error as ConfigValidationError).issues).toEqual([{ path: 'ROTATION_CHECK_INTERVAL', message }]);
  });
});
