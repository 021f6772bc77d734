-- Shared by the wrk scripts: headers from the environment, an optional fixed
-- request rate, and a machine-readable summary line at the end.
--
--   BENCH_HOST, BENCH_TOKEN (optional), BENCH_RATE (requests/s in total, 0 =
--   as fast as the connections go), BENCH_THREADS (wrk's -t, to split the rate)
local ffi = require("ffi")
ffi.cdef [[
  typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
  int clock_gettime(int clock_id, bench_timespec *tp);
]]
local timespec = ffi.new("bench_timespec")

local function now_ms()
  ffi.C.clock_gettime(1, timespec) -- CLOCK_MONOTONIC
  return tonumber(timespec.tv_sec) * 1000 + tonumber(timespec.tv_nsec) / 1e6
end

local M = {}

function M.headers()
  wrk.headers["Host"] = os.getenv("BENCH_HOST")
  wrk.headers["X-Forwarded-Proto"] = "https" -- as the load balancer would say
  local token = os.getenv("BENCH_TOKEN") or ""
  if token ~= "" then
    wrk.headers["Authorization"] = "Bearer " .. token
  end
end

-- A fixed rate: each thread hands out send slots at its share of BENCH_RATE,
-- one slot per request whatever the connection, so the schedule does not slow
-- down when the server does (a late response delays only its own connection).
function M.install_rate(env)
  local rate = tonumber(os.getenv("BENCH_RATE") or "0")
  if rate <= 0 then
    return
  end
  local interval = 1000 * tonumber(os.getenv("BENCH_THREADS") or "1") / rate
  local next_slot = nil
  env.delay = function()
    local now = now_ms()
    if next_slot == nil then
      next_slot = now
    end
    local wait = next_slot - now
    next_slot = next_slot + interval
    if wait < 0 then
      return 0
    end
    return wait
  end
end

-- Number wrk's threads (``thread_id`` in each), for per-request unique values.
function M.number_threads(env)
  local threads = 0
  env.setup = function(thread)
    threads = threads + 1
    thread:set("thread_id", threads)
  end
end

function M.done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH_RESULT {"requests": %d, "duration_us": %d, "non_2xx": %d, ' ..
    '"connect": %d, "read": %d, "write": %d, "timeout": %d, ' ..
    '"p50_us": %d, "p90_us": %d, "p99_us": %d, "max_us": %d}\n',
    summary.requests, summary.duration, e.status, e.connect, e.read, e.write,
    e.timeout, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max))
end

return M
