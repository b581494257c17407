-- gradcheck.lua — torch.autograd.gradcheck and gradgradcheck: the gradients
-- autograd computes, checked against central finite differences.
--
-- For every output element j and every input element k that requires grad,
-- the analytical entry d out_j / d in_k (one backward per output element,
-- through torch.autograd.grad) must match (f(in_k + eps) - f(in_k - eps)) / 2eps
-- within atol + rtol * |numerical|.  Inputs should be float64: in float32 the
-- differences are dominated by rounding.  gradgradcheck runs gradcheck on the
-- function that computes the first gradients with create_graph, so it checks
-- second derivatives the same way.
local torch = require "torch"
local autograd = torch.autograd

local function as_list(v)
  if torch.is_tensor(v) then return {v} end
  return v
end

-- The outputs of fn at inputs, as a list of tensors.
local function outputs_of(fn, inputs)
  return as_list(fn(table.unpack(inputs, 1, inputs.n or #inputs)))
end

-- The flat values of every output.  (Recorded like any call: fn may itself
-- take gradients, as gradgradcheck's does.)
local function flat_outputs(fn, inputs)
  local outs, flat = outputs_of(fn, inputs), {}
  for o, out in ipairs(outs) do flat[o] = out:detach():double():reshape(-1):clone() end
  return flat
end

-- numerical[o][k] is the column d out_o / d in[k] (a flat tensor).
local function numerical_jacobian(fn, inputs, input, eps)
  local flat = input:detach():view(-1)
  local columns = {}
  for k = 1, flat:numel() do
    local orig = flat[k]:item()
    flat[k] = orig + eps
    local plus = flat_outputs(fn, inputs)
    flat[k] = orig - eps
    local minus = flat_outputs(fn, inputs)
    flat[k] = orig
    for o = 1, #plus do
      columns[o] = columns[o] or {}
      columns[o][k] = (plus[o] - minus[o]) / (2 * eps)
    end
  end
  return columns
end

local function describe(x)
  return string.format("%s (%s)", table.concat(x.shape, "x"), x.dtype)
end

--- Compares analytical and numerical Jacobians; returns true or raises an
--- error naming the output, the input, the element and both values.
function autograd.gradcheck(fn, inputs, opts)
  opts = opts or {}
  local eps, atol, rtol = opts.eps or 1e-6, opts.atol or 1e-5, opts.rtol or 1e-3
  inputs = as_list(inputs)
  local n_in = inputs.n or #inputs
  local checked = {}
  for i = 1, n_in do
    local x = inputs[i]
    if torch.is_tensor(x) and x.requires_grad then
      if not x:is_contiguous() then
        error(string.format("gradcheck: input %d must be contiguous", i), 2)
      end
      checked[#checked + 1] = i
    end
  end
  if #checked == 0 then error("gradcheck: no input requires grad", 2) end

  -- All analytical rows first: perturbing an input changes its version, and
  -- the graph of `outs` would then refuse to run backward.
  local outs = outputs_of(fn, inputs)
  local analytical = {}
  for o, out in ipairs(outs) do
    analytical[o] = {}
    for j = 1, out:numel() do
      local seed = torch.zeros_like(out)
      seed:view(-1)[j] = 1
      local xs = {}
      for c, i in ipairs(checked) do xs[c] = inputs[i] end
      local grads = autograd.grad({out}, xs, {grad_outputs = {seed}, retain_graph = true, allow_unused = true})
      analytical[o][j] = {}
      for c = 1, #checked do
        analytical[o][j][c] = grads[c] and grads[c]:detach():double():reshape(-1)
      end
    end
  end
  for c, i in ipairs(checked) do
    local numerical = numerical_jacobian(fn, inputs, inputs[i], eps)
    for o, out in ipairs(outs) do
      for j = 1, out:numel() do
        local row = analytical[o][j][c]
        for k = 1, inputs[i]:numel() do
          local a = row and row[k]:item() or 0
          local n = numerical[o][k][j]:item()
          if not (math.abs(a - n) <= atol + rtol * math.abs(n)) then
            error(string.format(
              "gradcheck: Jacobian mismatch for output %d (%s) with respect to input %d (%s), "
                .. "output element %d, input element %d: numerical %.10g, analytical %.10g",
              o, describe(out), i, describe(inputs[i]), j, k, n, a), 2)
          end
        end
      end
    end
  end
  return true
end
torch.doc(autograd.gradcheck, "torch.autograd.gradcheck(fn, inputs, {eps=1e-6, atol=1e-5, rtol=1e-3})",
  "Checks the gradients of fn(inputs...) against central finite differences, for every input "
    .. "that requires grad (use float64). Returns true, or raises an error naming the element.",
  [[
local x = torch.randn(3, {dtype = "float64", requires_grad = true})
print(torch.autograd.gradcheck(function(t) return (t * t):sin() end, {x}))]])

--- gradcheck of the first gradients: checks second derivatives.
function autograd.gradgradcheck(fn, inputs, opts)
  inputs = as_list(inputs)
  local n_in = inputs.n or #inputs
  local outs = outputs_of(fn, inputs)
  local seeds = {}
  for o, out in ipairs(outs) do
    seeds[o] = torch.randn(out.shape, {dtype = out.dtype}):requires_grad_()
  end
  local diff = {}
  for i = 1, n_in do
    if torch.is_tensor(inputs[i]) and inputs[i].requires_grad then diff[#diff + 1] = i end
  end
  -- The function of (inputs..., seeds...) whose value is the first gradients.
  local function first_grads(...)
    local args = table.pack(...)
    local xs = {}
    for _, i in ipairs(diff) do xs[#xs + 1] = args[i] end
    local ys = outputs_of(fn, args)
    local gs = {}
    for o = 1, #ys do gs[o] = args[n_in + o] end
    local grads = autograd.grad(ys, xs, {grad_outputs = gs, create_graph = true, allow_unused = true})
    local results = {}
    for k = 1, #xs do results[k] = grads[k] or torch.zeros_like(xs[k]) end
    return results
  end
  local all = {n = n_in + #seeds}
  for i = 1, n_in do all[i] = inputs[i] end
  for o = 1, #seeds do all[n_in + o] = seeds[o] end
  return autograd.gradcheck(first_grads, all, opts)
end
torch.doc(autograd.gradgradcheck, "torch.autograd.gradgradcheck(fn, inputs, {eps=, atol=, rtol=})",
  "Checks second derivatives: gradcheck of the gradients of fn (computed with create_graph) "
    .. "with respect to the inputs and a random output gradient.",
  [[
local x = torch.randn(3, {dtype = "float64", requires_grad = true})
print(torch.autograd.gradgradcheck(function(t) return t ^ 3 end, {x}))]])

return true
