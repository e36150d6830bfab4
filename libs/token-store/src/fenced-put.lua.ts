/**
 * Writes a token record only if the writer still holds the credential's refresh lock and the new token
 * expires later than the stored one. Runs atomically in Redis, so a writer paused past its lock's expiry
 * (GC, SIGSTOP, a slow network) cannot overwrite the token of the instance that took the lock over, and a
 * stored expiry never goes backwards. Both keys share the `{cred:<id>}` hash tag: one Cluster slot.
 *
 * KEYS[1] token hash    KEYS[2] lock key
 * ARGV[1] lock value    ARGV[2] expiresAt (epoch ms)    ARGV[3] issuedAt (epoch ms)    ARGV[4] sealed token
 * Returns 1 written, 0 older than the stored token, -1 the writer does not hold the lock.
 */
export const FENCED_PUT_SCRIPT = `
if redis.call('GET', KEYS[2]) ~= ARGV[1] then
  return -1 -- the lock expired or another instance holds it now
end
local held = tonumber(redis.call('HGET', KEYS[1], 'exp'))
if held and held >= tonumber(ARGV[2]) then
  return 0 -- the stored token lives at least as long: keep it
end
redis.call('HSET', KEYS[1], 'exp', ARGV[2], 'iat', ARGV[3], 'v', ARGV[4])
redis.call('PEXPIREAT', KEYS[1], ARGV[2]) -- Redis drops the record when the token expires
return 1
`;
