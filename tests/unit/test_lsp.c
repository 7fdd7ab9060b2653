/*
** test_lsp.c — `vigil lsp` and the outlines it is built on (issue 18):
**   - vg_outline_new and its accessors, directly: symbols with their places,
**     references across files, the name at a place, completion candidates,
**     the diagnostics (those of vg_compile_string);
**   - tests/lsp/client.py, a scripted JSON-RPC client (python3), one CUnit
**     test per scenario: every method and the error paths;
**   - tests/lsp/nvim.sh: Neovim headless with its built-in LSP client
**     (tests/lsp/nvim.lua): diagnostics for a planted typo, the did-you-mean
**     quick fix, completion of a column, formatting.
** VIGIL names the binary, VIGIL_ROOT the source tree (make test sets both).
*/
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "vigil.h"
#include "unit.h"

static const char *const pack_text =
  "pack sales\n"
  "tiers yellow, red\n"
  "param drop = 10%\n"
  "source deal { table deals key deal_id time snapshot_date }\n";
static const char *const rules_text =
  "rule amount_drop on deal {\n"
  "  let before = prev(amount)\n"
  "  yellow when amount < before * (1 - drop)\n"
  "  message \"{deal_id}: {drop:pct}\"\n"
  "}\n";
static const char *const schema = "CREATE TABLE deals (deal_id INTEGER, snapshot_date DATE, amount REAL, stage TEXT);";

static int ndiags;
static void count_diag(void *ud, const vg_diag *d) { (void)ud; if (d->severity == VG_ERROR) ndiags++; }

static int find(const vg_outline *o, vg_sym_kind k, const char *name) {
  for (int i = 0; i < vg_outline_symbol_count(o); i++)
    if (vg_outline_symbol(o, i)->kind == k && strcmp(vg_outline_symbol(o, i)->name, name) == 0) return i;
  return -1;
}

typedef struct names { char text[8192]; } names;
static void collect(void *ud, const vg_symbol *s) {
  names *n = ud;
  size_t l = strlen(n->text);
  snprintf(n->text + l, sizeof n->text - l, " %s", s->name);
}

static vg_outline *outline(const char *rules, int *st) {
  const char *const files[] = {"p/00.rules", "p/10.rules"};
  const char *const texts[] = {pack_text, rules};
  const size_t lens[] = {strlen(pack_text), strlen(rules)};
  vg_compile_opts o = {.diag = count_diag};
  vg_outline *ol = NULL;
  ndiags = 0;
  *st = vg_outline_new(files, texts, lens, 2, "p", schema, &o, &ol);
  return ol;
}

static void test_outline(void) {
  int st;
  vg_outline *o = outline(rules_text, &st);
  CU_ASSERT_EQUAL(st, VG_OK);
  CU_ASSERT_EQUAL(ndiags, 0);
  CU_ASSERT_FATAL(o != NULL);
  int drop = find(o, VG_SYM_PARAM, "drop");
  CU_ASSERT_FATAL(drop >= 0);
  const vg_symbol *s = vg_outline_symbol(o, drop);
  CU_ASSERT_STRING_EQUAL(s->name_span.file, "p/00.rules");
  CU_ASSERT_EQUAL(s->name_span.line, 3);
  CU_ASSERT_EQUAL(s->name_span.col, 7);
  CU_ASSERT_EQUAL(s->name_span.end_col, 11);
  CU_ASSERT_STRING_EQUAL(s->detail, "param drop = 10%");
  /* drop is used twice in 10.rules: the clause and the message */
  int uses = 0;
  for (int i = 0; i < vg_outline_ref_count(o); i++)
    if (vg_outline_ref(o, i)->symbol == drop) {
      uses++;
      CU_ASSERT_STRING_EQUAL(vg_outline_ref(o, i)->span.file, "p/10.rules");
    }
  CU_ASSERT_EQUAL(uses, 2);
  /* the name at a place: a use, a declaration, nothing */
  CU_ASSERT_EQUAL(vg_outline_at(o, "p/10.rules", 3, 38), drop);
  CU_ASSERT_EQUAL(vg_outline_at(o, "p/00.rules", 3, 8), drop);
  int amount = vg_outline_at(o, "p/10.rules", 3, 15);
  CU_ASSERT_EQUAL(amount, find(o, VG_SYM_COLUMN, "amount"));
  CU_ASSERT_STRING_EQUAL(vg_outline_symbol(o, amount)->detail, "column amount (number) of table deals");
  CU_ASSERT_EQUAL(vg_outline_at(o, "p/10.rules", 1, 1), -1);
  CU_ASSERT_EQUAL(vg_outline_at(o, "nowhere.rules", 1, 1), -1);
  CU_ASSERT_PTR_NULL(vg_outline_symbol(o, -1));
  CU_ASSERT_PTR_NULL(vg_outline_ref(o, vg_outline_ref_count(o)));
  /* completion in the rule: its let, its source's columns, params, tiers, functions, keywords */
  names n = {""};
  CU_ASSERT(vg_outline_complete(o, "p/10.rules", 3, 3, collect, &n) > 0);
  CU_ASSERT_PTR_NOT_NULL(strstr(n.text, " before "));
  CU_ASSERT_PTR_NOT_NULL(strstr(n.text, " stage "));
  CU_ASSERT_PTR_NOT_NULL(strstr(n.text, " drop "));
  CU_ASSERT_PTR_NOT_NULL(strstr(n.text, " yellow "));
  CU_ASSERT_PTR_NOT_NULL(strstr(n.text, " pct_change "));
  CU_ASSERT_PTR_NOT_NULL(strstr(n.text, " when "));
  /* in the pack file: no columns, no lets */
  n.text[0] = 0;
  vg_outline_complete(o, "p/00.rules", 2, 1, collect, &n);
  CU_ASSERT_PTR_NULL(strstr(n.text, " stage "));
  CU_ASSERT_PTR_NULL(strstr(n.text, " before "));
  vg_outline_free(o);
  /* errors: reported as vg_compile_string reports them; the outline is still made */
  o = outline("rule r on deal {\n  yellow when amout > 1\n}\n", &st);
  CU_ASSERT_EQUAL(st, VG_EINPUT);
  CU_ASSERT_EQUAL(ndiags, 1);
  CU_ASSERT_PTR_NOT_NULL(o);
  CU_ASSERT(find(o, VG_SYM_RULE, "r") >= 0);
  vg_outline_free(o);
  vg_outline_free(NULL);
}

/* Run a command; on failure print its output.  Returns its exit status. */
static int run(const char *cmd) {
  char full[4096];
  snprintf(full, sizeof full, "%s 2>&1", cmd);
  FILE *p = popen(full, "r");
  if (!p) return -1;
  char out[65536];
  size_t n = fread(out, 1, sizeof out - 1, p);
  out[n] = 0;
  int st = pclose(p);
  int code = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  if (code != 0) fprintf(stderr, "\n  %s: status %d\n%s\n", cmd, code, out);
  return code;
}

static void client(const char *name) {
  const char *vigil = getenv("VIGIL") ? getenv("VIGIL") : "build/rel/vigil";
  const char *root = getenv("VIGIL_ROOT") ? getenv("VIGIL_ROOT") : ".";
  char cmd[2048];
  snprintf(cmd, sizeof cmd, "python3 %s/tests/lsp/client.py %s %s", root, vigil, name);
  CU_ASSERT_EQUAL(run(cmd), 0);
}

static void test_lifecycle(void) { client("lifecycle"); }
static void test_diagnostics(void) { client("diagnostics"); }
static void test_code_action(void) { client("code_action"); }
static void test_completion(void) { client("completion"); }
static void test_db(void) { client("db"); }
static void test_hover(void) { client("hover"); }
static void test_definition(void) { client("definition_references"); }
static void test_formatting(void) { client("formatting"); }
static void test_symbols(void) { client("symbols"); }
static void test_errors(void) { client("errors"); }

static void test_nvim(void) {
  const char *vigil = getenv("VIGIL") ? getenv("VIGIL") : "build/rel/vigil";
  const char *root = getenv("VIGIL_ROOT") ? getenv("VIGIL_ROOT") : ".";
  char cmd[2048];
  snprintf(cmd, sizeof cmd, "sh %s/tests/lsp/nvim.sh %s", root, vigil);
  CU_ASSERT_EQUAL(run(cmd), 0); /* 77: no nvim (make deps installs neovim) */
}

int unit_register_lsp(void) {
  CU_pSuite s = CU_add_suite("lsp", NULL, NULL);
  if (!s) return CU_get_error();
  if (!CU_add_test(s, "vg_outline: symbols, references, the name at a place, completion", test_outline) ||
      !CU_add_test(s, "client: initialize, shutdown, exit, requests before and after", test_lifecycle) ||
      !CU_add_test(s, "client: publishDiagnostics as vigil check gives them, on open, change, close", test_diagnostics) ||
      !CU_add_test(s, "client: did-you-mean as a quick fix (codeAction)", test_code_action) ||
      !CU_add_test(s, "client: completion in a rule, outside, after SOURCE[KEY].", test_completion) ||
      !CU_add_test(s, "client: --db and --schema give the columns", test_db) ||
      !CU_add_test(s, "client: hover of a param, column, let, def, function, source", test_hover) ||
      !CU_add_test(s, "client: definition and references across the pack's files", test_definition) ||
      !CU_add_test(s, "client: formatting as vigil fmt", test_formatting) ||
      !CU_add_test(s, "client: documentSymbol", test_symbols) ||
      !CU_add_test(s, "client: malformed and hostile messages (-32700, -32600, -32601, -32602)", test_errors) ||
      !CU_add_test(s, "Neovim headless: diagnostic, quick fix, column completion, formatting", test_nvim))
    return CU_get_error();
  return CUE_SUCCESS;
}
