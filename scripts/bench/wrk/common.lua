-- Shared by the wrk scripts: headers from the environment (BENCH_HOST,
-- BENCH_TOKEN when signed in) and a machine-readable summary line at the end.
-- wrk drives the closed-loop runs; rate.py drives the fixed-rate ones.

local M = {}

function M.headers()
  wrk.headers["Host"] = os.getenv("BENCH_HOST")
  wrk.headers["X-Forwarded-Proto"] = "https" -- as the load balancer would say
  local token = os.getenv("BENCH_TOKEN") or ""
  if token ~= "" then
    wrk.headers["Authorization"] = "Bearer " .. token
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
