-- nn.utils: gradient clipping by total norm and by value, and the
-- parameters <-> one vector conversions, on values worked out by hand.
local T = require "testing"

local function with_grads(...)
  local params = {}
  for i, g in ipairs {...} do
    local values = torch.tensor(g, {dtype = "float64"})
    params[i] = torch.zeros_like(values):requires_grad_()
    params[i].grad = values
  end
  return params
end

T.test("clip_grad_norm_ scales every gradient by max_norm / (total norm + 1e-6) and returns the norm", function()
  local params = with_grads({3, 4}, {{12}})
  local total = nn.utils.clip_grad_norm_(params, 6.5)
  T.close(total:item(), 13, 1e-15)
  local coef = 6.5 / (13 + 1e-6)
  T.allclose(params[1].grad:totable(), {3 * coef, 4 * coef}, 1e-15)
  T.allclose(params[2].grad:totable(), {{12 * coef}}, 1e-15)
end)

T.test("clip_grad_norm_ leaves gradients under the limit alone (times 1) and skips missing ones", function()
  local params = with_grads({3, 4})
  params[2] = torch.zeros(2, {requires_grad = true})   -- no gradient
  T.close(nn.utils.clip_grad_norm_(params, 100):item(), 5, 1e-15)
  T.allclose(params[1].grad:totable(), {3, 4})
  T.eq(params[2].grad, nil)
  T.eq(nn.utils.clip_grad_norm_({torch.zeros(1, {requires_grad = true})}, 1):item(), 0, "no gradients: 0")
end)

T.test("clip_grad_norm_ with other norms: inf (max |g|), 1, and one tensor alone", function()
  local params = with_grads({-7, 1}, {2})
  T.eq(nn.utils.clip_grad_norm_(params, 1e9, {norm_type = math.huge}):item(), 7)
  T.eq(nn.utils.clip_grad_norm_(params, 1e9, {norm_type = "inf"}):item(), 7)
  T.close(nn.utils.clip_grad_norm_(params, 1e9, {norm_type = 1}):item(), 10, 1e-15)
  local p = with_grads({0.6, 0.8})[1]
  T.close(nn.utils.clip_grad_norm_(p, 0.5):item(), 1, 1e-15)
  T.allclose(p.grad:totable(), {0.3, 0.4}, 1e-6)
end)

T.test("clip_grad_norm_ of float32 gradients computes in float32", function()
  local p = torch.zeros(2, {requires_grad = true})
  p.grad = torch.tensor({3.0, 4.0})
  local total = nn.utils.clip_grad_norm_({p}, 1)
  T.eq(total.dtype, "float32")
  T.allclose(p.grad:totable(), {0.6, 0.8}, 1e-6)
end)

T.test("clip_grad_norm_: a non-finite norm scales (to NaN) or, when asked, is an error", function()
  local params = with_grads({math.huge, 1})
  T.errors("clip_grad_norm_: the total norm of order 2 of the gradients is non-finite", nn.utils.clip_grad_norm_,
    params, 1, {error_if_nonfinite = true})
  nn.utils.clip_grad_norm_(params, 1)
  local g = params[1].grad:totable()
  T.truthy(g[1] ~= g[1], "inf * 0 is NaN, as in PyTorch")
end)

T.test("clip_grad_value_ clamps every gradient in place", function()
  local params = with_grads({-3, 0.5, 2}, {{-0.1, 9}})
  nn.utils.clip_grad_value_(params, 1)
  T.allclose(params[1].grad:totable(), {-1, 0.5, 1})
  T.allclose(params[2].grad:totable(), {{-0.1, 1}})
end)

T.test("parameters_to_vector and vector_to_parameters round trip, in order", function()
  local a = torch.tensor({{1.0, 2.0}, {3.0, 4.0}}, {requires_grad = true})
  local b = torch.tensor({5.0, 6.0}, {requires_grad = true})
  local v = nn.utils.parameters_to_vector({a, b})
  T.allclose(v:totable(), {1, 2, 3, 4, 5, 6})
  nn.utils.vector_to_parameters(v * 10, {a, b})
  T.allclose(a:totable(), {{10, 20}, {30, 40}})
  T.allclose(b:totable(), {50, 60})
  T.truthy(a.is_leaf and a.requires_grad, "a is still a leaf that requires grad")
end)

T.test("parameters_to_vector is recorded: gradients flow back to each parameter", function()
  local a = torch.tensor({{1, 2}, {3, 4}}, {dtype = "float64", requires_grad = true})
  local b = torch.tensor({5, 6}, {dtype = "float64", requires_grad = true})
  local w = torch.tensor({1, 2, 3, 4, 5, 6}, {dtype = "float64"})
  local loss = (nn.utils.parameters_to_vector({a, b:t()}) * w):sum()
  loss:backward()
  T.allclose(a.grad:totable(), {{1, 2}, {3, 4}})
  T.allclose(b.grad:totable(), {5, 6})
end)

T.test("nn.utils on a module's parameters", function()
  torch.manual_seed(0)
  local model = nn.Linear(4, 3)
  local n = #nn.utils.parameters_to_vector(model:parameters()):totable()
  T.eq(n, 4 * 3 + 3)
  local loss = (model(torch.randn(5, 4)) ^ 2):sum()
  loss:backward()
  local total = nn.utils.clip_grad_norm_(model:parameters(), 0.01)
  T.truthy(total:item() > 0.01, "the gradients were larger than the limit")
  local norms = {}
  for i, p in ipairs(model:parameters()) do norms[i] = p.grad:norm() end
  T.close(torch.stack(norms):norm():item(), 0.01, 1e-4)
end)

T.test("bad input: clear errors", function()
  local p = torch.zeros(2, {requires_grad = true})
  T.errors("clip_grad_norm_: unknown option 'norm'", nn.utils.clip_grad_norm_, {p}, 1, {norm = 2})
  T.errors("clip_grad_norm_: max_norm must be a number, got nil", nn.utils.clip_grad_norm_, {p})
  T.errors("clip_grad_norm_: parameter 2 is a number, not a tensor", nn.utils.clip_grad_norm_, {p, 3}, 1)
  T.errors("clip_grad_value_: expected a tensor or a list of tensors, got string", nn.utils.clip_grad_value_, "p", 1)
  T.errors("vector_to_parameters: the vector has 3 elements, the parameters 2", nn.utils.vector_to_parameters,
    torch.zeros(3), {p})
  T.errors("vector_to_parameters: expected a 1-D vector, got shape 1x2", nn.utils.vector_to_parameters,
    torch.zeros(1, 2), {p})
  T.errors("parameters_to_vector: got an empty list of parameters", nn.utils.parameters_to_vector, {})
end)
