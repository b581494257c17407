-- LBFGS.lua — optim.LBFGS, as torch.optim.LBFGS: limited-memory BFGS over
-- all parameters flattened into one vector, with an optional strong-Wolfe
-- line search.  step(closure) is required: the closure recomputes the loss,
-- calls backward and returns the loss; one step runs up to max_iter
-- iterations and evaluates the closure up to max_eval times.
--
-- A port of PyTorch 1.13's lbfgs.py, iteration for iteration; the scalars
-- PyTorch keeps in 0-dim tensors (ys, ro, H_diag, the line-search values)
-- are Lua numbers here, which changes float32 results in the last bits.
-- The state (d, t, old_dirs, old_stps, ro, H_diag, prev_flat_grad,
-- prev_loss, func_evals, n_iter) lives under the first parameter, as in
-- PyTorch.
local torch = require "torch"
local Optimizer = require "optim.Optimizer"

local LBFGS = Optimizer:extend("LBFGS", {
  {"lr", 1, ">=0"}, {"max_iter", 20, ">=0"}, {"max_eval", nil, "number"}, {"tolerance_grad", 1e-7, ">=0"},
  {"tolerance_change", 1e-9, ">=0"}, {"history_size", 100, ">=0"}, {"line_search_fn", nil, "string"},
})

function LBFGS:_check_group(group, where)
  if group.max_eval == nil then group.max_eval = group.max_iter * 5 // 4 end
  if group.line_search_fn ~= nil and group.line_search_fn ~= "strong_wolfe" then
    error("LBFGS: line_search_fn must be nil or 'strong_wolfe', got '" .. group.line_search_fn .. "'" .. where, 0)
  end
end

function LBFGS:_check_groups()
  if #self.param_groups ~= 1 then error("LBFGS doesn't support per-parameter options (parameter groups)", 0) end
end

-- The flat vector of every parameter's gradient (zeros where there is none).
local function gather_flat_grad(params)
  local views = {}
  for i, p in ipairs(params) do
    local g = p.grad
    views[i] = g ~= nil and g:reshape(-1) or torch.zeros(p:numel(), {dtype = p.dtype})
  end
  return torch.cat(views, 1)
end

-- p += step_size * (p's slice of the flat update).
local function add_grad(params, step_size, update)
  local offset = 0
  for _, p in ipairs(params) do
    local n = p:numel()
    p:add_(update:narrow(1, offset + 1, n):view_as(p), {alpha = step_size})
    offset = offset + n
  end
end

local function clone_params(params)
  local out = {}
  for i, p in ipairs(params) do out[i] = p:clone() end
  return out
end

local function set_params(params, values)
  for i, p in ipairs(params) do p:copy_(values[i]) end
end

local function abs_max(t) return t:abs():max():item() end

-- The minimizer of the cubic through (x1, f1, g1) and (x2, f2, g2), kept in bounds.
local function cubic_interpolate(x1, f1, g1, x2, f2, g2, xmin_bound, xmax_bound)
  if xmin_bound == nil then
    if x1 <= x2 then xmin_bound, xmax_bound = x1, x2 else xmin_bound, xmax_bound = x2, x1 end
  end
  local d1 = g1 + g2 - 3 * (f1 - f2) / (x1 - x2)
  local d2_square = d1 ^ 2 - g1 * g2
  if d2_square >= 0 then
    local d2 = math.sqrt(d2_square)
    local min_pos
    if x1 <= x2 then
      min_pos = x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2))
    else
      min_pos = x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2))
    end
    return math.min(math.max(min_pos, xmin_bound), xmax_bound)
  end
  return (xmin_bound + xmax_bound) / 2
end

-- The strong-Wolfe line search of PyTorch (after minFunc): returns the new
-- loss, flat gradient, step and number of evaluations.
local function strong_wolfe(obj_func, x, t, d, f, g, gtd)
  local c1, c2, tolerance_change, max_ls = 1e-4, 0.9, 1e-9, 25
  local d_norm = abs_max(d)
  g = g:clone()
  local f_new, g_new = obj_func(x, t, d)
  local ls_func_evals = 1
  local gtd_new = g_new:dot(d):item()
  local t_prev, f_prev, g_prev, gtd_prev = 0, f, g, gtd
  local done, ls_iter = false, 0
  local bracket, bracket_f, bracket_g, bracket_gtd
  while ls_iter < max_ls do
    if f_new > f + c1 * t * gtd or (ls_iter > 1 and f_new >= f_prev) then
      bracket, bracket_f = {t_prev, t}, {f_prev, f_new}
      bracket_g, bracket_gtd = {g_prev, g_new:clone()}, {gtd_prev, gtd_new}
      break
    end
    if math.abs(gtd_new) <= -c2 * gtd then
      bracket, bracket_f, bracket_g = {t}, {f_new}, {g_new}
      done = true
      break
    end
    if gtd_new >= 0 then
      bracket, bracket_f = {t_prev, t}, {f_prev, f_new}
      bracket_g, bracket_gtd = {g_prev, g_new:clone()}, {gtd_prev, gtd_new}
      break
    end
    local min_step, max_step = t + 0.01 * (t - t_prev), t * 10
    local tmp = t
    t = cubic_interpolate(t_prev, f_prev, gtd_prev, t, f_new, gtd_new, min_step, max_step)
    t_prev, f_prev, g_prev, gtd_prev = tmp, f_new, g_new:clone(), gtd_new
    f_new, g_new = obj_func(x, t, d)
    ls_func_evals = ls_func_evals + 1
    gtd_new = g_new:dot(d):item()
    ls_iter = ls_iter + 1
  end
  if ls_iter == max_ls then bracket, bracket_f, bracket_g = {0, t}, {f, f_new}, {g, g_new} end

  -- zoom: shrink the bracket until a point satisfies the strong Wolfe conditions
  local insuf_progress = false
  local low_pos, high_pos = 1, 2
  if bracket_f[1] > bracket_f[#bracket_f] then low_pos, high_pos = 2, 1 end
  while not done and ls_iter < max_ls do
    if math.abs(bracket[2] - bracket[1]) * d_norm < tolerance_change then break end
    t = cubic_interpolate(bracket[1], bracket_f[1], bracket_gtd[1], bracket[2], bracket_f[2], bracket_gtd[2])
    local hi, lo = math.max(bracket[1], bracket[2]), math.min(bracket[1], bracket[2])
    local eps = 0.1 * (hi - lo)
    if math.min(hi - t, t - lo) < eps then
      if insuf_progress or t >= hi or t <= lo then
        if math.abs(t - hi) < math.abs(t - lo) then t = hi - eps else t = lo + eps end
        insuf_progress = false
      else
        insuf_progress = true
      end
    else
      insuf_progress = false
    end
    f_new, g_new = obj_func(x, t, d)
    ls_func_evals = ls_func_evals + 1
    gtd_new = g_new:dot(d):item()
    ls_iter = ls_iter + 1
    if f_new > f + c1 * t * gtd or f_new >= bracket_f[low_pos] then
      bracket[high_pos], bracket_f[high_pos] = t, f_new
      bracket_g[high_pos], bracket_gtd[high_pos] = g_new:clone(), gtd_new
      if bracket_f[1] <= bracket_f[2] then low_pos, high_pos = 1, 2 else low_pos, high_pos = 2, 1 end
    else
      if math.abs(gtd_new) <= -c2 * gtd then
        done = true
      elseif gtd_new * (bracket[high_pos] - bracket[low_pos]) >= 0 then
        bracket[high_pos], bracket_f[high_pos] = bracket[low_pos], bracket_f[low_pos]
        bracket_g[high_pos], bracket_gtd[high_pos] = bracket_g[low_pos], bracket_gtd[low_pos]
      end
      bracket[low_pos], bracket_f[low_pos] = t, f_new
      bracket_g[low_pos], bracket_gtd[low_pos] = g_new:clone(), gtd_new
    end
  end
  return bracket_f[low_pos], bracket_g[low_pos], bracket[low_pos], ls_func_evals
end

local function loss_value(v)
  if torch.is_tensor(v) then return v:item() end
  if type(v) ~= "number" then error("LBFGS: the closure must return the loss (a tensor or a number)", 0) end
  return v
end

-- The two-loop recursion: d = -H grad from the stored curvature pairs.
local function direction(state, flat_grad)
  local old_dirs, old_stps, ro = state.old_dirs, state.old_stps, state.ro
  local num_old = #old_dirs
  state.al = state.al or {}
  local al = state.al
  local q = flat_grad:neg()
  for i = num_old, 1, -1 do
    al[i] = old_stps[i]:dot(q):item() * ro[i]
    q:add_(old_dirs[i], {alpha = -al[i]})
  end
  local r = q * state.H_diag
  for i = 1, num_old do
    local be_i = old_dirs[i]:dot(r):item() * ro[i]
    r:add_(old_stps[i], {alpha = al[i] - be_i})
  end
  return r
end

-- Stores the newest curvature pair (y, s) when it is informative.
local function update_history(state, flat_grad, history_size)
  local y = flat_grad - state.prev_flat_grad
  local s = state.d * state.t
  local ys = y:dot(s):item()
  if ys > 1e-10 then
    if #state.old_dirs == history_size then
      table.remove(state.old_dirs, 1)
      table.remove(state.old_stps, 1)
      table.remove(state.ro, 1)
    end
    table.insert(state.old_dirs, y)
    table.insert(state.old_stps, s)
    table.insert(state.ro, 1 / ys)
    state.H_diag = ys / y:dot(y):item()
  end
end

local function run(self, closure)
  local group = self.param_groups[1]
  local params = group.params
  local lr, max_iter, max_eval = group.lr, group.max_iter, group.max_eval
  local tolerance_grad, tolerance_change = group.tolerance_grad, group.tolerance_change
  local state = self.state[params[1]]
  if state == nil then
    state = {func_evals = 0, n_iter = 0}
    self.state[params[1]] = state
  end
  local function evaluate() return torch.enable_grad(closure) end

  local orig_loss = evaluate()
  local loss = loss_value(orig_loss)
  local current_evals = 1
  state.func_evals = state.func_evals + 1
  local flat_grad = gather_flat_grad(params)
  if abs_max(flat_grad) <= tolerance_grad then return orig_loss end

  local n_iter = 0
  while n_iter < max_iter do
    n_iter = n_iter + 1
    state.n_iter = state.n_iter + 1
    if state.n_iter == 1 then
      state.d = flat_grad:neg()
      state.old_dirs, state.old_stps, state.ro, state.H_diag = {}, {}, {}, 1
    else
      update_history(state, flat_grad, group.history_size)
      state.d = direction(state, flat_grad)
    end
    if state.prev_flat_grad == nil then
      state.prev_flat_grad = flat_grad:clone()
    else
      state.prev_flat_grad:copy_(flat_grad)
    end
    state.prev_loss = loss
    local d = state.d
    if state.n_iter == 1 then
      state.t = math.min(1, 1 / flat_grad:abs():sum():item()) * lr
    else
      state.t = lr
    end
    local gtd = flat_grad:dot(d):item()
    if gtd > -tolerance_change then break end

    local ls_func_evals = 0
    local opt_cond = false
    if group.line_search_fn ~= nil then
      local x_init = clone_params(params)
      local function obj_func(x, t, dir)
        add_grad(params, t, dir)
        local f = loss_value(evaluate())
        local g = gather_flat_grad(params)
        set_params(params, x)
        return f, g
      end
      loss, flat_grad, state.t, ls_func_evals = strong_wolfe(obj_func, x_init, state.t, d, loss, flat_grad, gtd)
      add_grad(params, state.t, d)
      opt_cond = abs_max(flat_grad) <= tolerance_grad
    else
      add_grad(params, state.t, d)
      if n_iter ~= max_iter then
        loss = loss_value(evaluate())
        flat_grad = gather_flat_grad(params)
        opt_cond = abs_max(flat_grad) <= tolerance_grad
        ls_func_evals = 1
      end
    end
    current_evals = current_evals + ls_func_evals
    state.func_evals = state.func_evals + ls_func_evals

    if n_iter == max_iter or current_evals >= max_eval or opt_cond then break end
    if abs_max(d * state.t) <= tolerance_change then break end
    if math.abs(loss - state.prev_loss) < tolerance_change then break end
  end
  return orig_loss
end

--- One LBFGS step: up to max_iter iterations, each calling closure() (which
-- must recompute the loss, call backward and return the loss).
function LBFGS:step(closure)
  if type(closure) ~= "function" then
    error("LBFGS: step needs a closure that recomputes the loss, calls backward and returns the loss", 0)
  end
  return torch.no_grad(run, self, closure)
end
torch.doc(LBFGS.step, "opt:step(closure)",
  "Up to max_iter LBFGS iterations; closure must zero the gradients, recompute the loss, call backward "
    .. "and return the loss. Returns the loss of the first evaluation.",
  [[
local x = torch.tensor({0.0}, {requires_grad = true})
local opt = optim.LBFGS({x})
local loss = opt:step(function()
  opt:zero_grad()
  local l = ((x - 2) ^ 2):sum()
  l:backward()
  return l
end)
print(loss, x)]])

torch.doc(LBFGS, "optim.LBFGS(params, {lr=1, max_iter=20, max_eval=max_iter*5/4, tolerance_grad=1e-7, "
  .. "tolerance_change=1e-9, history_size=100, line_search_fn=nil})",
  "Limited-memory BFGS; step(closure) needs a closure returning the loss; line_search_fn may be 'strong_wolfe'.",
  [[
local w = torch.tensor({-1.5, 2.0}, {requires_grad = true})
local opt = optim.LBFGS({w}, {line_search_fn = "strong_wolfe"})
local function closure()            -- LBFGS evaluates the loss several times per step
  opt:zero_grad()
  local loss = (1 - w[1]) ^ 2 + 100 * (w[2] - w[1] ^ 2) ^ 2   -- Rosenbrock's valley
  loss:backward()
  return loss
end
for step = 1, 3 do opt:step(closure) end
print(w, closure():item() < 1e-6)]])
return LBFGS
