# rnnscope — build, test, run, bench, install.
#
#   make            build build/rnnscope
#   make run        install missing packages, build, open training on the default corpus
#   make test       install missing packages, build, run the whole suite (plain, then ASan+UBSan)
#   make bench      speed and memory benchmark, side by side with PyTorch when it is installed
#   make fuzz       libFuzzer targets of every reader of untrusted input, FUZZ_SECONDS (30) each
#   make install PREFIX=/usr/local
#   V=1             show the commands
#   CC=clang        any C11 compiler

CC      ?= cc
PREFIX  ?= /usr/local
BUILD   ?= build
PKGS    := openblas lua5.4 ncursesw readline
WARN    := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Werror
OPT     ?= -O2 -march=x86-64-v2
CFLAGS  ?= $(OPT) -g
CPPFLAGS_ALL := -std=c11 -ffp-contract=off -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE $(WARN) \
                $(shell pkg-config --cflags $(PKGS) 2>/dev/null) -Isrc/core -Isrc/lua -Isrc/tui
LDLIBS_ALL   := $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lm -lpthread

ifeq ($(V),1)
Q :=
else
Q := @
endif

CORE_SRC := $(wildcard src/core/*.c)
LUA_SRC  := $(wildcard src/lua/*.c)
TUI_SRC  := $(wildcard src/tui/*.c)
CLI_SRC  := $(wildcard src/cli/*.c)
TEST_SRC := $(wildcard tests/test_*.c)
CORE_OBJ := $(CORE_SRC:%.c=$(BUILD)/%.o)
LIB_OBJ  := $(CORE_OBJ) $(LUA_SRC:%.c=$(BUILD)/%.o) $(TUI_SRC:%.c=$(BUILD)/%.o)
CLI_OBJ  := $(CLI_SRC:%.c=$(BUILD)/%.o)
TEST_BIN := $(TEST_SRC:tests/%.c=$(BUILD)/tests/%)

.PHONY: all run test test-plain test-san bench deps install clean scenarios fuzz fuzz-build

all: $(BUILD)/rnnscope

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(CPPFLAGS_ALL) $(CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/rnnscope: $(LIB_OBJ) $(CLI_OBJ)
	@$(if $(Q),echo "  LINK    $@")
	$(Q)$(CC) $(CFLAGS) $^ -o $@ $(LDLIBS_ALL)

$(BUILD)/tests/%: tests/%.c $(LIB_OBJ) tests/check.h
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  TEST    $@")
	$(Q)$(CC) $(CPPFLAGS_ALL) $(CFLAGS) -Itests $< $(LIB_OBJ) -o $@ $(LDLIBS_ALL)

deps:
	$(Q)scripts/deps.sh

# The dashboard's recipe for the 50 KB corpus: dropout 0.3 and 1000 steps, so it ends where
# its validation loss is lowest (measured curves in README.md, "make run").
RUN_FLAGS ?= --dropout 0.3 --steps 1000
run: deps
	$(Q)$(MAKE) --no-print-directory all
	./$(BUILD)/rnnscope tui $(RUN_FLAGS)

test: deps
	$(Q)$(MAKE) --no-print-directory test-plain
	$(Q)$(MAKE) --no-print-directory test-san

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

bench: deps $(BUILD)/rnnscope
	$(Q)scripts/bench.sh $(BUILD)/rnnscope

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
                json:16384 theme:8192 corpus:8192 tokenizer:4096 tbreader:32768
FUZZ_NAMES   := $(foreach t,$(FUZZ_TARGETS),$(firstword $(subst :, ,$(t))))
FUZZ_LIB_OBJ := $(CORE_SRC:%.c=$(FUZZ_BUILD)/%.o) $(FUZZ_BUILD)/src/tui/theme.o $(FUZZ_BUILD)/src/tui/grid.o
FUZZ_BIN     := $(FUZZ_NAMES:%=$(FUZZ_BUILD)/fuzz_%)
.SECONDARY: $(FUZZ_LIB_OBJ)

$(FUZZ_BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  FUZZCC  $<")
	$(Q)$(FUZZ_CC) $(CPPFLAGS_ALL) $(FUZZ_CFLAGS) -MMD -MP -c $< -o $@

$(FUZZ_BUILD)/fuzz_%: fuzz/fuzz_%.c fuzz/fuzz_util.h $(FUZZ_LIB_OBJ)
	@$(if $(Q),echo "  FUZZ    $@")
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

install: $(BUILD)/rnnscope
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/rnnscope/themes \
	    $(DESTDIR)$(PREFIX)/share/rnnscope/scripts $(DESTDIR)$(PREFIX)/share/rnnscope/corpora \
	    $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 755 $(BUILD)/rnnscope $(DESTDIR)$(PREFIX)/bin/rnnscope
	-install -m 644 themes/* $(DESTDIR)$(PREFIX)/share/rnnscope/themes/ 2>/dev/null
	install -m 644 scripts/* $(DESTDIR)$(PREFIX)/share/rnnscope/scripts/
	install -m 644 corpora/*.txt $(DESTDIR)$(PREFIX)/share/rnnscope/corpora/
	install -m 644 docs/rnnscope.1 $(DESTDIR)$(PREFIX)/share/man/man1/rnnscope.1

clean:
	rm -rf build build-san $(FUZZ_BUILD)

-include $(LIB_OBJ:.o=.d) $(CLI_OBJ:.o=.d) $(FUZZ_LIB_OBJ:.o=.d)
