-- help texts: every C-bound function has one, and help finds it by value or name.
local T = require "testing"

T.test("help of a C function shows its signature and description", function()
  local text = torch.helptext(torch.set_num_threads)
  T.truthy(text:find("torch.set_num_threads(n)", 1, true), "signature in: " .. text)
  T.truthy(text:find("threads", 1, true), "description")
end)

T.test("help shows the example of a function that has one", function()
  local text = torch.helptext(torch.get_num_threads)
  T.truthy(text:find("Example:\n    print(torch.get_num_threads())", 1, true), "example in: " .. text)
end)

T.test("help by dotted name equals help by value", function()
  T.eq(torch.helptext "torch.get_num_threads", torch.helptext(torch.get_num_threads))
end)

T.test("help of a module lists its documented functions", function()
  local text = torch.helptext(torch)
  T.truthy(text:find("set_num_threads", 1, true), "listing of torch")
end)

T.test("help of an unknown name says so", function()
  T.eq(torch.helptext "torch.nosuch", "help: no such name: torch.nosuch")
end)

T.test("every function in torch has help text", function()
  local missing = {}
  for name, v in pairs(torch) do
    if type(v) == "function" and not torch._docs[v] then missing[#missing + 1] = name end
  end
  table.sort(missing)
  T.eq(table.concat(missing, ", "), "", "functions without help")
end)

T.test("threads can be set and read back", function()
  local before = torch.get_num_threads()
  torch.set_num_threads(1)
  T.eq(torch.get_num_threads(), 1)
  torch.set_num_threads(before)
  T.errors("thread count must be between 1 and 1024", torch.set_num_threads, 0)
end)
