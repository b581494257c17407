-- Lambda.lua — any function as a transform.
local torch = require "torch"
local Transform = require "data.transforms.Transform"

local Lambda = Transform:extend("Lambda")

function Lambda:init(fn)
  if type(fn) ~= "function" then error("Lambda: expected a function, got " .. type(fn), 3) end
  self.fn = fn
end

function Lambda:forward(x) return self.fn(x) end

torch.doc(Lambda, "data.transforms.Lambda(fn)", "The function fn as a transform.",
  [[
local t = data.transforms.Lambda(function(x) return x:flatten() end)
print(t(torch.zeros(1, 2, 2)).shape[1])]])
return Lambda
