-- small_mnist.lua — writes the first N training and M test samples of an
-- MNIST-format folder as a new, plain-IDX folder, so that a training script
-- can run one short epoch (under valgrind, where everything is ~30x slower).
-- usage: luagrad tests/valgrind/small_mnist.lua SOURCE-DIR OUT-DIR N M
local source, out, n_train, n_test = arg[1], arg[2], tonumber(arg[3]), tonumber(arg[4])
assert(source and out and n_train and n_test, "usage: small_mnist.lua SOURCE-DIR OUT-DIR N M")

local function write_idx(path, t)
  local f = assert(io.open(path, "wb"))
  f:write(string.char(0, 0, 8, t:dim()))
  for d = 1, t:dim() do f:write(string.pack(">I4", t:size(d))) end
  local bytes = t:flatten():totable()
  for i = 1, #bytes, 4096 do
    f:write(string.char(table.unpack(bytes, i, math.min(i + 4095, #bytes))))
  end
  f:close()
end

for _, file in ipairs({{"train", n_train}, {"t10k", n_test}}) do
  for _, kind in ipairs({"images-idx3", "labels-idx1"}) do
    local name = file[1] .. "-" .. kind .. "-ubyte"
    local t = torch._read_idx(source .. "/" .. name .. ".gz")
    write_idx(out .. "/" .. name, t:narrow(1, 1, file[2]))
  end
end
