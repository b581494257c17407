-- dist.lua — dist (also torch.distributed): the processes of a data-parallel
-- job and the collectives between them, PyTorch's torch.distributed over MPI.
--
-- A job is N copies of one script started by MPI's launcher
-- (`mpirun -np 2 luagrad train.lua`); each copy is a rank, counted from 0 as
-- MPI and PyTorch count them.  The MPI calls are C (vm/bind_dist.c, the table
-- torch._mpi), built when the Makefile finds MPI.  dist uses them when a
-- launcher started the process; otherwise (a build without MPI, or a script
-- run directly) the process is rank 0 of a world of 1, where every
-- collective leaves its tensors as they are, so a data-parallel script runs
-- unchanged on one process.  (MPI can start a world of one by itself, but
-- Open MPI's takes most of a second to spawn a helper daemon, for nothing.)
--
-- The first function that needs the world starts it; dist.init() does so
-- explicitly.  Collectives work in place on float32, float64 and int64
-- tensors (a non-contiguous one through a contiguous copy written back), and,
-- as PyTorch's do, outside autograd: nothing is recorded.
local torch = require "torch"
local args = require "torch.args"

local dist = {}
package.loaded.dist = dist
torch.distributed = dist
torch.doc(dist, "dist",
  "Data-parallel processes over MPI (torch.distributed): rank, world_size, all_reduce, broadcast, all_gather, "
  .. "reduce_scatter, barrier. Run a script under `mpirun -np N luagrad script.lua`; alone it is rank 0 of 1.",
  "print(dist.rank(), dist.world_size())")

-- The number of processes a launcher started this one with (nil when none
-- did): Open MPI's mpirun says so, MPICH's mpiexec through PMI; under PMIx
-- (Slurm's srun) only MPI itself can tell, so 1 stands for "some".
local function launcher_size()
  for _, name in ipairs({"OMPI_COMM_WORLD_SIZE", "PMI_SIZE"}) do
    local n = math.tointeger(tonumber(os.getenv(name) or ""))
    if n then return n end
  end
  return os.getenv("PMIX_RANK") and 1 or nil
end

-- Processes on one machine share its cores: unless OMP_NUM_THREADS says
-- otherwise, a process started with others on this machine gets its share
-- of the threads it would have had alone (at least 1), as torchrun sets
-- OMP_NUM_THREADS=1 for its workers.  Set here, when dist loads, so that
-- torch.get_num_threads() (and a script's --threads default) tells the truth.
local per_machine = math.tointeger(tonumber(os.getenv("OMPI_COMM_WORLD_LOCAL_SIZE")
  or os.getenv("MPI_LOCALNRANKS") or ""))
if per_machine and per_machine > 1 and not os.getenv("OMP_NUM_THREADS") then
  torch.set_num_threads(math.max(1, torch.get_num_threads() // per_machine))
end

-- The world of one process: the collectives' identities.
local solo = {
  all_reduce = function() end,
  broadcast = function() end,
  all_gather = function(out, t) out:copy_(t:reshape(out.shape)) end,
  reduce_scatter = function(out, input) out:copy_(input:reshape(out.shape)) end,
  barrier = function() end,
  finalize = function() end,
}

local world          -- {rank =, size =, backend = torch._mpi or solo} once started
local finalized = false

--- Starts the world (once); returns this process's rank and the number of processes.
function dist.init()
  if finalized then error("dist.init: dist.finalize() was called; MPI cannot start again", 2) end
  if world then return world.rank, world.size end
  local size = launcher_size()
  if size and torch._mpi then
    local rank, n = torch._mpi.init()
    world = {rank = rank, size = n, backend = torch._mpi}
    -- os.exit skips closing the Lua state, where luagrad finalizes MPI: a
    -- successful exit finalizes first (a failing one must not, see
    -- vm/bind_dist.c; mpirun then stops the other processes).
    local exit = os.exit
    os.exit = function(code, close)
      if code == nil or code == true or code == 0 then dist.finalize() end
      return exit(code, close)
    end
  elseif size and size > 1 then
    error(string.format("dist.init: started as one of %d processes, but this luagrad was built without MPI "
      .. "(install libopenmpi-dev and rebuild)", size), 2)
  else
    world = {rank = 0, size = 1, backend = solo}
  end
  return world.rank, world.size
end
torch.doc(dist.init, "dist.init()",
  "Starts the world of processes (once; the first collective or dist.rank() does it too) and returns this "
  .. "process's rank and the number of processes. Without mpirun: rank 0 of 1.",
  "print(dist.init())")

-- The started world (starting it when needed); an error after finalize.
local function current(fn)
  if finalized then error(fn .. ": called after dist.finalize()", 3) end
  if not world then dist.init() end
  return world
end

--- This process's rank, from 0.
function dist.rank() return current("dist.rank").rank end
torch.doc(dist.rank, "dist.rank()", "This process's rank: 0 .. world_size() - 1 (0 without mpirun).",
  "print(dist.rank())")
dist.get_rank = dist.rank

--- The number of processes in the job.
function dist.world_size() return current("dist.world_size").size end
torch.doc(dist.world_size, "dist.world_size()", "The number of processes in the job (1 without mpirun).",
  "print(dist.world_size())")
dist.get_world_size = dist.world_size

function dist.is_initialized() return world ~= nil end
torch.doc(dist.is_initialized, "dist.is_initialized()",
  "True once the world has started (dist.init() or the first call that needs it) and until dist.finalize().",
  "print(dist.is_initialized())")

function dist.is_available() return torch._mpi ~= nil end
torch.doc(dist.is_available, "dist.is_available()",
  "True when luagrad was built with MPI (otherwise every run is a world of 1).",
  "print(type(dist.is_available()))   -- true with MPI in the build")

--- Ends the world: MPI_Finalize.  luagrad also does it when a script ends without error.
--- MPI cannot start again; a world of 1 can (as PyTorch's process group can).
function dist.finalize()
  if world then
    world.backend.finalize()
    finalized = world.backend ~= solo
  end
  world = nil
end
torch.doc(dist.finalize, "dist.finalize()",
  "Ends MPI; afterwards the collectives are errors (a world of 1 starts again when next needed). luagrad "
  .. "finalizes by itself when a script ends normally (and leaves MPI unfinalized after an error, so that "
  .. "mpirun stops the other processes).",
  "dist.finalize()\nprint(dist.is_initialized())")

-- argument checks -------------------------------------------------------------

local DTYPES = {float32 = true, float64 = true, int64 = true}
local OPS = {sum = true, mean = true, max = true, min = true}

local function check_tensor(t, fn, what)
  if not torch.is_tensor(t) then
    error(string.format("%s: %s must be a tensor, got %s", fn, what, type(t)), 3)
  end
  if not DTYPES[t.dtype] then
    error(string.format("%s: %s must be float32, float64 or int64, got %s", fn, what, t.dtype), 3)
  end
end

-- The op of an options table {op = "sum"|"mean"|"max"|"min"} (default sum).
local function check_op(fn, opts, t)
  local op = args.options(fn, opts, {op = true}, 3).op or "sum"
  if not OPS[op] then
    error(string.format("%s: unknown op '%s' (expected sum, mean, max or min)", fn, tostring(op)), 3)
  end
  if op == "mean" and t.dtype == "int64" then error(fn .. ": op mean needs a floating tensor, got int64", 3) end
  return op
end

-- Checks that the tensor `whole` holds one block of part's elements for
-- each process, in part's dtype; returns the world.
local function check_blocks(fn, whole, whole_name, part, part_name)
  check_tensor(whole, fn, whole_name)
  check_tensor(part, fn, part_name)
  if whole.dtype ~= part.dtype then
    error(string.format("%s: the tensors differ in dtype (%s and %s)", fn, whole.dtype, part.dtype), 3)
  end
  local w = current(fn)
  if whole:numel() ~= part:numel() * w.size then
    error(string.format("%s: %s has %d elements, expected %d (%d for each of %d processes)", fn, whole_name,
      whole:numel(), part:numel() * w.size, part:numel(), w.size), 3)
  end
  return w
end

-- Checks list[1 .. size]: tensors of like's dtype and element count (or
-- nil where `optional`), `what` naming like in the message.
local function check_list(fn, list, size, like, what, optional)
  for r = 1, size do
    local e = list[r]
    if not (optional and e == nil)
      and not (torch.is_tensor(e) and e.dtype == like.dtype and e:numel() == like:numel()) then
      error(string.format("%s: list[%d] must be a %s tensor of %d elements like %s", fn, r, like.dtype, like:numel(),
        what), 3)
    end
  end
end

-- Runs f(c) on t's storage when t is contiguous, else on a contiguous copy
-- that is written back into t, without recording either for autograd.  An
-- expanded view (stride 0) cannot take the result: its elements share memory.
local function in_place(fn, what, t, f)
  local stride = t:stride()
  for d, size in ipairs(t.shape) do
    if stride[d] == 0 and size > 1 then
      error(string.format("%s: %s is an expanded view whose elements share memory; clone() it first", fn, what), 3)
    end
  end
  torch.no_grad(function()
    if t:is_contiguous() then return f(t) end
    local c = t:contiguous()
    f(c)
    t:copy_(c)
  end)
end

-- Reduces c over the processes with op: mean is a sum divided by their number.
local function reduce_with(w, op, f)
  return function(c)
    f(c, op == "mean" and "sum" or op)
    if op == "mean" and w.size > 1 then c:div_(w.size) end
  end
end

-- collectives -----------------------------------------------------------------

--- Replaces t, in every process, by its sum (mean, max, min) over the processes; returns t.
function dist.all_reduce(t, opts)
  local fn = "dist.all_reduce"
  check_tensor(t, fn, "t")
  local op = check_op(fn, opts, t)
  local w = current(fn)
  in_place(fn, "t", t, reduce_with(w, op, w.backend.all_reduce))
  return t
end
torch.doc(dist.all_reduce, "dist.all_reduce(t, {op=\"sum\"|\"mean\"|\"max\"|\"min\"})",
  "Replaces t in every process, in place, by its sum (mean, max or min) over the processes; returns t. "
  .. "float32, float64 or int64 (mean: floating only).",
  "print(dist.all_reduce(torch.tensor({1, 2, 3}), {op = \"sum\"}))")

--- Copies root's t into every process's t (root a rank, default 0); returns t.
function dist.broadcast(t, root)
  local fn = "dist.broadcast"
  check_tensor(t, fn, "t")
  local w = current(fn)
  root = root == nil and 0 or root
  if math.type(root) ~= "integer" or root < 0 or root >= w.size then
    error(string.format("%s: root must be a rank, 0 .. %d, got %s", fn, w.size - 1, tostring(root)), 2)
  end
  in_place(fn, "t", t, function(c) w.backend.broadcast(c, root) end)
  return t
end
torch.doc(dist.broadcast, "dist.broadcast(t, root=0)",
  "Copies the tensor of process `root` (a rank, from 0) into t in every process; returns t.",
  "print(dist.broadcast(torch.tensor({1, 2}), 0))")

--- out (world_size x t's elements) gets every process's t, in rank order; returns out.
function dist.all_gather_into_tensor(out, t)
  local fn = "dist.all_gather_into_tensor"
  local w = check_blocks(fn, out, "out", t, "t")
  local input = t:contiguous()
  in_place(fn, "out", out, function(c) w.backend.all_gather(c, input) end)
  return out
end
torch.doc(dist.all_gather_into_tensor, "dist.all_gather_into_tensor(out, t)",
  "Fills out, which has world_size times t's elements (e.g. shape (world_size * n, ...)), with every "
  .. "process's t in rank order; returns out.",
  "print(dist.all_gather_into_tensor(torch.zeros(dist.world_size() * 2), torch.tensor({1.5, 2})))")

--- A list of world_size tensors, entry r + 1 holding process r's t; or, as
--- PyTorch's all_gather(tensor_list, tensor), fills the given list.
function dist.all_gather(list, t)
  local fn = "dist.all_gather"
  if t == nil then list, t = {}, list end
  if type(list) ~= "table" or torch.is_tensor(list) then
    error(fn .. ": expected (t) or (list, t), got a " .. (torch.is_tensor(list) and "tensor" or type(list))
      .. " for the list", 2)
  end
  check_tensor(t, fn, "t")
  local size = current(fn).size
  check_list(fn, list, size, t, "the input", true)
  local shape = {size}
  for i, s in ipairs(t.shape) do shape[i + 1] = s end
  local gathered = dist.all_gather_into_tensor(torch.empty(shape, {dtype = t.dtype}), t)
  torch.no_grad(function()
    for r = 1, size do
      if list[r] then list[r]:copy_(gathered[r]:reshape(list[r].shape)) else list[r] = gathered[r] end
    end
  end)
  return list
end
torch.doc(dist.all_gather, "dist.all_gather([list,] t)",
  "Every process's t: a list of world_size tensors, list[r + 1] from rank r (tensors given in list are "
  .. "filled in place, as PyTorch's all_gather(tensor_list, tensor) does); returns the list.",
  "print(dist.all_gather(torch.tensor({1, 2}))[1])")

--- out gets block `rank` of input (world_size x out's elements) reduced over the processes.
function dist.reduce_scatter_tensor(out, input, opts)
  local fn = "dist.reduce_scatter_tensor"
  local w = check_blocks(fn, input, "input", out, "out")
  local op = check_op(fn, opts, out)
  local src = input:contiguous()
  in_place(fn, "out", out, reduce_with(w, op, function(c, mpi_op) w.backend.reduce_scatter(c, src, mpi_op) end))
  return out
end
torch.doc(dist.reduce_scatter_tensor, "dist.reduce_scatter_tensor(out, input, {op=\"sum\"})",
  "input holds world_size blocks of out's size; process r receives block r + 1 reduced (sum, mean, max, "
  .. "min) over the processes, in out; returns out.",
  "print(dist.reduce_scatter_tensor(torch.zeros(2), torch.ones(2 * dist.world_size())))")

--- out gets the reduction over the processes of their list[rank + 1] (PyTorch's reduce_scatter).
function dist.reduce_scatter(out, list, opts)
  local fn = "dist.reduce_scatter"
  check_tensor(out, fn, "out")
  local size = current(fn).size
  if type(list) ~= "table" or torch.is_tensor(list) or #list ~= size then
    error(string.format("%s: expected a list of %d tensors (one per process), got %s", fn, size,
      type(list) == "table" and not torch.is_tensor(list) and #list .. " entries" or type(list)), 2)
  end
  check_list(fn, list, size, out, "the output")
  local flat = {}
  for r = 1, size do flat[r] = list[r]:reshape(-1) end
  return dist.reduce_scatter_tensor(out, torch.cat(flat), opts)
end
torch.doc(dist.reduce_scatter, "dist.reduce_scatter(out, list, {op=\"sum\"})",
  "list holds world_size tensors shaped like out; process r receives the reduction over the processes "
  .. "of their list[r + 1], in out; returns out.",
  "print(dist.reduce_scatter(torch.zeros(2), {torch.ones(2)}))")

--- Waits until every process has called it.
function dist.barrier() current("dist.barrier").backend.barrier() end
torch.doc(dist.barrier, "dist.barrier()", "Waits until every process has reached this call.",
  "dist.barrier()\nprint(\"rank \" .. dist.rank() .. \" passed the barrier\")")

return dist
