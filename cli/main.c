/*
** main.c — the `vigil` command: a thin client of libvigil.
**
** It parses the command line, calls the library, and renders what comes
** back: diagnostics (text with a caret, JSON or SARIF), alerts (text, JSONL
** or CSV), disassembly.  Exit status: 0 success, 1 the input has errors (or a
** run failed), 2 the command line is wrong.
*/
#include <errno.h>
#include <stdio.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "out.h"
#include "lsp.h"


/* ---- usage ----------------------------------------------------------------------- */

static const char *const usage_main =
  "usage: vigil COMMAND [OPTIONS] PATH...\n"
  "\n"
  "Vigil compiles early-warning rules for sales data and runs them over SQLite.\n"
  "A PATH is a .rules file, a pack folder (its .rules files and schema.sql) or a\n"
  "compiled .vgc file.\n"
  "\n"
  "commands:\n"
  "  check     check rule packs for errors\n"
  "  compile   compile a pack to bytecode (.vgc)\n"
  "  disasm    print a compiled pack's bytecode\n"
  "  run       evaluate packs over a database and record the alerts\n"
  "  backtest  evaluate packs at every date of a range, in one pass\n"
  "  diff      compare two versions of a pack: the alerts a change adds or removes\n"
  "  digest    a recorded run's alerts as one digest per person (text, markdown, html)\n"
  "  deliver   send the digests of the outbox by mail, each once\n"
  "  test      run the tests of rule packs\n"
  "  fmt       format .rules files canonically\n"
  "  explain   what a diagnostic code means (vigil explain E-unknown-column)\n"
  "  new       make a pack folder to start from (new pack NAME)\n"
  "  lsp       a language server for editors (LSP over stdio)\n"
  "\n"
  "Run 'vigil COMMAND --help' for a command's options.  Every command takes\n"
  "--color=auto|always|never (auto: on a terminal, unless TERM=dumb or NO_COLOR\n"
  "is set and not empty); -V or --version prints the version.\n"
  "exit status: 0 success, 1 the input has errors (or a run failed), 2 bad command line,\n"
  "3 run --fail-on: an alert of that tier or higher fired, 130 interrupted (Ctrl-C)\n";

static const char *const usage_check =
  "usage: vigil check [--schema FILE.sql | --db FILE] [--format text|json|sarif|github] [--werror]\n"
  "                   [--max-errors N] [--follow-symlinks] PATH...\n"
  "\n"
  "Parse and check each pack: syntax, names, types, columns against the schema\n"
  "(--db, --schema, or the pack folder's schema.sql).  Prints nothing but a\n"
  "summary when all is well.  A PATH of - reads rules from standard input\n"
  "(named <stdin> in messages; columns checked against --schema or --db).\n"
  "\n"
  "  --schema FILE.sql   check columns against these CREATE statements\n"
  "  --db FILE           check columns against this database's tables\n"
  "  --format FORMAT     text (default; with source line and caret), json, sarif,\n"
  "                      github (workflow annotations)\n"
  "  --werror            treat warnings as errors (codes: docs/DIAGNOSTICS.md)\n"
  "  --max-errors N      stop listing errors after N (default 50)\n"
  "  --follow-symlinks   read source files that are symbolic links (refused by default)\n"
  "exit status: 0 clean, 1 errors (or warnings with --werror), 2 bad command line\n"
  "(also a PATH that does not exist)\n";

static const char *const usage_compile =
  "usage: vigil compile [--schema FILE.sql | --db FILE] [--dump] [--follow-symlinks] -o PACK.vgc PATH\n"
  "\n"
  "Compile one pack (a folder or a .rules file) to a bytecode file.\n"
  "\n"
  "  -o FILE       the .vgc to write\n"
  "  --dump        also print the disassembly\n"
  "  --schema, --db, --follow-symlinks  as for check\n";

static const char *const usage_disasm =
  "usage: vigil disasm [--follow-symlinks] PATH\n"
  "\n"
  "Print a compiled pack (.vgc; a .rules file or folder is compiled first) as\n"
  "readable bytecode: sources, columns, rules, functions and instructions.\n"
  "\n"
  "  --follow-symlinks  read source files that are symbolic links (refused by default)\n";

static const char *const usage_run =
  "usage: vigil run --db FILE [--as-of YYYY-MM-DD] [--set NAME=VALUE]... [--format text|jsonl|csv]\n"
  "                 [--csv-raw] [--dry-run] [--strict] [--scan] [--shard I/N] [--summary text|json]\n"
  "                 [--fail-on TIER] [--diagnostics-format text|json] [--quiet] [--follow-symlinks]\n"
  "                 PATH...\n"
  "\n"
  "Evaluate the packs over the database as of a date and record the run in\n"
  "vigil_runs / vigil_alerts (one transaction; re-running a pack for the same\n"
  "date replaces its earlier run).\n"
  "\n"
  "  --db FILE          the SQLite database with the snapshot tables, or a PostgreSQL\n"
  "                     one: postgresql://USER@HOST/DB, or pg: and the PG* variables\n"
  "  --as-of DATE       the evaluation date (default: today, local time)\n"
  "  --set NAME=VALUE   override a param with a literal (grace=7days, slump=25%)\n"
  "  --format FORMAT    text (default), jsonl (one JSON object per alert), csv\n"
  "                     (text shows control characters and bytes that are not UTF-8\n"
  "                     as \\xNN; jsonl and csv replace bytes that are not UTF-8 by\n"
  "                     U+FFFD: docs/CLI.md, Output encoding)\n"
  "  --csv-raw          keep CSV cells as they are: without it, a cell starting with\n"
  "                     = + - @ tab or CR gets a leading ' so no spreadsheet runs it\n"
  "  --dry-run          open the database read-only and record nothing\n"
  "  --strict           bad data (reported on stderr) fails the run\n"
  "  --scan             read each table whole, in key order (no per-key index seeks)\n"
  "  --shard I/N        evaluate only the keys in shard I of N (PostgreSQL's hash\n"
  "                     partitioning of the key, MODULUS N, REMAINDER I-1); the run is\n"
  "                     recorded when all N shards have recorded their part\n"
  "  --summary FORMAT   the per-pack summary on stderr: text (default) or json, with\n"
  "                     alerts new, ongoing, escalated and resolved per tier\n"
  "  --fail-on TIER     exit 3 when an alert of TIER (yellow, orange, red or a tier of\n"
  "                     the packs) or a higher tier fires; the run is recorded as usual\n"
  "  --diagnostics-format FORMAT\n"
  "                     text (default) or json: warnings, errors and the summary on\n"
  "                     stderr as JSON lines, one object per line (docs/CLI.md)\n"
  "  --quiet            no progress line and no summary on stderr; warnings and errors\n"
  "                     are still shown (the progress line is drawn only when stderr\n"
  "                     is a terminal and TERM is not dumb, with text diagnostics)\n"
  "  --follow-symlinks  read source files that are symbolic links (refused by default)\n"
  "exit status: 0 success, 1 errors in the packs or a failed run, 2 bad command line,\n"
  "3 --fail-on: an alert of that tier or higher fired, 130 interrupted (SIGINT or\n"
  "SIGTERM: rolled back, nothing recorded)\n";

/* ---- check / compile / disasm ------------------------------------------------------- */

/* The PATH '-': rules from standard input, named <stdin> in diagnostics;
** the schema from --schema or --db (a pack folder's schema.sql needs a folder). */
static vg_status compile_stdin(const vg_compile_opts *co, vg_program **p) {
  size_t len = 0;
  char *text = cli_read_stdin(&len);
  *p = NULL;
  if (!text) {
    out_printf(stderr, "vigil: <stdin>: cannot read: %s\n", strerror(errno));
    return VG_EIO;
  }
  int nul = 0;
  size_t bad = vg_text_bad_line(text, len, &nul);
  vg_status st;
  if (bad) {
    out_printf(stderr, "vigil: <stdin>: not a text file: line %zu %s (a source is UTF-8 text; its lines are not shown)\n", bad,
               nul ? "has a NUL byte" : "is not valid UTF-8");
    st = VG_EINPUT;
  } else {
    st = vg_compile_string("<stdin>", text, len, NULL, co, p);
  }
  free(text);
  return st;
}

static int cmd_check(int argc, char **argv) {
  cli_opts o = {.accept = CLI_SCHEMA | CLI_DB | CLI_FOLLOW | CLI_PATHS, .usage = usage_check};
  int format = FMT_TEXT, werror = 0, max_errors = 0;
  for (int i = 2; i < argc; i++) {
    const char *v;
    if (is_help(argv[i])) { fputs(usage_check, stdout); return 0; }
    int r = cli_opt(&o, argc, argv, &i);
    if (r < 0) return EXIT_USAGE;
    if (r > 0) continue;
    if ((v = opt_value(argc, argv, &i, "--format"))) {
      if (strcmp(v, "text") == 0) format = FMT_TEXT;
      else if (strcmp(v, "json") == 0) format = FMT_JSON;
      else if (strcmp(v, "sarif") == 0) format = FMT_SARIF;
      else if (strcmp(v, "github") == 0) format = FMT_GITHUB;
      else return usage_error(usage_check, "unknown format '%s' (text, json, sarif or github)", v);
    } else if (strcmp(argv[i], "--werror") == 0) {
      werror = 1;
    } else if ((v = opt_value(argc, argv, &i, "--max-errors"))) {
      char *end;
      long n = strtol(v, &end, 10);
      if (!*v || *end || n < 1 || n > 100000) return usage_error(usage_check, "--max-errors needs a positive number, not '%s'", v);
      max_errors = (int)n;
    } else {
      return usage_error(usage_check, "unknown option '%s'", argv[i]);
    }
  }
  if (o.npaths == 0) return usage_error(usage_check, "%s", "no PATH given");
  if (o.schema && o.db) return usage_error(usage_check, "%s", "give --schema or --db, not both");
  /* a PATH that is not there is a mistake on the command line, as a wrong option is */
  int stdin_used = 0;
  for (int i = 0; i < o.npaths; i++) {
    if (strcmp(o.paths[i], "-") == 0) {
      if (stdin_used++) return usage_error(usage_check, "%s", "'-' (standard input) given twice");
    } else if (access(o.paths[i], F_OK) != 0) {
      out_printf(stderr, "vigil: %s: no such file or folder\n", o.paths[i]);
      return EXIT_USAGE;
    }
  }
  diag_sink sink;
  sink_begin(&sink, format);
  sink.werror = werror;
  vg_compile_opts co = {.schema_path = o.schema, .db_path = o.db, .diag = on_diag, .ud = &sink, .max_errors = max_errors,
                        .warnings = 1, .follow_symlinks = o.follow};
  int rc = 0;
  for (int i = 0; i < o.npaths; i++) {
    vg_program *p = NULL;
    int before = sink.errors;
    const char *name = o.paths[i];
    vg_status st = strcmp(name, "-") == 0 ? compile_stdin(&co, &p) : vg_compile_path(name, &co, &p);
    if (strcmp(name, "-") == 0) name = "<stdin>";
    if (st != VG_OK) out_status(st);
    if (st != VG_OK || sink.errors > before) rc = EXIT_INPUT;
    else {
      /* notes, never an error; but a database it cannot read (locked) is */
      vg_status ast = o.db ? vg_index_advice(p, o.db, on_diag, &sink) : VG_OK;
      if (ast == VG_ENOMEM) out_status(VG_ENOMEM);
      if (ast != VG_OK) rc = EXIT_INPUT;
      else if (format == FMT_TEXT) out_printf(stdout, "%s: ok (pack %s)\n", name, vg_program_pack(p));
    }
    vg_free_program(p);
  }
  sink_end(&sink);
  return rc;
}

static void put_listing(const char *text);

static int cmd_compile(int argc, char **argv) {
  cli_opts o = {.accept = CLI_SCHEMA | CLI_DB | CLI_FOLLOW | CLI_PATHS, .usage = usage_compile};
  const char *out = NULL;
  int dump = 0;
  for (int i = 2; i < argc; i++) {
    const char *v;
    if (is_help(argv[i])) { fputs(usage_compile, stdout); return 0; }
    int r = cli_opt(&o, argc, argv, &i);
    if (r < 0) return EXIT_USAGE;
    if (r > 0) continue;
    if ((v = opt_value(argc, argv, &i, "-o"))) {
      if (!*v) return usage_error(usage_compile, "%s needs a file", "-o");
      out = v;
    } else if (strcmp(argv[i], "--dump") == 0) {
      dump = 1;
    } else {
      return usage_error(usage_compile, "unknown option '%s'", argv[i]);
    }
  }
  if (!out) return usage_error(usage_compile, "%s", "-o PACK.vgc is required");
  if (o.npaths != 1) return usage_error(usage_compile, "%s", "compile takes one PATH (a pack folder or a .rules file)");
  if (o.schema && o.db) return usage_error(usage_compile, "%s", "give --schema or --db, not both");
  diag_sink sink;
  sink_begin(&sink, FMT_TEXT);
  vg_compile_opts co = {.schema_path = o.schema, .db_path = o.db, .diag = on_diag, .ud = &sink, .follow_symlinks = o.follow};
  vg_program *p = NULL;
  vg_status st = vg_compile_path(o.paths[0], &co, &p);
  if (st != VG_OK) return out_status(st);
  size_t errcap = strlen(out) + 512; /* the message names the file */
  char *err = malloc(errcap);
  if (!err) out_of_memory();
  err[0] = 0;
  int rc = 0;
  if (vg_save_program(p, out, err, errcap) != VG_OK) {
    out_printf(stderr, "vigil: %s\n", err);
    rc = EXIT_INPUT;
  } else if (dump) {
    char *text = vg_disasm(p);
    if (!text) out_of_memory();
    put_listing(text);
    vg_free(text);
  }
  free(err);
  vg_free_program(p);
  return rc;
}

/* A disassembly on stdout: its lines as they are, every other byte by the
** terminal rule (names and strings come from rule files). */
static void put_listing(const char *text) {
  diag_sink s;
  memset(&s, 0, sizeof s);
  out_term_block(&s, text, strlen(text), "");
  out_flush_sink(stdout, &s);
  free(s.buf);
}

static int cmd_disasm(int argc, char **argv) {
  const char *path = NULL;
  int follow = 0;
  for (int i = 2; i < argc; i++) {
    if (is_help(argv[i])) { fputs(usage_disasm, stdout); return 0; }
    if (strcmp(argv[i], "--follow-symlinks") == 0) { follow = 1; continue; }
    if (argv[i][0] == '-' && argv[i][1]) return usage_error(usage_disasm, "unknown option '%s'", argv[i]);
    if (path) return usage_error(usage_disasm, "%s", "disasm takes one PATH");
    path = argv[i];
  }
  if (!path) return usage_error(usage_disasm, "%s", "no PATH given");
  diag_sink sink;
  sink_begin(&sink, FMT_TEXT);
  vg_compile_opts co = {.diag = on_diag, .ud = &sink, .follow_symlinks = follow};
  vg_program *p = NULL;
  vg_status st = vg_compile_path(path, &co, &p);
  if (st != VG_OK) return out_status(st);
  char *text = vg_disasm(p);
  vg_free_program(p);
  if (!text) return out_status(VG_ENOMEM);
  put_listing(text);
  vg_free(text);
  return 0;
}

/* ---- run ------------------------------------------------------------------------------- */

enum { OUT_TEXT, OUT_JSONL, OUT_CSV };

typedef struct run_out {
  int format;
  int csv_raw;       /* --csv-raw */
  int summary_json;  /* --summary json */
  int recording;     /* not --dry-run */
  diag_sink line;  /* a reusable buffer */
  int header_done;
  int diag_json;     /* --diagnostics-format json: the summary is a typed JSON line */
  vg_program *const *progs; int nprogs;
  const int *fail_rank;  /* --fail-on: per program, the tier index that fails (NULL: none) */
  int failed_on;     /* an alert at or above it fired */
  int quiet;         /* --quiet: no summary */
} run_out;

/* The index of tier in p's tiers (lowest first), or -1. */
static int tier_index(const vg_program *p, const char *tier) {
  for (int t = 0; t < vg_program_tier_count(p); t++)
    if (strcmp(vg_program_tier_name(p, t), tier) == 0) return t;
  return -1;
}


static int on_alert(void *ud, const vg_alert *a) {
  run_out *r = ud;
  diag_sink *s = &r->line;
  s->len = 0;
  for (int i = 0; r->fail_rank && i < r->nprogs; i++)
    if (strcmp(vg_program_pack(r->progs[i]), a->pack) == 0 && tier_index(r->progs[i], a->tier) >= r->fail_rank[i])
      r->failed_on = 1;
  if (r->format == OUT_JSONL) {
    sink_str(s, "{\"rule\":"); out_json_str(s, a->rule);
    sink_str(s, ",\"tier\":"); out_json_str(s, a->tier);
    sink_str(s, ",\"key\":"); out_json(s, a->key, a->key_len);
    sink_str(s, ",\"as_of\":"); out_json_str(s, a->as_of);
    sink_str(s, ",\"message\":"); out_json(s, a->message, a->message_len);
    sink_str(s, ",\"recipient\":"); out_json(s, a->recipient, a->recipient_len);
    sink_str(s, "}\n");
  } else if (r->format == OUT_CSV) {
    if (!r->header_done) { sink_str(s, "pack,rule,tier,key,as_of,message,recipient\n"); r->header_done = 1; }
    const char *f[7] = {a->pack, a->rule, a->tier, a->key, a->as_of, a->message, a->recipient};
    size_t n[7] = {strlen(a->pack), strlen(a->rule), strlen(a->tier), a->key_len, strlen(a->as_of), a->message_len,
                   a->recipient_len};
    for (int i = 0; i < 7; i++) {
      if (i) sink_str(s, ",");
      out_csv(s, f[i], n[i], r->csv_raw);
    }
    sink_str(s, "\n");
  } else {
    /* the header line, then the message indented under it: a line break in
    ** the message continues with the indent, so it cannot start a line */
    out_format(s, "%-7s %s/%s  key %.*s", a->tier, a->pack, a->rule, (int)a->key_len, a->key);
    if (a->status && strcmp(a->status, "new") != 0)
      out_format(s, "  (%s since %s, %d runs)", a->status, a->first_seen, a->runs);
    if (a->recipient) out_format(s, "  -> %.*s", (int)a->recipient_len, a->recipient);
    if (a->message) {
      sink_str(s, "\n        ");
      out_term_block(s, a->message, a->message_len, "        ");
    }
    sink_str(s, "\n");
  }
  out_flush_sink(stdout, s);
  return 0;
}

static int on_summary(void *ud, const vg_run_summary *sm) {
  run_out *r = ud;
  static const char *const life[4] = {"new", "ongoing", "escalated", "resolved"};
  if (r->quiet) return 0;
  diag_sink *s = &r->line;
  s->len = 0;
  if (r->summary_json || r->diag_json) {
    /* one JSON object per pack on stderr */
    sink_str(s, r->diag_json ? "{\"type\":\"summary\",\"pack\":" : "{\"pack\":");
    out_json_str(s, sm->pack);
    out_format(s, ",\"rows_read\":%lld,\"alerts\":%lld,\"run_id\":", sm->rows_read, sm->alerts);
    if (sm->run_id) out_format(s, "%lld", sm->run_id);
    else sink_str(s, "null");
    if (sm->nshards) out_format(s, ",\"shard\":%d,\"nshards\":%d,\"shards_missing\":%d", sm->shard, sm->nshards, sm->shards_missing);
    sink_str(s, sm->warnings ? ",\"status\":\"warnings\",\"tiers\":{" : ",\"status\":\"ok\",\"tiers\":{");
    for (int t = 0; t < sm->ntiers; t++) {
      if (t) sink_str(s, ",");
      out_json_str(s, sm->tiers[t]);
      sink_str(s, ":{");
      for (int k = 0; k < 4; k++) out_format(s, "%s\"%s\":%lld", k ? "," : "", life[k], sm->life[t * 4 + k]);
      sink_str(s, "}");
    }
    sink_str(s, "}}\n");
    fwrite(s->buf, 1, s->len, stderr);
    return 0;
  }
  out_format(s, "vigil: pack %s: %lld rows read, %lld alert%s", sm->pack, sm->rows_read, sm->alerts, sm->alerts == 1 ? "" : "s");
  /* per tier: new, ongoing, escalated, resolved, when there is any */
  int any = 0;
  for (int t = 0; t < sm->ntiers; t++) {
    const long long *c = &sm->life[t * 4];
    if (!c[0] && !c[1] && !c[2] && !c[3]) continue;
    out_format(s, "%s%s: %lld new, %lld ongoing, %lld escalated, %lld resolved", any ? "; " : " (", sm->tiers[t], c[0], c[1],
               c[2], c[3]);
    any = 1;
  }
  if (any) sink_str(s, ")");
  if (sm->nshards && r->recording && !sm->run_id)
    out_format(s, ", recorded as shard %d of %d (the run is recorded when the %d other shard%s ha%s)%s\n", sm->shard, sm->nshards,
               sm->shards_missing, sm->shards_missing == 1 ? "" : "s", sm->shards_missing == 1 ? "s" : "ve",
               sm->warnings ? " (with data warnings)" : "");
  else if (sm->nshards && sm->run_id)
    out_format(s, ", recorded as shard %d of %d, the last: recorded as run %lld%s\n", sm->shard, sm->nshards, sm->run_id,
               sm->warnings ? " (with data warnings)" : "");
  else if (sm->run_id) out_format(s, ", recorded as run %lld%s\n", sm->run_id, sm->warnings ? " (with data warnings)" : "");
  else sink_str(s, " (dry run, nothing recorded)\n");
  fwrite(s->buf, 1, s->len, stderr);
  return 0;
}

/* --fail-on TIER: its index in each program's tiers into rank[]; every pack
** must have the tier.  0, or EXIT_USAGE after saying which pack lacks it. */
static int fail_on_ranks(const char *tier, vg_program *const *progs, int n, int *rank) {
  for (int i = 0; i < n; i++) {
    rank[i] = tier_index(progs[i], tier);
    if (rank[i] >= 0) continue;
    diag_sink s;
    memset(&s, 0, sizeof s);
    out_format(&s, "--fail-on %s: pack %s has no tier '%s' (its tiers: ", tier, vg_program_pack(progs[i]), tier);
    for (int t = 0; t < vg_program_tier_count(progs[i]); t++)
      out_format(&s, "%s%s", t ? ", " : "", vg_program_tier_name(progs[i], t));
    sink_str(&s, ")");
    usage_error(usage_run, "%s", s.buf);
    free(s.buf);
    return EXIT_USAGE;
  }
  return 0;
}

static int cmd_run(int argc, char **argv) {
  cli_opts o = {.accept = CLI_DB | CLI_AS_OF | CLI_SET | CLI_FOLLOW | CLI_PATHS, .usage = usage_run};
  int dry = 0, strict = 0, no_seek = 0, format = OUT_TEXT, summary_json = 0, csv_raw = 0, shard = 0, nshards = 0;
  int diag_format = FMT_TEXT, quiet = 0;
  const char *fail_on = NULL;
  for (int i = 2; i < argc; i++) {
    const char *v;
    if (is_help(argv[i])) { fputs(usage_run, stdout); return 0; }
    int r = cli_opt(&o, argc, argv, &i);
    if (r < 0) return EXIT_USAGE;
    if (r > 0) continue;
    if ((v = opt_value(argc, argv, &i, "--format"))) {
      if (strcmp(v, "text") == 0) format = OUT_TEXT;
      else if (strcmp(v, "jsonl") == 0) format = OUT_JSONL;
      else if (strcmp(v, "csv") == 0) format = OUT_CSV;
      else return usage_error(usage_run, "unknown format '%s' (text, jsonl or csv)", v);
    } else if (strcmp(argv[i], "--csv-raw") == 0) {
      csv_raw = 1;
    } else if (strcmp(argv[i], "--dry-run") == 0) {
      dry = 1;
    } else if (strcmp(argv[i], "--strict") == 0) {
      strict = 1;
    } else if (strcmp(argv[i], "--scan") == 0) {
      no_seek = 1;
    } else if (strcmp(argv[i], "--quiet") == 0) {
      quiet = 1;
    } else if ((v = opt_value(argc, argv, &i, "--shard"))) {
      if (cli_parse_shard(v, &shard, &nshards) != 0)
        return usage_error(usage_run, "--shard %s: expected I/N, 1 <= I <= N <= 1024 (e.g. 2/3)", v);
    } else if ((v = opt_value(argc, argv, &i, "--summary"))) {
      if (strcmp(v, "json") == 0) summary_json = 1;
      else if (strcmp(v, "text") == 0) summary_json = 0;
      else return usage_error(usage_run, "unknown summary format '%s' (text or json)", v);
    } else if ((v = opt_value(argc, argv, &i, "--fail-on"))) {
      if (!*v) return usage_error(usage_run, "%s needs a tier (yellow, orange, red)", "--fail-on");
      fail_on = v;
    } else if ((v = opt_value(argc, argv, &i, "--diagnostics-format"))) {
      if ((diag_format = cli_diag_format(v)) < 0)
        return usage_error(usage_run, "unknown diagnostics format '%s' (text or json)", v);
    } else {
      return usage_error(usage_run, "unknown option '%s'", argv[i]);
    }
  }
  if (cli_need_db(&o)) return EXIT_USAGE;
  if (o.npaths == 0) return usage_error(usage_run, "%s", "no PATH given");
  diag_sink sink;
  sink_begin(&sink, diag_format);
  if (!vg_db_is_postgres(o.db) && access(o.db, F_OK) != 0) return cli_fail(&sink, "%s: no such database", o.db);
  static const diag_context run_context[] = {
    {"E-strict", "--strict: ", ""},
    {"E-read-only", "", " (use --dry-run to evaluate without recording)"},
    {NULL, NULL, NULL},
  };
  sink.context = run_context;
  vg_compile_opts co = {.db_path = o.db, .diag = on_diag, .ud = &sink, .follow_symlinks = o.follow};
  vg_program *progs[256];
  int nprogs = 0;
  int rc = cli_compile(&o, &co, progs, &nprogs);
  vg_params *params = NULL;
  if (rc == 0) rc = cli_params(progs, nprogs, o.sets, o.nsets, &params);
  int fail_rank[256];
  if (rc == 0 && fail_on) rc = fail_on_ranks(fail_on, progs, nprogs, fail_rank);
  if (rc == 0) {
    run_out out;
    memset(&out, 0, sizeof out);
    out.format = format;
    out.csv_raw = csv_raw;
    out.summary_json = summary_json;
    out.recording = !dry;
    out.diag_json = diag_format == FMT_JSONL;
    out.progs = progs;
    out.nprogs = nprogs;
    out.fail_rank = fail_on ? fail_rank : NULL;
    out.quiet = quiet;
    vg_run_opts ro = {.db_path = o.db, .params = params, .as_of = o.as_of, .dry_run = dry, .strict = strict,
                      .diag = on_diag, .ud = &sink, .alert = on_alert, .summary = on_summary, .out_ud = &out,
                      .no_seek = no_seek, .shard = shard, .nshards = nshards, .progress = cli_poll};
    cli_interrupt_begin();
    cli_progress_begin("run", quiet || diag_format != FMT_TEXT);
    vg_status st = vg_run((const vg_program *const *)progs, nprogs, &ro);
    rc = cli_interrupt_status(st, out_status(st));
    if (rc == 0 && out.failed_on) rc = EXIT_FAIL_ON; /* after recording: the run stands */
    free(out.line.buf);
  }
  vg_params_free(params);
  for (int i = 0; i < nprogs; i++) vg_free_program(progs[i]);
  return rc;
}

static int dispatch(int argc, char **argv) {
  const char *cmd = argv[1];
  if (is_help(cmd) || strcmp(cmd, "help") == 0) { fputs(usage_main, stdout); return 0; }
  if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "-V") == 0 || strcmp(cmd, "version") == 0) { puts("vigil " VG_VERSION); return 0; }
  if (strcmp(cmd, "check") == 0) return cmd_check(argc, argv);
  if (strcmp(cmd, "compile") == 0) return cmd_compile(argc, argv);
  if (strcmp(cmd, "disasm") == 0) return cmd_disasm(argc, argv);
  if (strcmp(cmd, "run") == 0) return cmd_run(argc, argv);
  if (strcmp(cmd, "test") == 0) return cmd_test(argc, argv);
  if (strcmp(cmd, "fmt") == 0) return cmd_fmt(argc, argv);
  if (strcmp(cmd, "backtest") == 0) return cmd_backtest(argc, argv);
  if (strcmp(cmd, "diff") == 0) return cmd_diff(argc, argv);
  if (strcmp(cmd, "digest") == 0) return cmd_digest(argc, argv);
  if (strcmp(cmd, "explain") == 0) return cmd_explain(argc, argv);
  if (strcmp(cmd, "complete") == 0) return cmd_complete(argc, argv); /* hidden: for completions/ */
  if (strcmp(cmd, "new") == 0) return cmd_new(argc, argv);
  if (strcmp(cmd, "lsp") == 0) return cmd_lsp(argc, argv);
  if (strcmp(cmd, "deliver") == 0) return cmd_deliver(argc, argv);
  out_printf(stderr, "vigil: unknown command '%s'\n\n", cmd);
  fputs(usage_main, stderr);
  return EXIT_USAGE;
}

/* --color[=WHEN], anywhere before a "--": taken out of argv (every command
** has it); -1 after a usage error. */
static int take_color(int *argc, char **argv) {
  int k = 1, rest = 0;
  for (int i = 1; i < *argc; i++) {
    const char *a = argv[i];
    if (strcmp(a, "--") == 0) rest = 1;
    if (rest || strncmp(a, "--color", 7) != 0 || (a[7] && a[7] != '=')) { argv[k++] = argv[i]; continue; }
    const char *v = a[7] ? a + 8 : "always";
    if (strcmp(v, "auto") == 0) cli_color = CLI_COLOR_AUTO;
    else if (strcmp(v, "always") == 0) cli_color = CLI_COLOR_ALWAYS;
    else if (strcmp(v, "never") == 0) cli_color = CLI_COLOR_NEVER;
    else { usage_error(usage_main, "--color=%s: expected auto, always or never", v); return -1; }
  }
  argv[k] = NULL;
  *argc = k;
  return 0;
}

int cli_dispatch(int argc, char **argv) { return dispatch(argc, argv); }

int main(int argc, char **argv) {
  /* SQLite's memory statistics (sqlite3_memory_used) take a mutex on every
  ** allocation; nothing here reads them.  Before SQLite is initialized. */
  sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
  if (take_color(&argc, argv) != 0) return EXIT_USAGE;
  if (argc < 2) { fputs(usage_main, stderr); return EXIT_USAGE; }
  /* every command's output is flushed and checked here: a write error
  ** (a full disk, a closed pipe) is an error, never lost silently */
  return out_finish(dispatch(argc, argv));
}
