-- test_nn_embedding.lua — nn.Embedding / F.embedding, nn.Dropout /
-- nn.Dropout2d / F.dropout / F.dropout2d and nn.Bilinear / F.bilinear:
-- forward and backward against PyTorch (tests/fixtures/gen_recurrent.py),
-- gradcheck in float64, padding_idx, from_pretrained, dropout's statistics
-- (kept fraction ~ 1 - p, scale exactly 1/(1-p), whole channels for
-- Dropout2d), eval mode and p = 0 as the identity, p = 1, the in-place
-- forms, the printed forms and the errors.
local T = require "testing"
local G = require "gradtest"
local S = require "seeded"

local F = nn.functional
local fx = S.fixture

torch.manual_seed(3)

local value, check_values = S.value, S.check_values

local function max_diff(a, b) return (a - b):abs():max():item() end

-- ---- embedding -------------------------------------------------------------------

for _, dtype in ipairs({"float64", "float32"}) do
  T.test("F.embedding with padding_idx (" .. dtype .. "): forward and backward as PyTorch", function()
    local e = fx.embedding
    local w = value(e.weight_shape, 20, dtype):requires_grad_()
    local idx = torch.tensor(e.indices, {dtype = "int64"})
    local y = F.embedding(idx, w, {padding_idx = e.padding_idx})
    T.eq(table.concat(y.shape, "x"), table.concat(e.output.shape, "x"))
    check_values(y, e.output.values, 1e-6, "output")
    local loss = (y * value(y.shape, 1, dtype)):sum()
    loss:backward()
    check_values(w.grad, e.weight_grad, 1e-6, "weight grad")
    T.eq(w.grad[2]:abs():sum():item(), 0, "the padding row gets no gradient")
  end)
end

-- (With padding_idx the gradient deliberately disagrees with finite differences
-- in the padding row, as in PyTorch; the fixture above checks that case.)
T.test("F.embedding: gradcheck, and gradgradcheck with padding", function()
  local idx = torch.tensor({{1, 3, 3}, {4, 1, 2}}, {dtype = "int64"})
  T.truthy(G.gradcheck(function(w) return F.embedding(idx, w) end, {G.randn(4, 3)}))
  T.truthy(G.gradgradcheck(function(w) return F.embedding(idx, w, {padding_idx = -1}) ^ 2 end, {G.randn(4, 2)}))
end)

T.test("F.embedding: index shapes (0-dim, 1-D, 3-D, empty) and Lua lists", function()
  local w = torch.randn(5, 2)
  T.eq(table.concat(F.embedding(torch.tensor(3, {dtype = "int64"}), w).shape, "x"), "2")
  T.eq(max_diff(F.embedding(torch.tensor(3, {dtype = "int64"}), w), w[3]), 0)
  T.eq(table.concat(F.embedding(torch.ones(2, 3, 4, {dtype = "int64"}), w).shape, "x"), "2x3x4x2")
  T.eq(table.concat(F.embedding(torch.zeros(0, {dtype = "int64"}), w).shape, "x"), "0x2")
  T.eq(max_diff(F.embedding({5, 1}, w), torch.stack({w[5], w[1]})), 0)
  -- the weight's layout does not matter
  local wt = torch.randn(2, 5):t()
  T.eq(max_diff(F.embedding({2, 4}, wt), torch.stack({wt[2], wt[4]})), 0)
end)

T.test("nn.Embedding: N(0, 1) init with a zero padding row, repr, from_pretrained", function()
  local e = nn.Embedding(1000, 8, {padding_idx = -2})
  T.eq(e.padding_idx, 999, "negative padding_idx counts from the end")
  T.eq(e.weight[999]:abs():sum():item(), 0)
  local w = e.weight:narrow(1, 1, 998)
  T.close(w:mean():item(), 0, 0.05)
  T.close(w:std():item(), 1, 0.05)
  T.eq(tostring(nn.Embedding(10, 3, {padding_idx = 2})), "Embedding(10, 3, padding_idx=2)")
  T.eq(tostring(nn.Embedding(10, 3)), "Embedding(10, 3)")
  local pre = torch.randn(4, 3)
  local frozen = nn.Embedding.from_pretrained(pre)
  T.truthy(not frozen.weight.requires_grad, "frozen by default")
  T.eq(#frozen:parameters(), 1)
  T.eq(max_diff(frozen({2}), pre[{{2}}]), 0)
  local free = nn.Embedding.from_pretrained(pre, {freeze = false, padding_idx = 1})
  T.truthy(free.weight.requires_grad)
  free(torch.tensor({1, 2, 1}, {dtype = "int64"})):sum():backward()
  T.eq(free.weight.grad[1]:abs():sum():item(), 0)
  T.eq(free.weight.grad[2]:sum():item(), 3)
  T.eq(pre[1][1]:item(), free.weight[1][1]:item(), "the weight is the pretrained tensor")
end)

T.test("embedding: errors name the index and num_embeddings", function()
  local e = nn.Embedding(10, 3)
  T.errors("embedding: index 11 out of range for num_embeddings 10 (indices are 1..10)", e, {1, 11})
  T.errors("embedding: index 0 out of range for num_embeddings 10", e, {0})
  T.errors("embedding: index -1 out of range for num_embeddings 10", e, {-1})
  T.errors("embedding: expected int64 indices, got float32", e, torch.ones(2))
  T.errors("embedding: expected a 2-D weight (num_embeddings x embedding_dim), got 3", F.embedding, {1}, torch.ones(3))
  T.errors("embedding: option 'max_norm' is not supported", F.embedding, {1}, e.weight, {max_norm = 1})
  T.errors("embedding: unknown option 'paddingidx'", F.embedding, {1}, e.weight, {paddingidx = 1})
  T.errors("embedding: padding_idx 11 out of range for num_embeddings 10", F.embedding, {1}, e.weight,
    {padding_idx = 11})
  T.errors("Embedding: padding_idx must be an integer in 1..10", nn.Embedding, 10, 3, {padding_idx = 0})
  T.errors("Embedding: option 'sparse' is not supported", nn.Embedding, 10, 3, {sparse = true})
end)

-- ---- dropout -------------------------------------------------------------------------

T.test("F.dropout: kept fraction ~ 1 - p, kept values scaled by exactly 1/(1-p), gradient = mask", function()
  for _, p in ipairs({0.1, 0.5, 0.8}) do
    local x = torch.randn(200, 500):requires_grad_()
    local y = F.dropout(x, p)
    local kept = y:ne(0)
    local frac = kept:sum():item() / x:numel()
    T.close(frac, 1 - p, 0.01, "kept fraction for p = " .. p)   -- sd ~ 0.0014
    local scale = torch.tensor(1 / (1 - p))                       -- rounded to float32 once
    T.eq(max_diff(y[kept], x:detach()[kept] * scale), 0, "scale")
    y:sum():backward()
    T.eq(max_diff(x.grad, kept:float() * scale), 0, "gradient")
    T.eq(y.grad_fn.name, "DropoutBackward")
  end
end)

T.test("F.dropout: eval mode and p = 0 return x itself; p = 1 zeroes everything", function()
  local x = torch.randn(3, 4):requires_grad_()
  T.truthy(rawequal(F.dropout(x, 0.5, false), x), "training = false")
  T.truthy(rawequal(F.dropout(x, {p = 0.3, training = false}), x), "options form")
  T.truthy(rawequal(F.dropout(x, 0), x), "p = 0")
  local y = F.dropout(x, 1)
  T.eq(y:abs():sum():item(), 0)
  y:sum():backward()
  T.eq(x.grad:abs():sum():item(), 0)
  local m = nn.Dropout(0.5)
  m:eval()
  T.truthy(rawequal(m(x), x), "nn.Dropout in eval mode")
  m:train()
  T.truthy(m(torch.ones(1000)):eq(0):sum():item() > 0)
end)

T.test("F.dropout in place, and float64", function()
  local x = torch.ones(100, 100, {dtype = "float64"})
  local y = F.dropout(x, {p = 0.25, inplace = true})
  T.truthy(rawequal(y, x))
  local vals = torch.unique(x):totable()
  T.eq(#vals, 2)
  T.eq(vals[1], 0)
  T.eq(vals[2], 1 / 0.75)
  -- a non-leaf in place: the gradient still flows through the mask
  local leaf = torch.randn(50, 50):requires_grad_()
  local h = leaf * 1
  nn.Dropout(0.5, {inplace = true})(h)
  h:sum():backward()
  T.eq(max_diff(leaf.grad, h:ne(0):float() * 2), 0)
  T.errors("dropout_: a leaf tensor that requires grad cannot be modified in place", F.dropout, leaf, 0.5, true, true)
end)

T.test("F.dropout: gradcheck through a fixed mask, and gradgradcheck", function()
  local fn = function(x)
    torch.manual_seed(99)
    return F.dropout(x, 0.4)
  end
  T.truthy(G.gradcheck(fn, {G.randn(4, 5)}))
  T.truthy(G.gradgradcheck(function(x) return fn(x) ^ 2 end, {G.randn(3, 3)}))
  local fn2 = function(x)
    torch.manual_seed(99)
    return F.dropout2d(x, 0.4)
  end
  T.truthy(G.gradcheck(fn2, {G.randn(2, 3, 2, 2)}))
end)

T.test("F.dropout2d: whole channels dropped, batched and unbatched", function()
  local x = torch.ones(8, 64, 3, 3)
  local y = F.dropout2d(x, 0.5)
  local per_channel = y:sum({3, 4})          -- 0 or 9 * 2 for each (n, c)
  T.eq(per_channel:eq(0):logical_or(per_channel:eq(18)):all():item(), true)
  T.close(per_channel:ne(0):sum():item() / 512, 0.5, 0.1)
  local u = F.dropout2d(torch.ones(64, 2, 2), 0.5)
  T.eq(table.concat(u.shape, "x"), "64x2x2")
  local s = u:sum({2, 3})
  T.eq(s:eq(0):logical_or(s:eq(8)):all():item(), true)
  local m = nn.Dropout2d(0.3)
  T.eq(tostring(m), "Dropout2d(p=0.3, inplace=False)")
  m:eval()
  T.truthy(rawequal(m(x), x))
  local z = torch.ones(2, 4, 2, 2)
  T.truthy(rawequal(F.dropout2d(z, 0.5, true, true), z), "in place")
end)

T.test("dropout: errors", function()
  T.errors("dropout: dropout probability p must be in [0, 1], got 1.5", F.dropout, torch.ones(2), 1.5)
  T.errors("dropout: unknown option 'prob'", F.dropout, torch.ones(2), {prob = 0.5})
  T.errors("dropout: expected a floating tensor, got int64", F.dropout, torch.ones(2, {dtype = "int64"}))
  T.errors("dropout2d: expected a 4-D (N, C, H, W) or 3-D (C, H, W) input, got shape 2x3", F.dropout2d, torch.ones(2, 3))
  T.errors("Dropout: dropout probability p must be in [0, 1], got -0.1", nn.Dropout, -0.1)
  T.errors("Dropout2d: unknown option 'inplce'", nn.Dropout2d, 0.5, {inplce = true})
  T.eq(tostring(nn.Dropout()), "Dropout(p=0.5, inplace=False)")
end)

-- ---- bilinear --------------------------------------------------------------------------

for _, dtype in ipairs({"float64", "float32"}) do
  T.test("F.bilinear (" .. dtype .. "): forward and backward as PyTorch", function()
    local x1, x2 = value({2, 2, 3}, 30, dtype):requires_grad_(), value({2, 2, 4}, 31, dtype):requires_grad_()
    local w, b = value({5, 3, 4}, 32, dtype):requires_grad_(), value({5}, 33, dtype):requires_grad_()
    local y = F.bilinear(x1, x2, w, b)
    T.eq(table.concat(y.shape, "x"), table.concat(fx.bilinear.output.shape, "x"))
    check_values(y, fx.bilinear.output.values, 1e-6, "output")
    local loss = (y * value(y.shape, 1, dtype)):sum()
    loss:backward()
    for i, t in ipairs({x1, x2, w, b}) do check_values(t.grad, fx.bilinear.grads[i], 1e-6, "grad " .. i) end
  end)
end

T.test("F.bilinear: gradcheck, 1-D inputs, no bias", function()
  T.truthy(G.gradcheck(F.bilinear, {G.randn(3, 2), G.randn(3, 4), G.randn(2, 2, 4), G.randn(2)}))
  T.truthy(G.gradcheck(F.bilinear, {G.randn(2), G.randn(3), G.randn(4, 2, 3)}))
  local x1, x2, w = torch.randn(2), torch.randn(3), torch.randn(4, 2, 3)
  local want = torch.stack({x1:matmul(w[1]):matmul(x2), x1:matmul(w[2]):matmul(x2), x1:matmul(w[3]):matmul(x2),
    x1:matmul(w[4]):matmul(x2)})
  T.truthy(max_diff(F.bilinear(x1, x2, w), want) < 1e-5)
end)

T.test("nn.Bilinear: init bounds, repr, forward, errors", function()
  local m = nn.Bilinear(16, 3, 4)
  T.eq(tostring(m), "Bilinear(in1_features=16, in2_features=3, out_features=4, bias=True)")
  T.truthy(m.weight:abs():max():item() <= 0.25 and m.bias:abs():max():item() <= 0.25)
  T.eq(table.concat(m.weight.shape, "x"), "4x16x3")
  T.eq(table.concat(m(torch.randn(5, 16), torch.randn(5, 3)).shape, "x"), "5x4")
  T.eq(#nn.Bilinear(2, 3, 4, {bias = false}):parameters(), 1)
  T.errors("bilinear: expected input1 (*, 16) and input2 (*, 3) with the same leading dims (weight 4x16x3), "
    .. "got 5x16 and 4x3", m, torch.randn(5, 16), torch.randn(4, 3))
  T.errors("bilinear: expected a 3-D weight (out x in1 x in2), got 2x2", F.bilinear, torch.ones(2), torch.ones(2),
    torch.ones(2, 2))
  T.errors("bilinear: expected a bias of shape 4, got 3", F.bilinear, torch.ones(16), torch.ones(3), m.weight,
    torch.ones(3))
  T.errors("Bilinear: unknown option 'bais'", nn.Bilinear, 1, 2, 3, {bais = false})
end)
