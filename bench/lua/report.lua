-- Prepended to every bench script: wrk's own totals as one JSON line (bench/wrk.ts parses it).
-- Errors: status counts responses with a status of 400 or more.
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK_JSON {"requests":%d,"bytes":%d,"duration_us":%d,' ..
    '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},' ..
    '"latency_us":{"p50":%d,"p99":%d,"max":%d}}\n',
    summary.requests, summary.bytes, summary.duration,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(99), latency.max))
end

-- Each thread gets a number, so threads start at different places in the file or file list.
local threads = 0
function setup(thread)
  thread:set("id", threads)
  threads = threads + 1
end
