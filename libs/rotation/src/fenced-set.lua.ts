/**
 * Writes the rotation record only while the writer holds the credential's rotation lock, atomically, so an
 * instance paused past its lock's expiry cannot overwrite the record of the instance that took over. Both
 * keys share the `{cred:<id>}` hash tag: one Cluster slot.
 *
 * KEYS[1] lock key    KEYS[2] record key    ARGV[1] lock value    ARGV[2] record JSON
 * Returns 1 written, -1 the writer does not hold the lock.
 */
export const FENCED_SET_SCRIPT = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then
  return -1 -- the lock expired or another instance holds it now
end
redis.call('SET', KEYS[2], ARGV[2])
return 1
`;
