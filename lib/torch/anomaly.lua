-- anomaly.lua — anomaly detection, PyTorch's torch.autograd.set_detect_anomaly.
--
-- While it is on, every op that records a graph node also records the Lua
-- traceback of where the program made it (the teaching tracer's mechanism,
-- bind_teach.c, keeping only the traceback), and backward checks each
-- gradient a node's formula returns: the first that holds NaN or Inf stops
-- backward with an error naming the node (LogBackward, DivBackward, ...) and
-- quoting that traceback.  Off, forward records nothing and backward checks
-- nothing.
--
--   torch.autograd.detect_anomaly(function()
--     local loss = model(x):log():sum()
--     loss:backward()        -- anomaly: LogBackward returned nan values ... made at train.lua:12
--   end)
local torch = require "torch"
local autograd = torch.autograd

-- set_detect_anomaly and is_anomaly_enabled are C functions (vm/bind_teach.c).
torch.doc(autograd.set_detect_anomaly, "torch.autograd.set_detect_anomaly(on)",
  "Anomaly detection: while on, ops remember the traceback of where they were made and backward "
    .. "stops at the first node whose gradient holds NaN or Inf, naming the op and quoting that "
    .. "traceback. Off (the default) it costs nothing; on, forward and backward are slower.",
  "torch.autograd.set_detect_anomaly(true)\n"
    .. "local x = torch.tensor({0.0}, {requires_grad = true})\n"
    .. "local ok, err = pcall(function() (x:log() * 0):sum():backward() end)\n"
    .. "print(err:match('anomaly: [^;]*'))\n"
    .. "torch.autograd.set_detect_anomaly(false)")

-- Closing it puts back the setting it was made with (also when an error unwinds).
local Restore = {__close = function(self) autograd.set_detect_anomaly(self.was) end}

function autograd.detect_anomaly(fn, ...)
  if type(fn) ~= "function" then error("detect_anomaly: expected a function, got " .. type(fn), 2) end
  local restore <close> = setmetatable({was = autograd.is_anomaly_enabled()}, Restore)
  autograd.set_detect_anomaly(true)
  return fn(...)
end
torch.doc(autograd.detect_anomaly, "torch.autograd.detect_anomaly(fn, ...)",
  "Calls fn(...) with anomaly detection on (see set_detect_anomaly) and returns its results; "
    .. "the previous setting comes back afterwards, also when fn raises.",
  "local x = torch.tensor({0.0}, {requires_grad = true})\n"
    .. "local ok, err = pcall(torch.autograd.detect_anomaly, function() (x:log() * 0):sum():backward() end)\n"
    .. "print(ok, err:match('anomaly: [^;]*'))")

return true
