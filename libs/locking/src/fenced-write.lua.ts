/**
 * The one fenced write: sets a key only while the writer's lock still holds the writer's value, atomically,
 * so a writer paused past its lock's expiry (GC, SIGSTOP, a slow network) cannot overwrite what the instance
 * that took the lock over wrote. The lock key and the written key must share a hash tag (one Cluster slot).
 *
 * KEYS[1] lock key            KEYS[2] the key written
 * ARGV[1] lock value          ARGV[2] 'string' (SET ARGV[6]) or 'hash' (HSET ARGV[6..] as field, value pairs)
 * ARGV[3] PEXPIREAT epoch ms of the written key, or '' for no expiry
 * ARGV[4] a numeric hash field of the stored value that must not go backwards, or '' for none
 * ARGV[5] the new value of that field
 * Returns 1 written, 0 kept (the stored field is at least ARGV[5]), -1 the writer does not hold the lock.
 */
export const FENCED_WRITE_SCRIPT = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then
  return -1 -- the lock expired or another instance holds it now
end
if ARGV[4] ~= '' then
  local held = tonumber(redis.call('HGET', KEYS[2], ARGV[4]))
  if held and held >= tonumber(ARGV[5]) then
    return 0 -- the stored value is at least as recent: keep it
  end
end
if ARGV[2] == 'hash' then
  redis.call('HSET', KEYS[2], unpack(ARGV, 6))
else
  redis.call('SET', KEYS[2], ARGV[6])
end
if ARGV[3] ~= '' then
  redis.call('PEXPIREAT', KEYS[2], ARGV[3]) -- Redis drops the key at this time
end
return 1
`;
