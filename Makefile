# relaygate — build, test and install.
#
#   make            build build/relaygate (and build/relaygated) and the library
#   make run        install missing packages, build, run the main job on examples/
#   make check      install missing packages, build, run every test
#   make install    PREFIX=/usr/local DESTDIR=
#   V=1             show the commands
#
# Every output lives under $(BUILD).

PREFIX      ?= /usr/local
BINDIR      ?= $(PREFIX)/bin
INCLUDEDIR  ?= $(PREFIX)/include
LIBDIR      ?= $(PREFIX)/lib
MANDIR      ?= $(PREFIX)/share/man
DESTDIR     ?=
BUILD       ?= build
PKG_CONFIG  ?= pkg-config
PYTHON      ?= python3
SHARED      ?= ../shared
CC          ?= cc

VERSION     := $(shell cat VERSION 2>/dev/null || echo 0.0.0)

PKGS        := jansson libpcre2-8 libsodium libcurl
PKG_CFLAGS   = $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
PKG_LIBS     = $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null)
CMOCKA_LIBS  = $(shell $(PKG_CONFIG) --libs cmocka 2>/dev/null)

WARN        := -Wall -Wextra -Wformat=2 -Wvla -Wshadow -Wstrict-prototypes \
               -Wmissing-prototypes -Wpointer-arith -Wcast-align -Wundef \
               -Wno-missing-field-initializers
# Warnings are errors in CI (CI=true) and whenever WERROR=1.
ifneq ($(strip $(CI)$(WERROR)),)
WARN        += -Werror
endif

OPT         ?= -O2 -g
BASE_CFLAGS := -std=c11 -D_GNU_SOURCE -Iinclude -Isrc -MMD -MP \
               -DRG_VERSION='"$(VERSION)"' -fno-strict-aliasing
ALL_CFLAGS   = $(BASE_CFLAGS) $(OPT) $(WARN) $(PKG_CFLAGS) $(CFLAGS)
ALL_LDFLAGS  = $(LDFLAGS)
LIBS         = $(PKG_LIBS) -lpthread -lm

SAN_FLAGS   := -fsanitize=address,undefined -fno-sanitize-recover=all \
               -fno-omit-frame-pointer
SAN_CFLAGS   = $(BASE_CFLAGS) -O1 -g $(WARN) $(SAN_FLAGS) $(PKG_CFLAGS) $(CFLAGS)

ifeq ($(V),1)
Q :=
else
Q := @
endif

LIB_SRCS    := $(sort $(shell find src -name '*.c' -not -path 'src/cli/*' \
                 -not -path 'src/daemon/*'))
CLI_SRCS    := $(sort $(wildcard src/cli/*.c))
DAEMON_SRCS := $(sort $(wildcard src/daemon/*.c))
UNIT_SRCS   := $(sort $(wildcard tests/unit/test_*.c))
BENCH_SRCS  := $(sort $(wildcard bench/*.c))

LIB_OBJS    := $(LIB_SRCS:%.c=$(BUILD)/obj/%.o)
CLI_OBJS    := $(CLI_SRCS:%.c=$(BUILD)/obj/%.o)
DAEMON_OBJS := $(DAEMON_SRCS:%.c=$(BUILD)/obj/%.o)
UNIT_BINS   := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/%)
SAN_LIB_OBJS:= $(LIB_SRCS:%.c=$(BUILD)/asan/obj/%.o)
SAN_UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/asan/tests/%)
SAN_CLI_OBJS:= $(CLI_SRCS:%.c=$(BUILD)/asan/obj/%.o)
BENCH_BINS  := $(BENCH_SRCS:bench/%.c=$(BUILD)/bench/%)

LIBRARY     := $(BUILD)/librelaygate.a
SAN_LIBRARY := $(BUILD)/asan/librelaygate.a
RELAYGATE   := $(BUILD)/relaygate
SAN_RELAYGATE := $(BUILD)/asan/relaygate
RELAYGATED  := $(BUILD)/relaygated
SAN_RELAYGATED := $(BUILD)/asan/relaygated
PROGRAMS    := $(RELAYGATE) $(RELAYGATED)

SAN_DAEMON_OBJS    := $(DAEMON_SRCS:%.c=$(BUILD)/asan/obj/%.o)
DAEMON_TEST        := $(BUILD)/tests/daemon/test_daemon
FIXTURE_OBJ        := $(BUILD)/obj/tests/daemon/fixture.o

.PHONY: all deps run check check-only test unit unit-asan cli api api-asan conformance \
        matrix-html conformance-update conformance-check conformance-asan install uninstall clean \
        bench fuzz fuzz-smoke soak daemon-test daemon-test-asan lint-tests lint-asan rule-docs

all: $(LIBRARY) $(PROGRAMS)

deps:
	$(Q)bash scripts/deps.sh

# --- library and programs ---------------------------------------------------

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/asan/obj/%.o: %.c
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC-SAN  $<")
	$(Q)$(CC) $(SAN_CFLAGS) -c -o $@ $<

$(LIBRARY): $(LIB_OBJS)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  AR      $@")
	$(Q)rm -f $@ && ar rcs $@ $^

$(SAN_LIBRARY): $(SAN_LIB_OBJS)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  AR      $@")
	$(Q)rm -f $@ && ar rcs $@ $^

$(RELAYGATE): $(CLI_OBJS) $(LIBRARY)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $(CLI_OBJS) $(LIBRARY) $(LIBS)

$(SAN_RELAYGATE): $(SAN_CLI_OBJS) $(SAN_LIBRARY)
	@$(if $(Q),echo "  LD-SAN  $@")
	$(Q)$(CC) $(SAN_CFLAGS) $(ALL_LDFLAGS) -o $@ $(SAN_CLI_OBJS) $(SAN_LIBRARY) $(LIBS)

$(RELAYGATED): $(DAEMON_OBJS) $(LIBRARY)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $(DAEMON_OBJS) $(LIBRARY) $(LIBS)

$(SAN_RELAYGATED): $(SAN_DAEMON_OBJS) $(SAN_LIBRARY)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  LD-SAN  $@")
	$(Q)$(CC) $(SAN_CFLAGS) $(ALL_LDFLAGS) -o $@ $(SAN_DAEMON_OBJS) $(SAN_LIBRARY) $(LIBS)

# --- tests --------------------------------------------------------------------

$(BUILD)/tests/%: tests/unit/%.c $(LIBRARY)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  TEST    $@")
	$(Q)$(CC) $(ALL_CFLAGS) -MF $@.d $(ALL_LDFLAGS) -o $@ $< $(LIBRARY) $(LIBS) $(CMOCKA_LIBS)

$(BUILD)/asan/tests/%: tests/unit/%.c $(SAN_LIBRARY)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  TEST-SAN $@")
	$(Q)$(CC) $(SAN_CFLAGS) -MF $@.d $(ALL_LDFLAGS) -o $@ $< $(SAN_LIBRARY) $(LIBS) $(CMOCKA_LIBS)

unit: $(UNIT_BINS)
	$(Q)RG_SHARED=$(SHARED) bash tests/run-unit.sh $(UNIT_BINS)

unit-asan: $(SAN_UNIT_BINS)
	$(Q)RG_SHARED=$(SHARED) ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  bash tests/run-unit.sh $(SAN_UNIT_BINS)

# relaygated on loopback, started and stopped by the tests (bounded in time).
$(DAEMON_TEST): tests/daemon/test_daemon.c $(FIXTURE_OBJ) $(LIBRARY)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  TEST    $@")
	$(Q)$(CC) $(ALL_CFLAGS) -MF $@.d $(ALL_LDFLAGS) -o $@ $< $(FIXTURE_OBJ) $(LIBRARY) $(LIBS) \
	  $(CMOCKA_LIBS)

daemon-test: $(DAEMON_TEST) $(RELAYGATED) $(RELAYGATE)
	$(Q)RELAYGATED=$(RELAYGATED) RELAYGATE=$(RELAYGATE) \
	  bash tests/run-unit.sh $(DAEMON_TEST)

daemon-test-asan: $(DAEMON_TEST) $(SAN_RELAYGATED) $(SAN_RELAYGATE)
	$(Q)ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  RELAYGATED=$(SAN_RELAYGATED) RELAYGATE=$(SAN_RELAYGATE) \
	  bash tests/run-unit.sh $(DAEMON_TEST)

cli: all
	$(Q)bash tests/cli/run.sh $(BUILD)

# relaygate api against a fake Tailscale API on loopback; then the same under ASan+UBSan.
api: all
	$(Q)$(PYTHON) tests/api/test_api.py --bin $(RELAYGATE)

api-asan: $(SAN_RELAYGATE)
	$(Q)ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  $(PYTHON) tests/api/test_api.py --bin $(SAN_RELAYGATE)

# The HTML grant matrix in headless Chromium (skipped, saying why, when it cannot be installed).
matrix-html: all
	$(Q)$(PYTHON) tests/html/test_matrix_html.py --bin $(RELAYGATE)

# Conformance against ../shared; a ratchet on the recorded pass counts.
conformance: all
	$(Q)$(PYTHON) tests/conformance/ratchet.py --bin $(RELAYGATE) --shared $(SHARED) --details

conformance-update: all
	$(Q)$(PYTHON) tests/conformance/ratchet.py --bin $(RELAYGATE) --shared $(SHARED) --update

conformance-check: all
	$(Q)$(PYTHON) tests/conformance/ratchet.py --bin $(RELAYGATE) --shared $(SHARED)

# The conformance cases once more through the ASan+UBSan build of the CLI.
conformance-asan: $(SAN_RELAYGATE)
	$(Q)ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1 \
	  $(PYTHON) tests/conformance/ratchet.py --bin $(SAN_RELAYGATE) --shared $(SHARED)

# relaygate lint and fmt: the policies/ corpus against its expected outputs, then
# formats, registry/docs agreement and fmt's meaning-preservation (tests/lint/).
lint-tests: all
	$(Q)bash tests/lint/corpus.sh $(BUILD)
	$(Q)$(PYTHON) tests/lint/test_lint.py --bin $(RELAYGATE)

# The corpus and the CLI cases once more through the ASan+UBSan build (leaks, overflows).
lint-asan: $(SAN_RELAYGATE) $(SAN_RELAYGATED)
	$(Q)ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1 \
	  bash tests/lint/corpus.sh $(BUILD)/asan
	$(Q)ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1 \
	  bash tests/cli/run.sh $(BUILD)/asan

# docs/rules/ from the rule registry (lint-tests fails when it is stale).
rule-docs: all
	$(Q)bash scripts/gen-rule-docs.sh $(BUILD) docs/rules

test: unit cli lint-tests api matrix-html daemon-test unit-asan api-asan lint-asan \
      daemon-test-asan conformance-check conformance-asan fuzz-smoke

check-only: all
	$(Q)$(MAKE) --no-print-directory test

check: deps
	$(Q)$(MAKE) --no-print-directory check-only

run: deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)bash scripts/run-example.sh $(BUILD)

# --- benchmarks -------------------------------------------------------------
# Every bench/*.c is a program linked against the library; bench/run.sh runs
# them all (and any bench/*.sh) and prints one line per figure.

$(BUILD)/bench/%: bench/%.c $(LIBRARY)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  BENCH   $@")
	$(Q)$(CC) $(ALL_CFLAGS) -MF $@.d $(ALL_LDFLAGS) -o $@ $< $(LIBRARY) $(LIBS)

# relaygated's benchmark drives the daemon with the test fixture.
$(BUILD)/bench/relay_forward: bench/relay_forward.c $(FIXTURE_OBJ) $(LIBRARY)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  BENCH   $@")
	$(Q)$(CC) $(ALL_CFLAGS) -MF $@.d $(ALL_LDFLAGS) -o $@ $< $(FIXTURE_OBJ) $(LIBRARY) $(LIBS)

bench: deps
	$(Q)$(MAKE) --no-print-directory all $(BENCH_BINS)
	$(Q)RELAYGATED=$(RELAYGATED) RELAYGATE=$(RELAYGATE) bash bench/run.sh $(BUILD)

# --- soak (issue 8): relaygated under hostile traffic, floods, quotas, reloads ---

SOAK_BIN := $(BUILD)/tests/soak/soak

$(SOAK_BIN): tests/soak/soak.c $(FIXTURE_OBJ) $(LIBRARY)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  TEST    $@")
	$(Q)$(CC) $(ALL_CFLAGS) -Itests/daemon -MF $@.d $(ALL_LDFLAGS) -o $@ $< $(FIXTURE_OBJ) \
	  $(LIBRARY) $(LIBS)

soak: all $(SOAK_BIN)
	$(Q)RELAYGATED=$(RELAYGATED) RELAYGATE=$(RELAYGATE) $(SOAK_BIN)

# --- fuzzing (clang, libFuzzer, ASan+UBSan) -----------------------------------
# make fuzz builds build/fuzz/fuzz_<name> for every tests/fuzz/fuzz_<name>.c;
# make fuzz-smoke runs each on its seed corpus for FUZZ_SECONDS.

FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 10
FUZZ_FLAGS   := -g -O1 -fno-omit-frame-pointer -fsanitize=address,undefined \
                -fno-sanitize-recover=all
FUZZ_CFLAGS   = $(BASE_CFLAGS) $(FUZZ_FLAGS) -fsanitize=fuzzer-no-link $(PKG_CFLAGS) \
                -Wall -Wextra -Wno-missing-field-initializers
FUZZ_SRCS    := $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_BINS    := $(FUZZ_SRCS:tests/fuzz/%.c=$(BUILD)/fuzz/%)
FUZZ_LIB_OBJS:= $(LIB_SRCS:%.c=$(BUILD)/fuzz/obj/%.o)

$(BUILD)/fuzz/obj/%.o: %.c
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC-FUZZ $<")
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -c -o $@ $<

$(BUILD)/fuzz/librelaygate.a: $(FUZZ_LIB_OBJS)
	$(Q)rm -f $@ && ar rcs $@ $^

$(BUILD)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(BUILD)/fuzz/librelaygate.a
	@$(if $(Q),echo "  FUZZ    $@")
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer -MF $@.d -o $@ $< \
	  $(BUILD)/fuzz/librelaygate.a $(LIBS)

fuzz: $(FUZZ_BINS)

fuzz-smoke: fuzz
	$(Q)bash tests/fuzz/smoke.sh $(BUILD) $(FUZZ_SECONDS)

# --- install ------------------------------------------------------------------

MAN1 := $(wildcard docs/*.1)
MAN8 := $(wildcard docs/*.8)

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(INCLUDEDIR)/relaygate \
	  $(DESTDIR)$(LIBDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man8
	install -m 0755 $(PROGRAMS) $(DESTDIR)$(BINDIR)/
	install -m 0644 $(LIBRARY) $(DESTDIR)$(LIBDIR)/
	install -m 0644 include/relaygate/*.h $(DESTDIR)$(INCLUDEDIR)/relaygate/
	install -m 0644 $(MAN1) $(DESTDIR)$(MANDIR)/man1/
	install -m 0644 $(MAN8) $(DESTDIR)$(MANDIR)/man8/

uninstall:
	rm -f $(addprefix $(DESTDIR)$(BINDIR)/,$(notdir $(PROGRAMS)))
	rm -f $(DESTDIR)$(LIBDIR)/librelaygate.a
	rm -rf $(DESTDIR)$(INCLUDEDIR)/relaygate
	rm -f $(addprefix $(DESTDIR)$(MANDIR)/man1/,$(notdir $(MAN1)))
	rm -f $(addprefix $(DESTDIR)$(MANDIR)/man8/,$(notdir $(MAN8)))

clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
