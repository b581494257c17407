-- test_autograd_view.lua — the derivatives of views, copies and dtype
-- conversions: gradcheck on every view method (on leaves and on
-- non-contiguous views of them), gradgradcheck on a few, unfold's
-- overlapping windows summed by hand, grad_fn names, and what does not
-- record (integer conversions, contiguous on a contiguous tensor).
local T = require "testing"
local G = require "gradtest"
local gradcheck, gradgradcheck = G.gradcheck, G.gradgradcheck
local rand, backward_ones = G.rand, G.backward_ones

torch.manual_seed(11)

-- Each case: a name and a function of one (2, 3, 4) input.
local cases = {
  view = function(a) return a:view(6, 4) end,
  view_infer = function(a) return a:view(-1, 2) end,
  view_as = function(a) return a:view_as(torch.zeros(4, 6)) end,
  reshape = function(a) return a:reshape(4, 6) end,
  reshape_copy = function(a) return a:transpose(1, 3):reshape(-1) end,
  reshape_as = function(a) return a:reshape_as(torch.zeros(24)) end,
  t = function(a) return a:select(1, 2):t() end,
  t_vector = function(a) return a:select(1, 1):select(1, 2):t() end,
  transpose = function(a) return a:transpose(1, 3) end,
  transpose_neg = function(a) return a:transpose(-1, -2) end,
  permute = function(a) return a:permute(3, 1, 2) end,
  narrow = function(a) return a:narrow(3, 2, 2) end,
  narrow_neg = function(a) return a:narrow(-1, -3, 2) end,
  select = function(a) return a:select(2, 3) end,
  select_neg = function(a) return a:select(-1, -1) end,
  expand = function(a) return a:narrow(2, 1, 1):expand(2, 5, 4) end,
  expand_new_dims = function(a) return a:select(1, 1):expand(3, 3, 4) end,
  expand_as = function(a) return a:narrow(3, 2, 1):expand_as(torch.zeros(2, 3, 4)) end,
  squeeze = function(a) return a:narrow(2, 2, 1):squeeze() end,
  squeeze_dim = function(a) return a:narrow(2, 2, 1):squeeze(2) end,
  unsqueeze = function(a) return a:unsqueeze(2) end,
  unsqueeze_last = function(a) return a:unsqueeze(-1) end,
  flatten = function(a) return a:flatten() end,
  flatten_range = function(a) return a:flatten(2, 3) end,
  flatten_copy = function(a) return a:transpose(1, 2):flatten(2) end,
  unfold_overlap = function(a) return a:unfold(3, 3, 1) end,
  unfold_gap = function(a) return a:unfold(3, 1, 2) end,
  unfold_even = function(a) return a:unfold(2, 2, 1) end,
  contiguous = function(a) return a:transpose(1, 2):contiguous() end,
  clone = function(a) return a:transpose(1, 2):clone() end,
  diagonal = function(a) return a:diagonal(1, 2, 3) end,
}

-- view needs strides it can regroup: these get only the strided operand.
local viewonly = {view = true, view_infer = true, view_as = true}

for name, f in pairs(cases) do
  T.test("view " .. name .. ": gradcheck on a leaf and on non-contiguous views", function()
    local x = rand(2, 3, 4)
    T.truthy(gradcheck(f, {x}))
    -- the same op on non-contiguous operands of the same shape: every other
    -- element (strides 24x8x2), and a permutation (strides 1x2x6)
    T.truthy(gradcheck(function(b) return f(b:select(4, 2)) end, {rand(2, 3, 4, 2)}), "strided")
    if not viewonly[name] then
      T.truthy(gradcheck(function(b) return f(b:permute(3, 2, 1)) end, {rand(4, 3, 2)}), "permuted")
    end
  end)
end

T.test("gradgradcheck through views", function()
  local x = rand(2, 3, 4)
  T.truthy(gradgradcheck(function(a) return (a:transpose(1, 3) * a:transpose(1, 3)):view(-1) end, {x}))
  T.truthy(gradgradcheck(function(a) return a:narrow(3, 2, 2):select(1, 2) ^ 2 end, {x}))
  T.truthy(gradgradcheck(function(a) return a:unfold(3, 2, 1) ^ 2 end, {x}))
  T.truthy(gradgradcheck(function(a) return a:narrow(2, 1, 1):expand(2, 3, 4) * a end, {x}))
  T.truthy(gradgradcheck(function(a) return (a:t() * a:t()):reshape(-1) end, {rand(3, 2)}))
end)

T.test("unfold sums the gradients of overlapping windows (hand-derived)", function()
  local x = rand(5)
  backward_ones(x:unfold(1, 3, 1))
  -- element k lies in as many windows of 3 as fit around it: 1 2 3 2 1
  T.allclose(x.grad:totable(), {1, 2, 3, 2, 1})
  local y = rand(6)
  backward_ones(y:unfold(1, 2, 3))
  -- windows {1,2} and {4,5}: elements 3 and 6 are in none
  T.allclose(y.grad:totable(), {1, 1, 0, 1, 1, 0})
  local z = rand(2, 4)
  local w = torch.arange(1, 7, {dtype = "float64"}):view(3, 2)   -- 3 windows of 2 along dim 2
  backward_ones(z:unfold(2, 2, 1):select(1, 1) * w)
  -- row 1: z[1][c] gets w[k][j] for every window k and place j with k + j - 1 == c
  T.allclose(z.grad:totable(), {{1, 2 + 3, 4 + 5, 6}, {0, 0, 0, 0}})
  T.eq(x:unfold(1, 3, 1).grad_fn.name, "UnfoldBackward")
end)

T.test("expand and select: gradients by hand", function()
  local x = rand(3, 1)
  backward_ones(x:expand(3, 4))
  T.allclose(x.grad:totable(), {{4}, {4}, {4}})
  local y = rand(2, 3)
  backward_ones(y:select(2, -1) * 5)
  T.allclose(y.grad:totable(), {{0, 0, 5}, {0, 0, 5}})
end)

T.test("grad_fn names follow PyTorch", function()
  local x = rand(2, 3)
  local names = {
    {x:view(3, 2), "ViewBackward"}, {x:reshape(6), "ReshapeBackward"},
    {x:t(), "TBackward"}, {x:transpose(1, 2), "TransposeBackward"},
    {x:permute(2, 1), "PermuteBackward"}, {x:narrow(1, 1, 1), "NarrowBackward"},
    {x:select(1, 1), "SelectBackward"}, {x:unsqueeze(1), "UnsqueezeBackward"},
    {x:unsqueeze(1):squeeze(1), "SqueezeBackward"}, {x:flatten(), "FlattenBackward"},
    {x:unsqueeze(1):expand(4, 2, 3), "ExpandBackward"}, {x:clone(), "CloneBackward"},
    {x:t():contiguous(), "CloneBackward"}, {x:float(), "ToCopyBackward"},
    {x:diagonal(), "DiagonalBackward"},
  }
  for _, c in ipairs(names) do T.eq(c[1].grad_fn.name, c[2]) end
end)

T.test("contiguous of a contiguous tensor is the tensor itself; views of leaves are not leaves", function()
  local x = rand(2, 3)
  T.truthy(rawequal(x:contiguous(), x))
  T.eq(x:contiguous().grad_fn, nil)
  local v = x:t()
  T.eq(v.is_leaf, false)
  T.eq(v.requires_grad, true)
  T.eq(x:double().grad_fn, nil, "same dtype: x itself")
end)

T.test("conversions: floating targets keep the graph, integer targets leave it", function()
  local x = torch.tensor({1.5, -2.25, 3}, {requires_grad = true})   -- float32
  local y = x:double()
  T.eq(y.dtype, "float64")
  T.eq(y.requires_grad, true)
  backward_ones(y * y)
  T.eq(x.grad.dtype, "float32")
  T.allclose(x.grad:totable(), {3, -4.5, 6})
  for _, conv in ipairs({function(a) return a:long() end, function(a) return a:byte() end,
                         function(a) return a:bool() end, function(a) return a:to("int64") end}) do
    local i = conv(x)
    T.eq(i.requires_grad, false)
    T.eq(i.grad_fn, nil)
  end
  local z = rand(2, 2)
  T.truthy(gradcheck(function(a) return a:float():double() * a:to({dtype = "float32"}):type_as(a) end, {z},
    {atol = 1e-4, rtol = 1e-3, eps = 1e-3}))
  T.eq(z:type_as(torch.zeros(1)).grad_fn.name, "ToCopyBackward")
end)

T.test("views of views accumulate into one leaf gradient", function()
  local x = rand(4)
  local a, b = x:narrow(1, 1, 2), x:narrow(1, 2, 3)
  backward_ones(torch.cat({a, 2 * b}))
  T.allclose(x.grad:totable(), {1, 3, 2, 2})
end)

T.test("errors: view of a non-viewable layout, bad dims, t of 3-D", function()
  local x = rand(2, 3)
  T.errors("view", function() return x:t():view(6) end)
  T.errors("t: expects a tensor with <= 2 dims", function() return rand(2, 2, 2):t() end)
  T.errors("unfold", function() return x:unfold(2, 4, 1) end)
  T.errors("unfold: step must be positive", function() return x:unfold(2, 2, 0) end)
  T.errors("requires_grad", function() x:long().requires_grad = true end)
end)
