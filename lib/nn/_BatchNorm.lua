-- _BatchNorm.lua — what nn.BatchNorm1d and nn.BatchNorm2d share (PyTorch's
-- _BatchNorm): parameters weight (ones) and bias (zeros) when affine;
-- buffers running_mean (zeros), running_var (ones) and num_batches_tracked
-- (int64) when track_running_stats; and PyTorch's forward:
--   training with running stats: count the batch, normalise with the batch's
--     statistics and move the running ones toward them by momentum (momentum
--     = false, PyTorch's None, takes the cumulative average 1 / batches);
--   training without them: batch statistics only;
--   evaluation: the running statistics (batch ones when there are none).
-- A subclass sets _dims (the input dims it accepts) and _layout (how to say it).
local torch = require "torch"
local nn = require "nn"
local L = require "nn._layer"

local BatchNorm = nn.Module:extend("_BatchNorm")

function BatchNorm:init(...)
  local name = self:_type()
  local a = L.args(name, {{"num_features"}, {"eps", 1e-5}, {"momentum", 0.1}, {"affine", true},
    {"track_running_stats", true}, {"dtype"}}, ...)
  local c = a.num_features
  if math.type(c) ~= "integer" or c < 1 then
    error(name .. ": num_features must be a positive integer, got " .. tostring(c), 3)
  end
  self.num_features, self.eps, self.momentum = c, a.eps, a.momentum
  self.affine, self.track_running_stats = a.affine, a.track_running_stats
  L.affine(self, a.affine, {c}, a.dtype)
  if a.track_running_stats then
    self:register_buffer("running_mean", torch.zeros(c, {dtype = a.dtype}))
    self:register_buffer("running_var", torch.ones(c, {dtype = a.dtype}))
    self:register_buffer("num_batches_tracked", torch.tensor(0, {dtype = "int64"}))
  else
    self:register_buffer("running_mean", nil)
    self:register_buffer("running_var", nil)
    self:register_buffer("num_batches_tracked", nil)
  end
  self:reset_parameters()
end

--- Running statistics back to mean 0, variance 1, no batches seen.
function BatchNorm:reset_running_stats()
  if self.track_running_stats then
    torch.no_grad(function()
      self.running_mean:zero_()
      self.running_var:fill_(1)
      self.num_batches_tracked:zero_()
    end)
  end
end

function BatchNorm:reset_parameters()
  self:reset_running_stats()
  L.reset_affine(self)
end

function BatchNorm:_check_input(x)
  local name, dims = self:_type(), x:dim()
  if not self._dims[dims] then
    error(string.format("%s: expected a %s input, got %s", name, self._layout, table.concat(x.shape, "x")), 4)
  end
  if x:size(2) ~= self.num_features then
    error(string.format("%s: expected input with %d channels (num_features), got %s", name,
      self.num_features, table.concat(x.shape, "x")), 4)
  end
end

function BatchNorm:forward(x)
  self:_check_input(x)
  local momentum = self.momentum or 0.0
  if self.training and self.track_running_stats and self.num_batches_tracked then
    self.num_batches_tracked:add_(1)
    if not self.momentum then momentum = 1 / self.num_batches_tracked:item() end
  end
  local batch_stats = self.training or (self.running_mean == nil and self.running_var == nil)
  local running = not self.training or self.track_running_stats
  return nn.functional.batch_norm(x, running and self.running_mean or nil, running and self.running_var or nil,
    {weight = self.weight, bias = self.bias, training = batch_stats, momentum = momentum, eps = self.eps})
end

function BatchNorm:extra_repr()
  return string.format("%d, eps=%s, momentum=%s, affine=%s, track_running_stats=%s", self.num_features,
    L.repr(self.eps), self.momentum and L.repr(self.momentum) or "None", L.repr(self.affine),
    L.repr(self.track_running_stats))
end

return BatchNorm
