-- luagrad-0.1.0-1.rockspec — luagrad as a Lua rock: `luarocks make` in a
-- checkout builds the C module (torch.so) and the executable with the
-- project's Makefile and installs them with the Lua libraries (torch, nn,
-- optim, data, ...), so a stock lua5.4 can require "torch".  The build needs
-- Debian's packages (make deps): liblua5.4-dev, libopenblas-dev, zlib1g-dev,
-- libreadline-dev.  tests/cli/test_install.sh keeps the version equal to
-- LUAGRAD_VERSION (vm/luagrad.h) and runs `luarocks make` into a scratch tree.
rockspec_format = "3.0"
package = "luagrad"
version = "0.1.0-1"
source = {
  url = "git+file://.",   -- built from the checkout it runs in (luarocks make)
}
description = {
  summary = "Tensors, reverse-mode autograd and neural networks with PyTorch's semantics",
  detailed = [[
C tensors over OpenBLAS, PyTorch's autograd, nn layers and losses, optimizers and
learning-rate schedules, datasets and a DataLoader, as a Lua 5.4 module
(require "torch", "nn", "optim", "data") and as the luagrad interpreter with a REPL.
Indices and dims count from 1; keyword arguments go in a trailing options table.]],
  labels = {"tensor", "autograd", "neural-networks", "machine-learning"},
}
dependencies = {
  "lua >= 5.4, < 5.5",
}
external_dependencies = {
  OPENBLAS = {library = "openblas"},
  ZLIB = {header = "zlib.h", library = "z"},
}
build = {
  type = "make",
  build_target = "luagrad torch.so",
  install_variables = {
    PREFIX = "$(PREFIX)",
    BINDIR = "$(BINDIR)",
    LIBDIR = "$(LIBDIR)",
    LUADIR = "$(LUADIR)",
  },
}
