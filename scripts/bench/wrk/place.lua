-- POST an order of two of the hot products (BENCH_HOT, comma-separated ids;
-- one line when there is one)
-- for BENCH_CUSTOMER to BENCH_PATH, one unit each, each request with its own
-- Idempotency-Key. The two products of a request come in the order of the
-- list, so no client asks for two rows in opposite orders.
package.path = os.getenv("BENCH_LUA_DIR") .. "/?.lua;" .. package.path
local common = require("common")

local hot = {}
for id in string.gmatch(os.getenv("BENCH_HOT"), "[^,]+") do
  hot[#hot + 1] = id
end
local customer = os.getenv("BENCH_CUSTOMER")
local path = os.getenv("BENCH_PATH")
local run = os.getenv("BENCH_RUN_ID") or "run"

wrk.method = "POST"
common.headers()
wrk.headers["Content-Type"] = "application/json"
done = common.done

common.number_threads(_G)

local sent = 0
function request()
  sent = sent + 1
  local k = #hot
  local lines
  if k == 1 then
    lines = string.format('{"product": "%s", "quantity": 1}', hot[1])
  else
    local i = sent % k
    local j = (i + 1 + math.floor(sent / k) % (k - 1)) % k
    if j < i then
      i, j = j, i
    end
    lines = string.format(
      '{"product": "%s", "quantity": 1}, {"product": "%s", "quantity": 1}',
      hot[i + 1], hot[j + 1])
  end
  local body = string.format(
    '{"customer": "%s", "shipping_address": {"line1": "1 rue du Banc", ' ..
    '"city": "Lyon", "postal_code": "69001", "country": "FR"}, "lines": [%s]}',
    customer, lines)
  local headers = {}
  for name, value in pairs(wrk.headers) do
    headers[name] = value
  end
  headers["Idempotency-Key"] = string.format("%s-%d-%d", run, thread_id, sent)
  return wrk.format("POST", path, headers, body)
end
