/*
** test_bytes.c — issue 11, item 5: text is bytes with a length, from SQLite
** to every alert, recording and diagnostic.
**
** Keys, messages and recipients may hold NUL bytes and bytes that are not
** UTF-8.  They must reach the alert callback (vg_alert.key_len, ...), the
** recorded vigil_alerts / vigil_backtest rows, the alert-life map (so an
** alert stays "ongoing" across runs) and the alerts set aside in the
** temporary table, whole: never cut at the first NUL, never merged with
** another key that shares a prefix.  Data quoted inside a diagnostic (the
** example key of a bad-data warning, the key of an evaluation error) is
** shown through lib_show_text: NUL as \0, control bytes and bytes that are
** not UTF-8 as \xNN, never raw.
**
** Regression (fixed): keys 'a\0b\0b', 'a\0c' and 'a' were all recorded as
** 'a'; a message interpolating 'ok\0secret' lost the rest of the value and
** of the message; a BLOB key starting with \0 was recorded as ''.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>
#include <sqlite3.h>

#include "vigil.h"
#include "unit.h"
#include "harness.h"
#include "../../stdlib/lib.h"

extern size_t exec_spill_bytes;

/* ---- alerts as hex ------------------------------------------------------------ */

enum { TB_MAX = 64 };
static char tb_lines[TB_MAX][512];
static int tb_n;

static void hex_of(char *out, const char *s, size_t n) {
  static const char hx[] = "0123456789ABCDEF";
  for (size_t i = 0; i < n; i++) {
    *out++ = hx[(unsigned char)s[i] >> 4];
    *out++ = hx[(unsigned char)s[i] & 15];
  }
  *out = 0;
}

/* Each alert as "as_of KEYHEX MESSAGEHEX RECIPIENTHEX STATUS" ("-" for NULL). */
static int tb_on_alert(void *ud, const vg_alert *a) {
  (void)ud;
  if (tb_n == TB_MAX) return 0;
  char k[130], m[130], r[130];
  if (a->key_len > 60 || a->message_len > 60 || a->recipient_len > 60) { snprintf(tb_lines[tb_n++], 512, "too long"); return 0; }
  hex_of(k, a->key, a->key_len);
  if (a->message) hex_of(m, a->message, a->message_len); else strcpy(m, "-");
  if (a->recipient) hex_of(r, a->recipient, a->recipient_len); else strcpy(r, "-");
  /* the texts are NUL-terminated after their length, too */
  int terminated = a->key[a->key_len] == 0 && (!a->message || a->message[a->message_len] == 0) &&
                   (!a->recipient || a->recipient[a->recipient_len] == 0);
  snprintf(tb_lines[tb_n++], 512, "%s %s %s %s %s%s", a->as_of, k, m, r, a->status ? a->status : "?",
           terminated ? "" : " UNTERMINATED");
  return 0;
}

static const char *tb_joined(void) {
  static char out[TB_MAX * 512];
  out[0] = 0;
  for (int i = 0; i < tb_n; i++) {
    strcat(out, tb_lines[i]);
    strcat(out, "\n");
  }
  return out;
}

static int tb_expect(const char *want) {
  const char *got = tb_joined();
  if (strcmp(got, want) == 0) return 1;
  printf("\nexpected:\n%sgot:\n%s", want, got);
  return 0;
}

/* One column of a query over the test database, rows joined by '\n'. */
static const char *tb_query(const char *sql) {
  static char out[8192];
  out[0] = 0;
  sqlite3 *db = NULL;
  sqlite3_stmt *st = NULL;
  if (sqlite3_open(th_db_path(), &db) == SQLITE_OK && sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK)
    while (sqlite3_step(st) == SQLITE_ROW) {
      const char *t = (const char *)sqlite3_column_text(st, 0);
      strncat(out, t ? t : "NULL", sizeof out - strlen(out) - 2);
      strcat(out, "\n");
    }
  else
    printf("\nquery failed: %s\n", db ? sqlite3_errmsg(db) : "?");
  sqlite3_finalize(st);
  sqlite3_close(db);
  return out;
}

static const char *const nul_data =
  "CREATE TABLE s(k TEXT, d DATE, v TEXT);"
  "INSERT INTO s VALUES ('a'||char(0)||'b'||char(0)||'b', '2025-01-01', 'x'),"
  " ('a'||char(0)||'c', '2025-01-01', 'y'),"
  " ('a', '2025-01-01', 'ok'||char(0)||'secret'),"
  " (x'00414243', '2025-01-01', 'z');";

static const char *const nul_rules =
  "pack nul\n"
  "source s { table s key k time d }\n"
  "rule r on s {\n"
  "  red when true\n"
  "  message \"v={v}\"\n"
  "  notify k\n"
  "}\n";

static int run_nul(const char *as_of, int dry) {
  vg_program *p = th_compile("nul.rules", nul_rules, NULL);
  if (!p) return -1;
  tb_n = 0;
  th_clear_diags();
  vg_run_opts o = {.db_path = th_db_path(), .as_of = as_of, .dry_run = dry, .diag = th_on_diag, .alert = tb_on_alert};
  vg_status st = vg_run((const vg_program *const *)&p, 1, &o);
  vg_free_program(p);
  return (int)st;
}

/* 'a' (61), 'a\0b\0b', 'a\0c' and x'00414243': four keys, four alerts, whole. */
static const char *const nul_want_day2 =
  "2025-01-02 61 763D6F6B00736563726574 61 new\n"
  "2025-01-02 6100620062 763D78 6100620062 new\n"
  "2025-01-02 610063 763D79 610063 new\n"
  "2025-01-02 00414243 763D7A 00414243 new\n";

static void test_nul_keys_and_messages(void) {
  CU_ASSERT_EQUAL_FATAL(th_make_db(nul_data), 0);
  CU_ASSERT_EQUAL(run_nul("2025-01-02", 0), VG_OK);
  CU_ASSERT(tb_expect(nul_want_day2));
  CU_ASSERT_STRING_EQUAL(tb_query("SELECT hex(key) || ' ' || hex(message) || ' ' || hex(recipient) FROM vigil_alerts"
                                  " ORDER BY rowid"),
                         "61 763D6F6B00736563726574 61\n6100620062 763D78 6100620062\n610063 763D79 610063\n"
                         "00414243 763D7A 00414243\n");
  /* the next night: each of the four is the same alert, still open */
  CU_ASSERT_EQUAL(run_nul("2025-01-03", 0), VG_OK);
  CU_ASSERT_STRING_EQUAL(tb_query("SELECT hex(key) || ' ' || status || ' ' || runs FROM vigil_alerts WHERE as_of = '2025-01-03'"
                                  " ORDER BY rowid"),
                         "61 ongoing 2\n6100620062 ongoing 2\n610063 ongoing 2\n00414243 ongoing 2\n");
}

/* A dry run hands over the same texts. */
static void test_nul_dry_run(void) {
  CU_ASSERT_EQUAL_FATAL(th_make_db(nul_data), 0);
  CU_ASSERT_EQUAL(run_nul("2025-01-02", 1), VG_OK);
  CU_ASSERT(tb_expect(nul_want_day2));
}

/* Alerts set aside in the temporary table (a one-byte budget: every key
** spills) keep their bytes; a recorded backtest too. */
static void test_nul_spilled_backtest(void) {
  CU_ASSERT_EQUAL_FATAL(th_make_db(nul_data), 0);
  vg_program *p = th_compile("nul.rules", nul_rules, NULL);
  CU_ASSERT_PTR_NOT_NULL_FATAL(p);
  size_t keep = exec_spill_bytes;
  exec_spill_bytes = 1;
  tb_n = 0;
  vg_backtest_opts o = {.db_path = th_db_path(), .from = "2025-01-02", .to = "2025-01-03", .record = 1,
                        .diag = th_on_diag, .alert = tb_on_alert};
  CU_ASSERT_EQUAL(vg_backtest((const vg_program *const *)&p, 1, &o), VG_OK);
  exec_spill_bytes = keep;
  vg_free_program(p);
  CU_ASSERT(tb_expect("2025-01-02 61 763D6F6B00736563726574 61 new\n"
                      "2025-01-02 6100620062 763D78 6100620062 new\n"
                      "2025-01-02 610063 763D79 610063 new\n"
                      "2025-01-02 00414243 763D7A 00414243 new\n"
                      "2025-01-03 61 763D6F6B00736563726574 61 ongoing\n"
                      "2025-01-03 6100620062 763D78 6100620062 ongoing\n"
                      "2025-01-03 610063 763D79 610063 ongoing\n"
                      "2025-01-03 00414243 763D7A 00414243 ongoing\n"));
  CU_ASSERT_STRING_EQUAL(tb_query("SELECT as_of || ' ' || hex(key) || ' ' || hex(message) FROM vigil_backtest ORDER BY rowid"),
                         "2025-01-02 61 763D6F6B00736563726574\n2025-01-02 6100620062 763D78\n2025-01-02 610063 763D79\n"
                         "2025-01-02 00414243 763D7A\n2025-01-03 61 763D6F6B00736563726574\n2025-01-03 6100620062 763D78\n"
                         "2025-01-03 610063 763D79\n2025-01-03 00414243 763D7A\n");
}

/* A key with NUL, ESC and a byte that is not UTF-8 in a bad-data warning's
** example: shown escaped, never raw. */
static void test_nul_in_warning_example(void) {
  const char *sql =
    "CREATE TABLE s(k TEXT, d DATE, v REAL);"
    "INSERT INTO s VALUES ('q'||char(0)||char(27)||'[2J'||cast(x'ff' AS TEXT), '2025-01-01', 'not a number');";
  const char *rules = "source s { table s key k time d }\nrule r on s { red when v > 1 }\n";
  CU_ASSERT_EQUAL(th_run_on(sql, rules, "2025-01-02"), VG_OK);
  CU_ASSERT(th_diag_has("(e.g. key q\\0\\x1b[2J\\xff)"));
  int raw = 0;
  for (const char *c = th_diags; *c; c++) raw |= (*c == 27);
  CU_ASSERT_FALSE(raw);
}

/* lower()/upper() of a text longer than the VM's 512-byte scratch, and
** {x:pct} of a text in a column of no declared type: the whole text. */
static char *tb_msg;
static size_t tb_msg_len;
static int tb_keep_message(void *ud, const vg_alert *a) {
  (void)ud;
  free(tb_msg);
  tb_msg = malloc(a->message_len + 1);
  if (tb_msg) memcpy(tb_msg, a->message, a->message_len + 1);
  tb_msg_len = a->message_len;
  return 0;
}

static void test_long_text_functions(void) {
  char sql[3000];
  char big[1001];
  memset(big, 'A', 1000);
  big[1000] = 0;
  snprintf(sql, sizeof sql, "CREATE TABLE s(k INTEGER, d DATE, v TEXT, w); INSERT INTO s VALUES (1, '2025-01-01', '%s', '%s');",
           big, big);
  CU_ASSERT_EQUAL_FATAL(th_make_db(sql), 0);
  const char *rules = "source s { table s key k time d }\n"
                      "rule r on s { red when lower(v) is not null message \"{lower(v)}|{w:pct}\" }\n";
  vg_program *p = th_compile("t.rules", rules, NULL);
  CU_ASSERT_PTR_NOT_NULL_FATAL(p);
  tb_msg_len = 0;
  vg_run_opts o = {.db_path = th_db_path(), .as_of = "2025-01-02", .dry_run = 1, .diag = th_on_diag, .alert = tb_keep_message};
  CU_ASSERT_EQUAL(vg_run((const vg_program *const *)&p, 1, &o), VG_OK);
  vg_free_program(p);
  CU_ASSERT_EQUAL_FATAL(tb_msg_len, 2001);
  CU_ASSERT_PTR_NOT_NULL_FATAL(tb_msg);
  int ok = tb_msg[1000] == '|';
  for (int i = 0; i < 1000; i++) ok &= tb_msg[i] == 'a' && tb_msg[1001 + i] == 'A';
  CU_ASSERT(ok);
  free(tb_msg);
  tb_msg = NULL;
}

/* lib_show_text: the one rule for data quoted in a diagnostic. */
static void test_show_text(void) {
  char buf[64];
  lib_show_text("ab", 2, buf, sizeof buf);
  CU_ASSERT_STRING_EQUAL(buf, "ab");
  lib_show_text("a\0b", 3, buf, sizeof buf);
  CU_ASSERT_STRING_EQUAL(buf, "a\\0b");
  lib_show_text("\x1b]0;owned\x07", 10, buf, sizeof buf);
  CU_ASSERT_STRING_EQUAL(buf, "\\x1b]0;owned\\x07");
  lib_show_text("r\xc3\xa9sum\xc3\xa9", 8, buf, sizeof buf); /* UTF-8 as it is */
  CU_ASSERT_STRING_EQUAL(buf, "r\xc3\xa9sum\xc3\xa9");
  lib_show_text("\xc2\x9b" "31m", 5, buf, sizeof buf); /* C1 CSI */
  CU_ASSERT_STRING_EQUAL(buf, "\\xc2\\x9b31m");
  lib_show_text("\xc0\xaf\xed\xa0\x80\xf4\x90\x80\x80\xe2\x82", 11, buf, sizeof buf); /* overlong, surrogate, > U+10FFFF, cut */
  CU_ASSERT_STRING_EQUAL(buf, "\\xc0\\xaf\\xed\\xa0\\x80\\xf4\\x90\\x80\\x80\\xe2\\x82");
  lib_show_text("\x7f\r\n\t", 4, buf, sizeof buf);
  CU_ASSERT_STRING_EQUAL(buf, "\\x7f\\x0d\\x0a\\x09");
  /* too long: cut at a character boundary, with ... */
  char small[12];
  lib_show_text("abcdefghijklmnop", 16, small, sizeof small);
  CU_ASSERT_STRING_EQUAL(small, "abcdefgh...");
  lib_show_text("\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9", 12, small, sizeof small);
  CU_ASSERT_STRING_EQUAL(small, "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9...");
  lib_show_text("\x01\x02\x03\x04", 4, small, sizeof small);
  CU_ASSERT_STRING_EQUAL(small, "\\x01\\x02...");
  lib_show_text("abcdefghijk", 11, small, sizeof small); /* exactly fits */
  CU_ASSERT_STRING_EQUAL(small, "abcdefghijk");
  CU_ASSERT_EQUAL(lib_utf8_seq((const unsigned char *)"\xf0\x9f\x98\x80", 4), 4);
  CU_ASSERT_EQUAL(lib_utf8_seq((const unsigned char *)"\xf0\x9f\x98", 3), 0);
  CU_ASSERT_EQUAL(lib_utf8_seq((const unsigned char *)"\x80", 1), 0);
}

int unit_register_bytes(void) {
  CU_pSuite s = CU_add_suite("bytes", NULL, th_cleanup);
  if (!s) return (int)CU_get_error();
  static const struct { const char *name; void (*fn)(void); } tests[] = {
    {"keys and messages with NUL bytes: whole, distinct, recorded, ongoing", test_nul_keys_and_messages},
    {"a dry run hands over the whole texts", test_nul_dry_run},
    {"spilled alerts and a recorded backtest keep the bytes", test_nul_spilled_backtest},
    {"data quoted in a warning is shown escaped", test_nul_in_warning_example},
    {"text functions and formats never cut long text", test_long_text_functions},
    {"lib_show_text", test_show_text},
  };
  for (size_t i = 0; i < sizeof tests / sizeof *tests; i++)
    if (!CU_add_test(s, tests[i].name, tests[i].fn)) return (int)CU_get_error();
  return CUE_SUCCESS;
}
