-- CSV.lua — data.datasets.CSV: a numeric table read from delimited text, as a
-- TensorDataset of feature rows and targets.
--
--   data.datasets.CSV{path = "iris.csv", targets = "species", target_dtype = "int64"}
--
-- targets names the target column(s), by header name or 1-based number (one
-- or a list); by default the last column; false for none.  The other
-- columns are the features.  One target column gives 1-D targets (N), several
-- give (N, T).  Values are parsed in C (float64) and converted to dtype
-- (features, float32) and target_dtype (float32; int64 for class labels,
-- which must then be integers, used as they are in the file).
local torch = require "torch"
local class = require "data.class"
local TensorDataset = require "data.TensorDataset"

local CSV = TensorDataset:extend("CSV")
local OPTIONS = {path = true, header = true, delimiter = true, targets = true, dtype = true, target_dtype = true}

-- The 1-based column numbers that `spec` names.
local function columns(spec, names, ncols, name)
  if spec == false then return {} end
  if spec == nil then return ncols > 0 and {ncols} or {} end
  local list = type(spec) == "table" and spec or {spec}
  local out = {}
  for k, c in ipairs(list) do
    local col = class.integer(c)
    if type(c) == "string" then
      for j, n in ipairs(names or {}) do if n == c then col = j end end
      if not col then error(string.format("%s: no column named '%s'%s", name, c,
        names and " (columns: " .. table.concat(names, ", ") .. ")" or " (the file has no header)"), 0) end
    end
    if not col or col < 1 or col > ncols then
      error(string.format("%s: target column %s out of range (the file has %d columns)", name, tostring(c), ncols), 0)
    end
    out[k] = col
  end
  return out
end

function CSV:init(path, opts)
  local name = class.name(self)
  if type(path) == "table" then path, opts = path.path, path end
  opts = class.options(opts, name, OPTIONS, 3)
  if type(path) ~= "string" then error(name .. ": path must be a string, got " .. type(path), 3) end
  local ok, result = pcall(function()
    local values, names = torch._read_csv(path, {delimiter = opts.delimiter, header = opts.header})
    local ncols = values:size(2)
    local target_cols = columns(opts.targets, names, ncols, name)
    local is_target, feature_cols = {}, {}
    for _, c in ipairs(target_cols) do is_target[c] = true end
    for c = 1, ncols do if not is_target[c] then feature_cols[#feature_cols + 1] = c end end
    local function pick(cols) return values:index_select(2, torch.tensor(#cols > 0 and cols or {}, {dtype = "int64"})) end
    local x = pick(feature_cols):to(opts.dtype or "float32")
    local y = pick(target_cols)
    local target_dtype = opts.target_dtype or "float32"
    if target_dtype == "int64" and not y:eq(y:round()):all():item() then
      error(name .. ": " .. path .. ": target_dtype int64 needs integer targets, the file has fractions", 0)
    end
    y = y:to(target_dtype)
    if #target_cols == 1 then y = y:select(2, 1) end
    self.path, self.columns = path, names
    self.feature_columns, self.target_columns = feature_cols, target_cols
    return #target_cols > 0 and {x, y} or {x}
  end)
  if not ok then error(result, 3) end
  TensorDataset.init(self, table.unpack(result))
end

function CSV:_repr()
  return string.format("CSV(%s: %d samples, %d features, %d targets)", self.path, #self, #self.feature_columns,
    #self.target_columns)
end

torch.doc(CSV, "data.datasets.CSV{path=, header=true, delimiter=\",\", targets=<last column>, dtype=\"float32\", target_dtype=\"float32\"}",
  "A numeric CSV file as a dataset of feature rows and targets (columns named or numbered by targets).",
  [[
local path = os.tmpname()
local f = io.open(path, "w")
f:write("height,weight,label\n1.5,50,1\n1.8,80,2\n1.7,65,1\n")
f:close()
local ds = data.datasets.CSV{path = path, targets = "label", target_dtype = "int64"}
print(#ds, ds:get(2))
os.remove(path)]])
return CSV
