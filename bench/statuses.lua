-- For wrk: count every status its connections receive, telling a 503 or 429 that says when to retry
-- (Retry-After) from one that does not; printed at the end as `status <status> <count>` lines.
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  counts = {}
end

function response(status, headers, body)
  local key = tostring(status)
  if (status == 503 or status == 429) and headers["retry-after"] == nil and headers["Retry-After"] == nil then
    key = key .. "-without-Retry-After"
  end
  counts[key] = (counts[key] or 0) + 1
end

function done(summary, latency, requests)
  local total = {}
  for _, thread in ipairs(threads) do
    for key, count in pairs(thread:get("counts")) do
      total[key] = (total[key] or 0) + count
    end
  end
  for key, count in pairs(total) do
    io.write(string.format("status %s %d\n", key, count))
  end
end
