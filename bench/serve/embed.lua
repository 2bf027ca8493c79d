-- wrk script for albertgen serve: POSTs one JSON body per request, cycling through a file of bodies (one per line).
--   wrk -t2 -c16 -d5s -s bench/serve/embed.lua http://127.0.0.1:8080 -- bodies.jsonl [/embed]
-- done() prints one line: RESULT requests=… non2xx=… rps=… p50_ms=… p99_ms=…
local bodies = {}
local next_body = 1
local path = "/embed"

function init(args)
  for line in io.lines(args[1]) do
    bodies[#bodies + 1] = line
  end
  if args[2] then path = args[2] end
  -- threads start at different places in the file
  math.randomseed(os.time() + #bodies + tonumber(tostring({}):match("0x(%x+)") or "0", 16) % 1000)
  next_body = math.random(#bodies)
end

function request()
  local body = bodies[next_body]
  next_body = next_body % #bodies + 1
  return wrk.format("POST", path, { ["Content-Type"] = "application/json" }, body)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT requests=%d non2xx=%d socket_errors=%d rps=%.1f p50_ms=%.2f p99_ms=%.2f\n",
    summary.requests, e.status, e.connect + e.read + e.write + e.timeout,
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
