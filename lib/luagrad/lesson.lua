-- lesson.lua — what the walkthroughs in scripts/teach/ share: a title,
-- paragraphs, tensors shown by name, a pause between steps when run with
-- --step (Enter goes on), and the comparison of a gradient derived by hand
-- with the engine's, which says whether they agree.  A lesson ends with
-- lesson:finish(), whose exit status is 0 only when every comparison agreed.
--
--   local lesson = require("luagrad.lesson").new(arg, "The chain rule on scalars")
--   lesson:say("We build L = (a*b + c) * f ...")
--   lesson:compare("dL/da", hand_value, a.grad)
--   lesson:finish()
local cli = require "luagrad.cli"

local Lesson = {}
Lesson.__index = Lesson

local M = {}

--- A lesson titled `title`, reading --step from the script's arguments.
function M.new(argv, title, about)
  local opts = cli.parse(argv, {
    usage = "luagrad " .. (arg and arg[0] or "lesson.lua") .. " [--step]",
    about = about or title,
    {"step", false, "pause after each step until Enter is pressed (for a classroom)"},
  })
  local self = setmetatable({step = opts.step, agreed = 0, disagreed = 0, section = 0}, Lesson)
  print(title)
  print(string.rep("=", utf8.len(title)))
  return self
end

--- Prints a paragraph (leading blank line).
function Lesson:say(text)
  print()
  print(text)
end

--- A numbered step heading, then a pause if --step.
function Lesson:heading(text)
  self:pause()
  self.section = self.section + 1
  print()
  print(string.format("%d. %s", self.section, text))
  print(string.rep("-", utf8.len(text) + 3))
end

--- Prints `name = value` (tensors on their own lines when they are not scalars).
function Lesson:show(name, value)
  if torch.is_tensor(value) and value:dim() > 0 then
    print(name .. " =")
    print(value)
  elseif torch.is_tensor(value) then
    print(string.format("%s = %.6g", name, value:item()))
  else
    print(string.format("%s = %s", name, tostring(value)))
  end
end

--- Waits for Enter when run with --step.
function Lesson:pause()
  if self.step then
    io.write("\n[Enter to go on] ")
    io.flush()
    io.read "l"
  end
end

local function as_tensor(v)
  if torch.is_tensor(v) then return v:detach():double() end
  return torch.tensor(v, {dtype = "float64"})
end

--- Compares a hand-derived value with the engine's; prints both and whether
-- they agree (to a relative tolerance, 1e-5 by default).  Returns true when they do.
function Lesson:compare(name, hand, engine, tol)
  tol = tol or 1e-5
  local h, e = as_tensor(hand), as_tensor(engine)
  local same_shape = table.concat(h.shape, "x") == table.concat(e.shape, "x")
  local err = same_shape and ((h - e):abs() / (e:abs() + 1)):max():item() or math.huge
  local ok = err <= tol
  if ok then self.agreed = self.agreed + 1 else self.disagreed = self.disagreed + 1 end
  if h:numel() == 1 and e:numel() == 1 then
    print(string.format("  %-14s by hand %-12.6g engine %-12.6g %s", name, h:item(), e:item(),
      ok and "agree" or "DISAGREE"))
  else
    print(string.format("  %-14s by hand and engine %s (largest relative difference %.2g)", name,
      ok and "agree" or "DISAGREE", err))
  end
  return ok
end

--- Records a yes/no fact the lesson demonstrates (gradcheck passed, a fit
-- converged), counted with the comparisons.
function Lesson:check(what, ok)
  if ok then self.agreed = self.agreed + 1 else self.disagreed = self.disagreed + 1 end
  print(string.format("  %-40s %s", what, ok and "yes" or "NO"))
  return ok
end

--- Prints the tally; exits with status 1 when a comparison disagreed.
function Lesson:finish()
  print()
  print(string.format("%d of %d comparisons agree.", self.agreed, self.agreed + self.disagreed))
  if self.disagreed > 0 then os.exit(1) end
end

return M
