-- test_autograd_reduce.lua — the derivatives of the reductions (sum mean prod
-- amax amin max min var std norm logsumexp), the scans and softmax (cumsum
-- cumprod softmax log_softmax) and sorting (sort topk): gradcheck against
-- finite differences over all dims, one dim, negative dims, lists of dims,
-- keepdim and non-contiguous views; gradgradcheck for second order; values
-- derived by hand (ties, zeros, norms at zero); and the error cases.
local T = require "testing"
local G = require "gradtest"
local gradcheck, gradgradcheck = G.gradcheck, G.gradgradcheck
local F64, leaf, positive, randn = G.f64, G.leaf, G.positive, G.randn

-- x.grad after backward of (f(x) * w):sum() (w = ones by default), as a table.
local function grad_of(f, x, w)
  x.grad = nil
  local y = f(x)
  y = w and y * w or y
  y:sum():backward()
  return x.grad:totable()
end

torch.manual_seed(11)

-- Each reduction with the ways of naming its dims.
local reductions = {
  sum = {
    all = function(a) return a:sum() end,
    dim = function(a) return a:sum(2) end,
    neg = function(a) return a:sum(-1, true) end,
    list = function(a) return torch.sum(a, {1, -1}) end,
  },
  mean = {
    all = function(a) return a:mean() end,
    dim = function(a) return a:mean(1) end,
    neg = function(a) return a:mean(-2, {keepdim = true}) end,
    list = function(a) return a:mean({1, 2}) end,
  },
  prod = {
    all = function(a) return a:prod() end,
    dim = function(a) return a:prod(2) end,
    neg = function(a) return a:prod(-2, true) end,
  },
  amax = {
    all = function(a) return a:amax() end,
    dim = function(a) return a:amax(2) end,
    neg = function(a) return a:amax(-2, true) end,
    list = function(a) return a:amax({1, 2}) end,
  },
  amin = {
    all = function(a) return a:amin() end,
    dim = function(a) return a:amin(1) end,
    list = function(a) return a:amin({-1, 1}, true) end,
  },
  max = {
    all = function(a) return a:max() end,
    dim = function(a) return (a:max(2)) end,
    neg = function(a) return (a:max(-2, true)) end,
  },
  min = {
    all = function(a) return a:min() end,
    dim = function(a) return (a:min(1)) end,
    neg = function(a) return (a:min(-1, {keepdim = true})) end,
  },
  var = {
    all = function(a) return a:var() end,
    dim = function(a) return a:var(2) end,
    neg = function(a) return a:var(-2, {correction = 0, keepdim = true}) end,
    list = function(a) return a:var({1, 2}, false) end,
  },
  std = {
    all = function(a) return a:std() end,
    dim = function(a) return a:std(1, {correction = 0}) end,
    neg = function(a) return a:std(-1, true, true) end,
    list = function(a) return a:std({2, 1}, {correction = 2}) end,
  },
  logsumexp = {
    all = function(a) return a:logsumexp() end,
    dim = function(a) return a:logsumexp(2) end,
    neg = function(a) return a:logsumexp(-2, true) end,
    list = function(a) return a:logsumexp({1, 2}) end,
  },
}

for name, forms in pairs(reductions) do
  T.test(name .. ": gradcheck over all dims, a dim, negative dims, keepdim, lists", function()
    local x = positive(2, 3)
    for form, f in pairs(forms) do
      T.truthy(gradcheck(f, {x}), name .. " " .. form)
    end
    -- non-contiguous operands: a transpose, and a narrow of a wider leaf
    T.truthy(gradcheck(function(a) return forms.dim(a:t()) end, {positive(3, 2)}), "transposed")
    T.truthy(gradcheck(function(a) return forms.dim(a:narrow(2, 2, 3)) end, {positive(2, 4)}),
      "narrowed")
  end)
end

-- Second order for the reductions the issue names (and max/min along a dim).
local second = {
  sum = function(a) return a:sum(2) end,
  mean = function(a) return a:mean(-1, true) end,
  prod = function(a) return a:prod(1) end,
  prod_all = function(a) return a:prod() end,
  amax = function(a) return a:amax(2) end,
  max_dim = function(a) return (a:max(1)) end,
  max_all = function(a) return a:max() end,
  var = function(a) return a:var(2) end,
  var_all = function(a) return a:var({}, {correction = 0}) end,
  std = function(a) return a:std(1) end,
  std_all = function(a) return a:std() end,
  norm2 = function(a) return a:norm(2, 2) end,
  norm1 = function(a) return a:norm(1) end,
  norm3 = function(a) return a:norm(3, 1, true) end,
  norm_inf = function(a) return a:norm("inf", 2) end,
  logsumexp = function(a) return a:logsumexp(2) end,
}

for name, f in pairs(second) do
  T.test(name .. ": gradgradcheck", function()
    T.truthy(gradgradcheck(f, {positive(2, 3)}))
  end)
end

T.test("reductions of a 0-dim tensor", function()
  local s = leaf(2.5)
  for _, f in ipairs {
    function(a) return a:sum() end, function(a) return a:prod() end,
    function(a) return a:amax() end, function(a) return (a:max(1)) end,
    function(a) return a:logsumexp(1) end, function(a) return a:norm() end,
    function(a) return a:var(1, {correction = 0}) end,
  } do
    T.truthy(gradcheck(f, {s}))
  end
end)

T.test("sum and mean: dtype= converts the input recordedly", function()
  local x = torch.randn(2, 3):requires_grad_()
  local y = x:sum({dtype = "float64"})
  T.eq(y.dtype, "float64")
  y:backward()
  T.eq(x.grad.dtype, "float32")
  T.allclose(x.grad:totable(), {{1, 1, 1}, {1, 1, 1}}, 0)
  x.grad = nil
  x:mean(2, {dtype = "float64"}):sum():backward()
  T.allclose(x.grad:totable(), {{1 / 3, 1 / 3, 1 / 3}, {1 / 3, 1 / 3, 1 / 3}}, 1e-7)
end)

-- ---- prod and zeros ------------------------------------------------------------------

T.test("prod: hand-derived gradients, no zero, one zero, two zeros", function()
  local x = leaf {{2, 3, 4}, {0, 5, 6}, {0, 7, 0}}
  -- d/dx_i prod = product of the others
  T.allclose(grad_of(function(a) return a:prod(2) end, x),
    {{12, 8, 6}, {30, 0, 0}, {0, 0, 0}}, 0)
  T.allclose(grad_of(function(a) return a:prod(1) end, x),
    {{0, 35, 0}, {0, 21, 0}, {0, 15, 24}}, 0)
  T.allclose(grad_of(function(a) return a:prod() end, leaf {{2, 0}, {3, 4}}), {{0, 24}, {0, 0}}, 0)
  T.allclose(grad_of(function(a) return a:prod() end, leaf {{2, 0}, {3, 0}}), {{0, 0}, {0, 0}}, 0)
end)

T.test("prod with zeros: gradcheck and gradgradcheck over every dim of a 3-D tensor", function()
  local x = torch.randn({2, 3, 2}, {dtype = "float64"})
  torch.no_grad(function() x[1][2][1] = 0; x[2][1][2] = 0; x[2][3][2] = 0 end)
  x:requires_grad_()
  for d = 1, 3 do
    T.truthy(gradcheck(function(a) return a:prod(d) end, {x}), "dim " .. d)
  end
  T.truthy(gradcheck(function(a) return a:prod() end, {x}), "all")
  T.truthy(gradgradcheck(function(a) return a:prod(2, true) end, {x}), "second order")
  T.truthy(gradcheck(function(a) return a:transpose(1, 3):prod(-1) end, {x}), "transposed")
end)

-- ---- ties: amax, max, max along a dim ----------------------------------------------------

T.test("amax/amin split the gradient evenly among ties; max(dim) routes it to its index", function()
  local x = leaf {{1, 3, 3}, {2, 2, 0}}
  T.allclose(grad_of(function(a) return a:amax(2) end, x), {{0, 0.5, 0.5}, {0.5, 0.5, 0}}, 0)
  T.allclose(grad_of(function(a) return a:amin() end, leaf {{1, 3, 1}, {2, 2, 1}}),
    {{1 / 3, 0, 1 / 3}, {0, 0, 1 / 3}}, 1e-12)
  T.allclose(grad_of(function(a) return a:max() end, leaf {{1, 3, 3}, {2, 3, 0}}),
    {{0, 1 / 3, 1 / 3}, {0, 1 / 3, 0}}, 1e-12)
  -- max along a dim: the first maximum is the one returned, and gets it all
  T.allclose(grad_of(function(a) return (a:max(2)) end, x), {{0, 1, 0}, {1, 0, 0}}, 0)
  T.allclose(grad_of(function(a) return (a:min(1, true)) end, x), {{1, 0, 0}, {0, 1, 1}}, 0)
  -- a NaN maximum takes the gradient (shared among the NaNs)
  T.allclose(grad_of(function(a) return a:max() end, leaf {{1, 0 / 0, 3}, {0 / 0, 3, 0}}),
    {{0, 0.5, 0}, {0.5, 0, 0}}, 0)
end)

T.test("max(dim) and min(dim): values recorded, indices never", function()
  local x = randn(2, 3)
  local v, i = x:max(2)
  T.eq(v.grad_fn.name, "MaxBackward")
  T.eq(i.dtype, "int64")
  T.eq(i.requires_grad, false)
  T.eq(i.grad_fn, nil)
  local w, j = x:min(1, true)
  T.eq(w.grad_fn.name, "MinBackward")
  T.eq(j.requires_grad, false)
  -- indices come back 1-based, and the gradient still lands where they say
  local g = grad_of(function(a) return (a:max(2)) end, x)
  for r = 1, 2 do
    for c = 1, 3 do T.eq(g[r][c], c == i[r]:item() and 1 or 0) end
  end
end)

T.test("grad_fn names of the reductions", function()
  local x = positive(2, 3)
  T.eq(x:prod().grad_fn.name, "ProdBackward")
  T.eq(x:amax().grad_fn.name, "AmaxBackward")
  T.eq(x:amin(1).grad_fn.name, "AminBackward")
  T.eq(x:max().grad_fn.name, "MaxBackward")
  T.eq(x:min().grad_fn.name, "MinBackward")
  T.eq(x:var().grad_fn.name, "VarBackward")
  T.eq(x:std(1).grad_fn.name, "StdBackward")
  T.eq(x:norm().grad_fn.name, "NormBackward")
  T.eq(x:logsumexp(2).grad_fn.name, "LogsumexpBackward")
  T.eq(x:cumsum(2).grad_fn.name, "CumsumBackward")
  T.eq(x:cumprod(1).grad_fn.name, "CumprodBackward")
  T.eq(x:softmax(2).grad_fn.name, "SoftmaxBackward")
  T.eq(x:log_softmax(2).grad_fn.name, "LogSoftmaxBackward")
  T.eq(x:sort().grad_fn.name, "SortBackward")
  T.eq(x:topk(2).grad_fn.name, "TopkBackward")
end)

-- ---- var, std -------------------------------------------------------------------------------

T.test("var and std: hand-derived gradients", function()
  -- var with correction 0 of (1, 2, 4): mean 7/3, d/dx = 2/3 (x - 7/3)
  T.allclose(grad_of(function(a) return a:var(1, {correction = 0}) end, leaf {1, 2, 4}),
    {-8 / 9, -2 / 9, 10 / 9}, 1e-12)
  -- unbiased: 2/(N-1) (x - mean) = x - mean for N = 3
  T.allclose(grad_of(function(a) return a:var() end, leaf {1, 2, 4}), {-4 / 3, -1 / 3, 5 / 3}, 1e-12)
  -- std of (1, 3): 2/sqrt(2) = sqrt(2); d std = (x - mean) / ((N-1) std)
  local s = 1 / math.sqrt(2)
  T.allclose(grad_of(function(a) return a:std() end, leaf {1, 3}), {-s, s}, 1e-12)
  -- a constant slice has std 0 and gets a zero gradient, as in PyTorch
  T.allclose(grad_of(function(a) return a:std(2) end, leaf {{2, 2, 2}, {1, 2, 4}})[1], {0, 0, 0}, 0)
end)

-- ---- norm -----------------------------------------------------------------------------------

T.test("norm: gradcheck for every kind of p", function()
  local x = randn(2, 3)
  for _, p in ipairs {2, 1, 3, 0.5, 1.5, 4, math.huge, -math.huge, 0} do
    T.truthy(gradcheck(function(a) return a:norm(p, 2) end, {x}), "p = " .. p)
    T.truthy(gradcheck(function(a) return a:norm(p) end, {x}), "p = " .. p .. " over all")
    T.truthy(gradcheck(function(a) return torch.norm(a:t(), p, -1, true) end, {x}),
      "p = " .. p .. " transposed, keepdim")
  end
  T.truthy(gradcheck(function(a) return a:norm("fro", {1, 2}) end, {x}), "fro")
end)

T.test("norm: hand-derived gradients, and PyTorch's values at zero", function()
  T.allclose(grad_of(function(a) return a:norm(2, 2) end, leaf {{0, 0}, {3, 4}}),
    {{0, 0}, {0.6, 0.8}}, 1e-12)
  T.allclose(grad_of(function(a) return a:norm() end, leaf {{0, 0}, {0, 0}}), {{0, 0}, {0, 0}}, 0)
  T.allclose(grad_of(function(a) return a:norm(1) end, leaf {{-3, 0}, {1, -2}}), {{-1, 0}, {1, -1}}, 0)
  T.allclose(grad_of(function(a) return a:norm(math.huge) end, leaf {{-3, 3}, {1, -2}}),
    {{-0.5, 0.5}, {0, 0}}, 0)
  T.allclose(grad_of(function(a) return a:norm(-math.huge, 2) end, leaf {{-3, 3}, {1, -2}}),
    {{-0.5, 0.5}, {1, 0}}, 0)
  T.allclose(grad_of(function(a) return a:norm(0) end, leaf {{-3, 0}, {1, -2}}), {{0, 0}, {0, 0}}, 0)
  -- p = 3 at (1, -2): x |x| / ||x||^2 with ||x|| = 9^(1/3), and 0 for the zero row
  local r2 = 9 ^ (2 / 3)
  T.allclose(grad_of(function(a) return a:norm(3, 2) end, leaf {{0, 0}, {1, -2}}),
    {{0, 0}, {1 / r2, -4 / r2}}, 1e-12)
  -- p = 0.5: the element at zero gets 0 (PyTorch masks it)
  local g = grad_of(function(a) return a:norm(0.5) end, leaf {{-3, 0}, {1, -2}})
  T.eq(g[1][2], 0)
end)

T.test("logsumexp: the gradient is the softmax of the slice", function()
  local x = leaf {{1, 2, 3}, {0, 0, 0}}
  local g = grad_of(function(a) return a:logsumexp(2) end, x)
  local e = {math.exp(1), math.exp(2), math.exp(3)}
  local s = e[1] + e[2] + e[3]
  T.allclose(g, {{e[1] / s, e[2] / s, e[3] / s}, {1 / 3, 1 / 3, 1 / 3}}, 1e-12)
end)

-- ---- scans and softmax ---------------------------------------------------------------------

local scans = {
  cumsum = function(a, d) return a:cumsum(d) end,
  cumprod = function(a, d) return a:cumprod(d) end,
  softmax = function(a, d) return a:softmax(d) end,
  log_softmax = function(a, d) return a:log_softmax(d) end,
}

for name, f in pairs(scans) do
  T.test(name .. ": gradcheck and gradgradcheck along each dim, negative dims, views", function()
    local x = positive(2, 3)
    T.truthy(gradcheck(function(a) return f(a, 1) end, {x}), "dim 1")
    T.truthy(gradcheck(function(a) return f(a, 2) end, {x}), "dim 2")
    T.truthy(gradcheck(function(a) return f(a, -1) end, {x}), "dim -1")
    T.truthy(gradcheck(function(a) return f(a:t(), 2) end, {positive(3, 2)}), "transposed")
    T.truthy(gradcheck(function(a) return f(a:narrow(1, 2, 2), 1) end, {positive(3, 2)}), "narrowed")
    T.truthy(gradgradcheck(function(a) return f(a, 2) end, {x}), "second order")
    T.truthy(gradcheck(function(a) return f(a, 1) end, {leaf(1.5)}), "0-dim")
  end)
end

T.test("cumsum and cumprod: hand-derived gradients", function()
  T.allclose(grad_of(function(a) return a:cumsum(1) end, leaf {1, 2, 3}), {3, 2, 1}, 0)
  T.allclose(grad_of(function(a) return a:cumsum(1) end, leaf {1, 2, 3}, F64 {1, 10, 100}),
    {111, 110, 100}, 0)
  -- cumprod of (2, 3, 4) = (2, 6, 24): d/dx1 = 1 + 3 + 12, d/dx2 = 2 + 8, d/dx3 = 6
  T.allclose(grad_of(function(a) return a:cumprod(1) end, leaf {2, 3, 4}), {16, 10, 6}, 1e-12)
  -- with zeros (the exact path; values from PyTorch)
  local x = leaf {{1.5, 0, 2, 0.7}, {0, 0, 3, 1.2}, {0.5, 2, 0, 1.1}}
  T.allclose(grad_of(function(a) return a:cumprod(2) end, x),
    {{1, 6.6, 0, 0}, {1, 0, 0, 0}, {3, 0.5, 2.1, 0}}, 1e-12)
end)

T.test("cumprod with zeros: gradcheck (plain exact path) and gradgradcheck (recorded path)", function()
  local x = torch.randn({2, 4, 3}, {dtype = "float64"})
  torch.no_grad(function() x[1][2][1] = 0; x[1][4][1] = 0; x[2][1][3] = 0; x[2][3][2] = 0 end)
  x:requires_grad_()
  for d = 1, 3 do
    T.truthy(gradcheck(function(a) return a:cumprod(d) end, {x}), "dim " .. d)
  end
  local v = leaf {{1.5, 0, 2, 0.7}, {0, 0, 3, 1.2}}
  T.truthy(gradgradcheck(function(a) return a:cumprod(2) end, {v}), "second order")
  T.truthy(gradgradcheck(function(a) return a:t():cumprod(1) end, {v}), "second order, transposed")
end)

T.test("softmax and log_softmax: hand-derived gradients", function()
  -- softmax of equal values is 1/n; with seed w the gradient is y (w - mean(w))
  T.allclose(grad_of(function(a) return a:softmax(1) end, leaf {0, 0, 0, 0}, F64 {1, 2, 3, 6}),
    {-0.5, -0.25, 0, 0.75}, 1e-12)
  -- the sum of softmax is 1: its gradient vanishes
  T.allclose(grad_of(function(a) return a:softmax(2) end, leaf {{1, 5, 2}}), {{0, 0, 0}}, 1e-12)
  -- log_softmax: w - softmax * sum(w)
  local e1, e2 = math.exp(1), math.exp(2)
  local p1, p2 = e1 / (e1 + e2), e2 / (e1 + e2)
  T.allclose(grad_of(function(a) return a:log_softmax(1) end, leaf {1, 2}, F64 {1, 3}),
    {1 - 4 * p1, 3 - 4 * p2}, 1e-12)
end)

-- ---- sort, topk -------------------------------------------------------------------------

T.test("sort and topk: gradcheck, gradgradcheck, the gradient scattered back", function()
  local x = randn(3, 4)
  T.truthy(gradcheck(function(a) return (a:sort()) end, {x}))
  T.truthy(gradcheck(function(a) return (a:sort(1, true)) end, {x}))
  T.truthy(gradcheck(function(a) return (a:t():sort(-1)) end, {x}), "transposed")
  T.truthy(gradcheck(function(a) return (a:topk(2)) end, {x}))
  T.truthy(gradcheck(function(a) return (a:topk(2, 1, false)) end, {x}))
  T.truthy(gradgradcheck(function(a) return (a:sort(2)) end, {x}))
  T.truthy(gradgradcheck(function(a) return (a:topk(3, 2)) end, {x}))
  T.truthy(gradcheck(function(a) return (a:sort()) end, {leaf(0.5)}), "0-dim")
  -- descending with ties: stable, so the first 3 comes first
  T.allclose(grad_of(function(a) return (a:sort(2, true)) end, leaf {{1, 3, 3, 2}}, F64 {1, 2, 3, 4}),
    {{4, 1, 2, 3}}, 0)
  T.allclose(grad_of(function(a) return (a:topk(2, 2, false)) end, leaf {{1, 3, 0, 2}}, F64 {1, 2}),
    {{2, 0, 1, 0}}, 0)
  local v, i = x:topk(2)
  T.eq(i.requires_grad, false)
  T.eq(i.grad_fn, nil)
  T.truthy(v.requires_grad)
end)

-- ---- errors -----------------------------------------------------------------------------

T.test("errors: a second backward, a saved input modified in place, bad arguments", function()
  local x = positive(2, 3)
  local y = x:softmax(2):sum()
  y:backward()
  T.errors("SoftmaxBackward: trying to backward through the graph a second time",
    function() y:backward() end)
  local a = positive(3):clone()
  local p = a:prod()
  a:mul_(2)
  T.errors("ProdBackward: a tensor needed for gradient computation has been modified by an "
    .. "in-place operation", function() p:backward() end)
  T.errors("topk: k = 5 is out of range", function() x:topk(5) end)
  T.errors("cumsum: a dim is required", function() x:cumsum() end)
  T.errors("max", function() torch.zeros({0}, {dtype = "float64"}):requires_grad_():max() end)
  T.errors("prod: dim must be one number", function() x:prod({1, 2}) end)
end)
