-- One operation for wrk (the load generator of `make bench`), chosen by environment:
--   WRK_METHOD (GET), WRK_PATH (may hold {id}), WRK_IDS (a file of ticket ids, one per line, for
--   {id}), WRK_BODY (a JSON body), WRK_TOKEN (the bearer token).
-- When done it prints one JSON line: requests, seconds, p50_ms, p99_ms, errors, non2xx.
local method = os.getenv("WRK_METHOD") or "GET"
local path = os.getenv("WRK_PATH")
local body = os.getenv("WRK_BODY")
local token = os.getenv("WRK_TOKEN")
local ids = {}
local id_file = os.getenv("WRK_IDS")
if id_file then
  for line in io.lines(id_file) do ids[#ids + 1] = line end
end
local counter = 0

function init(args)
  math.randomseed(os.time() + (tonumber(tostring({}):sub(8)) or 0))
end

function request()
  local p = path
  if #ids > 0 then p = p:gsub("{id}", ids[math.random(1, #ids)]) end
  counter = counter + 1
  local headers = { ["Authorization"] = "Bearer " .. token }
  local b = nil
  if body then
    headers["Content-Type"] = "application/json"
    b = body:gsub("{n}", tostring(counter))
  end
  return wrk.format(method, p, headers, b)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests": %d, "seconds": %.3f, "p50_ms": %.2f, "p99_ms": %.2f, "errors": %d, "non2xx": %d}\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    e.connect + e.read + e.write + e.timeout, e.status))
end
