# rnnscope — build, test, run, bench, install.
#
#   make deps       install the Debian/Ubuntu packages the build and the tests need (apt-get)
#   make            build build/rnnscope
#   make run        build, open training on the shipped corpus
#   make test       build, run the whole suite (plain, then ASan+UBSan), with -Werror
#   make bench      speed and memory benchmark, side by side with PyTorch when it is installed
#                   (about 10 minutes on 2 cores; tables in build/bench.md)
#   make fuzz       libFuzzer targets of every reader of untrusted input, FUZZ_SECONDS (30) each
#   make install PREFIX=/usr/local [DESTDIR=...]    make uninstall (the same PREFIX)
#   V=1             show the commands; make -s prints nothing but errors
#   WERROR=1        warnings are errors (on for make test and CI, off for a user's build)
#   CC=clang        any C11 compiler; CPPFLAGS, CFLAGS, LDFLAGS, LDLIBS and PKG_CONFIG are
#                   honoured as packagers set them (dpkg-buildflags, rpm's %optflags)
#
# No -march: the recurrent kernel (rgemm.c) and the element-wise loops (vecops.c, cell_math.h,
# cell_lstm.c, optim.c) pick AVX2/FMA at run time (cpu.h), so one binary runs on any x86-64 as
# fast as an -march build, with the same bits (and the portable code on other architectures).

CC         ?= cc
PKG_CONFIG ?= pkg-config
PREFIX     ?= /usr/local
BUILD      ?= build
WERROR     ?= 0
WARN       := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes $(if $(filter 1,$(WERROR)),-Werror)
OPT        ?= -O2
CFLAGS     ?= $(OPT) -g

# Lua 5.4 goes by several pkg-config names (Debian lua5.4, Fedora lua, FreeBSD lua-5.4, lua54)
LUA_PC := $(firstword $(foreach p,lua5.4 lua-5.4 lua54 lua,$(if $(shell $(PKG_CONFIG) --atleast-version=5.4 \
              --max-version=5.4.99 $(p) 2>/dev/null && echo y),$(p))))
PKGS   := openblas $(or $(LUA_PC),lua5.4) ncursesw readline
# what is missing, with the package that has it
pc_hint = $(if $(filter openblas,$(1)),Debian: libopenblas-dev; Fedora: openblas-devel,$(if $(filter ncursesw,$(1)),Debian: \
          libncurses-dev; Fedora: ncurses-devel,$(if $(filter readline,$(1)),Debian: libreadline-dev; Fedora: readline-devel,\
          Debian: liblua5.4-dev; Fedora: lua-devel)))
MISSING := $(foreach p,openblas ncursesw readline,$(if $(shell $(PKG_CONFIG) --exists $(p) 2>/dev/null && echo y),,$(p))) \
           $(if $(LUA_PC),,lua5.4)
# goals that compile here (run and test build in a sub-make, after deps may have installed)
BUILD_GOALS := $(filter-out deps clean uninstall run test help config,$(or $(MAKECMDGOALS),all))
ifneq ($(BUILD_GOALS),)
ifneq ($(strip $(MISSING)),)
ifeq ($(shell command -v $(PKG_CONFIG) 2>/dev/null),)
$(error $(PKG_CONFIG) is not installed (Debian: pkg-config; Fedora: pkgconf); make deps installs everything on Debian/Ubuntu)
endif
$(error $(PKG_CONFIG) cannot find $(firstword $(MISSING)) ($(call pc_hint,$(firstword $(MISSING))))$(if \
    $(word 2,$(MISSING)), and $(wordlist 2,9,$(MISSING)) too); make deps installs them on Debian/Ubuntu)
endif
endif

# Open MPI (data-parallel training, src/mpi/): built in when pkg-config finds it, left out with
# MPI=0; MPI=1 makes a missing Open MPI an error
MPI    ?= auto
MPI_PC := $(if $(filter 0,$(MPI)),,$(firstword $(foreach p,ompi-c mpi-c,$(if $(shell $(PKG_CONFIG) --exists $(p) \
              2>/dev/null && echo y),$(p)))))
ifneq ($(BUILD_GOALS),)
ifeq ($(MPI)$(MPI_PC),1)
$(error MPI=1: $(PKG_CONFIG) cannot find ompi-c (Debian: libopenmpi-dev openmpi-bin; Fedora: openmpi-devel))
endif
endif

CPPFLAGS_ALL := -std=c11 -ffp-contract=off -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE $(WARN) \
                $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null) -Isrc/core -Isrc/lua -Isrc/tui \
                -DRNNSCOPE_PREFIX='"$(PREFIX)"' $(CPPFLAGS)
LDLIBS_ALL   := $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null) -lm -lpthread $(LDLIBS)
ifneq ($(MPI_PC),)
CPPFLAGS_ALL += -DRNNSCOPE_MPI=1 -Isrc/mpi
MPI_CFLAGS   := $(shell $(PKG_CONFIG) --cflags $(MPI_PC))
MPI_LIBS     := $(shell $(PKG_CONFIG) --libs $(MPI_PC))
endif

ifeq ($(V),1)
Q :=
else
Q := @
endif
# the "  CC  file" lines, not under make -s
SAY := $(if $(findstring s,$(firstword -$(MAKEFLAGS))),@true,@echo)
ifeq ($(V),1)
SAY := @true
endif

CORE_SRC := $(wildcard src/core/*.c)
LUA_SRC  := $(wildcard src/lua/*.c)
TUI_SRC  := $(wildcard src/tui/*.c)
CLI_SRC  := $(wildcard src/cli/*.c) $(if $(MPI_PC),$(wildcard src/mpi/*.c))
TEST_SRC := $(wildcard tests/test_*.c)
CORE_OBJ := $(CORE_SRC:%.c=$(BUILD)/%.o)
LIB_OBJ  := $(CORE_OBJ) $(LUA_SRC:%.c=$(BUILD)/%.o) $(TUI_SRC:%.c=$(BUILD)/%.o)
CLI_OBJ  := $(CLI_SRC:%.c=$(BUILD)/%.o)
TEST_BIN := $(TEST_SRC:tests/%.c=$(BUILD)/tests/%)

.PHONY: all run test test-plain test-san bench bench-mpi deps install uninstall clean scenarios fuzz fuzz-build config

all: $(BUILD)/rnnscope

# built with or without MPI: switching (MPI=0, Open MPI installed or removed) rebuilds
MPI_STAMP := $(BUILD)/.mpi-$(or $(MPI_PC),off)
$(MPI_STAMP):
	@mkdir -p $(dir $@)
	@rm -f $(BUILD)/.mpi-*
	@touch $@

$(BUILD)/%.o: %.c $(MPI_STAMP)
	@mkdir -p $(dir $@)
	$(SAY) "  CC      $<"
	$(Q)$(CC) $(CPPFLAGS_ALL) $(CFLAGS) -MMD -MP -c $< -o $@

# only src/mpi/ sees mpi.h
$(BUILD)/src/mpi/%.o: CPPFLAGS_ALL += $(MPI_CFLAGS)

$(BUILD)/rnnscope: $(LIB_OBJ) $(CLI_OBJ)
	$(SAY) "  LINK    $@"
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) $^ -o $@ $(LDLIBS_ALL) $(MPI_LIBS)

$(BUILD)/tests/%: tests/%.c $(LIB_OBJ) tests/check.h
	@mkdir -p $(dir $@)
	$(SAY) "  TEST    $@"
	$(Q)$(CC) $(CPPFLAGS_ALL) $(CFLAGS) $(LDFLAGS) -Itests $< $(LIB_OBJ) -o $@ $(LDLIBS_ALL)

deps:
	$(Q)scripts/dev/deps.sh

# what a build would use (for packagers and tests/e2e_build.sh)
config:
	@echo "CC=$(CC)"
	@echo "PKGS=$(PKGS)"
	@echo "PREFIX=$(PREFIX)"
	@echo "MPI=$(or $(MPI_PC),off)"
	@echo "COMPILE=$(CC) $(CPPFLAGS_ALL) $(CFLAGS)"
	@echo "LINK=$(CC) $(CFLAGS) $(LDFLAGS) ... $(LDLIBS_ALL)"

# The dashboard's recipe for the 50 KB corpus: dropout 0.3 and 1000 steps, so it ends where
# its validation loss is lowest (measured curves in README.md, "make run").
RUN_FLAGS ?= --dropout 0.3 --steps 1000
run:
	$(Q)$(MAKE) --no-print-directory all
	./$(BUILD)/rnnscope tui $(RUN_FLAGS)

# developers' and CI's build: warnings are errors unless WERROR=0 is given
TEST_WERROR := $(if $(filter command line environment,$(origin WERROR)),$(WERROR),1)
test:
	$(Q)scripts/dev/deps.sh --check
	$(Q)$(MAKE) --no-print-directory WERROR=$(TEST_WERROR) test-plain
	$(Q)$(MAKE) --no-print-directory WERROR=$(TEST_WERROR) test-san

test-plain: $(BUILD)/rnnscope $(TEST_BIN)
	$(Q)tests/run.sh $(BUILD)

# The same suite under AddressSanitizer and UndefinedBehaviorSanitizer.
test-san:
	$(Q)$(MAKE) --no-print-directory BUILD=build-san OPT=-O1 \
	    CFLAGS="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined" \
	    build-san/rnnscope $(TEST_SRC:tests/%.c=build-san/tests/%)
	$(Q)ASAN_OPTIONS=detect_leaks=1 RNNSCOPE_SANITIZED=1 tests/run.sh build-san

# The findings engine on every scenario of tests/scenarios.txt as written (make test runs
# the fast version): a table of scenario, expected, found, pass.
scenarios: $(BUILD)/tests/test_scenarios
	$(Q)RNNSCOPE_TESTS=$(CURDIR)/tests $(BUILD)/tests/test_scenarios --full

# make bench also builds $(BUILD)-native: the same CFLAGS plus -march=native, to show the
# run-time dispatch (cpu.h) leaves nothing on the table. The tables go to $(BUILD)/bench.md
# too; BENCH_FLAGS passes options to scripts/dev/bench.sh (e.g. --rounds 5, --no-torch).
BENCH_FLAGS ?=
bench: $(BUILD)/rnnscope
	$(Q)$(MAKE) --no-print-directory BUILD=$(BUILD)-native CFLAGS="$(CFLAGS) -march=native" $(BUILD)-native/rnnscope
	$(Q)scripts/dev/bench.sh $(BUILD)/rnnscope --native $(BUILD)-native/rnnscope --out $(BUILD)/bench.md $(BENCH_FLAGS)

# one process with 2 threads against 2 MPI ranks of 1 thread, and the allreduce's share
bench-mpi: $(BUILD)/rnnscope
	$(Q)scripts/dev/bench_mpi.sh $(BUILD)/rnnscope

# ---- fuzzing: fuzz/fuzz_NAME.c, one libFuzzer target per reader of untrusted input, built
# with clang -fsanitize=fuzzer,address,undefined into build-fuzz/ and run FUZZ_SECONDS each
# on a seed corpus fuzz/seeds.sh makes from what build/rnnscope writes (fuzz/corpus/, not
# committed). Any crash, leak, sanitizer report or timeout fails; the input is left in
# build-fuzz/crash-NAME-*. `make fuzz FUZZ_SECONDS=300` for a longer run.
FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 30
FUZZ_BUILD   := build-fuzz
FUZZ_SAN     := -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
FUZZ_CFLAGS  := -O1 -g $(FUZZ_SAN) -fsanitize=fuzzer-no-link
# NAME:MAX_LEN[:DICT], the input size limit suited to the format (a tiny run's checkpoint
# for the safetensors readers, a short run's event file for the TensorBoard reader)
FUZZ_DICT    := fuzz/safetensors.dict
FUZZ_TARGETS := safetensors:131072:$(FUZZ_DICT) checkpoint:131072:$(FUZZ_DICT) \
                resume:131072:$(FUZZ_DICT) history:131072:$(FUZZ_DICT) findings:16384 \
                json:16384 theme:8192 corpus:8192 tokenizer:4096 tbreader:32768 control:1024 \
                runlog:65536
FUZZ_NAMES   := $(foreach t,$(FUZZ_TARGETS),$(firstword $(subst :, ,$(t))))
FUZZ_LIB_OBJ := $(CORE_SRC:%.c=$(FUZZ_BUILD)/%.o) $(FUZZ_BUILD)/src/tui/theme.o $(FUZZ_BUILD)/src/tui/grid.o \
                $(FUZZ_BUILD)/src/cli/control.o $(FUZZ_BUILD)/src/tui/commands.o
FUZZ_BIN     := $(FUZZ_NAMES:%=$(FUZZ_BUILD)/fuzz_%)
.SECONDARY: $(FUZZ_LIB_OBJ)

$(FUZZ_BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(SAY) "  FUZZCC  $<"
	$(Q)$(FUZZ_CC) $(CPPFLAGS_ALL) $(FUZZ_CFLAGS) -MMD -MP -c $< -o $@

$(FUZZ_BUILD)/fuzz_%: fuzz/fuzz_%.c fuzz/fuzz_util.h $(FUZZ_LIB_OBJ)
	$(SAY) "  FUZZ    $@"
	$(Q)$(FUZZ_CC) $(CPPFLAGS_ALL) -O1 -g $(FUZZ_SAN) -fsanitize=fuzzer -Ifuzz $< $(FUZZ_LIB_OBJ) -o $@ $(LDLIBS_ALL)

$(FUZZ_BUILD)/tiny.txt: corpora/lighthouse.txt
	@mkdir -p $(dir $@)
	$(Q)head -c 4096 $< > $@

fuzz/corpus/.seeded: fuzz/seeds.sh $(BUILD)/rnnscope $(FUZZ_BUILD)/tiny.txt
	$(Q)fuzz/seeds.sh $(BUILD)/rnnscope $(FUZZ_BUILD)/tiny.txt fuzz/corpus
	@touch $@

fuzz-build: $(FUZZ_BIN) $(FUZZ_BUILD)/tiny.txt

fuzz: fuzz-build fuzz/corpus/.seeded
	$(Q)fuzz/run.sh $(FUZZ_BUILD) fuzz/corpus $(FUZZ_SECONDS) $(FUZZ_TARGETS)

SHARE := $(DESTDIR)$(PREFIX)/share/rnnscope
install: $(BUILD)/rnnscope
	install -d $(DESTDIR)$(PREFIX)/bin $(SHARE)/themes $(SHARE)/scripts $(SHARE)/corpora \
	    $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 755 $(BUILD)/rnnscope $(DESTDIR)$(PREFIX)/bin/rnnscope
	install -m 644 themes/*.theme $(SHARE)/themes/
	install -m 644 scripts/*.lua $(SHARE)/scripts/
	install -m 644 corpora/*.txt $(SHARE)/corpora/
	install -m 644 docs/rnnscope.1 $(DESTDIR)$(PREFIX)/share/man/man1/rnnscope.1

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/rnnscope $(DESTDIR)$(PREFIX)/share/man/man1/rnnscope.1
	rm -rf $(SHARE)

# every build folder this Makefile can make (build, build-san, build-fuzz, BUILD=build-*),
# and the fuzzers' generated seeds
clean:
	rm -rf build build-* $(BUILD) fuzz/corpus

-include $(LIB_OBJ:.o=.d) $(CLI_OBJ:.o=.d) $(FUZZ_LIB_OBJ:.o=.d)
