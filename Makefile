# luagrad — one Makefile for the executable, the Lua C module, the tests and the demo.
#
#   make            build ./luagrad and ./torch.so
#   make deps       install the Debian packages the build needs (apt-get as root)
#   make test       deps + build + every test suite; ends with "N passed, M failed"
#   make asan       the same tests under AddressSanitizer + UndefinedBehaviorSanitizer
#   make fuzz       the libFuzzer harnesses of fuzz/ for FUZZ_SECONDS each (clang)
#   make valgrind   valgrind --leak-check=full over the training and teaching programs
#   make bench      benchmarks side by side with PyTorch (scripts/bench)
#   make teach-deps Graphviz, which torch.autograd.draw renders graphs with (optional)
#   make demo       train the MLP (5 epochs) and the CNN (2 epochs) on Fashion-MNIST
#   make docs       the API reference (docs/*.md) and the man page (docs/luagrad.1) from the help texts
#   make install    PREFIX=/usr/local (binary, module, Lua libraries, man page, scripts, reference);
#                   BINDIR, LIBDIR, LUADIR, MANDIR, DATADIR, DOCDIR place the parts (luarocks sets some)
#   make uninstall  the same PREFIX (and dirs): removes what install put there
#   make clean

PREFIX    ?= /usr/local
BINDIR     = $(PREFIX)/bin
LIBDIR     = $(PREFIX)/lib/lua/5.4
LUADIR     = $(PREFIX)/share/lua/5.4
MANDIR     = $(PREFIX)/share/man/man1
DATADIR    = $(PREFIX)/share/luagrad
DOCDIR     = $(PREFIX)/share/doc/luagrad
BUILD     ?= build
EXE       ?= luagrad
CC        ?= cc

DEB_PACKAGES := pkg-config lua5.4 liblua5.4-dev libopenblas-dev zlib1g-dev libreadline-dev \
                dataset-fashion-mnist luarocks groff-base libopenmpi-dev openmpi-bin

LUA_CFLAGS  := $(shell pkg-config --cflags lua5.4 2>/dev/null)
LUA_LIBS    := $(shell pkg-config --libs lua5.4 2>/dev/null)
BLAS_CFLAGS := $(shell pkg-config --cflags openblas 2>/dev/null)
BLAS_LIBS   := $(shell pkg-config --libs-only-L openblas 2>/dev/null) -lopenblas

WARN     := -Wall -Wextra -Wshadow -Wmissing-prototypes -Wstrict-prototypes -Wno-unused-parameter \
            -Wno-missing-field-initializers
OPT      ?= -O2 -g
CFLAGS   += -std=gnu11 $(OPT) $(WARN) -fPIC -fopenmp -I. $(LUA_CFLAGS) $(BLAS_CFLAGS)
LDLIBS   := $(BLAS_LIBS) -lz -lm -fopenmp

CORE_SRC   := $(sort $(wildcard tensor/*.c autograd/*.c))
MODULE_SRC := $(sort $(filter-out vm/main.c vm/repl.c,$(wildcard vm/*.c)))
# MPI, when pkg-config knows it, adds the C half of the dist module
# (vm/bind_dist.c); without it `dist` is a world of one process and scripts run
# unchanged.  MPI=0 builds without it even when it is installed (use another
# BUILD directory: the objects do not record the setting).
MPI ?= $(shell pkg-config --exists mpi-c 2>/dev/null && echo 1 || echo 0)
ifeq ($(MPI),1)
CFLAGS     += -DLUAGRAD_HAVE_MPI
MPI_LIBS   := $(shell pkg-config --libs mpi-c)
$(BUILD)/vm/bind_dist.o: CFLAGS += $(shell pkg-config --cflags mpi-c)
else
MODULE_SRC := $(filter-out vm/bind_dist.c,$(MODULE_SRC))
endif
CORE_OBJ   := $(CORE_SRC:%.c=$(BUILD)/%.o)
MODULE_OBJ := $(MODULE_SRC:%.c=$(BUILD)/%.o)
EXE_OBJ    := $(BUILD)/vm/main.o $(BUILD)/vm/repl.o
C_TESTS    := $(patsubst tests/c/%.c,$(BUILD)/tests/%,$(sort $(wildcard tests/c/test_*.c)))

.PHONY: all deps test asan fuzz fuzz-deps valgrind bench bench-deps teach-deps demo docs install uninstall clean

all: $(EXE) torch.so $(C_TESTS) $(BUILD)/ptydrive

$(EXE): $(EXE_OBJ) $(MODULE_OBJ) $(CORE_OBJ)
	$(CC) $(CFLAGS) -o $@ $^ $(LUA_LIBS) -lreadline $(MPI_LIBS) $(LDLIBS) -Wl,-E

# The module resolves Lua's symbols from the host interpreter, so it does not link liblua.
torch.so: $(MODULE_OBJ) $(CORE_OBJ)
	$(CC) $(CFLAGS) -shared -o $@ $^ $(MPI_LIBS) $(LDLIBS)

$(BUILD)/%.o: %.c $(wildcard tensor/*.h autograd/*.h vm/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c -o $@ $<

# The optimizer kernels vectorise their square roots only when sqrt need not
# set errno, which nothing reads (the results, NaN and Inf included, are the same).
$(BUILD)/tensor/optim.o: CFLAGS += -fno-math-errno

$(BUILD)/tests/%: tests/c/%.c tests/c/check.h $(wildcard tests/c/*.h tests/fixtures/*.h) $(CORE_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $< $(CORE_OBJ) $(LDLIBS)

$(BUILD)/ptydrive: tests/repl/ptydrive.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $< -lutil

# Installs what is missing; as a non-root user prints the command instead.
deps:
	@missing=""; for p in $(DEB_PACKAGES) $(EXTRA_PACKAGES); do \
	  dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null || exit 1; \
	  else echo "missing packages; run: sudo apt-get install$$missing"; exit 1; fi; \
	fi

test: deps
	$(MAKE) all
	tests/run.sh $(BUILD)

# The sanitized build lives apart (build-asan/) so it never mixes with the normal one.
# allocator_may_return_null: a huge request must fail as it does in production
# (an "out of memory" Lua error, which the tests check), not abort the run.
SANITIZE := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
asan: deps
	$(MAKE) BUILD=build-asan EXE=luagrad-asan OPT="$(SANITIZE)" \
	  luagrad-asan build-asan/ptydrive $(C_TESTS:$(BUILD)/%=build-asan/%)
	ASAN_OPTIONS=allocator_may_return_null=1 LUAGRAD=./luagrad-asan tests/run.sh build-asan

# Every parser of outside bytes under libFuzzer with ASan + UBSan (fuzz/run.sh
# prints executions, coverage and findings per harness); the objects are
# built by clang apart, in build-fuzz/.
FUZZ_SECONDS  ?= 60
FUZZ_SANITIZE := -O1 -g -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer -Wno-pass-failed \
                 -fno-sanitize-recover=undefined
FUZZ_TARGETS  := $(patsubst fuzz/%.c,build-fuzz/%,$(wildcard fuzz/fuzz_*.c))
fuzz: fuzz-deps
	$(MAKE) BUILD=build-fuzz CC=clang OPT="$(FUZZ_SANITIZE)" $(FUZZ_TARGETS)
	fuzz/run.sh build-fuzz $(FUZZ_SECONDS)

fuzz-deps:
	$(MAKE) deps EXTRA_PACKAGES="clang libomp-dev"

# fuzz_table runs torch.tensor in an embedded Lua state, which finds lib/ and
# fuzz/table_sandbox.lua here.
$(BUILD)/fuzz_%: fuzz/fuzz_%.c fuzz/fuzz.h $(MODULE_OBJ) $(CORE_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -DLUAGRAD_ROOT='"$(CURDIR)"' -fsanitize=fuzzer -o $@ $< $(MODULE_OBJ) $(CORE_OBJ) \
	  $(LUA_LIBS) $(MPI_LIBS) $(LDLIBS)

# Leaks and memory errors in short runs of the programs (slow: not in CI).
valgrind: deps all
	$(MAKE) deps EXTRA_PACKAGES=valgrind
	tests/valgrind/run.sh ./luagrad

# Side by side with PyTorch when Debian's python3-torch is there (not required).
bench: deps all $(BUILD)/bench_sgemm
	scripts/bench/run.sh

bench-deps:
	$(MAKE) deps EXTRA_PACKAGES="python3-torch time"

# Optional (about a hundred packages with its libraries): torch.autograd.draw needs `dot`.
teach-deps:
	$(MAKE) deps EXTRA_PACKAGES=graphviz

$(BUILD)/bench_sgemm: scripts/bench/sgemm.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $< $(LDLIBS)

demo: deps all
	./luagrad scripts/mnist_mlp.lua --epochs 5 --save none
	./luagrad scripts/cnn.lua --epochs 2 --save none

# Runs every example of the help texts and the scripts' --help (see scripts/docs/gen.lua).
docs: $(EXE) torch.so
	./$(EXE) scripts/docs/gen.lua docs

# The scripts' Lua files go to DATADIR/scripts (their folders kept), the
# Markdown reference to DOCDIR.
install: $(EXE) torch.so
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBDIR) $(DESTDIR)$(LUADIR) $(DESTDIR)$(MANDIR)
	install -m 755 $(EXE) $(DESTDIR)$(BINDIR)/luagrad
	install -m 755 torch.so $(DESTDIR)$(LIBDIR)/torch.so
	cd lib && find . -name '*.lua' -exec install -D -m 644 {} $(DESTDIR)$(LUADIR)/{} \;
	install -m 644 docs/luagrad.1 $(DESTDIR)$(MANDIR)/luagrad.1
	cd scripts && find . -name '*.lua' -exec install -D -m 644 {} $(DESTDIR)$(DATADIR)/scripts/{} \;
	cd docs && find . -name '*.md' -exec install -D -m 644 {} $(DESTDIR)$(DOCDIR)/{} \;

# Removes the library folders install made too, once empty (rmdir refuses otherwise).
uninstall:
	rm -f $(DESTDIR)$(BINDIR)/luagrad $(DESTDIR)$(LIBDIR)/torch.so $(DESTDIR)$(MANDIR)/luagrad.1
	cd lib && find . -name '*.lua' -exec rm -f $(DESTDIR)$(LUADIR)/{} \;
	cd lib && find . -mindepth 1 -depth -type d -exec rmdir $(DESTDIR)$(LUADIR)/{} \; 2>/dev/null || true
	rm -rf $(DESTDIR)$(DATADIR) $(DESTDIR)$(DOCDIR)

clean:
	rm -rf build build-asan build-fuzz luagrad luagrad-asan torch.so
