-- demo.lua — a first look at luagrad: make tensors, look at them through
-- views, and ask for help.  (The training demo replaces this once nn, optim
-- and data land: see the README.)
torch.manual_seed(0)

local x = torch.arange(1, 13):view(3, 4)
print("x = torch.arange(1, 13):view(3, 4), shape " .. table.concat(x.shape, "x") .. ", dtype " .. x.dtype)
local function rows(t)
  local out = {}
  for i, row in ipairs(t:totable()) do out[i] = "  " .. table.concat(row, " ") end
  return table.concat(out, "\n")
end
print(rows(x))
print("x:t() is a view with strides {" .. table.concat(x:t():stride(), ", ") .. "}:")
print(rows(x:t()))
print("x:narrow(2, 2, 2), columns 2..3:")
print(rows(x:narrow(2, 2, 2)))
local r = torch.rand(2, 3)
print(string.format("torch.rand(2, 3) after manual_seed(0): first value %.6f", r:totable()[1][1]))
print()
help(torch.narrow and torch.narrow or x.narrow)
