-- data — datasets, DataLoader and transforms.  Filled in by the data issue.
local torch = require "torch"

local data = {}
torch.doc(data, "data", "Datasets, the DataLoader and transforms.")
return data
