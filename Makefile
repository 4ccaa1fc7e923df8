# pam_nsiso: a PAM session module, a setuid helper and an admin CLI.
#
#   make                 build everything
#   make check           unit tests; as root also the demo check and the
#                        integration and security tests
#   make install         honours DESTDIR PREFIX PAMDIR LIBEXECDIR SBINDIR
#                        MANDIR SYSCONFDIR SYSTEMD_USER_MANAGER
#   make demo            (root) a login into an isolated session, side by side
#   make deb             the Debian package, into build/deb/ (README,
#                        "Install from the package")

PREFIX     ?= /usr
SBINDIR    ?= $(PREFIX)/sbin
LIBEXECDIR ?= $(PREFIX)/libexec
MANDIR     ?= $(PREFIX)/share/man
SYSCONFDIR ?= /etc
PAMDIR     ?= $(shell pkg-config --variable=libdir pam 2>/dev/null || echo /lib/$$(gcc -print-multiarch))/security
# systemd's user manager, which `nsiso-helper manager` runs inside an
# environment (root/nsiso-helper/manager.c).
SYSTEMD_USER_MANAGER ?= /lib/systemd/systemd
HELPER_PATH = $(LIBEXECDIR)/nsiso/nsiso-helper
ENTER_PATH  = $(LIBEXECDIR)/nsiso/nsiso-enter
POLICY_DIR  = $(SYSCONFDIR)/security/nsiso

# The paths compiled into the binaries are defined here and nowhere else.
# Reading this Makefile writes them to build/install-paths.h (only when
# they differ from what the file holds), which every compilation includes
# (-include) and every object depends on: `make install PREFIX=/usr/local`
# after a plain `make` recompiles with the paths it installs to, and a
# build never mixes objects of two sets of paths. Written at parse time
# rather than by a rule, so that `make -q all` (tests/vm/run.sh) still
# finds an unchanged build up to date.
PATHS_H := build/install-paths.h
HASH := \#
# A path compiled in becomes a C string and is exec'd or opened by root:
# absolute, and no blanks or quotes.
path_ok = $(if $(filter /%,$(2)),,$(error $(1) = '$(2)': a path compiled in must be absolute))$(if $(word 2,$(2))$(findstring ",$(2))$(findstring ',$(2))$(findstring \,$(2)),$(error $(1) = '$(2)': no blanks, quotes or backslashes in a path compiled in))
$(call path_ok,HELPER_PATH (LIBEXECDIR),$(HELPER_PATH))
$(call path_ok,ENTER_PATH (LIBEXECDIR),$(ENTER_PATH))
$(call path_ok,POLICY_DIR (SYSCONFDIR),$(POLICY_DIR))
$(call path_ok,SYSTEMD_USER_MANAGER,$(SYSTEMD_USER_MANAGER))
# The release this tree builds: the top entry of debian/changelog, the one
# place a version is written. Every environment's init reports it
# (`nsiso list`), so that an admin sees which environments an upgrade has
# not yet replaced.
RELEASE := $(shell sed -n '1s/^[a-z0-9.+-]* (\([0-9A-Za-z.+~-]*\)) .*/\1/p' debian/changelog 2>/dev/null)
$(if $(RELEASE),,$(error debian/changelog: no "NAME (VERSION) ..." line at its top: cannot tell the release))
PATHS_H_LINES = '/* Written by make from the Makefile: the paths compiled in. Do not' \
	' * edit; set PREFIX, LIBEXECDIR, SYSCONFDIR or SYSTEMD_USER_MANAGER. */' \
	'$(HASH)define NSISO_HELPER_PATH "$(HELPER_PATH)"' \
	'$(HASH)define NSISO_ENTER_PATH "$(ENTER_PATH)"' \
	'$(HASH)define NSISO_DEFAULT_POLICY_DIR "$(POLICY_DIR)"' \
	'$(HASH)define NSISO_USER_MANAGER "$(SYSTEMD_USER_MANAGER)"' \
	'$(HASH)define NSISO_RELEASE "$(RELEASE)"'
PATHS_CHANGED := $(shell \
	t=$$(printf '%s\n' $(PATHS_H_LINES)); \
	if [ "$$(cat $(PATHS_H) 2>/dev/null)" != "$$t" ]; then \
		[ -e $(PATHS_H) ] && echo changed; \
		mkdir -p $(dir $(PATHS_H)) && printf '%s\n' "$$t" > $(PATHS_H).$$$$ && \
		mv -f $(PATHS_H).$$$$ $(PATHS_H); \
	fi)
$(if $(PATHS_CHANGED),$(info paths differ from the last build's: rebuilding with helper $(HELPER_PATH), policies $(POLICY_DIR)))

CC      ?= cc
HARDEN   = -D_FORTIFY_SOURCE=2 -fstack-protector-strong -fstack-clash-protection \
           -fcf-protection -fPIC
WARN     = -Wall -Wextra -Werror -Wformat=2 -Wshadow -Wstrict-prototypes \
           -Wmissing-prototypes -Wno-format-nonliteral
CFLAGS  ?= -O2 -g
# Where the code lives says who runs it (README, "Layout"): setuid/ is
# installed setuid root, root/ is run only by root, glibc-musl/ is built
# for both libcs. Headers are found by name from every folder.
INCLUDES = -Isetuid/lib -Iroot/policy -Iroot/lib -Iglibc-musl
SHARED_H = setuid/lib/*.h root/policy/*.h root/lib/*.h glibc-musl/*.h
ALL_CFLAGS = -std=gnu11 -D_GNU_SOURCE $(WARN) $(HARDEN) $(CFLAGS) $(INCLUDES) \
           -include $(PATHS_H) $(EXTRA_CFLAGS)
LDHARDEN = -Wl,-z,relro,-z,now -Wl,-z,noexecstack
ALL_LDFLAGS = $(LDHARDEN) $(LDFLAGS) $(EXTRA_LDFLAGS)

# The policy: parser, templates, plan, the files' loader. Root's
# programs and the unit tests link it; no setuid program does.
POLICY_SRC = root/policy/policy.c root/policy/template.c root/policy/paths.c \
             root/policy/select.c root/policy/load.c root/policy/plan.c \
             root/policy/subid.c root/policy/envlimits.c root/policy/groupmatch.c \
             root/policy/usergroups.c root/policy/plan_here.c root/policy/login_defs.c
# Joining an environment (envjoin.c drops the bounding and inheritable
# sets, with prctl and capset through caps.c: no libcap), the user lookup,
# becoming the user, the protocol: the setuid programs' and the root
# programs' alike.
JOIN_SRC   = setuid/lib/envjoin.c setuid/lib/caps.c setuid/lib/userinfo.c setuid/lib/become_user.c \
             setuid/lib/cgpath.c setuid/lib/namespaces.c glibc-musl/proto.c glibc-musl/err.c
# What root's glibc programs link (the PAM module, loaded into every sshd,
# included): libc and, for the module, libpam; nothing else. The rtnetlink
# requests (glibc-musl/nlmsg.c and netlink.c, raw netlink) are the
# helper's and nsiso-init's (the veth's deletion at teardown) alone. No
# program of the package links a library but libc, libpam (the module)
# and musl (nsiso-init and nsiso-helper, static).
COMMON_SRC = $(POLICY_SRC) $(JOIN_SRC) glibc-musl/rundir.c glibc-musl/plan_wire.c
# The builder's share of it: no joining (no envjoin.c, no caps.c), and no
# NSS: nsiso-helper is static, it gets the plan made (glibc-musl/plan_wire.c)
# and the policy's pure code only (mount kinds, paths, limits).
HELPER_COMMON_SRC = root/policy/policy.c root/policy/template.c root/policy/paths.c \
             root/policy/envlimits.c setuid/lib/cgpath.c \
             setuid/lib/namespaces.c glibc-musl/proto.c glibc-musl/rundir.c glibc-musl/plan_wire.c \
             glibc-musl/uid_arg.c glibc-musl/helper_args.c
PURE_SRC   = root/policy/policy.c root/policy/template.c root/policy/paths.c root/policy/select.c \
             root/policy/plan.c root/policy/subid.c root/policy/envlimits.c \
             root/policy/groupmatch.c setuid/lib/cgpath.c setuid/lib/namespaces.c \
             glibc-musl/plan_wire.c root/policy/login_defs.c
# Everything compiled into a setuid program (nsiso-enter, nsiso-shell):
# at most 2,000 lines of code together (tests/setuid_size.sh counts them
# from the binaries' debug info; make check-build runs it).
SETUID_LIB_SRC = $(JOIN_SRC) setuid/lib/sanitize.c setuid/lib/digest.c glibc-musl/errmsg.c
ENTER_SRC  = setuid/nsiso-enter/main.c setuid/nsiso-enter/enter.c \
             setuid/nsiso-enter/manager.c
SHELLW_SRC = setuid/nsiso-shell/nsiso-shell.c
SETUID_LIB_OBJ = $(SETUID_LIB_SRC:.c=.o)
NETLINK_SRC = glibc-musl/nlmsg.c glibc-musl/netlink.c
# Running systemctl (root/lib/run_cmd.c): the helper's and the CLI's, and
# not in COMMON_SRC, which every binary links, the PAM module included.
RUN_SRC    = root/lib/run_cmd.c
# Writing a whole buffer (root/lib/write_all.c): the helper's copy of
# /etc/hosts, the CLI's configuration files, the module's plan for the
# helper and nsiso-resolve's.
WRITE_SRC  = root/lib/write_all.c
MODULE_SRC = root/pam_nsiso/pam_nsiso.c root/pam_nsiso/args.c root/pam_nsiso/join.c \
             root/pam_nsiso/run_helper.c $(WRITE_SRC)
# Compiled with glibc for the helper (and the rest) and with musl for
# nsiso-init: glibc-musl/ holds these and nothing else. Nothing there may
# need libmnl or any header outside common/ and glibc-musl/.
# proto.c and rundir.c are in COMMON_SRC too.
GLIBC_MUSL_SRC = glibc-musl/errmsg.c glibc-musl/err.c glibc-musl/errno_text.c glibc-musl/cgroup_teardown.c \
             glibc-musl/net_teardown.c $(NETLINK_SRC)
HELPER_SRC = root/nsiso-helper/main.c root/nsiso-helper/sibling.c root/nsiso-helper/build.c \
             root/nsiso-helper/init.c root/nsiso-helper/mounts.c root/nsiso-helper/network.c \
             root/nsiso-helper/fault.c root/nsiso-helper/detached.c \
             root/nsiso-helper/cgroup.c root/nsiso-helper/mountinfo.c \
             root/nsiso-helper/slice.c root/nsiso-helper/userfs.c root/nsiso-helper/hosts.c root/nsiso-helper/utmp.c \
             setuid/lib/sanitize.c \
             $(GLIBC_MUSL_SRC) $(RUN_SRC) $(WRITE_SRC)
# nsiso-resolve: what nsiso-helper needs of NSS (the user by uid, the
# policy, the digest), in a program linked against the system's libc.
RESOLVE_SRC = root/nsiso-resolve/main.c root/nsiso-resolve/digest.c setuid/lib/sanitize.c \
             glibc-musl/errmsg.c glibc-musl/uid_arg.c glibc-musl/helper_args.c $(WRITE_SRC)
RESOLVE_COMMON_SRC = $(POLICY_SRC) setuid/lib/userinfo.c setuid/lib/namespaces.c \
             setuid/lib/cgpath.c glibc-musl/err.c glibc-musl/plan_wire.c
# nsiso-init, the environment's long-lived init: a static musl binary that
# the helper execs once set-up is done (root/nsiso-helper/init.c). root/nsiso-init/ holds what
# only it uses; the rest is glibc-musl/.
INIT_SRC   = root/nsiso-init/nsiso-init.c root/nsiso-init/proctitle.c root/nsiso-init/utmp_dead.c \
             root/nsiso-init/utmp_env.c root/nsiso-init/utmp_host.c root/nsiso-init/utmp_line.c root/nsiso-init/utmp_rec.c $(GLIBC_MUSL_SRC) \
             glibc-musl/proto.c glibc-musl/rundir.c
CLI_SRC    = root/nsiso/main.c root/nsiso/check.c root/nsiso/check_pam.c root/nsiso/explain.c root/nsiso/envs.c \
             root/nsiso/stop.c root/nsiso/unanswered.c \
             root/nsiso/enter.c root/nsiso/enable.c root/nsiso/entry_paths.c root/nsiso/pam_stack.c \
             root/nsiso/conffile.c root/nsiso/systemctl.c root/nsiso/report.c $(RUN_SRC) $(WRITE_SRC)

COMMON_OBJ = $(COMMON_SRC:.c=.o)
MODULE_OBJ = $(MODULE_SRC:.c=.o)
HELPER_OBJ = $(patsubst %.c,build/musl/%.o,$(HELPER_SRC) $(HELPER_COMMON_SRC))
RESOLVE_OBJ = $(RESOLVE_SRC:.c=.o) $(RESOLVE_COMMON_SRC:.c=.o)
CLI_OBJ    = $(CLI_SRC:.c=.o)

UNIT_TESTS = tests/unit/test_policy tests/unit/test_template \
             tests/unit/test_paths tests/unit/test_select tests/unit/test_plan \
             tests/unit/test_nlmsg tests/unit/test_subid tests/unit/test_limits tests/unit/test_proto \
             tests/unit/test_namespaces tests/unit/test_digest tests/unit/test_groupmatch \
             tests/unit/test_utmp_line tests/unit/test_plan_wire tests/unit/test_login_defs

BINARIES = root/pam_nsiso/pam_nsiso.so root/nsiso-helper/nsiso-helper root/nsiso-resolve/nsiso-resolve \
           root/nsiso-init/nsiso-init root/nsiso/nsiso \
           setuid/nsiso-enter/nsiso-enter setuid/nsiso-shell/nsiso-shell

all: $(BINARIES)

# Every header of the glibc programs: a change to one rebuilds them all
# (coarse, and never stale).
%.o: %.c $(wildcard $(SHARED_H) root/pam_nsiso/*.h root/nsiso-helper/*.h root/nsiso/*.h \
		root/nsiso-resolve/*.h setuid/nsiso-enter/*.h setuid/nsiso-shell/*.h) $(PATHS_H)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

root/pam_nsiso/pam_nsiso.so: $(MODULE_OBJ) $(COMMON_OBJ) root/pam_nsiso/pam_nsiso.map
	$(CC) -shared -o $@ $(MODULE_OBJ) $(COMMON_OBJ) $(ALL_LDFLAGS) \
		-Wl,--version-script=root/pam_nsiso/pam_nsiso.map -Wl,-z,defs -lpam

# The helper joins nothing, so it links no envjoin.c; a first login execs
# it, so it is static (musl, below), which spares it the dynamic loader.
root/nsiso-helper/nsiso-helper: $(HELPER_OBJ)
	$(MUSL_CC) -o $@ $(HELPER_OBJ) $(MUSL_LDFLAGS)
root/nsiso-resolve/nsiso-resolve: $(RESOLVE_OBJ)
	$(CC) -pie -o $@ $(RESOLVE_OBJ) $(ALL_LDFLAGS)

# musl-gcc finds no kernel headers of its own: the system's, after musl's
# (-idirafter), through a directory of links that holds only them.
MUSL_CC  ?= musl-gcc
MUSL_KH   = build/musl-kh
MUSL_CFLAGS = -std=gnu11 -D_GNU_SOURCE $(WARN) -fstack-protector-strong \
           -fstack-clash-protection -fcf-protection $(CFLAGS) $(INCLUDES) \
           -include $(PATHS_H) -idirafter $(MUSL_KH) $(EXTRA_CFLAGS)
# Static (musl-gcc has no static-pie); RELRO, BIND_NOW, no exec stack. A
# build ID, which musl-gcc's specs leave out and gcc's add: dh_strip files
# the debug symbols by it (make deb).
MUSL_LDFLAGS = -static $(LDHARDEN) -Wl,--build-id=sha1 $(LDFLAGS)
INIT_OBJ = $(patsubst %.c,build/musl/%.o,$(INIT_SRC))
$(MUSL_KH)/.done:
	@mkdir -p $(MUSL_KH)
	ln -sfn /usr/include/linux $(MUSL_KH)/linux
	ln -sfn /usr/include/$$(gcc -print-multiarch)/asm $(MUSL_KH)/asm
	ln -sfn /usr/include/asm-generic $(MUSL_KH)/asm-generic
	@touch $@
build/musl/%.o: %.c $(MUSL_KH)/.done $(wildcard $(SHARED_H) root/nsiso-init/*.h root/nsiso-helper/*.h) $(PATHS_H)
	@mkdir -p $(dir $@)
	$(MUSL_CC) $(MUSL_CFLAGS) -c -o $@ $<
root/nsiso-init/nsiso-init: $(INIT_OBJ)
	$(MUSL_CC) -o $@ $(INIT_OBJ) $(MUSL_LDFLAGS)

root/nsiso/nsiso: $(CLI_OBJ) $(COMMON_OBJ)
	$(CC) -pie -o $@ $(CLI_OBJ) $(COMMON_OBJ) $(ALL_LDFLAGS) -lutil

# The setuid programs link setuid/lib and nothing of root/.
# Entering one's own environment, and user@.service's main process.
setuid/nsiso-enter/nsiso-enter: $(ENTER_SRC:.c=.o) $(SETUID_LIB_OBJ)
	$(CC) -pie -o $@ $(ENTER_SRC:.c=.o) $(SETUID_LIB_OBJ) $(ALL_LDFLAGS)
# The login shell wrapper for user namespaces (nsiso-shell(8)).
setuid/nsiso-shell/nsiso-shell: $(SHELLW_SRC:.c=.o) $(SETUID_LIB_OBJ)
	$(CC) -pie -o $@ $(SHELLW_SRC:.c=.o) $(SETUID_LIB_OBJ) $(ALL_LDFLAGS)

# Unit tests link the pure code and nothing else; test_nlmsg also the
# helper's request building and libmnl, an independent parser that reads
# the requests back (a test-only dependency: nlmsg.c builds them by hand).
tests/unit/test_%: tests/unit/test_%.c $(PURE_SRC:.c=.o) setuid/lib/userinfo.o glibc-musl/err.o $(PATHS_H)
	$(CC) $(ALL_CFLAGS) -Wno-missing-prototypes -pie -o $@ $< \
		$(PURE_SRC:.c=.o) setuid/lib/userinfo.o glibc-musl/err.o $(ALL_LDFLAGS) -lcmocka
tests/unit/test_digest: tests/unit/test_digest.c setuid/lib/digest.o setuid/lib/caps.o glibc-musl/err.o $(PATHS_H)
	$(CC) $(ALL_CFLAGS) -Wno-missing-prototypes -pie -o $@ $< setuid/lib/digest.o setuid/lib/caps.o glibc-musl/err.o $(ALL_LDFLAGS) -lcmocka
tests/unit/test_proto: tests/unit/test_proto.c glibc-musl/proto.o $(PATHS_H)
	$(CC) $(ALL_CFLAGS) -Wno-missing-prototypes -pie -o $@ $< glibc-musl/proto.o $(ALL_LDFLAGS) -lcmocka
tests/unit/test_utmp_line: tests/unit/test_utmp_line.c root/nsiso-init/utmp_line.o $(PATHS_H)
	$(CC) $(ALL_CFLAGS) -Iroot/nsiso-init -Wno-missing-prototypes -pie -o $@ $< root/nsiso-init/utmp_line.o $(ALL_LDFLAGS) -lcmocka
tests/unit/test_nlmsg: tests/unit/test_nlmsg.c glibc-musl/nlmsg.o $(PURE_SRC:.c=.o) setuid/lib/userinfo.o glibc-musl/err.o $(PATHS_H)
	$(CC) $(ALL_CFLAGS) -Wno-missing-prototypes -pie -o $@ $< glibc-musl/nlmsg.o \
		$(PURE_SRC:.c=.o) setuid/lib/userinfo.o glibc-musl/err.o $(ALL_LDFLAGS) -lcmocka -lmnl

unit: $(UNIT_TESTS)
	@set -e; for t in $(UNIT_TESTS); do ./$$t; done

# The same unit tests built with ASan and UBSan (separate binaries under
# build/, so the normal objects are untouched).
SAN = -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
unit-asan:
	@mkdir -p build/asan
	@set -e; for t in $(UNIT_TESTS); do \
		n=$$(basename $$t); extra=; \
		if [ $$n = test_nlmsg ]; then extra="glibc-musl/nlmsg.c -lmnl"; fi; \
		if [ $$n = test_digest ]; then extra="-include $(PATHS_H) setuid/lib/digest.c setuid/lib/caps.c"; fi; \
		if [ $$n = test_proto ]; then extra="glibc-musl/proto.c"; fi; \
		if [ $$n = test_utmp_line ]; then extra="-Iroot/nsiso-init root/nsiso-init/utmp_line.c"; fi; \
		$(CC) -std=gnu11 -D_GNU_SOURCE $(WARN) -Wno-missing-prototypes -O1 -g $(SAN) \
			$(INCLUDES) -o build/asan/$$n $$t.c $(PURE_SRC) setuid/lib/userinfo.c glibc-musl/err.c $$extra -lcmocka; \
		./build/asan/$$n; \
	done

# Integration tests need root (users, PAM stacks, sshd, namespaces); CI is
# root, so they never skip there. T="t_13_su t_17" runs only those tests
# (names or prefixes of test functions; tests/integration/run.sh --list),
# the same for check-security with s_ names.
T ?=
integration: all faults asan-bins
	@if [ "$$(id -u)" != 0 ]; then \
		if [ -n "$$CI" ]; then echo "integration tests need root" >&2; exit 1; fi; \
		echo "integration: skipped (not root)"; exit 0; fi; \
	tests/integration/run.sh $(T)

# check-vm last: the same product on a booted Debian 12 with systemd (the
# image is cached in /var/cache/nsiso-vm; about 7 minutes under TCG).
check: unit unit-asan check-build check-deb check-demo lint integration check-security fuzz-check lint-man check-vm

# The adversarial suite (root; tests/security): attacks on the setuid
# helper, the module, the inits and the policy by unprivileged users.
check-security: all faults
	@if [ "$$(id -u)" != 0 ]; then \
		if [ -n "$$CI" ]; then echo "security tests need root" >&2; exit 1; fi; \
		echo "security: skipped (not root)"; exit 0; fi; \
	tests/security/run.sh $(T)

# libFuzzer over the policy parser, plan_make and the template and path
# rules (clang, ASan, UBSan). `make fuzz` runs FUZZ_SECONDS (default 60);
# make check runs 20 s. New inputs go to build/fuzz/corpus, crashes to
# build/fuzz/; the seeds are real policy files (tests/fuzz/corpus).
FUZZ_SECONDS ?= 60
FUZZ_CC ?= clang
build/fuzz/policy_fuzzer: tests/fuzz/policy_fuzzer.c $(PURE_SRC) setuid/lib/userinfo.c glibc-musl/err.c $(wildcard $(SHARED_H))
	@mkdir -p build/fuzz/corpus
	$(FUZZ_CC) -std=gnu11 -D_GNU_SOURCE -g -O1 -fsanitize=fuzzer,address,undefined \
		-fno-sanitize-recover=all $(INCLUDES) -o $@ tests/fuzz/policy_fuzzer.c \
		$(PURE_SRC) setuid/lib/userinfo.c glibc-musl/err.c
fuzz: build/fuzz/policy_fuzzer
	build/fuzz/policy_fuzzer -max_total_time=$(FUZZ_SECONDS) -max_len=8192 \
		-dict=tests/fuzz/policy.dict -artifact_prefix=build/fuzz/ -print_final_stats=1 \
		build/fuzz/corpus tests/fuzz/corpus
fuzz-check:
	@$(MAKE) --no-print-directory fuzz FUZZ_SECONDS=20

# Static analysis of the privileged code and what it links. Not part of
# check while it has findings (see issue 7). valist.Uninitialized is off:
# clang 14 reports every va_start/vsnprintf pair (a known false positive).
LINT_SRC = $(HELPER_SRC) $(RESOLVE_SRC) $(MODULE_SRC) $(COMMON_SRC) $(SHELLW_SRC) $(ENTER_SRC) setuid/lib/digest.c \
           $(filter root/nsiso-init/%,$(INIT_SRC))
lint:
	cppcheck --quiet --error-exitcode=1 --enable=warning,performance,portability \
		--inline-suppr --std=c11 -D_GNU_SOURCE -D__linux__ $(INCLUDES) -Iroot/nsiso-helper -Iroot/nsiso-resolve -Iroot/pam_nsiso \
		--include=$(PATHS_H) \
		--suppress=missingIncludeSystem $(LINT_SRC)
	clang-tidy --quiet --warnings-as-errors='*' \
		--checks='-*,clang-analyzer-*,-clang-analyzer-security.insecureAPI.DeprecatedOrUnsafeBufferHandling,-clang-analyzer-valist.Uninitialized,bugprone-*,-bugprone-easily-swappable-parameters,-bugprone-reserved-identifier,-bugprone-narrowing-conversions,-bugprone-implicit-widening-of-multiplication-result,cert-env33-c,cert-fio38-c,cert-msc30-c,cert-msc50-c,cert-str34-c' \
		$(LINT_SRC) -- -std=gnu11 -D_GNU_SOURCE $(INCLUDES) -Iroot/nsiso-helper -Iroot/nsiso-resolve -Iroot/pam_nsiso \
		-include $(PATHS_H)
	@# The Ansible role parses (make check-vm runs it against the guest).
	ANSIBLE_HOME=$(CURDIR)/build/ansible-home ansible-playbook --syntax-check -i localhost, conf/ansible/site.yml

# The module and the helper built with ASan and UBSan, for the integration
# tests that load them (pamtester with libasan preloaded); never installed.
# The helper is built with glibc here (ASan needs it), from the same
# sources as the static one.
asan-bins: build/asan-bin/pam_nsiso.so build/asan-bin/nsiso-helper build/asan-bin/nsiso-init \
           build/asan-bin/nsiso-resolve
# Each helper execs the nsiso-init and the nsiso-resolve next to it.
build/asan-bin/nsiso-init build/faults/nsiso-init: root/nsiso-init/nsiso-init
	@mkdir -p $(dir $@)
	install -m 0755 $< $@
build/faults/nsiso-resolve: root/nsiso-resolve/nsiso-resolve
	@mkdir -p $(dir $@)
	install -m 0755 $< $@
build/asan-bin/nsiso-resolve: $(RESOLVE_SRC) $(RESOLVE_COMMON_SRC) $(wildcard $(SHARED_H) root/nsiso-resolve/*.h) $(PATHS_H)
	@mkdir -p build/asan-bin
	$(CC) $(ALL_CFLAGS) $(SAN) -pie -o $@ $(RESOLVE_SRC) $(RESOLVE_COMMON_SRC) $(SAN)
build/asan-bin/pam_nsiso.so: $(MODULE_SRC) $(COMMON_SRC) $(wildcard $(SHARED_H) root/pam_nsiso/*.h) $(PATHS_H)
	@mkdir -p build/asan-bin
	$(CC) $(ALL_CFLAGS) $(SAN) -shared -o $@ $(MODULE_SRC) $(COMMON_SRC) \
		-Wl,--version-script=root/pam_nsiso/pam_nsiso.map $(SAN) -lpam
build/asan-bin/nsiso-helper: $(HELPER_SRC) $(HELPER_COMMON_SRC) $(wildcard $(SHARED_H) root/nsiso-helper/*.h) $(PATHS_H)
	@mkdir -p build/asan-bin
	$(CC) $(ALL_CFLAGS) $(SAN) -pie -o $@ $(HELPER_SRC) $(HELPER_COMMON_SRC) $(SAN)

# The helper with fault points (root/nsiso-helper/fault.h), for the reliability tests
# only; never installed.
faults: build/faults/nsiso-helper build/faults/nsiso-init build/faults/nsiso-resolve
build/faults/nsiso-helper: $(HELPER_SRC) $(HELPER_COMMON_SRC) $(wildcard $(SHARED_H) root/nsiso-helper/*.h) $(PATHS_H)
	@mkdir -p build/faults
	$(CC) $(ALL_CFLAGS) -DNSISO_TEST_FAULTS -pie -o $@ $(HELPER_SRC) $(HELPER_COMMON_SRC) \
		$(ALL_LDFLAGS)

check-build: all
	@tests/check_build.sh

# The man pages (mandoc), the code's citations of doc/DESIGN.md: each
# must name a heading that exists there (tests/lint_design.sh), and what
# the pages say of keys and namespaces (tests/lint_pages.py).
# tests/lint_pages.py: the pages against the code's tables of keys and
# namespaces, printed by build/pages_tables (tests/pages_tables.c).
build/pages_tables: tests/pages_tables.c $(PURE_SRC:.c=.o) setuid/lib/userinfo.o glibc-musl/err.o $(PATHS_H)
	@mkdir -p build
	$(CC) $(ALL_CFLAGS) -Wno-missing-prototypes -pie -o $@ $< \
		$(PURE_SRC:.c=.o) setuid/lib/userinfo.o glibc-musl/err.o $(ALL_LDFLAGS)
lint-man: build/pages_tables
	@tests/lint_design.sh
	@tests/lint_pages.py build/pages_tables
	@if command -v mandoc >/dev/null; then \
		mandoc -Tlint -W warning man/*.[0-9] && echo "man pages: lint clean"; \
	else echo "mandoc missing: apt-get install mandoc" >&2; exit 1; fi

install: all
	install -d $(DESTDIR)$(PAMDIR) $(DESTDIR)$(LIBEXECDIR)/nsiso \
		$(DESTDIR)$(SBINDIR) $(DESTDIR)$(MANDIR)/man5 \
		$(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(POLICY_DIR)/user \
		$(DESTDIR)$(POLICY_DIR)/group
	install -m 0644 root/pam_nsiso/pam_nsiso.so $(DESTDIR)$(PAMDIR)/pam_nsiso.so
	install -m 0755 root/nsiso-helper/nsiso-helper $(DESTDIR)$(HELPER_PATH)
	install -m 4755 setuid/nsiso-enter/nsiso-enter $(DESTDIR)$(ENTER_PATH)
	install -m 0755 root/nsiso-init/nsiso-init $(DESTDIR)$(LIBEXECDIR)/nsiso/nsiso-init
	install -m 0755 root/nsiso-resolve/nsiso-resolve $(DESTDIR)$(LIBEXECDIR)/nsiso/nsiso-resolve
	@if [ "$$(id -u)" = 0 ]; then chown root:root $(DESTDIR)$(LIBEXECDIR)/nsiso/nsiso-init \
		$(DESTDIR)$(LIBEXECDIR)/nsiso/nsiso-resolve; fi
	@if [ "$$(id -u)" = 0 ]; then chown root:root $(DESTDIR)$(HELPER_PATH) $(DESTDIR)$(ENTER_PATH); \
		chmod 4755 $(DESTDIR)$(ENTER_PATH); fi
	install -m 4755 setuid/nsiso-shell/nsiso-shell $(DESTDIR)$(LIBEXECDIR)/nsiso/nsiso-shell
	@if [ "$$(id -u)" = 0 ]; then chown root:root $(DESTDIR)$(LIBEXECDIR)/nsiso/nsiso-shell; \
		chmod 4755 $(DESTDIR)$(LIBEXECDIR)/nsiso/nsiso-shell; fi
	install -m 0755 root/nsiso/nsiso $(DESTDIR)$(SBINDIR)/nsiso
	install -m 0644 man/*.5 $(DESTDIR)$(MANDIR)/man5/
	install -m 0644 man/*.8 $(DESTDIR)$(MANDIR)/man8/
	@# never overwrite an admin's policy
	@if [ ! -e $(DESTDIR)$(POLICY_DIR)/default.conf ]; then \
		install -m 0644 conf/default.conf $(DESTDIR)$(POLICY_DIR)/default.conf; \
	else echo "keeping existing $(DESTDIR)$(POLICY_DIR)/default.conf"; fi

demo: all
	tests/demo.sh

# The Debian package (README, "Install from the package"; debian/).
# dpkg-buildpackage writes its results next to the source directory and
# its debris into debian/, so it runs on a copy under build/deb/src: the
# files git knows, as they are in the checkout (new files that .gitignore
# does not exclude too), and nothing built. The checkout gets no built
# file; build/deb/ gets the .deb, its -dbgsym, the .buildinfo and the
# .changes. A release is built from a clean checkout of its commit.
DEB_SRC = build/deb/src/pam-nsiso
deb:
	@command -v dpkg-buildpackage >/dev/null && command -v dh >/dev/null || \
		{ echo "make deb needs dpkg-dev and debhelper: make deps" >&2; exit 1; }
	@git rev-parse --git-dir >/dev/null 2>&1 || \
		{ echo "make deb packages the files git tracks: run it in a git checkout" >&2; exit 1; }
	rm -rf build/deb
	mkdir -p $(DEB_SRC)
	git ls-files -z --cached --others --exclude-standard | \
		tar --null --ignore-failed-read -T - -cf - | tar -C $(DEB_SRC) -xf -
	cd $(DEB_SRC) && env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL dpkg-buildpackage -us -uc -b
	mv build/deb/src/*.deb build/deb/src/*.buildinfo build/deb/src/*.changes build/deb/
	rm -rf build/deb/src
	@ls -1 build/deb/*.deb

# The package's promises (root; tests/package/check_deb.sh): lintian
# clean, the modes and paths, the conffile, no /etc/pam.d file. It builds
# with make deb and installs nothing on this host.
check-deb:
	@if [ "$$(id -u)" != 0 ]; then \
		if [ -n "$$CI" ]; then echo "the package check needs root" >&2; exit 1; fi; \
		echo "check-deb: skipped (not root)"; exit 0; fi; \
	tests/package/check_deb.sh

# The demo leaves the host's /run/nsiso as it found it (root; about 15 s).
check-demo: all
	@if [ "$$(id -u)" != 0 ]; then \
		if [ -n "$$CI" ]; then echo "the demo check needs root" >&2; exit 1; fi; \
		echo "check-demo: skipped (not root)"; exit 0; fi; \
	tests/check_demo.sh

# The benchmark (root, several minutes; issue 8): latency against
# pam_permit, pam_namespace, bwrap, unshare, firejail and the kernel's
# floor, the cost of each part, scale to 1000 environments, concurrency.
# Writes tests/bench/RESULTS.md. Needs `make bench-deps` once.
BENCH_BIN = tests/bench/floor tests/bench/pamlat tests/bench/pam_lookup.so
tests/bench/floor: tests/bench/floor.c
	$(CC) -std=gnu11 -O2 -Wall -Wextra -Werror -o $@ $<
tests/bench/pamlat: tests/bench/pamlat.c
	$(CC) -std=gnu11 -O2 -Wall -Wextra -Werror -o $@ $< -lpam
# Linked as pam_nsiso.so is (BIND_NOW, RELRO), so that its dlopen compares.
tests/bench/pam_lookup.so: tests/bench/pam_lookup.c
	$(CC) -std=gnu11 -O2 -Wall -Wextra -Werror -fPIC -shared -o $@ $< $(ALL_LDFLAGS) -lpam
bench: all $(BENCH_BIN)
	tests/bench/bench.sh
# Quick: first login and join against pam_permit only.
bench-quick: all
	tests/bench/login_latency.sh
BENCH_PACKAGES = bubblewrap firejail strace pamtester libpam-modules python3
bench-deps:
	DEBIAN_FRONTEND=noninteractive apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $(BENCH_PACKAGES)

# Build and test dependencies on Debian (root). The last row is
# what tests/integration/t_46_real_clients.sh drives over ssh (rsync, git,
# screen, mosh, Xvfb with xauth and xdpyinfo/xprop).
# libcap-dev only builds the previous release (tests/package/previous_release.sh),
# whose envjoin.c still used libcap; libmnl-dev builds it too, and the unit
# test that parses the netlink requests back.
DEB_PACKAGES = build-essential pkg-config libpam0g-dev libcap-dev libmnl-dev \
	libcmocka-dev pamtester openssh-server openssh-client tmux mandoc \
	python3 iproute2 procps util-linux login passwd valgrind at sudo \
	clang libclang-rt-14-dev cppcheck clang-tidy musl-tools \
	debhelper lintian ansible-core \
	rsync git screen mosh xvfb xauth x11-utils
deps:
	DEBIAN_FRONTEND=noninteractive apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $(DEB_PACKAGES)

# pam_nsiso on a booted Debian 12 with systemd, in qemu (root): builds and
# caches the image in /var/cache/nsiso-vm, runs tests/vm/guest-checks.sh and
# the integration suite inside.
check-vm: all
	PAMDIR='$(PAMDIR)' tests/vm/run.sh

clean:
	rm -f $(COMMON_OBJ) $(MODULE_OBJ) $(HELPER_OBJ) $(RESOLVE_OBJ) $(CLI_OBJ) $(SHELLW_SRC:.c=.o) $(BINARIES) \
		$(ENTER_SRC:.c=.o) $(SETUID_LIB_OBJ) $(UNIT_TESTS) $(BENCH_BIN) root/nsiso-init/utmp_line.o
	rm -rf build/musl $(MUSL_KH) $(PATHS_H) build/deb build/ansible-home

.PHONY: all check unit unit-asan asan-bins faults check-build check-demo integration check-security fuzz fuzz-check lint lint-man install demo deb check-deb bench bench-quick bench-deps deps clean check-vm
