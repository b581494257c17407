-- nn — neural-network modules, layers and losses; nn.functional (F) holds the
-- functional forms.  Filled in by the nn issue.
local torch = require "torch"

local nn = {functional = {}}
torch.doc(nn, "nn", "Neural-network modules, layers and losses (nn.functional holds the functional forms).")
torch.doc(nn.functional, "nn.functional (F)", "Functional forms of the layers and losses.")
return nn
