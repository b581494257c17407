-- classify.lua — the image-classification program that scripts/mnist_mlp.lua
-- and scripts/cnn.lua share: the command-line options, the data, one epoch
-- of training and one of testing (written as PyTorch's tutorials write
-- them), checkpoints to resume from, and the closing report (accuracy,
-- macro F1, the per-class table, the confusion matrix, the learning curves
-- and a few test images with their predicted labels).
--
-- The scripts keep what differs: the model and the recipe (a table of model,
-- loss_fn, optimizer and, optionally, a scheduler stepped after every batch).
--
-- Started by mpirun as several processes (or with --distributed), a run is
-- data-parallel: the model is wrapped in nn.DistributedDataParallel, each
-- process trains on its data.DistributedSampler shard of every global batch
-- of --batch-size, and only rank 0 tests, prints and saves checkpoints.
local cli = require "luagrad.cli"
local dist = require "dist"
local metrics = torch.metrics

local classify = {}

--- Parses the command line: the options every classification script takes,
-- with the script's own defaults (epochs, lr, save, ...).
function classify.options(argv, script, about, defaults)
  local opts = cli.parse(argv, {
    usage = "luagrad scripts/" .. script .. ".lua [options]",
    about = about,
    {"epochs", defaults.epochs, "passes over the training set"},
    {"lr", defaults.lr, "learning rate"},
    {"momentum", defaults.momentum, "SGD momentum"},
    {"batch_size", defaults.batch_size, "examples per step"},
    {"seed", 1, "random seed (weights and shuffling)"},
    {"threads", torch.get_num_threads(), "threads for the kernels"},
    {"data", nil, "an MNIST-format folder (default: Debian's Fashion-MNIST)"},
    {"save", script .. ".safetensors", "checkpoint written after every epoch ('none': no checkpoint)"},
    {"resume", nil, "continue from this checkpoint"},
    {"plot", nil, "also draw the learning curves into this PNG file (needs gnuplot)"},
    {"quiet", false, "print only the final report"},
    {"distributed", false, "data-parallel over mpirun's processes (on by itself with several); "
      .. "--batch-size is the global batch"},
  })
  -- Parsed first, so that --help and mistakes exit before MPI starts.
  local world = dist.world_size()
  opts.distributed = opts.distributed or world > 1
  opts.root = dist.rank() == 0
  if not opts.root then opts.quiet, opts.save, opts.plot = true, "none", nil end
  if opts.distributed and opts.batch_size % world ~= 0 then
    error(string.format("--batch-size %d does not split evenly over %d processes", opts.batch_size, world), 0)
  end
  return opts
end

--- The training and test sets: Fashion-MNIST from Debian's package, or the
-- MNIST-format files in opts.data (the class names of Fashion-MNIST when the
-- folder's name says "fashion", of the digits otherwise), standardised with
-- the mean and standard deviation of their training images (which, on
-- Fashion-MNIST, takes the MLP about a point higher than scaling to [-1, 1]).
function classify.datasets(opts)
  local Set, mean, std = data.datasets.FashionMNIST, 0.2860, 0.3530
  if opts.data and not opts.data:lower():find("fashion", 1, true) then
    Set, mean, std = data.datasets.MNIST, 0.1307, 0.3081
  end
  local transform = data.transforms.Compose{data.transforms.ToTensor(), data.transforms.Normalize({mean}, {std})}
  local root = opts.data
  return Set{root = root, train = true, transform = transform}, Set{root = root, train = false, transform = transform}
end

--- One pass over the training set; returns the mean loss, the accuracy and
-- the progress summary line.
function classify.train(loader, recipe, epoch, opts)
  local model, loss_fn, optimizer, scheduler = recipe.model, recipe.loss_fn, recipe.optimizer, recipe.scheduler
  model:train()
  local bar_opts = {desc = string.format("epoch %d/%d", epoch, opts.epochs)}
  if opts.quiet then bar_opts.enabled = false end   -- otherwise the bar draws on a terminal only
  local bar = torch.progress(loader, bar_opts)
  local total_loss, correct, seen = 0, 0, 0
  for x, y in bar do
    local logits = model(x)
    local loss = loss_fn(logits, y)
    optimizer:zero_grad()
    loss:backward()
    optimizer:step()
    if scheduler then scheduler:step() end
    local n = y:size(1)
    total_loss = total_loss + loss:item() * n
    correct = correct + logits:argmax(2):eq(y):sum():item()
    seen = seen + n
    bar:set{loss = total_loss / seen, acc = correct / seen}
  end
  local summary = bar:close()
  local totals = dist.all_reduce(torch.tensor({total_loss, correct, seen}, {dtype = "float64"})):totable()
  return totals[1] / totals[3], totals[2] / totals[3], summary
end

--- The test set through the model without gradients: returns the mean loss
-- and the confusion matrix.
function classify.test(loader, model, loss_fn, classes)
  model:eval()
  local cm = metrics.ConfusionMatrix(classes)
  local total_loss, seen = 0, 0
  torch.no_grad(function()
    for x, y in loader:iter() do
      local logits = model(x)
      total_loss = total_loss + loss_fn(logits, y):item() * y:size(1)
      seen = seen + y:size(1)
      cm:add(logits, y)
    end
  end)
  return total_loss / seen, cm
end

-- What a checkpoint holds besides the epoch and the history.
local function checkpoint_state(recipe)
  return {model = recipe.model, optimizer = recipe.optimizer, scheduler = recipe.scheduler}
end

--- Restores the recipe's state, the history and the random state from
-- opts.resume; returns the epoch to start from (1 without --resume) and the history.
function classify.resume(opts, recipe)
  local history = {train_loss = {}, train_acc = {}, test_loss = {}, test_acc = {}}
  if not opts.resume then return 1, history end
  local ck = torch.load_checkpoint(opts.resume, checkpoint_state(recipe))
  if not opts.quiet then print(string.format("resumed from %s after epoch %d", opts.resume, ck.epoch)) end
  return ck.epoch + 1, ck.history
end

--- Records an epoch in the history, prints its line and saves the checkpoint.
function classify.end_epoch(opts, epoch, history, train, test, seconds, state)
  local fields = {"train_loss", "train_acc", "test_loss", "test_acc"}
  local values = {train[1], train[2], test[1], test[2]}
  for i, f in ipairs(fields) do history[f][epoch] = values[i] end
  if not opts.quiet then
    print(string.format("epoch %d/%d  train loss %.4f acc %.2f%%  test loss %.4f acc %.2f%%  %.1f s",
      epoch, opts.epochs, train[1], train[2] * 100, test[1], test[2] * 100, seconds))
  end
  if opts.save ~= "none" then
    state.epoch, state.history = epoch, history
    torch.save_checkpoint(opts.save, state)
  end
end

--- Trains recipe.model for opts.epochs (from a checkpoint with --resume),
-- testing and saving after every epoch, then prints the report.
function classify.fit(opts, recipe, train_set, test_set)
  local model, loss_fn = recipe.model, recipe.loss_fn
  local sampler = opts.distributed and data.DistributedSampler(train_set, {seed = opts.seed}) or nil
  local train_loader = data.DataLoader(train_set, {batch_size = opts.batch_size // dist.world_size(),
    shuffle = sampler == nil, sampler = sampler})
  local test_loader = data.DataLoader(test_set, {batch_size = 1000})
  if opts.distributed then recipe.model = nn.DistributedDataParallel(model) end
  local first, history = classify.resume(opts, recipe)
  local cm
  for epoch = first, opts.epochs do
    if sampler then sampler:set_epoch(epoch) end
    local start = torch.clock()
    local train_loss, train_acc = classify.train(train_loader, recipe, epoch, opts)
    if opts.root then
      local test_loss
      test_loss, cm = classify.test(test_loader, model, loss_fn, test_set.classes)
      classify.end_epoch(opts, epoch, history, {train_loss, train_acc}, {test_loss, cm:accuracy()},
        torch.clock() - start, checkpoint_state(recipe))
    end
  end
  if not opts.root then return end
  if not cm then _, cm = classify.test(test_loader, model, loss_fn, test_set.classes) end
  classify.report(opts, cm, history, model, test_set)
end

--- The closing report; its last line is exactly "test accuracy: NN.NN%".
function classify.report(opts, cm, history, model, test_set)
  if not opts.quiet then
    print()
    print(cm:report())
    print(cm)
    if #history.test_acc > 1 then
      print(torch.plot({{y = history.train_loss, label = "train"}, {y = history.test_loss, label = "test"}},
        {title = "loss", xlabel = "epoch", height = 10}))
      print(torch.plot({{y = history.train_acc, label = "train"}, {y = history.test_acc, label = "test"}},
        {title = "accuracy", xlabel = "epoch", height = 10}))
    end
    if opts.plot then
      local ok, why = torch.plot_png({{y = history.test_acc, label = "test accuracy"},
        {y = history.train_acc, label = "train accuracy"}}, opts.plot, {title = "accuracy", xlabel = "epoch"})
      print(ok and "learning curves written to " .. opts.plot or "no PNG: " .. why)
    end
    local x, y = test_set:get_batch(torch.tensor({1, 2, 3, 4, 5, 6}))
    local predicted = torch.no_grad(function() return model(x):argmax(2) end)
    local captions = {}
    for i = 1, 6 do
      local p, t = predicted[i]:item(), y[i]:item()
      captions[i] = (p == t and "" or "x ") .. test_set.classes[p]:sub(1, 12)
    end
    print("a few test images, with the predicted class (x: wrong):")
    print(torch.imshow(x, {labels = captions}))
  end
  print(string.format("macro F1: %.4f", cm:f1()))
  print(string.format("test accuracy: %.2f%%", cm:accuracy() * 100))
end

return classify
