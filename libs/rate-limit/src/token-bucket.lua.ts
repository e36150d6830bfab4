/**
 * The token bucket of `token-bucket.ts`, atomically in Redis so every broker of a fleet draws from one
 * bucket per caller. Time comes from the Redis server (TIME), so brokers with skewed clocks agree.
 *
 * KEYS[1] the caller's bucket (a hash: tokens, at)
 * ARGV[1] requests per second    ARGV[2] burst
 * Returns 0 when the request is admitted, else the ms until the bucket holds one request again.
 */
export const TOKEN_BUCKET_SCRIPT = `
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(state[1]) or burst -- a missing bucket is a full one
local at = tonumber(state[2]) or now
if now > at then -- refill for the time since the last request
  tokens = tokens + (now - at) * rate / 1000
  at = now
end
if tokens > burst then tokens = burst end -- a lowered burst applies at once
local wait = 0
if tokens >= 1 then
  tokens = tokens - 1 -- admitted
else
  wait = math.ceil((1 - tokens) * 1000 / rate) -- ms until one whole request has refilled
end
redis.call('HSET', KEYS[1], 'tokens', tokens, 'at', at)
redis.call('PEXPIRE', KEYS[1], math.ceil(burst * 1000 / rate) + 1000) -- gone once it would be full again
return wait
`;
