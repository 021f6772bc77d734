-- GET BENCH_PATH (see common.lua for the environment it reads). With
-- BENCH_UNIQUE=1 each request adds a query parameter of its own (ignored by
-- the endpoints), so no two requests share a cache key: every one is a miss.
package.path = os.getenv("BENCH_LUA_DIR") .. "/?.lua;" .. package.path
local common = require("common")

wrk.method = "GET"
wrk.path = os.getenv("BENCH_PATH")
common.headers()
done = common.done

if os.getenv("BENCH_UNIQUE") == "1" then
  local run = os.getenv("BENCH_RUN_ID") or "run"
  common.number_threads(_G)
  local sent = 0
  function request()
    sent = sent + 1
    local path = string.format("%s?miss=%s-%d-%d", wrk.path, run, thread_id, sent)
    return wrk.format(nil, path)
  end
end
