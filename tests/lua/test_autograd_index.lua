-- test_autograd_index.lua — the derivatives of the index-tensor ops and of
-- indexing: gradcheck on every read (index_select, gather, take,
-- masked_select, x[mask], x[index]) and every write (scatter of a source or a
-- value, scatter_add, index_add, index_copy, index_fill, masked_scatter), out
-- of place and in place, on leaves and on non-contiguous operands; repeated
-- indices that must accumulate; gradgradcheck; gradients worked by hand;
-- x[i] / x[{...}] reads and writes recorded through views; the errors.
local T = require "testing"
local G = require "gradtest"
local gradcheck, gradgradcheck = G.gradcheck, G.gradgradcheck
local rand, backward_sum = G.rand, G.backward_sum

local function I(list)
  return torch.tensor(list, {dtype = "int64"})
end

local function B(list)
  return torch.tensor(list, {dtype = "bool"})
end

torch.manual_seed(7)

-- ---- reads -------------------------------------------------------------------

-- Each case: a function of one (3, 4) input.
local reads = {
  index_select_rows = function(a) return a:index_select(1, I {3, 1, 3}) end,
  index_select_cols = function(a) return a:index_select(2, {4, 2, 2, 1}) end,
  index_select_neg_dim = function(a) return torch.index_select(a, -1, I {2}) end,
  gather_rows = function(a) return a:gather(1, I {{1, 3, 3, 2}, {3, 3, 1, 1}}) end,
  gather_cols = function(a) return a:gather(2, I {{4, 4}, {1, 2}, {2, 2}}) end,
  take = function(a) return a:take(I {{1, -1}, {12, 5}, {5, 5}}) end,
  masked_select = function(a)
    return a:masked_select(B {{true, false, true, false}, {false, false, false, false},
                              {true, true, false, true}})
  end,
  masked_select_row_mask = function(a) return a:masked_select(B {true, false, false, true}) end,
  masked_select_bigger_mask = function(a)
    return a:masked_select(B {{{true, false, true, true}}, {{false, true, false, true}}})
  end,
  index_mask = function(a) return a[B {{true, false, true, false}, {false, false, true, true},
                                       {true, true, true, true}}] end,
  index_tensor = function(a) return a[I {2, 2, 3}] end,
}

for name, f in pairs(reads) do
  T.test("read " .. name .. ": gradcheck, on a leaf and on a transposed view", function()
    T.truthy(gradcheck(f, {rand(3, 4)}))
    T.truthy(gradcheck(function(b) return f(b:t()) end, {rand(4, 3)}))
  end)
end

T.test("read gradients accumulate over repeated indices (by hand)", function()
  local a = rand(4)
  backward_sum(a:index_select(1, I {2, 2, 4, 2}))
  T.allclose(a.grad:totable(), {0, 3, 0, 1})
  a.grad = nil
  backward_sum(a:gather(1, I {1, 1, 3}) * 2)
  T.allclose(a.grad:totable(), {4, 0, 2, 0})
  a.grad = nil
  backward_sum(a:take(I {{-1, 4}, {1, 4}}))
  T.allclose(a.grad:totable(), {1, 0, 0, 3})
  a.grad = nil
  local m = torch.rand(2, 3, {dtype = "float64"}):requires_grad_()
  local y = m:masked_select(B {true, false, true})
  T.allclose(y:detach():totable(), {m[1][1]:item(), m[1][3]:item(), m[2][1]:item(), m[2][3]:item()})
  y:backward(torch.tensor({1, 2, 3, 4}, {dtype = "float64"}))
  T.allclose(m.grad:totable(), {{1, 0, 2}, {3, 0, 4}})
end)

T.test("reads: grad_fn names, and no history for integer tensors or without grad", function()
  local a = rand(3, 4)
  T.eq(a:index_select(1, {1}).grad_fn.name, "IndexSelectBackward")
  T.eq(a:gather(1, I {{1}}).grad_fn.name, "GatherBackward")
  T.eq(a:take(I {1}).grad_fn.name, "TakeBackward")
  T.eq(a:masked_select(a:gt(0)).grad_fn.name, "MaskedSelectBackward")
  T.eq(a[a:gt(0)].grad_fn.name, "MaskedSelectBackward")
  T.eq(a[I {1}].grad_fn.name, "IndexSelectBackward")
  local n = torch.arange(1, 7):view(2, 3)
  T.eq(n:gather(2, I {{1}, {3}}).grad_fn, nil)
  T.eq(torch.no_grad(function() return a:index_select(1, {2}) end).grad_fn, nil)
  T.eq(a:detach():take(I {2}).requires_grad, false)
end)

T.test("reads gradgradcheck", function()
  local a = rand(3, 4)
  T.truthy(gradgradcheck(reads.index_select_rows, {a}))
  T.truthy(gradgradcheck(reads.gather_rows, {a}))
  T.truthy(gradgradcheck(reads.take, {a}))
  T.truthy(gradgradcheck(reads.masked_select_row_mask, {a}))
end)

-- ---- writes --------------------------------------------------------------------

-- Each case: a function of (self (3, 4), src (2, 4)) writing out of place.
local writes = {
  scatter = function(a, s) return a:scatter(1, I {{3, 1, 2, 1}, {2, 3, 3, 2}}, s) end,
  scatter_dim2 = function(a, s) return a:scatter(2, I {{4, 1}, {2, 3}}, s:t():narrow(1, 1, 2)) end,
  scatter_small_index = function(a, s) return torch.scatter(a, 1, I {{2, 3}}, s) end,
  scatter_value = function(a, s) return a:scatter(1, I {{3, 1, 2, 1}}, 2.5) + s[2] end,
  scatter_add = function(a, s) return a:scatter_add(1, I {{3, 3, 1, 3}, {3, 1, 1, 3}}, s) end,
  scatter_add_small_index = function(a, s) return a:scatter_add(2, I {{1, 1}, {4, 4}}, s) end,
  index_add = function(a, s) return a:index_add(1, I {3, 3}, s) end,
  index_add_alpha = function(a, s) return torch.index_add(a, 1, {2, 1}, s, {alpha = -1.5}) end,
  index_add_cols = function(a, s) return a:index_add(2, I {4, 4}, s:t():narrow(1, 1, 3)) end,
  index_copy = function(a, s) return a:index_copy(1, I {3, 1}, s) end,
  index_fill = function(a, s) return a:index_fill(2, I {1, -1}, -2) + s[1] end,
  masked_scatter = function(a, s)
    return a:masked_scatter(B {{true, false, true, false}, {false, false, true, true},
                               {true, true, false, false}}, s)
  end,
  masked_scatter_broadcast = function(a, s)
    return torch.masked_scatter(a:narrow(1, 1, 1), B {{true}, {false}, {true}}, s)
  end,
}

for name, f in pairs(writes) do
  T.test("write " .. name .. ": gradcheck for self and source", function()
    T.truthy(gradcheck(f, {rand(3, 4), rand(2, 4)}))
    -- non-contiguous self
    T.truthy(gradcheck(function(a, s) return f(a:t(), s) end, {rand(4, 3), rand(2, 4)}))
  end)
end

-- The in-place forms, on a non-leaf and on a view of one.
local inplace = {
  scatter_ = function(x, s) x:scatter_(1, I {{3, 1, 2, 1}, {2, 3, 3, 2}}, s) end,
  scatter_value_ = function(x) x:scatter_(2, I {{2}, {4}, {1}}, -1) end,
  scatter_add_ = function(x, s) x:scatter_add_(1, I {{3, 3, 1, 3}, {3, 1, 1, 3}}, s) end,
  index_add_ = function(x, s) x:index_add_(1, I {2, 2}, s, {alpha = 3}) end,
  index_copy_ = function(x, s) x:index_copy_(1, I {1, 3}, s) end,
  index_fill_ = function(x) x:index_fill_(1, I {-3, 2}, 7) end,
  masked_scatter_ = function(x, s) x:masked_scatter_(B {false, true, true, false}, s) end,
}

for name, f in pairs(inplace) do
  T.test("in-place " .. name .. ": gradcheck on a non-leaf and through a view", function()
    T.truthy(gradcheck(function(a, s)
      local x = a * 1
      f(x, s)
      return x
    end, {rand(3, 4), rand(2, 4)}))
    T.truthy(gradcheck(function(a, s)
      local base = a:clone()
      f(base:narrow(2, 2, 4), s)     -- a (3, 4) view of a (3, 6) base
      return base * base
    end, {rand(3, 6), rand(2, 4)}))
  end)
end

T.test("in-place writes: grad_fn names and the node of a base written through a view", function()
  local a, s = rand(3, 4), rand(2, 4)
  local x = a * 1
  x:scatter_add_(1, I {{1, 1, 1, 1}}, s)
  T.eq(x.grad_fn.name, "ScatterAddBackward")
  x:index_fill_(1, I {2}, 0)
  T.eq(x.grad_fn.name, "IndexFillBackward")
  local base = a:clone()
  base[2]:index_copy_(1, I {2, 1}, s[1]:narrow(1, 1, 2))
  T.eq(base.grad_fn.name, "CopySlices")
  local z = torch.zeros(3, 4, {dtype = "float64"})
  z:scatter_(1, I {{3, 3, 1, 2}}, s)
  T.eq(z.grad_fn.name, "ScatterBackward")
  T.truthy(z.requires_grad, "a plain tensor written with a source that requires grad")
end)

T.test("write gradients by hand: overwritten positions get none, repeated adds accumulate", function()
  local a, s = rand(3), rand(4)
  local y = a:scatter(1, I {3, 1}, s)          -- y = {s1 -> 3, s2 -> 1}
  backward_sum(y * 2)
  T.allclose(a.grad:totable(), {0, 2, 0})
  T.allclose(s.grad:totable(), {2, 2, 0, 0})  -- src beyond the index gets zeros
  a.grad, s.grad = nil, nil
  backward_sum(a:scatter_add(1, I {2, 2, 2}, s))
  T.allclose(a.grad:totable(), {1, 1, 1})
  T.allclose(s.grad:totable(), {1, 1, 1, 0})
  a.grad, s.grad = nil, nil
  local w = torch.tensor({1, 10, 100}, {dtype = "float64"})
  backward_sum(a:index_add(1, I {3, 3, 1, 3}, s, {alpha = 2}) * w)
  T.allclose(a.grad:totable(), {1, 10, 100})
  T.allclose(s.grad:totable(), {200, 200, 2, 200})
  a.grad, s.grad = nil, nil
  backward_sum(a:index_copy(1, I {2}, s:narrow(1, 4, 1)) * w)
  T.allclose(a.grad:totable(), {1, 0, 100})
  T.allclose(s.grad:totable(), {0, 0, 0, 10})
  a.grad, s.grad = nil, nil
  backward_sum(a:masked_scatter(B {true, false, true}, s) * w)
  T.allclose(a.grad:totable(), {0, 10, 0})
  T.allclose(s.grad:totable(), {1, 100, 0, 0})
end)

T.test("writes gradgradcheck (repeated indices included)", function()
  local a, s = rand(3, 4), rand(2, 4)
  T.truthy(gradgradcheck(writes.scatter, {a, s}))
  T.truthy(gradgradcheck(writes.scatter_add, {a, s}))
  T.truthy(gradgradcheck(writes.index_add_alpha, {a, s}))
  T.truthy(gradgradcheck(writes.index_copy, {a, s}))
  T.truthy(gradgradcheck(writes.masked_scatter, {a, s}))
  T.truthy(gradgradcheck(function(x, src)
    local y = x * x
    y:scatter_add_(2, I {{2, 2}, {1, 2}}, src)
    return y
  end, {a, s}))
end)

-- ---- x[...] -------------------------------------------------------------------

T.test("x[i] and x[{...}] read through recorded views", function()
  local a = rand(3, 4)
  T.eq(a[2].grad_fn.name, "SelectBackward")
  T.eq(a[{2, {1, 3}}].grad_fn.name, "NarrowBackward")
  T.eq(a[{}].grad_fn.name, "NarrowBackward")
  T.truthy(gradcheck(function(x) return x[{{2, 3}, -1}] end, {rand(3, 4)}))
  T.truthy(gradcheck(function(x) return x:t()[{{}, {2}}] end, {rand(3, 4)}))
  T.truthy(gradcheck(function(x) return x[2][3] * x[{1, 1}] end, {rand(3, 4)}))
  backward_sum(a[{-1, {2, 3}}] * 3)
  T.allclose(a.grad:totable(), {{0, 0, 0, 0}, {0, 0, 0, 0}, {0, 3, 3, 0}})
end)

T.test("x[i] = v into a tensor with history: the old region gets no gradient", function()
  local a = rand(3, 2)
  local y = a * 1
  y[2] = 5
  T.eq(y.grad_fn.name, "CopySlices")
  T.allclose(y[2]:detach():totable(), {5, 5})
  backward_sum(y)
  T.allclose(a.grad:totable(), {{1, 1}, {0, 0}, {1, 1}})
  a.grad = nil
  local b = rand(2)
  local z = a * 2
  z[{{1, 2}, 2}] = b * 3
  backward_sum(z)
  T.allclose(a.grad:totable(), {{2, 0}, {2, 0}, {2, 2}})
  T.allclose(b.grad:totable(), {3, 3})
end)

T.test("out[i] = v: writing a tensor that requires grad into plain zeros", function()
  local a = rand(3)
  local out = torch.zeros(4, 3, {dtype = "float64"})
  out[2] = a * 2
  out[{4, {2, 3}}] = a:narrow(1, 1, 2)
  T.truthy(out.requires_grad)
  backward_sum(out)
  T.allclose(a.grad:totable(), {3, 3, 2})
  T.truthy(gradcheck(function(x, v)
    local o = torch.zeros(3, 2, {dtype = "float64"})
    o[1] = x
    o[{{2, 3}, 2}] = v * x
    return o
  end, {rand(2), rand(2)}))
end)

T.test("x[mask] = v and x[index] = v record (fill, scatter, copy)", function()
  local a = rand(3, 2)
  local m = B {{true, false}, {false, true}, {true, true}}
  local v = torch.tensor(3.0, {dtype = "float64"}):requires_grad_()
  local y = a * 1
  y[m] = v
  T.eq(y.grad_fn.name, "MaskedFillBackward")
  backward_sum(y * 2)
  T.allclose(a.grad:totable(), {{0, 2}, {2, 0}, {0, 0}})
  T.close(v.grad:item(), 8)
  T.truthy(gradcheck(function(x, s) local z = x * 1; z[m] = s; return z end, {rand(3, 2), rand(4)}))
  T.truthy(gradcheck(function(x, s) local z = x * 1; z[m] = s; return z end, {rand(3, 2), rand(1)}))
  T.truthy(gradcheck(function(x) local z = x * 1; z[m] = 0; return z end, {rand(3, 2)}))
  T.truthy(gradcheck(function(x, s) local z = x * 1; z[I {3, 1}] = s; return z end, {rand(3, 2), rand(2)}))
  T.truthy(gradcheck(function(x) local z = x * 1; z[I {2}] = -1; return z end, {rand(3, 2)}))
  local s = rand(2)
  local w = torch.zeros(3, 2, {dtype = "float64"})
  w[I {1, 3, 1}] = s
  T.eq(w.grad_fn.name, "IndexCopyBackward")
  backward_sum(w)
  T.allclose(s.grad:totable(), {3, 3})
end)

T.test("writing into a leaf that requires grad is an error naming the function", function()
  local a = rand(3, 2)
  T.errors("index: fill_: a view of a leaf tensor that requires grad", function() a[1] = 0 end)
  T.errors("index: copy_: a view of a leaf tensor that requires grad",
    function() a[{{1, 2}}] = torch.zeros(2, 2, {dtype = "float64"}) end)
  T.errors("leaf tensor that requires grad cannot be modified in place", function() a[a:gt(0.5)] = 1 end)
  T.errors("index_fill_: a leaf tensor that requires grad", function() a[I {1}] = 1 end)
  T.errors("scatter_: a leaf tensor that requires grad", function() a:scatter_(1, I {{1, 1}}, 0) end)
  T.errors("index_add_: a leaf tensor", function() a:index_add_(1, I {1}, rand(1, 2)) end)
  T.errors("masked_scatter_: a leaf tensor", function() a:masked_scatter_(a:gt(2), rand(6)) end)
  -- untouched by the failed writes, and writable without grad mode
  T.eq(a.grad_fn, nil)
  torch.no_grad(function()
    a[1] = 0
    a:index_fill_(2, I {2}, 1)
  end)
  T.allclose(a:detach()[1]:totable(), {0, 1})
  T.eq(a.grad_fn, nil)
  T.truthy(a.is_leaf)
end)

T.test("a saved index modified in place makes backward fail", function()
  local a = rand(3)
  local idx = I {1, 3}
  local y = a:gather(1, idx)
  idx[1] = 2
  T.errors("modified by an in-place operation", function() backward_sum(y) end)
  local mask = B {true, false, true}
  local z = a:masked_select(mask)
  mask:fill_(true)
  T.errors("modified by an in-place operation", function() backward_sum(z) end)
end)

T.test("index op errors still name the function", function()
  local a = rand(3, 2)
  T.errors("gather", function() return a:gather(1, I {{4}}) end)
  T.errors("index_add", function() return a:index_add(1, I {1}, rand(2, 2)) end)
  T.errors("masked_scatter", function() return a:masked_scatter(B {true, true}, rand(1)) end)
  local x = a * 1
  T.errors("masked_scatter_", function() x:masked_scatter_(B {{{true}}, {{true}}}, rand(12)) end)
  T.errors("scatter_", function() x:scatter_(1, I {{1, 1}}, rand(2, 2):float()) end)
end)
