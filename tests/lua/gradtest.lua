-- gradtest.lua — what the autograd test files share: float64 constructors
-- (gradcheck needs float64 to tell rounding from a wrong derivative), leaves
-- that require grad, and the usual ways of starting a backward.
local G = {
  gradcheck = torch.autograd.gradcheck,
  gradgradcheck = torch.autograd.gradgradcheck,
}

function G.f64(list) return torch.tensor(list, {dtype = "float64"}) end
function G.leaf(list) return G.f64(list):requires_grad_() end

-- Random leaves of the given sizes: uniform in [0, 1), normal, and in
-- [0.5, 1.5] (away from zero, kinks and poles).
function G.rand(...) return torch.rand({...}, {dtype = "float64"}):requires_grad_() end
function G.randn(...) return torch.randn({...}, {dtype = "float64"}):requires_grad_() end
function G.positive(...)
  local x = torch.rand({...}, {dtype = "float64"})
  torch.no_grad(function() x:add_(0.5) end)
  return x:requires_grad_()
end

function G.backward_ones(y) y:backward(torch.ones_like(y)) end
function G.backward_sum(y) y:sum():backward() end

return G
