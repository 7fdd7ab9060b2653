# Vigil — one plain Makefile.
#
#   make              build ./vigil (and build/rel/libvigil.a, libvigil.so)
#   make install      install vigil, libvigil.a/.so, vigil.h, vigil.pc and the man page
#                     (PREFIX=/usr/local, DESTDIR= for staging; make uninstall)
#   make test         build and run every test; ends with CUnit's summary
#   make check-docs   replay the commands the docs show (part of make test)
#   make test SAN=1   the same under AddressSanitizer + UndefinedBehaviorSanitizer
#   make demo         build, create the SaaS demo database, run the pack on it
#   make deps         install the Debian packages the build needs (as root)
#   make V=1          show each command in full (default: one short line each)
#
# make probes for the tools and libraries it needs (command -v, pkg-config,
# the compiler); what is missing is installed with apt-get when make runs as
# root on a machine that has it, otherwise the packages are named.  make
# builds in parallel (one job per core) unless -j is given.

# one job per core by default (a -j on the command line wins; sub-makes
# share the top one's jobs; not when cleaning: `make clean all`)
ifeq ($(MAKELEVEL)$(filter clean,$(MAKECMDGOALS)),0)
MAKEFLAGS += -j$(shell nproc 2>/dev/null || echo 2)
endif

# short lines ("CC runtime/vm.c") unless V=1
ifeq ($(V),1)
Q :=
say :=
else
Q := @
say = @printf '  %-6s %s\n' $(1) $(2);
endif

CC      ?= cc
OPT     ?= -O2
WARN    := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wconversion
CSTD    := -std=c11 -D_DEFAULT_SOURCE
ifdef WERROR
WARN    += -Werror
endif

ifdef SAN
B        := build/san
SANFLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
OPT      := -O1
else
B        := build/rel
SANFLAGS :=
endif

SQLITE_CFLAGS := $(shell pkg-config --cflags sqlite3 2>/dev/null)
SQLITE_LIBS   := $(shell pkg-config --libs sqlite3 2>/dev/null || echo -lsqlite3)
# libpq: PostgreSQL, the second backend (core/pg.c)
PQ_CFLAGS     := $(shell pkg-config --cflags libpq 2>/dev/null || echo -I/usr/include/postgresql)
PQ_LIBS       := $(shell pkg-config --libs libpq 2>/dev/null || echo -lpq)
# libcurl: vigil deliver's SMTP (tools/deliver_smtp.c)
CURL_CFLAGS   := $(shell pkg-config --cflags libcurl 2>/dev/null)
CURL_LIBS     := $(shell pkg-config --libs libcurl 2>/dev/null || echo -lcurl)
# libcrypto (OpenSSL): the HMAC-SHA256 that signs DingTalk and Feishu webhooks (tools/deliver_hook.c)
CRYPTO_LIBS   := $(shell pkg-config --libs libcrypto 2>/dev/null || echo -lcrypto)
# jansson: the JSON of `vigil lsp` (cli/lsp*.c) and of vigil deliver's webhooks (tools/deliver_hook.c)
JANSSON_LIBS  := $(shell pkg-config --libs jansson 2>/dev/null || echo -ljansson)
CFLAGS  ?=
# -fPIC: the objects make both libraries; -fvisibility=hidden: only what
# include/vigil.h declares is exported (its visibility pragma)
CFLAGS  += $(CSTD) $(OPT) -g $(SANFLAGS) -fPIC -fvisibility=hidden $(SQLITE_CFLAGS) $(PQ_CFLAGS) $(CURL_CFLAGS) -Ibuild/gen -Iinclude
LDFLAGS += $(SANFLAGS)
LDLIBS  := $(SQLITE_LIBS) $(JANSSON_LIBS) -lunistring -lm -lpthread

GEN     := build/gen
LIB_SRC := core/mem.c core/map.c core/version.c core/opcodes.c core/funcs.c core/bc.c core/verify.c core/conn.c core/pg.c core/pg_vtab.c core/dl.c core/shard.c core/diagcodes.c \
           stdlib/lib_date.c stdlib/lib_fmt.c stdlib/lib_func.c \
           compiler/ast.c compiler/parse.c compiler/schema.c compiler/sema.c compiler/lint.c compiler/cg.c \
           compiler/compile.c compiler/fiscal.c compiler/sema_decl.c compiler/sema_names.c compiler/sema_expr.c compiler/sema_func.c compiler/params.c \
           runtime/vm.c runtime/exec.c runtime/rollup.c runtime/life.c runtime/org.c runtime/evidence.c \
           runtime/prefilter.c runtime/run.c runtime/db.c \
           tools/test.c tools/fmt.c tools/fmt_layout.c tools/disasm.c tools/digest.c
# the run, split by concern (runtime/pack.h lists the parts)
LIB_SRC += runtime/pack.c runtime/rows.c runtime/lookup.c runtime/alerts.c runtime/scan.c runtime/sweep.c runtime/reads.c \
           runtime/json.c runtime/parts.c tools/digest_render.c
# computations of the commands, below the public interface (include/vigil.h)
LIB_SRC += tools/leadtime.c tools/match.c tools/schema_info.c tools/outline.c
# vigil deliver: the outbox sent (state, configuration, SMTP, webhooks)
LIB_SRC += tools/deliver.c tools/deliver_conf.c tools/deliver_smtp.c tools/deliver_hook.c
LIB_OBJ := $(LIB_SRC:%.c=$(B)/%.o) $(B)/gen/parser.o $(B)/gen/lexer.o
CLI_OBJ := $(patsubst %.c,$(B)/%.o,$(wildcard cli/*.c))
UNIT_SRC := $(wildcard tests/unit/*.c)
UNIT_OBJ := $(UNIT_SRC:%.c=$(B)/%.o)

# the library's version, from include/vigil.h; the shared library's soname
# is libvigil.so.MAJOR
VERSION := $(shell sed -n 's/^\#define VG_VERSION "\([^"]*\)"/\1/p' include/vigil.h)
SOMAJOR := $(firstword $(subst ., ,$(VERSION)))
SONAME  := libvigil.so.$(SOMAJOR)
SOLIB   := $(B)/libvigil.so.$(VERSION)

.PHONY: all deps test unit golden demo clean bench check-docs check-symbols check-layers check-embed check-browser \
        install uninstall
all: vigil $(SOLIB)

# ---- dependencies --------------------------------------------------------
# What the build needs, each as KIND:WHAT:PACKAGE (the Debian package that
# provides it):
#   cmd:NAME          a command on the PATH (command -v)
#   lib:PC:HEADER     a C library: pkg-config --exists PC, or, without
#                     pkg-config or a .pc file (PC "-"), the compiler finds HEADER
#   file:PATH         a file
#   fuzzer:clang      clang can link a -fsanitize=fuzzer program
DEPS := cmd:flex:flex cmd:bison:bison cmd:sqlite3:sqlite3 cmd:pkg-config:pkg-config cmd:python3:python3 \
        lib:sqlite3:sqlite3.h:libsqlite3-dev lib:cunit:CUnit/CUnit.h:libcunit1-dev \
        lib:-:unistr.h:libunistring-dev lib:libpq:libpq-fe.h:libpq-dev \
        file:/usr/lib/postgresql/15/bin/initdb:postgresql-15 cmd:zsh:zsh cmd:fish:fish \
        cmd:node:nodejs cmd:npm:npm cmd:nvim:neovim lib:jansson:jansson.h:libjansson-dev \
        lib:libcurl:curl/curl.h:libcurl4-openssl-dev lib:libcrypto:openssl/hmac.h:libssl-dev file:/usr/lib/python3/dist-packages/aiosmtpd:python3-aiosmtpd \
        cmd:chromium:chromium file:/usr/bin/time:time \
        file:/usr/lib/python3/dist-packages/jsonschema:python3-jsonschema cmd:xmllint:libxml2-utils
H := \#
# $(call need,ITEMS): probe each item; install the missing packages with
# apt-get when make runs as root and apt-get exists; otherwise name them and fail.
need = @missing=""; \
	for item in $(1); do \
	  kind=$${item%%:*}; rest=$${item$(H)*:}; pkg=$${rest$(H)$(H)*:}; what=$${rest%:*}; \
	  case $$kind in \
	    cmd) command -v "$$what" >/dev/null 2>&1 ;; \
	    file) [ -e "$$what" ] ;; \
	    lib) pc=$${what%%:*}; h=$${what$(H)*:}; \
	         if [ "$$pc" != - ] && command -v pkg-config >/dev/null 2>&1 && pkg-config --exists "$$pc"; then true; \
	         else printf '\043include <%s>\n' "$$h" | $(CC) -E -x c - >/dev/null 2>&1; fi ;; \
	    fuzzer) printf 'int LLVMFuzzerTestOneInput(const char *d, long n) { return 0; }\n' \
	              | $$what -fsanitize=fuzzer -x c -o /dev/null - >/dev/null 2>&1 ;; \
	    *) false ;; \
	  esac || case " $$missing " in *" $$pkg "*) ;; *) missing="$$missing $$pkg" ;; esac; \
	done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing:$$missing"; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing) >/dev/null || exit 1; \
	  else \
	    echo "missing:$$missing (Debian packages; e.g. sudo apt-get install -y$$missing)"; exit 1; \
	  fi; \
	fi
deps:
	$(call need,$(DEPS))
build/.deps-ok:
	@$(MAKE) --no-print-directory deps
	@mkdir -p build && touch $@

# ---- generated parser and lexer -----------------------------------------
$(GEN)/parser.c $(GEN)/parser.h: grammar/parser.y | build/.deps-ok
	@mkdir -p $(GEN)
	$(call say,BISON,$<)
	$(Q)bison -Wall -Werror -d -o $(GEN)/parser.c grammar/parser.y
$(GEN)/lexer.c $(GEN)/lexer.h: grammar/lexer.l | build/.deps-ok
	@mkdir -p $(GEN)
	$(call say,FLEX,$<)
	$(Q)flex --header-file=$(GEN)/lexer.h -o $(GEN)/lexer.c grammar/lexer.l

# objects are compiled again when the compiler or its flags change (e.g.
# the build dir holds objects made before -fPIC -fvisibility=hidden)
# (written when make reads this file, so make -n is right too)
FLAGS_NOW := $(CC) $(CFLAGS) $(WARN)
ifneq ($(FLAGS_NOW),$(shell cat $(B)/.flags 2>/dev/null))
$(shell mkdir -p $(B) && printf '%s\n' '$(FLAGS_NOW)' > $(B)/.flags)
endif

# generated code is compiled without -Wconversion (it is flex's and bison's)
$(B)/gen/%.o: $(GEN)/%.c $(GEN)/parser.h $(B)/.flags
	@mkdir -p $(dir $@)
	$(call say,CC,$<)
	$(Q)$(CC) $(CFLAGS) -Igrammar -Icompiler -w -MMD -MP -c -o $@ $<

$(B)/%.o: %.c $(GEN)/parser.h $(GEN)/lexer.h $(B)/.flags
	@mkdir -p $(dir $@)
	$(call say,CC,$<)
	$(Q)$(CC) $(CFLAGS) $(WARN) -MMD -MP -c -o $@ $<

-include $(LIB_OBJ:.o=.d) $(CLI_OBJ:.o=.d) $(UNIT_OBJ:.o=.d)
# (generated objects are in LIB_OBJ too, so their header dependencies count)

# ---- libraries -------------------------------------------------------------
# libvigil.a and libvigil.so export only the names include/vigil.h declares:
# the objects are linked into one (ld -r) whose hidden names are made local.
# The unit tests and the benchmark use internal names too: they link
# libvigil-internal.a, the objects as they are.
$(B)/libvigil-internal.a: $(LIB_OBJ)
	$(call say,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^

$(B)/libvigil.o: $(LIB_OBJ)
	$(call say,LD,$@)
	$(Q)$(LD) -r -o $@ $^ && objcopy --localize-hidden $@

$(B)/libvigil.a: $(B)/libvigil.o
	$(call say,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^

# (-z defs: every name the library uses is defined by it or a library it
# names; not under the sanitizers, whose runtime the program brings)
$(SOLIB): $(LIB_OBJ)
	$(call say,LD,$@)
	$(Q)$(CC) $(LDFLAGS) -shared -Wl,-soname,$(SONAME) $(if $(SAN),,-Wl,-z,defs) -o $@ $^ $(LDLIBS)

# the command uses the public interface only: it links the public archive
$(B)/vigil: $(CLI_OBJ) $(B)/libvigil.a
	$(call say,LD,$@)
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS) $(JANSSON_LIBS)

vigil: $(B)/vigil
	@if [ -z "$(SAN)" ]; then cp $(B)/vigil vigil; fi

# ---- tests ---------------------------------------------------------------
# (test_outputs.c tests the command's output encoders directly: cli/out.c, cli/diag.c, cli/sarif.c)
$(B)/unit: $(UNIT_OBJ) $(B)/cli/out.o $(B)/cli/diag.o $(B)/cli/sarif.o $(B)/libvigil-internal.a
	$(call say,LD,$@)
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS) -lcunit -lpthread

# The golden tests run the vigil binary; the unit binary runs them as a CUnit
# suite, so the whole run ends with CUnit's summary.
test: $(B)/vigil $(B)/unit
	@docs/gen-opcodes.sh --check docs/BYTECODE.md
	@docs/gen-tables.sh --check
	@docs/gen-diagnostics.sh --check docs/DIAGNOSTICS.md
	@$(MAKE) --no-print-directory check-layers
	@$(MAKE) --no-print-directory check-symbols
	@sh tests/check-man.sh $(B)/vigil
	@sh tests/check-completions.sh $(B)/vigil
	@python3 tests/check-progress.py $(B)/vigil
	@sh tests/check-new.sh $(B)/vigil
	@sh tests/check-make.sh
	@sh tests/grammar/run.sh build/grammar
	@sh tests/vim/run.sh
	@$(MAKE) --no-print-directory check-embed
	@sh tests/vim/run.sh $(B)/stage/usr/share/nvim/site
	@/usr/bin/python3 tests/check-schemas.py $(B)/vigil $(B)/stage/usr/bin/vigil
	@$(MAKE) --no-print-directory check-docs
	@python3 tests/check-pack-refs.py
	@$(MAKE) --no-print-directory check-browser
	@VIGIL=$(B)/vigil VIGIL_ROOT=. $(B)/unit

# Every command README.md and docs/ show, run again against this vigil; the
# outputs must be what they show (tests/check-docs.py: the markup, --update).
check-docs: $(B)/vigil
	@python3 tests/check-docs.py --vigil $(B)/vigil

# The demo's combined HTML digest in headless Chromium at 1280 and 400 px:
# no sideways scrolling, every in-page link resolves, the summary on the
# first screen; screenshots in build/browser/ (tests/browser/check-digest.py;
# docs/digest-*.png are copies of them).
check-browser: $(B)/vigil
	@sh tests/browser/run.sh $(B)/vigil build/browser$(if $(SAN),-san,)

# Each layer includes only its own headers and those below it (README.md).
check-layers:
	@sh tests/check-layers.sh

# libvigil.a and libvigil.so export exactly the functions include/vigil.h
# declares; inside, every global name has its module's prefix
# (tests/check-symbols.sh).
check-symbols: $(B)/libvigil.a $(SOLIB) $(B)/libvigil-internal.a
	@CC="$(CC)" sh tests/check-symbols.sh $(B)/libvigil.a $(SOLIB) $(B)/libvigil-internal.a

# ---- install -------------------------------------------------------------
# make install [PREFIX=/usr/local] [DESTDIR=]: the command, both libraries
# (libvigil.so.VERSION with its soname and dev links), the header, the
# pkg-config file (vigil.pc.in with the paths filled in), the man page, the
# documents docs/*.md in DOCDIR (SARIF logs link to DIAGNOSTICS.md there), and
# the Vim/Neovim syntax, file type and file-type plugin (editors/vim) where
# Neovim (share/nvim/site, on its default runtimepath for /usr and
# /usr/local) and Vim (share/vim/vimfiles: Debian's Vim reads /usr's) look;
# make uninstall removes them.  DESTDIR stages the files under another root
# (make test installs into $(B)/stage: check-embed).
PREFIX     ?= /usr/local
BINDIR     ?= $(PREFIX)/bin
LIBDIR     ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
MANDIR     ?= $(PREFIX)/share/man
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR ?= $(PREFIX)/share/zsh/site-functions
FISHCOMPDIR ?= $(PREFIX)/share/fish/vendor_completions.d
PCDIR      ?= $(LIBDIR)/pkgconfig
NVIMDIR    ?= $(PREFIX)/share/nvim/site
VIMDIR     ?= $(PREFIX)/share/vim/vimfiles
DOCDIR     ?= $(PREFIX)/share/doc/vigil
VIMFILES   := syntax/vigil.vim ftdetect/vigil.vim ftplugin/vigil.vim
install: $(B)/vigil $(B)/libvigil.a $(SOLIB)
	$(call say,INSTALL,$(DESTDIR)$(PREFIX))
	$(Q)install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBDIR) $(DESTDIR)$(INCLUDEDIR) \
	  $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(PCDIR) \
	  $(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(ZSHCOMPDIR) $(DESTDIR)$(FISHCOMPDIR) $(DESTDIR)$(DOCDIR)
	$(Q)install -m 755 $(B)/vigil $(DESTDIR)$(BINDIR)/vigil
	$(Q)install -m 644 $(B)/libvigil.a $(DESTDIR)$(LIBDIR)/libvigil.a
	$(Q)install -m 755 $(SOLIB) $(DESTDIR)$(LIBDIR)/libvigil.so.$(VERSION)
	$(Q)ln -sf libvigil.so.$(VERSION) $(DESTDIR)$(LIBDIR)/$(SONAME)
	$(Q)ln -sf $(SONAME) $(DESTDIR)$(LIBDIR)/libvigil.so
	$(Q)install -m 644 include/vigil.h $(DESTDIR)$(INCLUDEDIR)/vigil.h
	$(Q)sed -e 's|@PREFIX@|$(PREFIX)|; s|@LIBDIR@|$(LIBDIR)|; s|@INCLUDEDIR@|$(INCLUDEDIR)|; s|@VERSION@|$(VERSION)|' \
	  vigil.pc.in > $(DESTDIR)$(PCDIR)/vigil.pc && chmod 644 $(DESTDIR)$(PCDIR)/vigil.pc
	$(Q)install -m 644 docs/vigil.1 $(DESTDIR)$(MANDIR)/man1/vigil.1
	$(Q)install -m 644 docs/*.md $(DESTDIR)$(DOCDIR)
	$(Q)install -m 644 completions/vigil.bash $(DESTDIR)$(BASHCOMPDIR)/vigil
	$(Q)install -m 644 completions/_vigil $(DESTDIR)$(ZSHCOMPDIR)/_vigil
	$(Q)install -m 644 completions/vigil.fish $(DESTDIR)$(FISHCOMPDIR)/vigil.fish
	$(Q)for d in $(DESTDIR)$(NVIMDIR) $(DESTDIR)$(VIMDIR); do \
	  for f in $(VIMFILES); do install -D -m 644 editors/vim/$$f $$d/$$f || exit 1; done; done
uninstall:
	rm -f $(DESTDIR)$(BINDIR)/vigil $(DESTDIR)$(LIBDIR)/libvigil.a $(DESTDIR)$(LIBDIR)/libvigil.so.$(VERSION) \
	  $(DESTDIR)$(LIBDIR)/$(SONAME) $(DESTDIR)$(LIBDIR)/libvigil.so $(DESTDIR)$(INCLUDEDIR)/vigil.h \
	  $(DESTDIR)$(PCDIR)/vigil.pc $(DESTDIR)$(MANDIR)/man1/vigil.1 \
	  $(DESTDIR)$(BASHCOMPDIR)/vigil $(DESTDIR)$(ZSHCOMPDIR)/_vigil $(DESTDIR)$(FISHCOMPDIR)/vigil.fish \
	  $(addprefix $(DESTDIR)$(DOCDIR)/,$(notdir $(wildcard docs/*.md))) \
	  $(foreach f,$(VIMFILES),$(DESTDIR)$(NVIMDIR)/$(f) $(DESTDIR)$(VIMDIR)/$(f))

# The embedding examples (tests/embed/): make install into $(B)/stage
# (PREFIX=/usr), then a C program built through pkg-config against the
# installed shared and static libraries, and a Python program loading the
# installed libvigil.so with ctypes (tests/embed/run.sh).
check-embed:
	@rm -rf $(B)/stage
	@$(MAKE) --no-print-directory install DESTDIR=$(CURDIR)/$(B)/stage PREFIX=/usr >/dev/null
	@CC="$(CC)" CFLAGS="$(SANFLAGS)" SANITIZE=$(if $(SAN),1,) sh tests/embed/run.sh $(B)/stage $(B)/embed

# ---- demo ----------------------------------------------------------------
DEMO_DB    := build/demo/saas.db
DEMO_AS_OF := 2025-06-30
demo: vigil
	@mkdir -p build/demo && rm -f $(DEMO_DB)
	@echo "# the SaaS demo database $(DEMO_DB) (examples/saas/schema.sql, demo.sql)"
	@sqlite3 $(DEMO_DB) < examples/saas/schema.sql
	@sqlite3 $(DEMO_DB) < examples/saas/demo.sql
	@echo "# two earlier nightly runs, so the alerts have a history"
	@./vigil run --db $(DEMO_DB) --as-of 2025-05-30 examples/saas >/dev/null 2>&1
	@./vigil run --db $(DEMO_DB) --as-of 2025-06-13 examples/saas >/dev/null 2>&1
	@echo "# tonight's run.  The warnings first come from bad rows planted in demo.sql on purpose"
	@echo "# (unreadable dates, a duplicate row, text in a number column): Vigil skips or"
	@echo "# nulls them, says where, and the run goes on (--strict would fail it instead)"
	@echo '$$ vigil run --db $(DEMO_DB) --as-of $(DEMO_AS_OF) examples/saas'
	@./vigil run --db $(DEMO_DB) --as-of $(DEMO_AS_OF) examples/saas
	@echo "# what supervisor 9012 gets (every supervisor's, as one web page: build/demo/digest.html)"
	@echo '$$ vigil digest --db $(DEMO_DB) --format markdown --to 9012'
	@./vigil digest --db $(DEMO_DB) --format markdown --to 9012
	@./vigil digest --db $(DEMO_DB) --format html -o build/demo/digest.html
	@echo "# the nightly job's last step: every digest stored in the outbox and delivered, each once;"
	@echo "# supervisor 9005 has no email in the demo's org chart on purpose: deliver reports it"
	@echo "# (E-no-address) and keeps that digest pending"
	@./vigil digest --db $(DEMO_DB) --format text --outbox >/dev/null 2>&1
	@./vigil digest --db $(DEMO_DB) --format html --outbox >/dev/null
	@sh tests/deliver/demo.sh ./vigil $(DEMO_DB) build/demo

clean:
	rm -rf build vigil

# ---- benchmark (issue 6) ---------------------------------------------------
# make bench: build, generate the databases (SIZE 0.1, 1, 4; cached in
# build/bench/), check that vigil and the hand-written SQL give the same
# alerts, then measure and print the table (also in build/bench/results.txt).
# See bench/README.md.  Dependency check: the Debian packages `time`
# (/usr/bin/time -f %M, the peak RSS) and `valgrind` (the profile), installed
# with apt-get when make runs as root; otherwise the command is printed.
BENCH_DEPS := file:/usr/bin/time:time cmd:valgrind:valgrind
bench: $(B)/vigil $(B)/libvigil-internal.a
	$(call need,$(BENCH_DEPS))
	VIGIL=$(B)/vigil LIBVIGIL=$(B)/libvigil-internal.a CC="$(CC)" bash bench/run.sh

# make bench-lsp: the latency of `vigil lsp` on a 2,000-rule pack, change ->
# diagnostics (bench/lsp.py; issue 18; results in bench/README.md).
.PHONY: bench-lsp
bench-lsp: $(B)/vigil
	$(Q)python3 bench/lsp.py $(B)/vigil 100

# make screenshots: build/screenshots/nvim-lsp.png, Neovim in an xterm under
# Xvfb showing `vigil lsp`'s diagnostic and completion (tests/lsp/screenshot.sh;
# issue 18; docs/nvim-lsp.png is a copy).  Not part of `make test`; its
# Debian packages are installed with apt-get when make runs as root.
SCREENSHOT_DEPS := cmd:Xvfb:xvfb cmd:xterm:xterm cmd:import:imagemagick cmd:nvim:neovim \
        file:/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf:fonts-dejavu-core
.PHONY: screenshots
screenshots: $(B)/vigil
	$(call need,$(SCREENSHOT_DEPS))
	$(Q)sh tests/lsp/screenshot.sh $(B)/vigil build/screenshots/nvim-lsp.png

# ---- valgrind (issue 7) ------------------------------------------------------
# make valgrind: the end-to-end CLI commands (check, compile, disasm, run,
# backtest, diff, test, fmt over the example packs and the acceptance
# example; rules with errors; damaged .vgc files) under
#   valgrind --error-exitcode=1 --leak-check=full --errors-for-leak-kinds=definite,indirect
# on the release binary (valgrind cannot run an ASan one).  Ends with
# "N passed, M failed".  Needs the Debian package `valgrind` (installed with
# apt-get when make runs as root).  JOBS=N sets the parallel groups.
.PHONY: valgrind crash
valgrind:
	$(call need,cmd:valgrind:valgrind)
	@$(MAKE) --no-print-directory SAN= build/rel/vigil
	tests/crash/valgrind.sh build/rel/vigil

# ---- fuzzing (issue 7) ------------------------------------------------------
# make fuzz: build the libFuzzer targets (fuzz/fuzz_*.c) into build/fuzz/ with
# clang, ASan and UBSan; make fuzz-run FUZZ_SECONDS=N: run each for N seconds
# (default 60, what CI runs) after its saved regressions (fuzz/run.sh; see
# fuzz/README.md).  Needs clang and its fuzzer runtime (Debian: clang,
# libclang-rt-14-dev), installed with apt-get when make runs as root.
FUZZ_DEPS    := cmd:clang:clang fuzzer:clang:libclang-rt-14-dev
FUZZ_SECONDS ?= 60
.PHONY: fuzz fuzz-run fuzz-deps
fuzz-deps:
	$(call need,$(FUZZ_DEPS))
fuzz: fuzz-deps
	fuzz/build.sh
	fuzz/seed.sh
fuzz-run: fuzz-deps
	fuzz/run.sh $(FUZZ_SECONDS)

# ---- crash safety (issue 7) -------------------------------------------------
# make crash: KILLS times (default 300), start a recording `vigil run` on a
# copy of the SaaS demo database and SIGKILL it after 0-300 ms; after each
# kill the database must pass integrity_check and every recorded run must be
# complete.  Ends with "N passed, M failed".  JOURNAL=wal runs it in WAL mode.
KILLS   ?= 300
JOURNAL ?= delete
crash: $(B)/vigil
	tests/crash/kill.sh -n $(KILLS) -j $(JOURNAL) $(B)/vigil
