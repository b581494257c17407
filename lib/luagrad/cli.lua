-- cli.lua — command-line options for luagrad scripts.
--
--   local opts = require("luagrad.cli").parse(arg, {
--     usage = "luagrad scripts/mnist_mlp.lua [options]",
--     about = "Trains the 784-128-128-10 MLP on Fashion-MNIST.",
--     {"epochs", 5, "passes over the training set"},
--     {"lr", 0.01, "learning rate"},
--     {"save", "mnist_mlp.safetensors", "checkpoint file"},
--     {"quiet", false, "print only the final report"},
--   })
--
-- Each option is {name, default, help}; its type is the default's (a number,
-- a string, or a boolean flag that takes no value), and a nil default
-- declares a string option with no value.  `--batch-size 100` and
-- `--batch-size=100` both set opts.batch_size (dashes become underscores).
-- `--help` prints the usage and exits; an unknown option or a bad number is
-- an error naming it, printed with the usage, exiting with status 2.
local cli = {}

local function option_name(spec) return "--" .. spec[1]:gsub("_", "-") end

--- The usage text of a spec table.
function cli.usage(spec)
  local lines = {"usage: " .. (spec.usage or "luagrad script.lua [options]")}
  if spec.about then lines[#lines + 1] = spec.about end
  lines[#lines + 1] = "options:"
  local rows, width = {}, 6
  for _, o in ipairs(spec) do
    local flag = option_name(o) .. (type(o[2]) == "boolean" and "" or (type(o[2]) == "number" and " N" or " S"))
    rows[#rows + 1] = {flag, o[3] .. (o[2] ~= nil and o[2] ~= false and " (default " .. tostring(o[2]) .. ")" or "")}
    width = math.max(width, #flag)
  end
  rows[#rows + 1] = {"--help", "show this text"}
  for _, r in ipairs(rows) do lines[#lines + 1] = string.format("  %-" .. width .. "s  %s", r[1], r[2]) end
  return table.concat(lines, "\n")
end

--- Parses argv (a list of strings) against the spec; returns the options
-- table, or nil and an error message.
function cli.try_parse(argv, spec)
  local opts, by_flag = {}, {}
  for _, o in ipairs(spec) do
    opts[o[1]] = o[2]
    by_flag[option_name(o)] = o
  end
  local i = 1
  while i <= #argv do
    local a = argv[i]
    local flag, value = a:match "^(%-%-[^=]+)=(.*)$"
    flag = flag or a
    local o = by_flag[flag]
    if flag == "--help" or flag == "-h" then return nil, "help" end
    if not o then return nil, "unknown option '" .. a .. "'" end
    if type(o[2]) == "boolean" then
      if value then return nil, flag .. " takes no value" end
      opts[o[1]] = true
    else
      if not value then
        i = i + 1
        value = argv[i]
        if value == nil then return nil, flag .. " needs a value" end
      end
      if type(o[2]) == "number" then
        local n = math.tointeger(tonumber(value)) or tonumber(value)
        if not n then return nil, flag .. " expects a number, got '" .. value .. "'" end
        opts[o[1]] = n
      else
        opts[o[1]] = value
      end
    end
    i = i + 1
  end
  return opts
end

--- Parses argv; prints the usage and exits on --help (status 0) or on a
-- mistake (status 2, with the message).
function cli.parse(argv, spec)
  local list = {}
  for k = 1, #(argv or {}) do list[k] = argv[k] end
  local opts, err = cli.try_parse(list, spec)
  if opts then return opts end
  if err == "help" then
    print(cli.usage(spec))
    os.exit(0)
  end
  io.stderr:write("error: ", err, "\n", cli.usage(spec), "\n")
  os.exit(2)
end

return cli
