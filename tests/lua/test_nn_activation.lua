-- test_nn_activation.lua — the activations: every activation case of
-- tests/fixtures/loss.lua (forward and backward against PyTorch, including
-- the derivative at the kinks), gradcheck in float64 for each activation and
-- option, second derivatives of the C kernels, the in-place forms, the
-- classes and their reprs, and the messages bad input gets.
local T = require "testing"
local G = require "gradtest"
local LF = require "loss_fixture"
local F = nn.functional
local gradcheck, gradgradcheck = G.gradcheck, G.gradgradcheck

local ACTIVATIONS = {relu = true, leaky_relu = true, elu = true, gelu = true, silu = true, sigmoid = true,
  tanh = true, softplus = true, hardtanh = true, softmax = true, log_softmax = true}
LF.register(function(fn) return ACTIVATIONS[fn] end)

torch.manual_seed(12)

-- float64 leaves away from the kinks at 0 and +-1 (and the softplus threshold).
local function smooth_input()
  return torch.tensor({{-2.3, -0.7, 0.4, 1.6}, {2.8, -1.4, 0.2, -0.3}}, {dtype = "float64"}):requires_grad_()
end

-- {name, function of x}
local forms = {
  {"relu", function(x) return F.relu(x) end},
  {"leaky_relu", function(x) return F.leaky_relu(x) end},
  {"leaky_relu 0.3", function(x) return F.leaky_relu(x, 0.3) end},
  {"leaky_relu negative slope", function(x) return F.leaky_relu(x, {negative_slope = -0.5}) end},
  {"elu", function(x) return F.elu(x) end},
  {"elu alpha 2", function(x) return F.elu(x, {alpha = 2}) end},
  {"gelu", function(x) return F.gelu(x) end},
  {"gelu tanh", function(x) return F.gelu(x, "tanh") end},
  {"silu", function(x) return F.silu(x) end},
  {"sigmoid", function(x) return F.sigmoid(x) end},
  {"tanh", function(x) return F.tanh(x) end},
  {"softplus", function(x) return F.softplus(x) end},
  {"softplus beta 3 threshold 2", function(x) return F.softplus(x, 3, 2) end},
  {"hardtanh", function(x) return F.hardtanh(x) end},
  {"hardtanh -2, 2.5", function(x) return F.hardtanh(x, {min_val = -2, max_val = 2.5}) end},
  {"softmax", function(x) return F.softmax(x, 2) end},
  {"log_softmax", function(x) return F.log_softmax(x, 1) end},
}
for _, f in ipairs(forms) do
  T.test(f[1] .. ": gradcheck", function() T.truthy(gradcheck(f[2], {smooth_input()})) end)
end

T.test("leaky_relu, elu, softplus, hardtanh: gradgradcheck (the derivative op is recorded)", function()
  for _, f in ipairs(forms) do
    if f[1]:match "^leaky" or f[1]:match "^elu" or f[1]:match "^softplus" or f[1]:match "^hardtanh" then
      T.truthy(gradgradcheck(f[2], {smooth_input()}), f[1])
    end
  end
end)

T.test("elu's and softplus's second derivatives by hand", function()
  local x = torch.tensor({-1.0, 2.0}, {dtype = "float64", requires_grad = true})
  local g = torch.autograd.grad(F.elu(x, 0.5):sum(), x, {create_graph = true})[1]
  local gg = torch.autograd.grad(g:sum(), x)[1]
  T.close(gg[1]:item(), 0.5 * math.exp(-1), 1e-12)
  T.close(gg[2]:item(), 0, 1e-12)
  g = torch.autograd.grad(F.softplus(x, 2):sum(), x, {create_graph = true})[1]
  gg = torch.autograd.grad(g:sum(), x)[1]
  local s = 1 / (1 + math.exp(2))
  T.close(gg[1]:item(), 2 * s * (1 - s), 1e-12)
end)

T.test("the derivatives at the kinks are PyTorch's", function()
  local x = torch.tensor({0, -1, 1, 25}, {dtype = "float32", requires_grad = true})
  local function grad_of(fn)
    x.grad = nil
    fn(x):sum():backward()
    return x.grad:totable()
  end
  T.allclose(grad_of(function(v) return F.leaky_relu(v, 0.1) end), {0.1, 0.1, 1, 1})
  T.allclose(grad_of(function(v) return F.elu(v, 0.5) end), {0.5, 0.5 * math.exp(-1), 1, 1})
  T.allclose(grad_of(F.hardtanh), {1, 0, 0, 0})
  T.allclose(grad_of(function(v) return F.softplus(v, 1, 20) end), {0.5, 1 / (1 + math.exp(1)), 1 / (1 + math.exp(-1)), 1})
end)

-- ---- in place --------------------------------------------------------------------------

T.test("in-place forms write into the input and keep the graph", function()
  local leaf = torch.tensor({-2.0, 0.5, 3.0}, {requires_grad = true})
  local y = leaf * 1
  T.eq(F.leaky_relu(y, 0.1, true), y)
  T.allclose(y:totable(), {-0.2, 0.5, 3})
  y:sum():backward()
  T.allclose(leaf.grad:totable(), {0.1, 1, 1})
  local z = torch.tensor({-2.0, 0.5, 3.0})
  T.eq(F.relu(z, {inplace = true}), z)
  T.allclose(z:totable(), {0, 0.5, 3})
  z = torch.tensor({-2.0, 0.5, 3.0})
  F.elu_(z)
  T.close(z[1]:item(), math.exp(-2) - 1, 1e-6)
  z = torch.tensor({-2.0, 0.5, 3.0})
  F.hardtanh_(z, -1, 1)
  T.allclose(z:totable(), {-1, 0.5, 1})
  z:leaky_relu_(0.5)
  T.allclose(z:totable(), {-0.5, 0.5, 1})
  z = torch.tensor({-2.0, 0.5})
  F.silu(z, true)
  T.close(z[1]:item(), -2 / (1 + math.exp(2)), 1e-6)
  T.errors("leaky_relu_: ", F.leaky_relu_, torch.ones(2, {requires_grad = true}))
end)

T.test("methods and torch functions", function()
  local x = torch.tensor({-2.0, 0.5})
  T.allclose(x:leaky_relu(0.5):totable(), {-1, 0.5})
  T.allclose(torch.hardtanh(x, {min_val = -1.5}):totable(), {-1.5, 0.5})
  T.allclose(x:softplus({beta = 1, threshold = 0}):totable(), {math.log(1 + math.exp(-2)), 0.5})
  T.eq(torch.elu(x:double()).dtype, "float64")
end)

-- ---- classes -----------------------------------------------------------------------------

T.test("activation classes: forward is the function, the repr is PyTorch's", function()
  local x = torch.randn(3, 4)
  local reprs = {
    {nn.ReLU(), "ReLU()", F.relu(x)},
    {nn.ReLU(true), "ReLU(inplace=True)", nil},
    {nn.LeakyReLU(), "LeakyReLU(negative_slope=0.01)", F.leaky_relu(x)},
    {nn.LeakyReLU(0.2, true), "LeakyReLU(negative_slope=0.2, inplace=True)", nil},
    {nn.ELU({alpha = 0.5}), "ELU(alpha=0.5)", F.elu(x, 0.5)},
    {nn.ELU(), "ELU(alpha=1.0)", F.elu(x)},
    {nn.GELU(), "GELU(approximate='none')", F.gelu(x)},
    {nn.GELU("tanh"), "GELU(approximate='tanh')", F.gelu(x, "tanh")},
    {nn.SiLU(), "SiLU()", F.silu(x)},
    {nn.Sigmoid(), "Sigmoid()", torch.sigmoid(x)},
    {nn.Tanh(), "Tanh()", torch.tanh(x)},
    {nn.Softmax(2), "Softmax(dim=2)", torch.softmax(x, 2)},
    {nn.Softmax(), "Softmax(dim=None)", torch.softmax(x, 2)},
    {nn.LogSoftmax({dim = 1}), "LogSoftmax(dim=1)", torch.log_softmax(x, 1)},
    {nn.Softplus(), "Softplus(beta=1, threshold=20)", F.softplus(x)},
    {nn.Hardtanh(), "Hardtanh(min_val=-1.0, max_val=1.0)", F.hardtanh(x)},
    {nn.Hardtanh(-2, 2, true), "Hardtanh(min_val=-2, max_val=2, inplace=True)", nil},
  }
  for _, r in ipairs(reprs) do
    T.eq(tostring(r[1]), r[2])
    if r[3] then T.eq((r[1](x) - r[3]):abs():max():item(), 0, r[2]) end
  end
  local y = torch.tensor({-1.0, 2.0})
  nn.ReLU(true)(y)
  T.allclose(y:totable(), {0, 2})
  T.eq(#nn.ReLU():parameters(), 0)
end)

T.test("activations in a Sequential", function()
  local net = nn.Sequential(nn.Linear(4, 3), nn.LeakyReLU(0.1), nn.Linear(3, 2), nn.LogSoftmax(2))
  local out = net(torch.randn(5, 4))
  T.allclose(out.shape, {5, 2})
  T.truthy((out:exp():sum(2) - 1):abs():max():item() < 1e-6)
end)

-- ---- bad input ---------------------------------------------------------------------------------

T.test("activations: dtypes, options and bounds are checked", function()
  local ints = torch.tensor({1, -2})
  T.errors("leaky_relu: needs a floating point input (float32 or float64), got int64", F.leaky_relu, ints)
  T.errors("elu: needs a floating point input", F.elu, ints)
  T.errors("softplus: needs a floating point input", F.softplus, ints)
  T.errors("hardtanh: needs a floating point input", F.hardtanh, ints)
  T.errors("leaky_relu: unknown option 'slope'", F.leaky_relu, torch.ones(2), {slope = 0.1})
  T.errors("softplus: unknown option 'inplace'", F.softplus, torch.ones(2), {inplace = true})
  T.errors("hardtanh: max_val (-1.0) must not be less than min_val (1.0)", F.hardtanh, torch.ones(2), 1, -1)
  T.errors("elu: unexpected argument 3 (string)", F.elu, torch.ones(2), 1, "x")
  T.errors("relu: unknown option 'inplac'", F.relu, torch.ones(2), {inplac = true})
  T.errors("gelu: approximate must be \"none\" or \"tanh\", got fast", F.gelu, torch.ones(2), "fast")
  T.errors("LeakyReLU: unknown option 'slope'", nn.LeakyReLU, {slope = 0.2})
  T.errors("Hardtanh: expected at most 3 positional arguments, got 4", nn.Hardtanh, -1, 1, false, 2)
end)

T.test("softmax and log_softmax: dim, dtype, PyTorch's implicit dim", function()
  local x = torch.randn(2, 3, 4)
  T.eq((F.softmax(x, 3) - torch.softmax(x, 3)):abs():max():item(), 0)
  T.eq((F.softmax(x) - torch.softmax(x, 1)):abs():max():item(), 0)
  T.eq((F.log_softmax(x, {dim = 2}) - torch.log_softmax(x, 2)):abs():max():item(), 0)
  T.eq(F.log_softmax(x, 2, {dtype = "float64"}).dtype, "float64")
  T.eq((F.softmax(x[1]) - torch.softmax(x[1], 2)):abs():max():item(), 0)
  T.errors("softmax: unknown option 'dims'", F.softmax, x, {dims = 2})
end)
