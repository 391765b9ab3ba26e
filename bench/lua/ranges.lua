-- Successive ranges of one file, as a player reads a video: bytes=0-1048575, then the next MiB, …
-- args: <file size> <range size>. Each thread walks the file from its own starting point.
local size, chunk, offset

function init(args)
  size = tonumber(args[1])
  chunk = tonumber(args[2])
  local chunks = math.floor(size / chunk)
  offset = ((id or 0) * 7919 % chunks) * chunk
end

function request()
  local last = math.min(offset + chunk, size) - 1
  local req = wrk.format(nil, nil, { ["Range"] = "bytes=" .. offset .. "-" .. last })
  offset = last + 1
  if offset >= size then offset = 0 end
  return req
end
