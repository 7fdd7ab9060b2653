/*
** unit.h — the suites of the test runner; each file registers its own.
** Each returns CUE_SUCCESS or the CUnit error of the registration.
*/
#ifndef VIGIL_UNIT_H
#define VIGIL_UNIT_H

int unit_register_lib(void);      /* test_lib.c: dates, formats, built-in functions */
int unit_register_bc(void);       /* test_bc.c: .vgc format, verifier, disassembler */
int unit_register_compiler(void); /* test_compiler.c: lexer, parser, checker, code generator */
int unit_register_vm(void);       /* test_vm.c: each VM operation */
int unit_register_runtime(void);  /* test_runtime.c: windows, bad data, recording */
int unit_register_golden(void);   /* test_golden.c: tests/golden and examples/ through the vigil binary */
int unit_register_testrunner(void); /* test_testrunner.c: vigil test (vg_test_path and the command) */
int unit_register_fmt(void);      /* test_fmt.c: vigil fmt (vg_format), its style and the corpus */
int unit_register_backtest(void); /* test_backtest.c: backtest = separate runs, lead time, vigil diff */

int unit_register_hardening(void); /* test_hardening.c: limits, locked/read-only/full database, hostile names and data */
int unit_register_sandbox(void);  /* test_sandbox.c: the box for a pack's SQL (schema.sql, vigil test) */
int unit_register_digest(void);   /* test_digest.c: vg_digest_run and vigil digest: grouping, formats, outbox */
int unit_register_life(void);     /* test_life.c: new, ongoing, escalated, resolved; clear when; escalate after */
int unit_register_route(void);    /* test_route.c: org, manager(), routes, escalation up the chart, evidence */
int unit_register_outputs(void);  /* test_outputs.c: every output encoder safe for any bytes; checked writes; out of memory */

int unit_register_bytes(void);    /* test_bytes.c: text as bytes with a length (NUL bytes), data in diagnostics */
int unit_register_dbrobust(void); /* test_dbrobust.c: locks, recording tables, rowid, symlinks (issue 11) */
int unit_register_lang(void);     /* test_lang.c: if-then-else, for D, roll-ups (issue 12) */
int unit_register_calendar(void); /* test_calendar.c: fiscal year starts, the fiscal month argument, date(y, m, d) */
int unit_register_limits(void);   /* test_limits.c: every compile resource bounded before it is spent (issue 11) */
int unit_register_core(void);     /* test_core.c: the growable array and the hash index (core/vec.h, core/map.h) */
int unit_register_cli(void);      /* test_cli.c: what scripts and other tools' conventions expect of vigil (issue 16) */
int unit_register_ops(void);      /* test_ops.c: bounded memory, progress, interrupts (issue 16, items 3, 10) */
int unit_register_api(void);      /* test_api.c: the public interface as an embedder meets it (docs/API.md) */
int unit_register_schema(void);   /* test_schema.c: vg_schema_read, the key and time guesses of vigil new pack */
int unit_register_lsp(void);      /* test_lsp.c: vg_outline, vigil lsp through a JSON-RPC client and Neovim (issue 18) */

int unit_register_postgres(void); /* test_pg.c: the same data in SQLite and PostgreSQL, the same output (issue 14) */
int unit_register_pgshard(void); /* test_pgshard.c: sharded runs, the cluster, killed shards, failures (issue 14) */

int unit_register_deliver(void); /* test_deliver.c: vigil deliver against a local SMTP server (issue 17) */

#endif
