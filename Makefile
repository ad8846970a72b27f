# ledgerd — one non-recursive Makefile. `make help` lists the targets.

PREFIX     ?= /usr/local
SYSCONFDIR ?= /etc
DESTDIR    ?=
BUILD      ?= build
CC         ?= cc
FUZZ_CC    ?= clang
PYTHON     ?= /usr/bin/python3

# SANITIZE=address,undefined builds everything with those sanitizers.
SANITIZE ?=

# The version, defined here only: `git describe` in a git checkout, else
# VERSION (a release tarball). It reaches the code as -DLEDGERD_VERSION.
VERSION := 0.9.0
LEDGERD_VERSION := $(or $(if $(wildcard .git),$(shell git describe --tags --always --dirty 2>/dev/null)),$(VERSION))

PKGS := libconfig libical libsystemd sqlite3 json-c libmicrohttpd zlib libcurl openssl libqrencode
# Deferred (=), so that `make deps` runs on a machine without pkg-config yet.
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS))
PKG_LIBS   = $(shell pkg-config --libs $(PKGS))

WARNINGS := -Wall -Wextra -Wshadow -Wmissing-prototypes -Wstrict-prototypes \
            -Wformat=2 -Wvla -Werror
CFLAGS   ?= -O2 -g
# CPPFLAGS and LDFLAGS from the environment or the command line are used too:
# Debian's dpkg-buildflags puts -D_FORTIFY_SOURCE=2 in CPPFLAGS, -z relro and
# -z now in LDFLAGS.
# Headers are named by their folder: "ledger/model.h", "courier/courier.h".
INCLUDES := -Icore -Idaemon -I.
override CFLAGS += -std=c17 -D_GNU_SOURCE -pthread $(WARNINGS) $(INCLUDES) $(PKG_CFLAGS) -MMD -MP
override LDFLAGS += -pthread
ifneq ($(SANITIZE),)
override CFLAGS  += -fsanitize=$(SANITIZE) -fno-omit-frame-pointer -fno-sanitize-recover=all
override LDFLAGS += -fsanitize=$(SANITIZE)
endif
LDLIBS = $(PKG_LIBS) -lm

CORE_SRC   := $(sort $(shell find core -name '*.c'))
DAEMON_SRC := $(sort $(shell find daemon -name '*.c'))
CTL_SRC    := $(sort $(wildcard ctl/*.c))
UNIT_SRC   := $(sort $(shell find tests/unit -name 'test-*.c'))
FUZZ_SRC   := $(sort $(wildcard tests/fuzz/fuzz-*.c))

CORE_OBJ   := $(CORE_SRC:%.c=$(BUILD)/%.o)
DAEMON_OBJ := $(DAEMON_SRC:%.c=$(BUILD)/%.o)
# Everything of the daemon but main(), for its parts' unit tests too.
LIBDAEMON  := $(BUILD)/libledgerd-daemon.a
CTL_OBJ    := $(CTL_SRC:%.c=$(BUILD)/%.o)
UNIT_BIN   := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
FUZZ_BIN   := $(FUZZ_SRC:tests/fuzz/%.c=$(BUILD)/fuzz/%)
LIBLEDGER  := $(BUILD)/libledger.a

.PHONY: demo all check unit-tests unit-tests-sanitized fuzz-corpus integration-tests \
        include-cycles bench fuzz install install-next-steps uninstall deb package-check deps deps-package clean help FORCE
.DELETE_ON_ERROR:
.SECONDARY:

all: $(BUILD)/ledgerd $(BUILD)/ledgerctl $(LIBLEDGER)

$(BUILD)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

# Only the sources that name LEDGERD_VERSION are given it, and they depend
# on $(BUILD)/version, which is rewritten only when the version changes: a
# new version compiles those few files again, and nothing else.
VERSION_SRC := $(shell grep -rl --include='*.c' LEDGERD_VERSION core ctl daemon)
VERSION_OBJ := $(VERSION_SRC:%.c=$(BUILD)/%.o) $(VERSION_SRC:%.c=$(BUILD)/fuzz/%.o)
$(VERSION_OBJ): $(BUILD)/version
$(VERSION_OBJ): override CFLAGS += -DLEDGERD_VERSION='"$(LEDGERD_VERSION)"'
$(VERSION_OBJ): FUZZ_FLAGS += -DLEDGERD_VERSION='"$(LEDGERD_VERSION)"'

$(BUILD)/version: FORCE
	@mkdir -p $(@D)
	@echo '$(LEDGERD_VERSION)' | cmp -s - $@ || echo '$(LEDGERD_VERSION)' > $@
FORCE:

# Made anew: ar keeps members whose source was moved or removed.
$(LIBLEDGER): $(CORE_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

$(LIBDAEMON): $(filter-out $(BUILD)/daemon/main.o,$(DAEMON_OBJ))
	@rm -f $@
	$(AR) rcs $@ $^

$(BUILD)/ledgerd: $(BUILD)/daemon/main.o $(LIBDAEMON) $(LIBLEDGER)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/ledgerctl: $(CTL_OBJ) $(LIBLEDGER)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/tests/%: $(BUILD)/tests/unit/%.o $(LIBLEDGER)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS) $(shell pkg-config --libs cmocka)
# Tests of ledgerctl's own modules link them too (and libledger after them).
CTL_TESTS := $(BUILD)/tests/ctl/test-columns $(BUILD)/tests/ctl/test-timefmt \
             $(BUILD)/tests/ctl/test-display
$(BUILD)/tests/ctl/test-columns: $(BUILD)/ctl/columns.o $(BUILD)/ctl/display.o
$(BUILD)/tests/ctl/test-timefmt: $(BUILD)/ctl/timefmt.o
$(BUILD)/tests/ctl/test-display: $(BUILD)/ctl/display.o
$(CTL_TESTS): LDLIBS = $(LIBLEDGER) $(PKG_LIBS) -lm
# Tests of the daemon's parts link its library (and libledger after it).
DAEMON_TESTS := $(filter $(BUILD)/tests/daemon/%,$(UNIT_BIN))
$(DAEMON_TESTS): $(LIBDAEMON)
$(DAEMON_TESTS): LDLIBS = $(LIBDAEMON) $(LIBLEDGER) $(PKG_LIBS) -lm

# ---- tests -----------------------------------------------------------------

# The package last: it is installed into this machine, then purged. Its build
# skips the unit tests, which ran just before.
check: all include-cycles unit-tests unit-tests-sanitized fuzz-corpus integration-tests
	DEB_BUILD_OPTIONS=nocheck $(MAKE) --no-print-directory package-check

# No module (folder) may include, through others, a header of one that
# includes its own. daemon/ joins the list once its cycles are broken.
INCLUDE_CYCLES_DIRS ?= core ctl daemon
include-cycles:
	$(PYTHON) tests/check-include-cycles $(INCLUDES) $(INCLUDE_CYCLES_DIRS)

# Leaks inside libraries are suppressed by name in tests/lsan.supp, with why.
export LSAN_OPTIONS = suppressions=$(abspath tests/lsan.supp):print_suppressions=0

unit-tests: $(UNIT_BIN)
	@set -e; for t in $(abspath $(UNIT_BIN)); do echo "== $$t"; (cd tests && $$t); done

# The same unit tests under AddressSanitizer and UndefinedBehaviorSanitizer.
unit-tests-sanitized:
	$(MAKE) --no-print-directory BUILD=$(BUILD)/san SANITIZE=address,undefined unit-tests

# Every fuzzer runs its whole corpus once: a regression test for past finds.
FUZZ_FLAGS = -g -O1 -std=c17 -D_GNU_SOURCE $(INCLUDES) $(PKG_CFLAGS) \
              -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all
$(BUILD)/fuzz/core/%.o: core/%.c
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_FLAGS) -MMD -MP -c -o $@ $<
$(BUILD)/fuzz/%: tests/fuzz/%.c $(CORE_SRC:%.c=$(BUILD)/fuzz/%.o)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_FLAGS) -fsanitize=fuzzer -o $@ $^ $(LDLIBS)

fuzz-corpus: $(FUZZ_BIN)
	@set -e; for f in $(FUZZ_BIN); do n=$${f##*/fuzz-}; \
	  echo "== $$f (corpus tests/fuzz/corpus/$$n)"; \
	  $$f -runs=0 tests/fuzz/corpus/$$n 2>&1 | tail -n 2; done

# FUZZ=when SECONDS=60 make fuzz: a real fuzzing session; new finds land in the corpus.
FUZZ ?= when
SECONDS ?= 60
fuzz: $(BUILD)/fuzz/fuzz-$(FUZZ)
	$< -max_total_time=$(SECONDS) tests/fuzz/corpus/$(FUZZ)

integration-tests: all
	LEDGERD_BUILD=$(abspath $(BUILD)) $(PYTHON) -m pytest -q tests/integration

bench: all
	@set -e; for b in tests/bench/bench-*; do echo "== $$b"; LEDGERD_BUILD=$(abspath $(BUILD)) $$b; done

# The README's first command: the shipped 2025 ledger, read, planned and
# published, then the service in the foreground as a rehearsal: its clock
# starts at DEMO_NOW, the Friday morning before the National Day week, a
# minute before that morning's reminders, on a fresh state (var/state), so
# that within a minute a newcomer sees reminders sent, e-mails land in the
# Maildir var/state/outbox/ (no mail server) and ledgerctl status shows what
# is due soon. No system bus: ledgerctl reaches it over var/run/private.
DEMO_NOW ?= 2025-09-26T09:29
demo: all
	$(BUILD)/ledgerd -c conf/ledgerd.conf --check
	$(BUILD)/ledgerd -c conf/ledgerd.conf --print-schedule --from 2025-09-26 --to 2025-10-10
	rm -rf var/state var/run
	@mkdir -p var
	$(BUILD)/ledgerd -c conf/ledgerd.conf --state-dir var/state --print-ics -o var/ledger.ics
	@echo
	@echo "=============================================================================="
	@echo "A REHEARSAL, not today: ledgerd now runs as if it were $(subst T, ,$(DEMO_NOW)),"
	@echo "a Friday of the shipped 2025 ledger, on a fresh state in var/state. Within a"
	@echo "minute, at 09:30 on its clock, it sends that morning's reminders: e-mails into"
	@echo "var/state/outbox/new/ (no mail server is set up). The feed is var/ledger.ics."
	@echo "In another terminal, in this folder:"
	@echo "  $(BUILD)/ledgerctl --runtime-dir var/run status"
	@echo "  $(BUILD)/ledgerctl --runtime-dir var/run deliveries"
	@echo "  ls var/state/outbox/new/"
	@echo "  $(BUILD)/ledgerctl --runtime-dir var/run preview --from 2025-09-26 --to 2025-10-10"
	@echo "  $(BUILD)/ledgerctl --runtime-dir var/run why 7.2"
	@echo "  $(BUILD)/ledgerctl --runtime-dir var/run done 4 --note '已报送'"
	@echo "  curl http://127.0.0.1:8080/ledger.ics    (the feeds; http://127.0.0.1:8080/ lists them)"
	@echo "Ctrl-C stops it. The service proper runs on the real clock: see README.md."
	@echo "=============================================================================="
	@echo
	$(BUILD)/ledgerd -c $(abspath conf/ledgerd.conf) --no-bus --state-dir var/state --runtime-dir var/run \
	  --now $(DEMO_NOW)

# ---- installation ----------------------------------------------------------

# systemd and D-Bus read /usr/local/lib/{systemd/system,sysusers.d,tmpfiles.d}
# too, but dbus-daemon only /usr/share and /etc: outside /usr, the policy goes
# to /etc so that ledgerd may take its bus name.
UNITDIR       ?= $(PREFIX)/lib/systemd/system
SYSUSERSDIR   ?= $(PREFIX)/lib/sysusers.d
TMPFILESDIR   ?= $(PREFIX)/lib/tmpfiles.d
DBUSPOLICYDIR ?= $(if $(filter /usr,$(PREFIX)),/usr/share,$(SYSCONFDIR))/dbus-1/system.d
BASHCOMPDIR   ?= $(PREFIX)/share/bash-completion/completions
# The unit and tmpfiles name /usr/sbin/ledgerd and /etc/ledgerd; installed, they
# name where this install puts them.
INSTALL_PATHS = -e 's|/usr/sbin/ledgerd|$(PREFIX)/sbin/ledgerd|g' \
                -e 's|/etc/ledgerd|$(SYSCONFDIR)/ledgerd|g'

# Files under SYSCONFDIR are the administrator's once installed: an existing
# one that differs is never overwritten, the new one goes beside it as
# NAME.dist (as dpkg's NAME.dpkg-dist), and install says so. ledgerd.conf is
# 0640: it may hold feed tokens. Its group is ledgerd's when that group exists
# (a real install, not into a DESTDIR), so that the service can read it.
INSTALL_CONF = install_conf() { \
	  if [ ! -e "$$3" ]; then install -Dm$$1 "$$2" "$$3"; \
	  elif cmp -s "$$2" "$$3"; then :; \
	  else install -Dm$$1 "$$2" "$$3.dist"; \
	    echo "install: kept $$3 (yours, changed); the new one is $$3.dist: compare them"; fi; }

# Outside SYSCONFDIR/ledgerd: what uninstall removes.
INSTALLED = $(PREFIX)/sbin/ledgerd $(PREFIX)/bin/ledgerctl \
            $(foreach m,$(wildcard man/*.[0-9]),$(PREFIX)/share/man/man$(subst .,,$(suffix $m))/$(notdir $m)) \
            $(UNITDIR)/ledgerd.service $(UNITDIR)/ledgerd.socket $(SYSUSERSDIR)/ledgerd.conf \
            $(TMPFILESDIR)/ledgerd.conf $(DBUSPOLICYDIR)/org.ledgerd.Ledger1.conf \
            $(BASHCOMPDIR)/ledgerctl $(addprefix $(DOCDIR)/,$(notdir $(DOCS)))
# What the man pages point to: the platforms' facts, the json channel's schema.
DOCS = man/webhook-formats.md man/ledgerd-webhook.schema.json
DOCDIR = $(PREFIX)/share/doc/ledgerd

install: all
	install -Dm755 $(BUILD)/ledgerd $(DESTDIR)$(PREFIX)/sbin/ledgerd
	install -Dm755 $(BUILD)/ledgerctl $(DESTDIR)$(PREFIX)/bin/ledgerctl
	@$(INSTALL_CONF); set -e; etc=$(DESTDIR)$(SYSCONFDIR)/ledgerd; \
	  fresh=$$(test -e $$etc/ledgerd.conf || echo yes); \
	  install_conf 640 conf/ledgerd.conf $$etc/ledgerd.conf; \
	  for f in conf/ledgers/*.conf conf/holidays/*.conf; do install_conf 644 $$f $$etc/$${f#conf/}; done; \
	  if [ -n "$$fresh" ] && [ -z "$(DESTDIR)" ] && getent group ledgerd >/dev/null; then \
	    chgrp ledgerd $$etc/ledgerd.conf; fi
	for m in man/*.[0-9]; do install -Dm644 $$m $(DESTDIR)$(PREFIX)/share/man/man$${m##*.}/$${m##*/}; done
	for d in $(DOCS); do install -Dm644 $$d $(DESTDIR)$(DOCDIR)/$${d##*/}; done
	@mkdir -p $(DESTDIR)$(UNITDIR) $(DESTDIR)$(TMPFILESDIR)
	sed $(INSTALL_PATHS) units/ledgerd.service > $(DESTDIR)$(UNITDIR)/ledgerd.service
	sed $(INSTALL_PATHS) units/ledgerd.tmpfiles > $(DESTDIR)$(TMPFILESDIR)/ledgerd.conf
	chmod 644 $(DESTDIR)$(UNITDIR)/ledgerd.service $(DESTDIR)$(TMPFILESDIR)/ledgerd.conf
	install -Dm644 units/ledgerd.socket $(DESTDIR)$(UNITDIR)/ledgerd.socket
	install -Dm644 units/ledgerd.sysusers $(DESTDIR)$(SYSUSERSDIR)/ledgerd.conf
	install -Dm644 units/org.ledgerd.Ledger1.conf $(DESTDIR)$(DBUSPOLICYDIR)/org.ledgerd.Ledger1.conf
	install -Dm644 completion/ledgerctl $(DESTDIR)$(BASHCOMPDIR)/ledgerctl
	@if [ -z "$(DESTDIR)" ]; then $(MAKE) --no-print-directory -s install-next-steps; fi

# What a system needs besides the files (the README's "from source" steps;
# the Debian package does all of it itself).
install-next-steps:
	@echo
	@echo "Installed. To run ledgerd as a service (as root):"
	@echo "  systemd-sysusers $(SYSUSERSDIR)/ledgerd.conf     # users ledgerd, group ledgerd-admin"
	@echo "  systemd-tmpfiles --create $(TMPFILESDIR)/ledgerd.conf"
	@echo "  chgrp ledgerd $(SYSCONFDIR)/ledgerd/ledgerd.conf   # the service reads it (0640)"
	@echo "  systemctl daemon-reload && systemctl reload dbus"
	@echo "  ledgerd -c $(SYSCONFDIR)/ledgerd/ledgerd.conf --check   # after editing it"
	@echo "  systemctl enable --now ledgerd.socket ledgerd.service"
	@echo "  usermod -aG ledgerd-admin NAME                 # an officer who may mark done"

# Removes what install put outside SYSCONFDIR/ledgerd; the configuration
# there and the state in /var/lib/ledgerd stay, as dpkg's remove keeps them.
uninstall:
	rm -f $(addprefix $(DESTDIR),$(INSTALLED))
	@echo "uninstall: kept $(DESTDIR)$(SYSCONFDIR)/ledgerd (the configuration) and /var/lib/ledgerd (the state)"

# ---- the Debian package ------------------------------------------------------

# debian/ builds ledgerd_<version>_amd64.deb with dpkg-buildpackage, here from
# a copy of the tree (what git tracks, or all of it outside git) under
# $(BUILD)/deb, so that nothing lands beside the checkout. lintian fails it on
# an error and shows the rest (each warning is fixed or overridden, with why,
# in debian/ledgerd.lintian-overrides). DEB_BUILD_OPTIONS=nocheck skips the
# unit tests in the build (make check has run them).
DEB_OUT := $(abspath $(BUILD))/deb
DEB_SRC := $(DEB_OUT)/ledgerd-$(VERSION)
# (A clone may have been made elsewhere: without git here, every file but
# the build, the demo's var and .git.)
DEB_FILES = $(if $(and $(wildcard .git),$(shell command -v git)),\
              git ls-files -z --cached --others --exclude-standard,\
              find . -path ./$(BUILD) -prune -o -path ./var -prune -o -path ./.git -prune \
                -o -type f -print0)
deb:
	rm -rf $(DEB_OUT) && mkdir -p $(DEB_SRC)
	$(DEB_FILES) > $(DEB_OUT)/files
	tar -c --null -T $(DEB_OUT)/files | tar -x -C $(DEB_SRC)
	cd $(DEB_SRC) && dpkg-buildpackage -us -uc -b -Jauto
	lintian --fail-on error --display-level '>=info' --info $(DEB_OUT)/ledgerd_*.changes

# What building the package needs (the README's route on a server, without
# the test suite's peers): DEB_BUILD and cmocka, as make deps installs them,
# and build-essential (dpkg-buildpackage checks for it), debhelper, dpkg-dev
# and lintian without their recommends. make deps
# adds devscripts (hardening-check, for package-check), without its
# recommends too: they would bring the Debian keyring and dozens more.
DEB_PACKAGE      := build-essential debhelper dpkg-dev lintian
DEB_PACKAGE_TEST := devscripts
DEPS_PLAIN       := $(DEB_PACKAGE)
deps: deps-package
deps: DEPS_PLAIN = $(DEB_PACKAGE) $(DEB_PACKAGE_TEST)
deps-package:
	@set -e; missing() { for p in "$$@"; do \
	  dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'ok installed' || echo $$p; done; }; \
	build=$$(missing $(DEB_BUILD) libcmocka-dev); plain=$$(missing $(DEPS_PLAIN)); \
	export DEBIAN_FRONTEND=noninteractive; \
	if [ -n "$$build$$plain" ]; then apt-get update -q; fi; \
	if [ -n "$$build" ]; then echo "installing:" $$build; apt-get install -y -q $$build; fi; \
	if [ -n "$$plain" ]; then echo "installing:" $$plain; \
	  apt-get install -y -q --no-install-recommends $$plain; fi

# Installs the package into this machine, as an administrator would, and
# removes and purges it again (root, Debian 12): make check's last step.
package-check: deb
	LEDGERD_BUILD=$(abspath $(BUILD)) $(PYTHON) -m pytest -q tests/package

# The Debian packages that building, testing and benchmarking need.
DEB_BUILD := make gcc libc6-dev pkg-config libconfig-dev libical-dev libsystemd-dev \
             libsqlite3-dev libjson-c-dev libmicrohttpd-dev zlib1g-dev \
             libcurl4-openssl-dev libssl-dev libqrencode-dev
DEB_TEST  := libcmocka-dev clang libclang-rt-14-dev python3-pytest python3-icalendar \
             python3-vobject calcurse systemd dbus-daemon util-linux man-db \
             curl python3-dbus wrk nginx-light python3-aiosmtpd openssl passwd mount \
             chromium chromium-driver python3-selenium fonts-wqy-microhei \
             python3-jsonschema remind
deps:
	@missing=$$(for p in $(DEB_BUILD) $(DEB_TEST); do \
	  dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "installing:" $$missing; \
	  apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q $$missing; \
	else echo "all Debian packages present"; fi

clean:
	rm -rf $(BUILD)

help:
	@echo "make demo        build, then --check, a plan, a feed, and a rehearsal of the shipped ledger"
	@echo "make [all]       build build/ledgerd, build/ledgerctl, build/libledger.a"
	@echo "make check       unit tests (plain and ASan+UBSan), fuzz corpora, integration tests,"
	@echo "                 then the package (as root: installed into this machine, then purged)"
	@echo "make include-cycles   no include cycle among the modules of core and ctl"
	@echo "make bench       benchmarks, each beside its peer"
	@echo "make fuzz FUZZ=when SECONDS=60   fuzz one parser"
	@echo "make install PREFIX=/usr DESTDIR=/tmp/root   (make uninstall: the same, removed)"
	@echo "make deb         the Debian package, in build/deb, checked by lintian"
	@echo "make deps        install the missing Debian packages (as root)"
	@echo "make deps-package   only what building the package needs (as root)"

# (Not the package's copy of the tree under $(BUILD)/deb.)
-include $(shell find $(BUILD) -path '$(BUILD)/deb' -prune -o -name '*.d' -type f -print 2>/dev/null)
