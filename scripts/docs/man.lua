-- man.lua — the man page, luagrad(1), in roff, from the places that define
-- what it describes: the options from `luagrad -h` (vm/main.c prints them, so
-- --help and the page cannot disagree), the version from `luagrad -v`, the
-- history file from vm/repl.c, the programs from each script's --help.  The
-- environment variables are listed here, and tests/cli/test_docs.sh checks
-- that every variable the code reads (getenv) is among them.
local M = {}

-- What each variable does; the test keeps this list complete.
M.ENVIRONMENT = {
  {"LUAGRAD_PATH", "Directories (separated by ':') searched for Lua libraries before the ones next to the "
    .. "executable (lib/ in a build tree, ../share/lua/5.4 when installed); a directory, not a Lua path template."},
  {"OMP_NUM_THREADS", "The number of threads of luagrad's own kernels (OpenMP); all cores when unset (under "
    .. "mpirun, their share among the processes on the machine). "
    .. "torch.set_num_threads(n) sets this and OpenBLAS's count at run time."},
  {"OPENBLAS_NUM_THREADS", "The number of threads of OpenBLAS's matrix products when the process starts."},
  {"OMP_WAIT_POLICY", "When unset, luagrad sets it to passive and executes itself again, once, before any "
    .. "library loads: OpenMP's idle workers then sleep instead of spinning on the cores OpenBLAS needs next. "
    .. "A value you set is kept."},
  {"OPENBLAS_CORETYPE", "When unset on a CPU with AVX-512 (F, BW, DQ, VL), luagrad sets it to SkylakeX in the "
    .. "same way (OpenBLAS 0.3.21 does not recognise recent AVX-512 CPUs and would use slower kernels). A value "
    .. "you set is kept: env -u OPENBLAS_CORETYPE luagrad ... lifts one a machine image sets."},
  {"HOME", "Where the history file is kept; without it the prompt keeps no history."},
  {"NO_COLOR", "When set, the teaching tools (torch.autograd.explain, print_graph, trace) print without colour."},
  {"TERM", "dumb turns colour off as NO_COLOR does."},
  {"COLUMNS", "The width of the terminal when it cannot be asked (plots, progress bars)."},
  {"OMPI_COMM_WORLD_SIZE, PMI_SIZE, PMIX_RANK", "Set by an MPI launcher (mpirun, mpiexec, srun): "
    .. "dist starts MPI only when one of them is there; otherwise a script is rank 0 of a world of 1."},
  {"OMPI_COMM_WORLD_LOCAL_SIZE, MPI_LOCALNRANKS", "The launcher's count of processes on this machine: each "
    .. "takes that share of the cores' threads unless OMP_NUM_THREADS is set."},
  {"LUA_PATH, LUA_CPATH", "As for lua(1): luagrad adds its own directories in front of LUA_PATH's; a stock "
    .. "lua5.4 finds the installed module through them (see MODULE)."},
}

local function shell_quote(s) return "'" .. s:gsub("'", "'\\''") .. "'" end

local function run(cmd)
  local p = io.popen(cmd)
  local out = p:read "a"
  p:close()
  return out
end

-- Text made safe for roff: backslashes, and a line may not start with . or '.
local function roff(text)
  return (text:gsub("\\", "\\e"):gsub("%-", "\\-"):gsub("\n([.'])", "\n\\&%1"):gsub("^([.'])", "\\&%1"))
end

-- The options `luagrad -h` lists: {flag, argument, description}, and its other lines.
local function options(exe)
  local list, notes = {}, {}
  for line in run(shell_quote(exe) .. " -h"):gmatch "[^\n]+" do
    local flag, argument, text = line:match "^  (%-%S*) (%S*)%s+(.+)$"
    if flag then
      list[#list + 1] = {flag, argument, text}
    elseif not line:match "^usage:" and not line:match "^Available options" and not line:match "^Environment:" then
      notes[#notes + 1] = line
    end
  end
  assert(#list > 0, "man: `luagrad -h` listed no options")
  return list, notes
end

-- The history file's name and length, as vm/repl.c defines them.
local function history()
  local f = assert(io.open("vm/repl.c"), "man: run from the repository root (vm/repl.c)")
  local src = f:read "a"
  f:close()
  local file = assert(src:match '#define HISTORY_FILE "([^"]+)"', "man: no HISTORY_FILE in vm/repl.c")
  local lines = assert(src:match "#define HISTORY_LINES (%d+)", "man: no HISTORY_LINES in vm/repl.c")
  return file, lines
end

-- The programs in scripts/ whose --help tells what they do: {path, usage, about}.
local function programs(exe)
  local list = {}
  local ls = io.popen("ls scripts/*.lua scripts/teach/*.lua 2>/dev/null")
  for path in ls:lines() do
    local usage, about = run(shell_quote(exe) .. " " .. shell_quote(path) .. " --help 2>/dev/null </dev/null")
      :match "^usage: ([^\n]+)\n([^\n]+)"
    if usage then list[#list + 1] = {path, usage, about} end
  end
  ls:close()
  return list
end

-- A tagged paragraph: `term` in the font `macro` (.B, .I), then its text.
local function item(out, macro, term, text)
  out[#out + 1] = ".TP"
  out[#out + 1] = macro .. " " .. roff(term)
  out[#out + 1] = roff(text)
end

--- The whole page.
function M.page(exe)
  local version = run(shell_quote(exe) .. " -v"):match "^luagrad (%S+)" or "?"
  local opts, notes = options(exe)
  local history_file, history_lines = history()
  local out = {
    '.TH LUAGRAD 1 "" "luagrad ' .. version .. '" "User Commands"',
    ".\\\" Generated by `make docs` (scripts/docs/man.lua); do not edit.",
    ".SH NAME",
    "luagrad \\- tensors, reverse\\-mode autograd and neural networks in Lua",
    ".SH SYNOPSIS",
    ".B luagrad",
    "[\\fIoptions\\fR] [\\fIscript\\fR [\\fIargs\\fR]]",
    ".SH DESCRIPTION",
    roff "luagrad is a Lua 5.4 interpreter with tensors, PyTorch's autograd, neural-network layers, "
      .. "optimizers and data loaders built in. Its command line is lua's: the script runs with arg (and ...) "
      .. "set as lua sets them, and an error prints a traceback and exits with status 1.",
    ".PP",
    roff "The globals torch, nn, optim, data, F (nn.functional) and help are ready in scripts and at the "
      .. "prompt. help() introduces, help(torch) lists a module, help(torch.zeros) or help \"torch.zeros\" "
      .. "shows one function with a runnable example. Indices and dims count from 1; keyword arguments go in "
      .. "a trailing options table: nn.Conv2d(1, 6, 5, {padding = 2}).",
    ".PP",
  }
  for _, note in ipairs(notes) do out[#out + 1] = roff(note) end
  out[#out + 1] = ".SH OPTIONS"
  for _, o in ipairs(opts) do
    out[#out + 1] = ".TP"
    out[#out + 1] = o[2] ~= "" and ".BI " .. roff(o[1]) .. ' " ' .. roff(o[2]) .. '"' or ".B " .. roff(o[1])
    out[#out + 1] = roff(o[3])
  end
  out[#out + 1] = ".PP"
  out[#out + 1] = roff "--help is -h."
  out[#out + 1] = ".SH THE PROMPT"
  out[#out + 1] = roff "With no script and a terminal, luagrad opens a prompt: each expression's value prints "
    .. "(tensors with their dtype, shape and grad_fn), _ is the last value, unfinished statements continue on "
    .. "a second prompt, Tab completes globals, fields and methods, Ctrl-C interrupts a computation and "
    .. "Ctrl-D leaves. Lines are edited with GNU readline."
  out[#out + 1] = ".SH ENVIRONMENT"
  for _, e in ipairs(M.ENVIRONMENT) do item(out, ".B", e[1], e[2]) end
  out[#out + 1] = ".SH FILES"
  item(out, ".I", "~/" .. history_file, "The prompt's history: each line is appended as it is entered, and the "
    .. "file keeps the last " .. history_lines .. ".")
  item(out, ".I", "~/.inputrc", "readline's key bindings and settings (INPUTRC names another file).")
  item(out, ".I", "PREFIX/share/lua/5.4, PREFIX/lib/lua/5.4/torch.so",
    "The Lua libraries (torch, nn, optim, data, ...) and the C module, as make install places them.")
  item(out, ".I", "PREFIX/share/luagrad/scripts", "The training programs and lessons below.")
  item(out, ".I", "PREFIX/share/doc/luagrad", "The API reference, one Markdown page per module (index.md first).")
  out[#out + 1] = ".SH PROGRAMS"
  out[#out + 1] = roff "Each takes --help; the scripts/ folder is installed in PREFIX/share/luagrad/scripts."
  for _, p in ipairs(programs(exe)) do item(out, ".B", (p[1]:gsub("^scripts/", "")), p[3]) end
  out[#out + 1] = ".SH MODULE"
  out[#out + 1] = roff "The same library is a Lua C module: a stock lua5.4 with the installed directories on "
    .. "package.path and package.cpath can require \"torch\", \"nn\", \"optim\" and \"data\" (luarocks make "
    .. "installs them the same way). There, set OMP_WAIT_POLICY and OPENBLAS_CORETYPE yourself."
  out[#out + 1] = ".SH EXAMPLES"
  for _, ex in ipairs {
    {"luagrad", "Opens the prompt."},
    {"luagrad -e 'print(torch.randn(2, 3))'", "Runs a line."},
    {"luagrad scripts/mnist_mlp.lua --epochs 5", "Trains the MLP on Fashion-MNIST."},
    {"echo 'print(2^10)' | luagrad", "Runs standard input."},
  } do
    item(out, ".B", ex[1], ex[2])
  end
  out[#out + 1] = ".SH SEE ALSO"
  out[#out + 1] = ".BR lua (1),"
  out[#out + 1] = ".BR luarocks (1);"
  out[#out + 1] = roff "docs/index.md (the API reference) and docs/from-pytorch.md in the source tree."
  return table.concat(out, "\n") .. "\n"
end

return M
