-- test_autograd_create.lua — {requires_grad = true} on every constructor
-- (a leaf that requires grad, floating dtypes only, as in PyTorch), and the
-- in-place random fills under autograd's in-place rules: refused on a leaf
-- that requires grad outside no_grad, recorded on a non-leaf (its old value
-- gets a zero gradient), the same values as without autograd.
local T = require "testing"

local rg = {requires_grad = true}
local rg64 = {requires_grad = true, dtype = "float64"}

local function is_grad_leaf(t, dtype, what)
  T.eq(t.requires_grad, true, what)
  T.eq(t.is_leaf, true, what)
  T.eq(t.grad_fn, nil, what)
  if dtype then T.eq(t.dtype, dtype, what) end
end

T.test("every constructor honours {requires_grad = true}", function()
  local x = torch.zeros(2, 3)
  local made = {
    tensor = torch.tensor({{1.5, 2}, {3, 4}}, rg),
    tensor_int_as_float = torch.tensor({1, 2}, rg64),
    tensor_of_tensor = torch.tensor(x, rg),
    zeros = torch.zeros(2, 3, rg),
    zeros_table = torch.zeros({2, 3}, rg),
    ones = torch.ones(2, rg64),
    empty = torch.empty(3, rg),
    full = torch.full({2, 2}, 7, rg),
    zeros_like = torch.zeros_like(x, rg),
    ones_like = torch.ones_like(x, rg64),
    empty_like = torch.empty_like(x, rg),
    full_like = torch.full_like(x, 2.5, rg),
    rand_like = torch.rand_like(x, rg),
    randn_like = torch.randn_like(x, rg64),
    arange_float = torch.arange(0, 1, 0.25, rg),
    arange_dtype = torch.arange(4, rg64),
    linspace = torch.linspace(0, 1, 5, rg),
    eye = torch.eye(3, rg),
    eye_rect = torch.eye(2, 3, rg64),
    rand = torch.rand(2, 2, rg),
    randn = torch.randn({2, 2}, rg64),
    randint_float = torch.randint(0, 5, {3}, rg64),
    randperm_float = torch.randperm(4, rg64),
  }
  for name, t in pairs(made) do is_grad_leaf(t, nil, name) end
  T.eq(made.ones.dtype, "float64")
  T.eq(made.zeros.dtype, "float32")
  T.eq(torch.zeros(2, {requires_grad = false}).requires_grad, false)
  T.eq(torch.zeros(2).requires_grad, false)
  T.eq(torch.zeros({2, 3}).requires_grad, false, "a size table is not an options table")
end)

T.test("gradients reach a leaf made with requires_grad", function()
  local w = torch.full({2}, 3, rg64)
  local x = torch.linspace(1, 2, 2, rg64)
  local y = w * x
  y:backward(torch.ones(2, {dtype = "float64"}))
  T.allclose(w.grad:totable(), {1, 2})
  T.allclose(x.grad:totable(), {3, 3})
  T.truthy(torch.autograd.gradcheck(function(a) return a * a end, {torch.randn(3, rg64)}))
end)

T.test("requires_grad on a non-floating dtype is an error naming the function", function()
  T.errors("zeros: requires_grad: only floating tensors can require gradients, got int64",
    function() return torch.zeros(2, {dtype = "int64", requires_grad = true}) end)
  T.errors("tensor: requires_grad: only floating tensors can require gradients, got int64",
    function() return torch.tensor({1, 2}, rg) end)
  T.errors("tensor: requires_grad: only floating tensors can require gradients, got bool",
    function() return torch.tensor({true}, rg) end)
  T.errors("arange: requires_grad: only floating tensors", function() return torch.arange(5, rg) end)
  T.errors("randint: requires_grad: only floating tensors", function() return torch.randint(5, {2}, rg) end)
  T.errors("randperm: requires_grad: only floating tensors", function() return torch.randperm(3, rg) end)
  T.errors("ones_like: requires_grad: only floating tensors",
    function() return torch.ones_like(torch.zeros(2), {dtype = "uint8", requires_grad = true}) end)
  T.errors("full: requires_grad", function() return torch.full({2}, 1, {dtype = "bool", requires_grad = true}) end)
end)

local fills = {
  uniform_ = {function(t) return t:uniform_(-1, 2) end, "UniformBackward"},
  normal_ = {function(t) return t:normal_(3, 0.5) end, "NormalBackward"},
  bernoulli_ = {function(t) return t:bernoulli_(0.3) end, "BernoulliBackward"},
}

for name, f in pairs(fills) do
  local fill, node = f[1], f[2]
  T.test(name .. ": follows the in-place rules of autograd", function()
    local x = torch.randn(2, 3, rg64)
    T.errors(name .. ": a leaf tensor that requires grad cannot be modified in place",
      function() fill(x) end)
    T.errors(name .. ": a view of a leaf tensor that requires grad cannot be modified in place",
      function() fill(x:narrow(1, 1, 1)) end)
    -- inside no_grad the leaf may be filled, and stays a leaf
    torch.manual_seed(42)
    torch.no_grad(function() fill(x) end)
    is_grad_leaf(x, "float64")
    torch.manual_seed(42)
    local plain = fill(torch.empty(2, 3, {dtype = "float64"}))
    T.allclose(x:detach():totable(), plain:totable(), 0, "the same values under no_grad")
    -- a non-leaf is filled and records the fill; the old value gets no gradient
    local y = x * 2
    torch.manual_seed(42)
    T.truthy(rawequal(fill(y), y), "returns the tensor itself")
    T.allclose(y:detach():totable(), plain:totable(), 0, "the same values recorded")
    T.eq(y.grad_fn.name, node)
    T.eq(y.requires_grad, true)
    y:backward(torch.ones(2, 3, {dtype = "float64"}))
    T.allclose(x.grad:totable(), {{0, 0, 0}, {0, 0, 0}})
  end)

  T.test(name .. ": through a view of a non-leaf, only the view's region loses its gradient", function()
    local x = torch.randn(2, 2, rg64)
    local y = x * 1
    fill(y:select(1, 2))
    T.eq(y.grad_fn.name, "CopySlices")
    y:backward(torch.ones(2, 2, {dtype = "float64"}))
    T.allclose(x.grad:totable(), {{1, 1}, {0, 0}})
  end)
end

T.test("random fills without autograd are untouched: any dtype rules, seeds", function()
  local a = torch.empty(3)
  torch.manual_seed(1)
  a:uniform_()
  torch.manual_seed(1)
  local b = torch.rand(3)
  T.allclose(a:totable(), b:totable(), 0)
  T.errors("uniform_", function() torch.zeros(2, {dtype = "int64"}):uniform_() end)
  T.errors("probability must be in [0, 1]", function() torch.zeros(2):bernoulli_(2) end)
end)
