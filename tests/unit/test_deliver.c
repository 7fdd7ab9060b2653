/*
** test_deliver.c — vigil deliver (issue 17) against a real SMTP server on
** 127.0.0.1: tests/deliver/smtpd.py (Debian's python3-aiosmtpd), started by
** each test on a free port and stopped by it (and, should a test stop
** early, by the suite's cleanup).  tests/deliver/check_mail.py parses what
** arrived with Python's email module and compares it with the outbox.
**
** The SaaS demo's database (three nightly runs) is made once; each test
** copies it, stores digests with `vigil digest --outbox` and delivers them
** with the built binary.
*/
#include <CUnit/CUnit.h>
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "pgtest.h"
#include "unit.h"

#define PY "/usr/bin/python3"

static char tdir[256];          /* the suite's temporary folder */
static pid_t servers[16];       /* running test servers, stopped by the cleanup too */
static int nservers;

/* Runs the command (printf-style) with sh; stdout and stderr into
** tdir/out, tdir/err.  The exit status, -1 when it did not exit. */
static int sh(const char *fmt, ...)
#if defined(__GNUC__)
  __attribute__((format(printf, 1, 2)))
#endif
  ;
static int sh(const char *fmt, ...) {
  char cmd[4096], out[300], err[300];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(cmd + 2, sizeof cmd - 8, fmt, ap);
  va_end(ap);
  if (n < 0 || (size_t)n >= sizeof cmd - 8) return -1;
  /* { ... } so the redirections take the whole list */
  memcpy(cmd, "{ ", 2);
  memcpy(cmd + 2 + n, "\n}", 3);
  snprintf(out, sizeof out, "%s/out", tdir);
  snprintf(err, sizeof err, "%s/err", tdir);
  return pgt_sh(cmd, out, err);
}

/* The last command's stdout (which 'o') or stderr; malloc'd, "" when unreadable. */
static char *output(char which) {
  char p[300];
  snprintf(p, sizeof p, "%s/%s", tdir, which == 'o' ? "out" : "err");
  char *s = tu_slurp(p, NULL);
  return s ? s : calloc(1, 1);
}

static int has(char which, const char *needle) {
  char *s = output(which);
  int r = strstr(s, needle) != NULL;
  if (!r) pgt_fail("expected '%s' in the output:\n%s%s", needle, s, "");
  free(s);
  return r;
}

/* The first column of the first row of sql on db, as text (malloc'd; "" for none). */
static char *q(const char *db, const char *sql) {
  sqlite3 *h = NULL;
  sqlite3_stmt *st = NULL;
  char *r = NULL;
  if (sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
      sqlite3_prepare_v2(h, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW &&
      sqlite3_column_text(st, 0))
    r = strdup((const char *)sqlite3_column_text(st, 0));
  sqlite3_finalize(st);
  sqlite3_close(h);
  return r ? r : calloc(1, 1);
}

#define Q_EQ(db, sql, want)                                         \
  do {                                                              \
    char *got_ = q(db, sql);                                        \
    if (strcmp(got_, want) != 0) pgt_fail("%s: got '%s', want '%s'", sql, got_, want); \
    else CU_PASS(sql);                                              \
    free(got_);                                                     \
  } while (0)

/* Does b[0..n) (any bytes) hold s? */
static int contains(const char *b, size_t n, const char *s) {
  size_t k = strlen(s);
  for (size_t i = 0; i + k <= n; i++)
    if (memcmp(b + i, s, k) == 0) return 1;
  return 0;
}

/* Mails the server saved in dir/mail. */
static int count_mail(const char *dir) {
  char p[400];
  snprintf(p, sizeof p, "%s/mail", dir);
  DIR *d = opendir(p);
  int n = 0;
  struct dirent *e;
  while (d && (e = readdir(d)))
    if (strstr(e->d_name, ".eml") && !strstr(e->d_name, ".tmp")) n++;
  if (d) closedir(d);
  return n;
}

static void stop_server(pid_t pid) {
  if (pid <= 0) return;
  kill(pid, SIGTERM);
  for (int i = 0; i < 100; i++) {
    if (waitpid(pid, NULL, WNOHANG) == pid) goto gone;
    usleep(50000);
  }
  kill(pid, SIGKILL);
  waitpid(pid, NULL, 0);
gone:
  for (int i = 0; i < nservers; i++)
    if (servers[i] == pid) servers[i] = servers[--nservers];
}

/* Start tests/deliver/SCRIPT saving into dir/SUB with the extra options;
** its port in *port.  The pid, or -1 (reported). */
static pid_t start_server(const char *script, const char *sub, const char *dir, const char *extra, int *port) {
  char pf[300], cmd[2048];
  snprintf(pf, sizeof pf, "%s/port", dir);
  unlink(pf);
  snprintf(cmd, sizeof cmd, "mkdir -p '%s/%s' && exec %s %s/tests/deliver/%s --dir '%s/%s' --port-file '%s' %s >'%s/server.log' 2>&1",
           dir, sub, PY, tu_root(), script, dir, sub, pf, extra, dir);
  pid_t pid = fork();
  if (pid == 0) {
    execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
    _exit(127);
  }
  if (pid < 0) { CU_FAIL("fork"); return -1; }
  servers[nservers++] = pid;
  for (int i = 0; i < 300; i++) {
    char *p = tu_slurp(pf, NULL);
    if (p) {
      *port = atoi(p);
      free(p);
      return pid;
    }
    if (waitpid(pid, NULL, WNOHANG) == pid) break;
    usleep(50000);
  }
  char log[400];
  snprintf(log, sizeof log, "%s/server.log", dir);
  char *l = tu_slurp(log, NULL);
  pgt_fail("the test server did not start (%s; smtpd.py needs python3-aiosmtpd for /usr/bin/python3):\n%s%s", cmd, l ? l : "", "");
  free(l);
  stop_server(pid);
  return -1;
}

static pid_t start_smtp(const char *dir, const char *extra, int *port) { return start_server("smtpd.py", "mail", dir, extra, port); }
static pid_t start_hook(const char *dir, const char *extra, int *port) { return start_server("hookd.py", "hooks", dir, extra, port); }

/* A test's folder tdir/name with mail/ and the demo database copied as
** db; its path in dir (room for 300). */
static int setup(const char *name, char *dir) {
  snprintf(dir, 300, "%s/%s", tdir, name);
  return sh("rm -rf '%s' && mkdir -p '%s/mail' && cp '%s/base.db' '%s/db'", dir, dir, tdir, dir);
}

/* The configuration: [deliver] with short waits, [smtp] at port, then extra. */
static void write_conf(const char *dir, int port, const char *deliver, const char *smtp, const char *rest) {
  char p[400];
  snprintf(p, sizeof p, "%s/deliver.conf", dir);
  FILE *f = fopen(p, "w");
  if (!f) { CU_FAIL("cannot write the configuration"); return; }
  fprintf(f, "# test configuration\n[deliver]\nbackoff = 0.01\nbackoff_max = 0.05\n%s\n[smtp]\nurl = smtp://127.0.0.1:%d\n"
             "from = Vigil Alerts <vigil@example.com>\ntimeout = 10\n%s\n%s", deliver, port, smtp, rest);
  fclose(f);
}

/* Store the digests of the latest run (markdown and html) and give every
** recipient an address in vigil_recipients but `except` (NULL: none). */
static int outbox(const char *dir, const char *except) {
  return sh("V=%s; D='%s/db'; $V digest --db $D --format markdown --outbox && $V digest --db $D --format html --outbox &&"
            " sqlite3 $D \"CREATE TABLE IF NOT EXISTS vigil_recipients(person TEXT PRIMARY KEY, address TEXT, channel TEXT);"
            " INSERT OR REPLACE INTO vigil_recipients SELECT DISTINCT recipient, 'p' || recipient || '@example.com', NULL"
            " FROM vigil_outbox WHERE recipient IS NOT NULL AND recipient IS NOT '%s'\"",
            tu_vigil(), dir, except ? except : "");
}

static int deliver(const char *dir, const char *opts) {
  return sh("%s deliver --db '%s/db' --config '%s/deliver.conf' %s", tu_vigil(), dir, dir, opts);
}

static int check_mail(const char *dir, const char *opts) {
  return sh("%s %s/tests/deliver/check_mail.py %s '%s/mail' '%s/db'", PY, tu_root(), opts, dir, dir);
}

/* ---- every message once, as valid MIME ------------------------------------- */

static void test_all_once(void) {
  char dir[300], db[320];
  CU_ASSERT_EQUAL_FATAL(setup("once", dir), 0);
  snprintf(db, sizeof db, "%s/db", dir);
  CU_ASSERT_EQUAL_FATAL(outbox(dir, NULL), 0);
  int port;
  pid_t pid = start_smtp(dir, "", &port);
  if (pid < 0) return;
  write_conf(dir, port, "", "starttls = no", "");
  /* --dry-run and --check send and write nothing */
  CU_ASSERT_EQUAL(deliver(dir, "--dry-run"), 0);
  CU_ASSERT(has('o', "would send vigil-3-"));
  CU_ASSERT(has('o', "  Message-ID: <vigil-3-"));
  CU_ASSERT(has('o', "parts: text/plain ("));
  CU_ASSERT(has('e', "vigil: 24 messages: 24 would be sent, 0 sent before, 0 failed, 0 without an address"));
  CU_ASSERT_EQUAL(deliver(dir, "--check"), 0);
  CU_ASSERT_EQUAL(count_mail(dir), 0);
  Q_EQ(db, "SELECT count(*) FROM sqlite_master WHERE name = 'vigil_delivery'", "0");
  /* the delivery */
  CU_ASSERT_EQUAL(deliver(dir, ""), 0);
  CU_ASSERT(has('e', "vigil: 24 messages: 24 sent, 0 sent before, 0 failed, 0 without an address"));
  CU_ASSERT(has('o', "sent vigil-3-"));
  CU_ASSERT_EQUAL(count_mail(dir), 24);
  Q_EQ(db, "SELECT count(*) FROM vigil_delivery WHERE status = 'sent' AND attempts = 1 AND answer LIKE '250 %'"
           " AND sent_at LIKE '20%Z' AND channel = 'smtp'", "24");
  CU_ASSERT_EQUAL(check_mail(dir, ""), 0);
  CU_ASSERT(has('o', "ok 24"));
  /* again: nothing is sent twice */
  CU_ASSERT_EQUAL(deliver(dir, ""), 0);
  CU_ASSERT(has('e', "24 messages: 0 sent, 24 sent before"));
  /* the digests stored again (the outbox rows replaced): still sent */
  CU_ASSERT_EQUAL(outbox(dir, NULL), 0);
  CU_ASSERT_EQUAL(deliver(dir, ""), 0);
  CU_ASSERT(has('e', "24 messages: 0 sent, 24 sent before"));
  CU_ASSERT_EQUAL(count_mail(dir), 24);
  /* another run's digests are other messages */
  CU_ASSERT_EQUAL(sh("%s digest --db '%s' --run 2 --format text --outbox", tu_vigil(), db), 0);
  CU_ASSERT_EQUAL(deliver(dir, "--run 2"), 0);
  int n2 = count_mail(dir) - 24;
  CU_ASSERT(n2 > 0);
  CU_ASSERT_EQUAL(check_mail(dir, ""), 0);
  stop_server(pid);
}

/* ---- retries, failures ---------------------------------------------------------- */

/* One message: 9012's digest of the latest run. */
static int one_message(const char *dir) {
  return sh("%s digest --db '%s/db' --format markdown --to 9012 --outbox", tu_vigil(), dir);
}

static void test_fail_twice(void) {
  char dir[300], db[320];
  CU_ASSERT_EQUAL_FATAL(setup("twice", dir), 0);
  snprintf(db, sizeof db, "%s/db", dir);
  CU_ASSERT_EQUAL_FATAL(one_message(dir), 0);
  int port;
  pid_t pid = start_smtp(dir, "--fail 2", &port);
  if (pid < 0) return;
  write_conf(dir, port, "attempts = 4", "starttls = no", "[people]\n9012 = boss@example.com\n");
  CU_ASSERT_EQUAL(deliver(dir, ""), 0);
  CU_ASSERT(has('e', "attempt 1 failed: "));
  CU_ASSERT(has('e', "451 4.3.0 try again later; trying again"));
  CU_ASSERT(has('o', "to boss@example.com (9012), attempt 3: 250 2.0.0 queued as 0001"));
  CU_ASSERT_EQUAL(count_mail(dir), 1);
  Q_EQ(db, "SELECT status || ' ' || attempts || ' ' || (last_error LIKE '%451%') FROM vigil_delivery", "sent 3 1");
  CU_ASSERT_EQUAL(check_mail(dir, ""), 0);
  stop_server(pid);
}

static void test_fail_always(void) {
  char dir[300], db[320];
  CU_ASSERT_EQUAL_FATAL(setup("always", dir), 0);
  snprintf(db, sizeof db, "%s/db", dir);
  CU_ASSERT_EQUAL_FATAL(one_message(dir), 0);
  int port;
  pid_t pid = start_smtp(dir, "--fail-always", &port);
  if (pid < 0) return;
  write_conf(dir, port, "attempts = 3", "starttls = no", "[people]\n9012 = boss@example.com\n");
  CU_ASSERT_EQUAL(deliver(dir, ""), 1);
  CU_ASSERT(has('e', "9012 to boss@example.com failed after 3 attempts: "));
  CU_ASSERT(has('e', "[E-send-failed]"));
  CU_ASSERT(has('e', "1 message: 0 sent, 0 sent before, 1 failed, 0 without an address"));
  Q_EQ(db, "SELECT status || ' ' || attempts || ' ' || (last_error LIKE '%451 4.3.0%') FROM vigil_delivery", "failed 3 1");
  /* failed stays failed, and is reported, until --retry-failed */
  CU_ASSERT_EQUAL(deliver(dir, ""), 1);
  CU_ASSERT(has('e', "failed before (3 attempts); --retry-failed tries again"));
  Q_EQ(db, "SELECT attempts FROM vigil_delivery", "3");
  stop_server(pid);
  pid = start_smtp(dir, "", &port);
  if (pid < 0) return;
  write_conf(dir, port, "attempts = 3", "starttls = no", "[people]\n9012 = boss@example.com\n");
  CU_ASSERT_EQUAL(deliver(dir, "--retry-failed"), 0);
  Q_EQ(db, "SELECT status || ' ' || attempts FROM vigil_delivery", "sent 4");
  CU_ASSERT_EQUAL(count_mail(dir), 1);
  stop_server(pid);
  /* nothing listening: a connection error, failed */
  write_conf(dir, port, "attempts = 2", "starttls = no", "[people]\n9012 = boss@example.com\n");
  CU_ASSERT_EQUAL(sh("sqlite3 '%s' 'DELETE FROM vigil_delivery'", db), 0);
  CU_ASSERT_EQUAL(deliver(dir, ""), 1);
  CU_ASSERT(has('e', "failed after 2 attempts: "));
}

/* ---- addresses and configuration -------------------------------------------------- */

static void test_no_address(void) {
  char dir[300], db[320];
  CU_ASSERT_EQUAL_FATAL(setup("noaddr", dir), 0);
  snprintf(db, sizeof db, "%s/db", dir);
  CU_ASSERT_EQUAL_FATAL(outbox(dir, "9005"), 0);
  int port;
  pid_t pid = start_smtp(dir, "", &port);
  if (pid < 0) return;
  write_conf(dir, port, "", "starttls = no", "");
  CU_ASSERT_EQUAL(deliver(dir, "--check"), 1);
  CU_ASSERT(has('e', ": 9005 has no address (not in [people] of the configuration, vigil_recipients or the org chart's email and chat);"
                     " the digest stays pending [E-no-address]"));
  CU_ASSERT(has('e', "24 messages: 23 ready, 0 sent before, 0 failed, 1 without an address"));
  CU_ASSERT_EQUAL(count_mail(dir), 0);
  /* the others are sent; 9005's stays pending, reported every time */
  CU_ASSERT_EQUAL(deliver(dir, ""), 1);
  CU_ASSERT(has('e', "9005 has no address"));
  CU_ASSERT_EQUAL(count_mail(dir), 23);
  Q_EQ(db, "SELECT count(*) FROM vigil_delivery WHERE recipient = '9005'", "0");
  /* given one in the configuration, it goes */
  write_conf(dir, port, "", "starttls = no", "[people]\n9005 = smtp:robin@example.com\n");
  CU_ASSERT_EQUAL(deliver(dir, ""), 0);
  CU_ASSERT(has('o', "to robin@example.com (9005), attempt 1"));
  CU_ASSERT_EQUAL(count_mail(dir), 24);
  CU_ASSERT_EQUAL(check_mail(dir, ""), 0);
  /* a digest without a recipient goes to [deliver] unrouted, or is reported */
  CU_ASSERT_EQUAL(sh("sqlite3 '%s' \"INSERT INTO vigil_outbox(run_id, recipient, subject, body, format, created)"
                     " VALUES (3, NULL, 'Vigil saas 2025-06-30: 1 red without a recipient', 'body', 'text', 'x')\"", db), 0);
  CU_ASSERT_EQUAL(deliver(dir, ""), 1);
  CU_ASSERT(has('e', "(alerts without a recipient) has no address ([deliver] unrouted is not set)"));
  write_conf(dir, port, "unrouted = ops@example.com", "starttls = no", "[people]\n9005 = smtp:robin@example.com\n");
  CU_ASSERT_EQUAL(deliver(dir, ""), 0);
  CU_ASSERT(has('o', "to ops@example.com (alerts without a recipient)"));
  /* a bad address in the table is reported, not sent to */
  CU_ASSERT_EQUAL(sh("sqlite3 '%s' \"UPDATE vigil_recipients SET address = 'x@y' WHERE person = '9002'; DELETE FROM"
                     " vigil_delivery WHERE recipient = '9002'\"", db), 0);
  CU_ASSERT_EQUAL(deliver(dir, "--check"), 1);
  CU_ASSERT(has('e', "9002's address 'x@y' is not a mail address"));
  stop_server(pid);
}

/* Addresses from the org chart (org { email email } in the demo pack):
** used when neither [people] nor vigil_recipients names the person. */
static void test_org_address(void) {
  char dir[300], db[320];
  CU_ASSERT_EQUAL_FATAL(setup("orgaddr", dir), 0);
  snprintf(db, sizeof db, "%s/db", dir);
  CU_ASSERT_EQUAL_FATAL(sh("V=%s; D='%s/db'; $V digest --db $D --format markdown --outbox && $V digest --db $D --format html --outbox",
                           tu_vigil(), dir), 0);
  int port;
  pid_t pid = start_smtp(dir, "", &port);
  if (pid < 0) return;
  write_conf(dir, port, "", "starttls = no", "");
  CU_ASSERT_EQUAL(deliver(dir, "--check"), 1);
  CU_ASSERT(has('o', " to riley.ibarra@example.com (9012): "));
  /* Robin Reyes (9005) has no email in the chart: reported */
  CU_ASSERT(has('e', ": 9005 has no address (not in [people] of the configuration, vigil_recipients or the org chart's"
                     " email and chat); the digest stays pending [E-no-address]"));
  /* vigil_recipients comes before the chart, [people] before both */
  CU_ASSERT_EQUAL(sh("sqlite3 '%s' \"CREATE TABLE vigil_recipients(person TEXT PRIMARY KEY, address TEXT, channel TEXT);"
                     " INSERT INTO vigil_recipients VALUES ('9012', 'table@example.com', NULL)\"", db), 0);
  CU_ASSERT_EQUAL(deliver(dir, "--check"), 1);
  CU_ASSERT(has('o', " to table@example.com (9012): "));
  write_conf(dir, port, "", "starttls = no", "[people]\n9012 = conf@example.com\n9005 = robin@example.com\n");
  CU_ASSERT_EQUAL(deliver(dir, "--check"), 0);
  CU_ASSERT(has('o', " to conf@example.com (9012): "));
  CU_ASSERT_EQUAL(sh("sqlite3 '%s' 'DROP TABLE vigil_recipients'", db), 0);
  write_conf(dir, port, "", "starttls = no", "[people]\n9005 = robin@example.com\n");
  CU_ASSERT_EQUAL(deliver(dir, ""), 0);
  CU_ASSERT_EQUAL(count_mail(dir), 24);
  Q_EQ(db, "SELECT address FROM vigil_delivery WHERE recipient = '9012'", "riley.ibarra@example.com");
  Q_EQ(db, "SELECT count(*) FROM vigil_delivery WHERE status = 'sent' AND address LIKE '%.%@example.com'", "23");
  CU_ASSERT_EQUAL(check_mail(dir, ""), 0);
  stop_server(pid);
  /* a chat column: the pack with `chat chat`, a run that records it; with
  ** both, the [deliver] channel's kind is used */
  CU_ASSERT_EQUAL(sh("cp -r %s/examples/saas '%s/pack' && sed -i 's/^  email   email$/  email   email\\n  chat    chat/' '%s/pack/00-saas.rules' &&"
                     " sqlite3 '%s' \"ALTER TABLE org_chart ADD COLUMN chat TEXT; UPDATE org_chart SET chat = 'team' WHERE person_id = 9012\" &&"
                     " %s run --db '%s' --as-of 2025-07-01 '%s/pack' >/dev/null 2>&1; %s digest --db '%s' --format text --to 9012 --outbox",
                     tu_root(), dir, dir, db, tu_vigil(), db, dir, tu_vigil(), db), 0);
  Q_EQ(db, "SELECT count(*) > 0 FROM vigil_alerts WHERE run_id = 4 AND route LIKE '%\"chat\":\"team\"%'", "1");
  write_conf(dir, port, "", "starttls = no", "[webhook team]\nurl = http://127.0.0.1:9/hook\n");
  CU_ASSERT_EQUAL(deliver(dir, "--check --run 4"), 0);
  CU_ASSERT(has('o', " to riley.ibarra@example.com (9012): "));
  write_conf(dir, port, "channel = webhook:team", "starttls = no", "[webhook team]\nurl = http://127.0.0.1:9/hook\n");
  CU_ASSERT_EQUAL(deliver(dir, "--check --run 4"), 0);
  CU_ASSERT(has('o', " to webhook team (9012): "));
}

/* The end of `make demo` (tests/deliver/demo.sh): its own SMTP server, the
** digests delivered, one shown as received, 9005's reported; exit 0. */
static void test_demo_script(void) {
  char dir[300], db[320];
  CU_ASSERT_EQUAL_FATAL(setup("demo", dir), 0);
  snprintf(db, sizeof db, "%s/db", dir);
  CU_ASSERT_EQUAL_FATAL(sh("V=%s; D='%s'; $V digest --db $D --format text --outbox && $V digest --db $D --format html --outbox",
                           tu_vigil(), db), 0);
  CU_ASSERT_EQUAL(sh("sh %s/tests/deliver/demo.sh %s '%s' '%s'", tu_root(), tu_vigil(), db, dir), 0);
  CU_ASSERT(has('e', "vigil: 24 messages: 23 sent, 0 sent before, 0 failed, 1 without an address"));
  CU_ASSERT(has('e', "vigil: error: 9005 has no address"));
  CU_ASSERT(has('o', "# one of them as the server received it ("));
  CU_ASSERT(has('o', "  To: lee.haddad@example.com\n"));
  CU_ASSERT(has('o', "  parts: text/plain ("));
  CU_ASSERT(has('o', "), text/html ("));
  CU_ASSERT(has('o', "  | Vigil digest for Lee Haddad (9002)\n"));
  CU_ASSERT_EQUAL(count_mail(dir), 23);
  /* the server is gone: nothing listens on its port any more */
  CU_ASSERT_EQUAL(sh("%s -c \"import socket, sys; sys.exit(socket.socket().connect_ex(('127.0.0.1', int(open('%s/port').read()))) == 0)\"",
                     PY, dir), 0);
  /* delivered: again sends nothing */
  CU_ASSERT_EQUAL(sh("sh %s/tests/deliver/demo.sh %s '%s' '%s'", tu_root(), tu_vigil(), db, dir), 1);
  CU_ASSERT(has('e', "demo: no mail arrived"));
}

static void test_config_errors(void) {
  char dir[300];
  CU_ASSERT_EQUAL_FATAL(setup("config", dir), 0);
  CU_ASSERT_EQUAL_FATAL(one_message(dir), 0);
  write_conf(dir, 25, "attempts = 0\nchannel = pigeon", "password = hunter2\nstarttls = maybe",
             "[people]\n9012 = not-an-address\n[slack]\n");
  CU_ASSERT_EQUAL(deliver(dir, "--check"), 1);
  CU_ASSERT(has('e', "/deliver.conf:5:12: error: attempts = 0: a number from 1 to 100 [E-deliver-config]"));
  CU_ASSERT(has('e', "/deliver.conf:6:11: error: channel = pigeon: the channels are: smtp, webhook:NAME [E-deliver-config]"));
  CU_ASSERT(has('e', "/deliver.conf:11:1: error: no password in the configuration file: password_env = VARIABLE or"
                     " password_file = PATH [E-deliver-config]"));
  CU_ASSERT(has('e', "/deliver.conf:12:12: error: starttls = maybe: required, try or no"));
  CU_ASSERT(has('e', "/deliver.conf:14:8: error: 9012 = not-an-address: not a mail address"));
  CU_ASSERT(has('e', "/deliver.conf:15:1: error: unknown section [slack]"));
  char *e = output('e');
  CU_ASSERT(strstr(e, "hunter2") == NULL);
  free(e);
  /* a user without a password, an unset variable; the command line */
  write_conf(dir, 25, "", "user = vigil\npassword_env = VIGIL_TEST_UNSET_VARIABLE", "");
  CU_ASSERT_EQUAL(sh("unset VIGIL_TEST_UNSET_VARIABLE; %s deliver --db '%s/db' --config '%s/deliver.conf' --check",
                     tu_vigil(), dir, dir), 1);
  CU_ASSERT(has('e', "password_env = VIGIL_TEST_UNSET_VARIABLE: the environment variable is not set"));
  CU_ASSERT_EQUAL(sh("%s deliver --db '%s/db'", tu_vigil(), dir), 2);
  CU_ASSERT(has('e', "--config FILE is required"));
  CU_ASSERT_EQUAL(sh("%s deliver --db '%s/db' --config x --check --dry-run", tu_vigil(), dir), 2);
  CU_ASSERT_EQUAL(sh("%s deliver --db '%s/db' --config '%s/none.conf'", tu_vigil(), dir, dir), 1);
  CU_ASSERT(has('e', "none.conf: cannot read the configuration: No such file or directory [E-deliver-config]"));
}

/* ---- STARTTLS and AUTH; the secret goes nowhere ---------------------------------- */

static void test_tls_auth(void) {
  char dir[300], db[320];
  CU_ASSERT_EQUAL_FATAL(setup("tls", dir), 0);
  snprintf(db, sizeof db, "%s/db", dir);
  CU_ASSERT_EQUAL_FATAL(outbox(dir, NULL), 0);
  CU_ASSERT_EQUAL_FATAL(sh("cd '%s' && openssl req -x509 -newkey rsa:2048 -nodes -keyout key.pem -out cert.pem -days 1"
                           " -subj /CN=localhost -addext subjectAltName=IP:127.0.0.1", dir), 0);
  const char *secret = "S3cr3t-Pa55-x9q";
  char extra[700], smtp[1200];
  snprintf(extra, sizeof extra, "--tls '%s/cert.pem' '%s/key.pem' --auth vigil:%s", dir, dir, secret);
  int port;
  pid_t pid = start_smtp(dir, extra, &port);
  if (pid < 0) return;
  /* a wrong password: refused, and neither password shows */
  snprintf(smtp, sizeof smtp, "starttls = required\ncacert = %s/cert.pem\nuser = vigil\npassword_env = VIGIL_TEST_PW", dir);
  write_conf(dir, port, "attempts = 1", smtp, "[people]\n9012 = boss@example.com\n");
  CU_ASSERT_EQUAL(sh("VIGIL_TEST_PW=wrong-Pa55 %s deliver --db '%s/db' --config '%s/deliver.conf' --run 3",
                     tu_vigil(), dir, dir), 1);
  CU_ASSERT(has('e', "failed after 1 attempt: "));
  /* without TLS the server does not take the mail */
  write_conf(dir, port, "attempts = 1", "starttls = no", "");
  CU_ASSERT_EQUAL(sh("sqlite3 '%s' 'DELETE FROM vigil_delivery'", db), 0);
  CU_ASSERT_EQUAL(deliver(dir, ""), 1);
  CU_ASSERT_EQUAL(count_mail(dir), 0);
  /* the right one, from the environment */
  write_conf(dir, port, "attempts = 1", smtp, "");
  CU_ASSERT_EQUAL(sh("sqlite3 '%s' 'DELETE FROM vigil_delivery'", db), 0);
  CU_ASSERT_EQUAL(sh("VIGIL_TEST_PW='%s' %s deliver --db '%s/db' --config '%s/deliver.conf'", secret, tu_vigil(), dir, dir), 0);
  CU_ASSERT_EQUAL(count_mail(dir), 24);
  CU_ASSERT_EQUAL(check_mail(dir, ""), 0);
  char *o = output('o'), *e = output('e');
  CU_ASSERT(strstr(o, secret) == NULL && strstr(e, secret) == NULL);
  free(o);
  free(e);
  /* and from a file; --dry-run names the user, never the password */
  char pw[400];
  snprintf(pw, sizeof pw, "%s/pw", dir);
  FILE *f = fopen(pw, "w");
  if (f) { fprintf(f, "%s\n", secret); fclose(f); }
  snprintf(smtp, sizeof smtp, "starttls = required\ncacert = %s/cert.pem\nuser = vigil\npassword_file = %s", dir, pw);
  write_conf(dir, port, "attempts = 1", smtp, "");
  CU_ASSERT_EQUAL(sh("sqlite3 '%s' 'DELETE FROM vigil_delivery'", db), 0);
  CU_ASSERT_EQUAL(deliver(dir, "--dry-run"), 0);
  CU_ASSERT(has('o', " as vigil\n"));
  o = output('o');
  CU_ASSERT(strstr(o, secret) == NULL);
  free(o);
  CU_ASSERT_EQUAL(deliver(dir, ""), 0);
  CU_ASSERT_EQUAL(count_mail(dir), 48);
  /* the database never holds it */
  size_t n;
  char *bytes = tu_slurp(db, &n);
  CU_ASSERT_PTR_NOT_NULL(bytes);
  CU_ASSERT(bytes && !contains(bytes, n, secret));
  free(bytes);
  stop_server(pid);
  /* SMTPS is not served by the test server: a TLS handshake error, failed */
}

/* ---- SIGKILL at random points during 50 deliveries ------------------------------- */

static void test_sigkill(void) {
  char dir[300], db[320];
  CU_ASSERT_EQUAL_FATAL(setup("kill", dir), 0);
  snprintf(db, sizeof db, "%s/db", dir);
  /* 50 messages of their own, each to its own person */
  CU_ASSERT_EQUAL_FATAL(sh("sqlite3 '%s' \"CREATE TABLE vigil_outbox(id INTEGER PRIMARY KEY, run_id INTEGER, recipient TEXT,"
                           " subject TEXT NOT NULL, body TEXT NOT NULL, format TEXT NOT NULL, created TEXT NOT NULL);"
                           " CREATE TABLE vigil_recipients(person TEXT PRIMARY KEY, address TEXT, channel TEXT);"
                           " WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < 50)"
                           " INSERT INTO vigil_outbox(run_id, recipient, subject, body, format, created)"
                           " SELECT 7, 'p' || i, 'Vigil test: message ' || i || ' für Zoë', 'body ' || i, 'text', 'x' FROM k;"
                           " INSERT INTO vigil_recipients SELECT recipient, recipient || '@example.com', NULL FROM vigil_outbox\"",
                           db), 0);
  int port;
  /* 20 ms between saving a message and accepting it: a full run takes a
  ** second or more, so the kills below land in it, some in that window */
  pid_t pid = start_smtp(dir, "--delay 0.02", &port);
  if (pid < 0) return;
  write_conf(dir, port, "", "starttls = no", "");
  char conf[400];
  snprintf(conf, sizeof conf, "%s/deliver.conf", dir);
  srand((unsigned)time(NULL));
  int kills = 0, done = 0;
  for (int round = 0; round < 100 && !done; round++) {
    pid_t c = fork();
    if (c == 0) {
      int fd = open("/dev/null", 1);
      dup2(fd, 1);
      dup2(fd, 2);
      execl(tu_vigil(), "vigil", "deliver", "--db", db, "--config", conf, (char *)NULL);
      _exit(127);
    }
    usleep((useconds_t)(rand() % 300000));
    int st = 0;
    if (waitpid(c, &st, WNOHANG) == 0) {
      kill(c, SIGKILL);
      waitpid(c, &st, 0);
    }
    if (WIFSIGNALED(st)) kills++;
    else done = WIFEXITED(st) && WEXITSTATUS(st) == 0;
  }
  CU_ASSERT(kills >= 3);
  CU_ASSERT(done);
  if (!done) CU_ASSERT_EQUAL(deliver(dir, ""), 0);
  Q_EQ(db, "SELECT count(*) FROM vigil_delivery WHERE status = 'sent'", "50");
  /* every message arrived; a second copy only with the same Message-ID */
  CU_ASSERT_EQUAL(check_mail(dir, "--dups"), 0);
  char *o = output('o');
  if (strncmp(o, "ok ", 3) != 0) pgt_fail("check_mail: %s%s%s", o, "", "");
  else CU_ASSERT(atoi(o + 3) >= 50);
  free(o);
  CU_ASSERT_EQUAL(sh("grep -h '^Message-ID:' '%s'/mail/*.eml | sort -u | wc -l", dir), 0);
  CU_ASSERT(has('o', "50"));
  stop_server(pid);
}

/* ---- webhooks ---------------------------------------------------------------------- */

/* Six webhooks, one per format, at http://127.0.0.1:PORT/NAME; the default
** channel the generic one; then extra. */
static void write_hook_conf(const char *dir, int port, const char *deliver, const char *extra) {
  char p[400];
  snprintf(p, sizeof p, "%s/deliver.conf", dir);
  FILE *f = fopen(p, "w");
  if (!f) { CU_FAIL("cannot write the configuration"); return; }
  fprintf(f, "[deliver]\nbackoff = 0.01\nchannel = webhook:gen\n%s\n", deliver);
  const char *hooks[][2] = {{"gen", "generic"}, {"slack", "slack"}, {"teams", "teams"}, {"feishu", "feishu"},
                            {"ding", "dingtalk"}, {"wecom", "wecom"}};
  for (int i = 0; i < 6; i++)
    fprintf(f, "[webhook %s]\nurl = http://127.0.0.1:%d/%s\nformat = %s\ntimeout = 2\n", hooks[i][0], port, hooks[i][0],
            hooks[i][1]);
  fprintf(f, "%s", extra);
  fclose(f);
}

static int count_posts(const char *dir) {
  char p[400];
  snprintf(p, sizeof p, "%s/hooks", dir);
  DIR *d = opendir(p);
  int n = 0;
  struct dirent *e;
  while (d && (e = readdir(d)))
    if (strstr(e->d_name, ".json") && !strstr(e->d_name, ".tmp")) n++;
  if (d) closedir(d);
  return n;
}

static void test_webhooks(void) {
  char dir[300], db[320];
  CU_ASSERT_EQUAL_FATAL(setup("hooks", dir), 0);
  snprintf(db, sizeof db, "%s/db", dir);
  CU_ASSERT_EQUAL_FATAL(outbox(dir, NULL), 0);
  /* every person to one of the six formats */
  CU_ASSERT_EQUAL_FATAL(sh("sqlite3 '%s' \"UPDATE vigil_recipients SET address = 'webhook:' || (CASE CAST(person AS INT) %% 6"
                           " WHEN 0 THEN 'gen' WHEN 1 THEN 'slack' WHEN 2 THEN 'teams' WHEN 3 THEN 'feishu' WHEN 4 THEN 'ding'"
                           " ELSE 'wecom' END)\"", db), 0);
  int port;
  /* the first request gets 429 (Retry-After: 1), the second 500 */
  pid_t pid = start_hook(dir, "--plan 429,500 --reply '{\"errcode\":0,\"code\":0}'", &port);
  if (pid < 0) return;
  write_hook_conf(dir, port, "", "");
  CU_ASSERT_EQUAL(deliver(dir, "--dry-run"), 0);
  CU_ASSERT(has('o', "  POST to webhook wecom (wecom body)\n  Idempotency-Key: vigil-3-"));
  time_t t0 = time(NULL);
  CU_ASSERT_EQUAL(deliver(dir, ""), 0);
  CU_ASSERT(time(NULL) - t0 >= 1); /* Retry-After was waited for (the backoff is 0.01 s) */
  CU_ASSERT(has('e', "attempt 1 failed: webhook teams: HTTP 429: busy; trying again"));
  CU_ASSERT(has('e', "attempt 2 failed: webhook teams: HTTP 500: error 500; trying again"));
  CU_ASSERT(has('e', "24 messages: 24 sent, 0 sent before, 0 failed, 0 without an address"));
  CU_ASSERT_EQUAL(count_posts(dir), 26);
  Q_EQ(db, "SELECT count(*) FROM vigil_delivery WHERE status = 'sent' AND channel = 'webhook' AND answer LIKE '200 %'", "24");
  Q_EQ(db, "SELECT attempts FROM vigil_delivery WHERE recipient = '9002'", "3");
  CU_ASSERT_EQUAL(sh("%s %s/tests/deliver/check_hooks.py '%s/hooks' '%s'", PY, tu_root(), dir, db), 0);
  CU_ASSERT(has('o', "ok 26"));
  /* nothing twice */
  CU_ASSERT_EQUAL(deliver(dir, ""), 0);
  CU_ASSERT_EQUAL(count_posts(dir), 26);
  stop_server(pid);
}

/* Retry-After as an HTTP date (RFC 9110 10.2.3): waited for, as seconds are. */
static void test_retry_after_date(void) {
  char dir[300], db[320];
  CU_ASSERT_EQUAL_FATAL(setup("retrydate", dir), 0);
  snprintf(db, sizeof db, "%s/db", dir);
  CU_ASSERT_EQUAL_FATAL(one_message(dir), 0);
  int port;
  pid_t pid = start_hook(dir, "--plan 429date", &port);
  if (pid < 0) return;
  write_hook_conf(dir, port, "backoff_max = 30", "[people]\n9012 = webhook:gen\n");
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  CU_ASSERT_EQUAL(deliver(dir, ""), 0);
  clock_gettime(CLOCK_MONOTONIC, &t1);
  double took = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
  /* the date is 3 s ahead, at a whole second: at least 2 s to wait; the backoff alone is 0.01 s */
  char tk[32];
  snprintf(tk, sizeof tk, "%.2f", took);
  if (took < 1.5 || took > 10) pgt_fail("the 429 with an HTTP date took %s s, not 2 to 3 s%s%s", tk, "", "");
  else CU_PASS("Retry-After date");
  CU_ASSERT(has('e', "attempt 1 failed: webhook gen: HTTP 429: busy; trying again"));
  Q_EQ(db, "SELECT status || ' ' || attempts FROM vigil_delivery", "sent 2");
  stop_server(pid);
}

/* Signed robots: DingTalk (timestamp and sign in the query) and Feishu/Lark
** (in the body), the secret from the environment or a file; hookd.py
** checks each signature as the service does. */
static void write_signed_conf(const char *dir, int port, const char *person, const char *extra) {
  char p[400];
  snprintf(p, sizeof p, "%s/deliver.conf", dir);
  FILE *f = fopen(p, "w");
  if (!f) { CU_FAIL("cannot write the configuration"); return; }
  fprintf(f, "[deliver]\nattempts = 1\nchannel = webhook:ding\n[people]\n9012 = webhook:%s\n[webhook ding]\n"
             "url = http://127.0.0.1:%d/ding/robot/send?access_token=T0k3n\nformat = dingtalk\nsecret_env = VIGIL_TEST_DING\n"
             "[webhook feishu]\nurl = http://127.0.0.1:%d/feishu/open-apis/bot/v2/hook/T0k3n\nformat = feishu\n"
             "secret_file = %s/feishu.secret\n%s",
          person, port, port, dir, extra);
  fclose(f);
}

static int sig_of(const char *dir, int n, const char *want) {
  return sh("%s -c \"import json, sys; r = json.load(open('%s/hooks/%04d.json')); print(r['sig']); sys.exit(r['sig'] != '%s')\"",
            PY, dir, n, want);
}

static void test_signed_hooks(void) {
  char dir[300], db[320];
  CU_ASSERT_EQUAL_FATAL(setup("signed", dir), 0);
  snprintf(db, sizeof db, "%s/db", dir);
  CU_ASSERT_EQUAL_FATAL(one_message(dir), 0);
  CU_ASSERT_EQUAL_FATAL(sh("printf 'SEC-fei-2\\n' > '%s/feishu.secret'", dir), 0);
  int port;
  pid_t pid = start_hook(dir, "--dingtalk-secret SEC-ding-1 --feishu-secret SEC-fei-2 --reply '{\"errcode\":0,\"code\":0}'", &port);
  if (pid < 0) return;
  const char *conf = "VIGIL_TEST_DING=SEC-ding-1";
  write_signed_conf(dir, port, "ding", "");
  CU_ASSERT_EQUAL(sh("%s %s deliver --db '%s' --config '%s/deliver.conf'", conf, tu_vigil(), db, dir), 0);
  CU_ASSERT_EQUAL(count_posts(dir), 1);
  CU_ASSERT_EQUAL(sig_of(dir, 1, "ok"), 0);
  write_signed_conf(dir, port, "feishu", "");
  CU_ASSERT_EQUAL(sh("sqlite3 '%s' 'DELETE FROM vigil_delivery'", db), 0);
  CU_ASSERT_EQUAL(sh("%s %s deliver --db '%s' --config '%s/deliver.conf'", conf, tu_vigil(), db, dir), 0);
  CU_ASSERT_EQUAL(count_posts(dir), 2);
  CU_ASSERT_EQUAL(sig_of(dir, 2, "ok"), 0);
  /* a wrong secret: the service refuses it, the message fails */
  write_signed_conf(dir, port, "ding", "");
  CU_ASSERT_EQUAL(sh("sqlite3 '%s' 'DELETE FROM vigil_delivery'", db), 0);
  CU_ASSERT_EQUAL(sh("VIGIL_TEST_DING=not-it %s deliver --db '%s' --config '%s/deliver.conf'", tu_vigil(), db, dir), 1);
  CU_ASSERT(has('e', "but the service says error 310000"));
  /* the secrets go nowhere but into the signatures */
  char *o = output('o'), *e = output('e');
  CU_ASSERT(strstr(o, "SEC-") == NULL && strstr(e, "SEC-") == NULL && strstr(e, "not-it") == NULL);
  free(o);
  free(e);
  CU_ASSERT_EQUAL(sig_of(dir, 3, "bad"), 0);
  size_t n;
  char *bytes = tu_slurp(db, &n);
  CU_ASSERT(bytes && !contains(bytes, n, "SEC-") && !contains(bytes, n, "not-it"));
  free(bytes);
  /* only the signed formats take a secret, and never in the file */
  write_signed_conf(dir, port, "ding", "[webhook s]\nurl = http://127.0.0.1:1/s\nformat = slack\nsecret_env = VIGIL_TEST_DING\n");
  CU_ASSERT_EQUAL(sh("%s %s deliver --db '%s' --config '%s/deliver.conf' --check", conf, tu_vigil(), db, dir), 1);
  CU_ASSERT(has('e', "[webhook s]: a secret signs the feishu and dingtalk formats only"));
  write_signed_conf(dir, port, "ding", "[webhook s]\nurl = http://127.0.0.1:1/s\nformat = dingtalk\nsecret = SEC-x\n");
  CU_ASSERT_EQUAL(sh("%s %s deliver --db '%s' --config '%s/deliver.conf' --check", conf, tu_vigil(), db, dir), 1);
  CU_ASSERT(has('e', "no secret in the configuration file: secret_env = VARIABLE or secret_file = PATH"));
  stop_server(pid);
}

static void test_webhook_failures(void) {
  char dir[300], db[320];
  CU_ASSERT_EQUAL_FATAL(setup("hookfail", dir), 0);
  snprintf(db, sizeof db, "%s/db", dir);
  CU_ASSERT_EQUAL_FATAL(one_message(dir), 0);
  int port;
  /* no answer within the timeout (2 s): tried again */
  pid_t pid = start_hook(dir, "--plan hang --hang 4", &port);
  if (pid < 0) return;
  write_hook_conf(dir, port, "", "[people]\n9012 = webhook:slack\n");
  CU_ASSERT_EQUAL(deliver(dir, ""), 0);
  CU_ASSERT(has('e', "attempt 1 failed: webhook slack: Operation timed out after "));
  Q_EQ(db, "SELECT status || ' ' || attempts FROM vigil_delivery", "sent 2");
  stop_server(pid);
  /* 400: the service will never take it, failed at once */
  CU_ASSERT_EQUAL(sh("sqlite3 '%s' 'DELETE FROM vigil_delivery'", db), 0);
  pid = start_hook(dir, "--plan 400", &port);
  if (pid < 0) return;
  write_hook_conf(dir, port, "attempts = 5", "[people]\n9012 = webhook:slack\n");
  CU_ASSERT_EQUAL(deliver(dir, ""), 1);
  CU_ASSERT(has('e', "failed after 1 attempt: webhook slack: HTTP 400: error 400"));
  Q_EQ(db, "SELECT status || ' ' || attempts FROM vigil_delivery", "failed 1");
  stop_server(pid);
  /* 200 with the service's error code (WeCom's errcode) is not accepted */
  CU_ASSERT_EQUAL(sh("sqlite3 '%s' 'DELETE FROM vigil_delivery'", db), 0);
  pid = start_hook(dir, "--reply '{\"errcode\":93000,\"errmsg\":\"invalid webhook url\"}'", &port);
  if (pid < 0) return;
  write_hook_conf(dir, port, "attempts = 2", "[people]\n9012 = webhook:wecom\n");
  CU_ASSERT_EQUAL(deliver(dir, ""), 1);
  CU_ASSERT(has('e', "failed after 2 attempts: webhook wecom: 200, but the service says error 93000"));
  /* the URL, which holds the service's token, shows nowhere */
  CU_ASSERT_EQUAL(sh("sqlite3 '%s' 'DELETE FROM vigil_delivery'", db), 0);
  char cf[400];
  snprintf(cf, sizeof cf, "%s/deliver.conf", dir);
  FILE *f = fopen(cf, "w");
  if (f) {
    fprintf(f, "[deliver]\nchannel = webhook:w\nattempts = 1\n[webhook w]\nformat = wecom\nurl_env = VIGIL_TEST_HOOK\n");
    fclose(f);
  }
  CU_ASSERT_EQUAL(sh("VIGIL_TEST_HOOK='http://127.0.0.1:%d/send?key=T0k3n-abc' %s deliver --db '%s' --config '%s'", port,
                     tu_vigil(), db, cf), 1);
  char *o = output('o'), *e = output('e');
  CU_ASSERT(strstr(o, "T0k3n") == NULL && strstr(e, "T0k3n") == NULL);
  free(o);
  free(e);
  size_t n;
  char *bytes = tu_slurp(db, &n);
  CU_ASSERT(bytes && !contains(bytes, n, "T0k3n"));
  free(bytes);
  stop_server(pid);
}

static int suite_init(void) {
  snprintf(tdir, sizeof tdir, "/tmp/vigil-deliver-XXXXXX");
  if (!mkdtemp(tdir)) return 1;
  /* the SaaS demo, three nightly runs */
  return sh("D='%s/base.db'; R=%s; V=%s; sqlite3 $D < $R/examples/saas/schema.sql && sqlite3 $D < $R/examples/saas/demo.sql &&"
            " $V run --db $D --as-of 2025-05-30 $R/examples/saas && $V run --db $D --as-of 2025-06-13 $R/examples/saas &&"
            " $V run --db $D --as-of 2025-06-30 $R/examples/saas",
            tdir, tu_root(), tu_vigil()) != 0;
}

static int suite_cleanup(void) {
  while (nservers > 0) stop_server(servers[nservers - 1]);
  if (tdir[0] && !getenv("VIGIL_KEEP_TMP")) {
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tdir);
    if (system(cmd) != 0) return 1;
  }
  return 0;
}

int unit_register_deliver(void) {
  CU_pSuite s = CU_add_suite("deliver", suite_init, suite_cleanup);
  if (!s) return CU_get_error();
  if (!CU_add_test(s, "every digest arrives once, as MIME with both parts; re-runs send nothing", test_all_once) ||
      !CU_add_test(s, "a server that fails twice, then accepts: one copy", test_fail_twice) ||
      !CU_add_test(s, "a server that keeps failing: failed, --retry-failed", test_fail_always) ||
      !CU_add_test(s, "recipients without an address are reported", test_no_address) ||
      !CU_add_test(s, "addresses from the org chart, after [people] and vigil_recipients", test_org_address) ||
      !CU_add_test(s, "the end of make demo: delivered to its own server, one shown", test_demo_script) ||
      !CU_add_test(s, "configuration errors with file:line:col", test_config_errors) ||
      !CU_add_test(s, "STARTTLS and AUTH; the secret goes nowhere", test_tls_auth) ||
      !CU_add_test(s, "SIGKILL during 50 deliveries: none lost, none twice without its key", test_sigkill) ||
      !CU_add_test(s, "webhooks: six formats, 429 with Retry-After, 500, Idempotency-Key", test_webhooks) ||
      !CU_add_test(s, "webhooks: Retry-After as an HTTP date", test_retry_after_date) ||
      !CU_add_test(s, "webhooks: signed DingTalk and Feishu robots; the secret goes nowhere", test_signed_hooks) ||
      !CU_add_test(s, "webhooks: a timeout, 400, a service's error code; the URL's token goes nowhere", test_webhook_failures))
    return CU_get_error();
  return CUE_SUCCESS;
}
