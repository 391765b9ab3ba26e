-- Cycles through many files: <prefix>00000<suffix>, <prefix>00001<suffix>, …
-- args: <prefix> <suffix> <count>. Each thread starts at its own point of the list.
local prefix, suffix, count, i

function init(args)
  prefix = args[1]
  suffix = args[2]
  count = tonumber(args[3])
  i = ((id or 0) * 4999) % count
end

function request()
  local path = string.format("%s%05d%s", prefix, i, suffix)
  i = (i + 1) % count
  return wrk.format(nil, path)
end
