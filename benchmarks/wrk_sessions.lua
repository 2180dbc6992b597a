-- wrk script for bench_pages.py: every request carries the session cookie of one of the
-- generated tenants (rotating), over the paths in WRK_PATHS (comma-separated, rotating).
-- Prints one machine-readable RESULT line at the end.
local tokens = {}
for line in io.lines(os.getenv("TOKENS_FILE")) do tokens[#tokens + 1] = line end
local paths = {}
for p in string.gmatch(os.getenv("WRK_PATHS") or "/", "[^,]+") do paths[#paths + 1] = p end
local next_id = 0
local counter = 0

function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
end

function init(args)
  counter = id * 7919
end

function request()
  counter = counter + 1
  local tok = tokens[(counter % #tokens) + 1]
  local path = paths[(counter % #paths) + 1]
  return wrk.format("GET", path, {["Cookie"] = "kommpass_session=" .. tok})
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "RESULT requests=%d seconds=%.2f p50=%.1f p95=%.1f p99=%.1f max=%.1f mean=%.1f non2xx=%d errors=%d\n",
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000, latency.mean / 1000, e.status,
    e.connect + e.read + e.write + e.timeout))
end
