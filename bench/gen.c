/*
** gen.c — the benchmark's nightly database, deterministic.
**
**   gen SIZE OUT.db [--double]
**
** An org of 20,000 x SIZE reps, 2,000 x SIZE managers and 100 x SIZE
** directors (table org, with the reps who changed manager once); 52
** biweekly snapshots per rep (table sales_snapshot: 1.04 M rows at SIZE 1),
** ending on 2025-06-20; 500,000 x SIZE invoices (table invoices).  Every
** table has the (key, time) index a user would create for it.
**
** --double writes the same keys with twice the history: 104 snapshots per
** rep ending on the same day.  Every value is a function of (rep, snapshot
** number counted from 2021-07-09), so the last 52 snapshots of the double
** database are the 52 snapshots of the normal one, row for row, and the
** invoices and the org are identical: a nightly run must give the same
** alerts on both.
**
** Rows are inserted as a nightly load appends them (snapshot by snapshot,
** all reps of a date together; invoices in the order they were issued), in
** one transaction through prepared statements; the indexes are built last.
*/
#include <math.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HIST_MAX 104          /* snapshots of the double history */
#define FIRST_DAY "2021-07-09" /* snapshot 0 of the double history; the normal one starts at 52 (2023-07-07) */
#define LAST_DAY "2025-06-20"  /* snapshot 103: the last snapshot, the nightly run's as_of */

/* ---- dates ---------------------------------------------------------------- */

static int32_t days_from_civil(int y, int m, int d) {
  y -= m <= 2;
  int era = (y >= 0 ? y : y - 399) / 400;
  int yoe = y - era * 400;
  int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

static void civil(int32_t z, char out[16]) {
  z += 719468;
  int era = (z >= 0 ? z : z - 146096) / 146097;
  int doe = z - era * 146097;
  int yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int y = yoe + era * 400;
  int doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int mp = (5 * doy + 2) / 153;
  int d = doy - (153 * mp + 2) / 5 + 1;
  int m = mp + (mp < 10 ? 3 : -9);
  y += m <= 2;
  int v[3] = {y, m, d}, w[3] = {4, 2, 2}, k = 0;
  for (int f = 0; f < 3; f++) {
    if (f) out[k++] = '-';
    for (int p = w[f] - 1, x = v[f]; p >= 0; p--, x /= 10) out[k + p] = (char)('0' + x % 10);
    k += w[f];
  }
  out[k] = 0;
}

/* ---- deterministic randomness: a hash of (entity, step, stream) ----------- */

static uint64_t mix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}
static uint64_t h3(uint64_t a, uint64_t b, uint64_t c) { return mix(mix(mix(a) ^ b) ^ (c * 0x632be59bd9b4e019ull)); }
/* uniform in (0, 1) */
static double unif(uint64_t a, uint64_t b, uint64_t c) { return ((double)(h3(a, b, c) >> 11) + 0.5) / 9007199254740992.0; }
static double gauss(uint64_t a, uint64_t b, uint64_t c) {
  double u1 = unif(a, b, c * 2 + 1000), u2 = unif(a, b, c * 2 + 1001);
  return sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
}
static double round_to(double x, double q) { return floor(x / q + 0.5) * q; }

enum { S_CONV, S_AMOUNT, S_CHURN, S_FEEDBACK, S_NOTE, S_QUOTA, S_PIPE, S_BASE, S_MOVE, S_HIRE,
       S_INV_CUST, S_INV_REP, S_INV_TERMS, S_INV_PAID, S_INV_LAG, S_INV_AMOUNT };

static sqlite3 *db;

static void die(const char *what) {
  fprintf(stderr, "gen: %s: %s\n", what, db ? sqlite3_errmsg(db) : "?");
  exit(1);
}

static void exec(const char *sql) {
  char *err = NULL;
  if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK) {
    fprintf(stderr, "gen: %s\n  in: %.200s\n", err ? err : "?", sql);
    exit(1);
  }
}

static sqlite3_stmt *prep(const char *sql) {
  sqlite3_stmt *st;
  if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) die(sql);
  return st;
}

static void step_done(sqlite3_stmt *st) {
  if (sqlite3_step(st) != SQLITE_DONE) die("insert");
  sqlite3_reset(st);
}

static const char *const notes[] = {
  "on track; two late-stage deals expected to close this month",
  "behind plan: champion left at the largest account",
  "pipeline healthy, waiting on legal review",
  "needs a pricing exception for the renewal",
  "ramping new territory, first demos booked",
  "procurement delays at two accounts",
  "asked for SE support on a technical evaluation",
  "quiet fortnight; prospecting",
};

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: gen SIZE OUT.db [--double]\n");
    return 2;
  }
  double size = atof(argv[1]);
  const char *out = argv[2];
  int hist = argc > 3 && strcmp(argv[3], "--double") == 0 ? 104 : 52;
  if (!(size > 0 && size <= 64)) {
    fprintf(stderr, "gen: SIZE must be in (0, 64]\n");
    return 2;
  }
  long nreps = lround(20000 * size), nmgr = lround(2000 * size), ndir = lround(100 * size);
  long ninv = lround(500000 * size);
  if (nmgr < 1) nmgr = 1;
  if (ndir < 1) ndir = 1;

  char tmp[4096];
  snprintf(tmp, sizeof tmp, "%s.tmp", out);
  remove(tmp);
  if (sqlite3_open(tmp, &db) != SQLITE_OK) die("open");
  exec("PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA cache_size = -200000;");
  exec("BEGIN");
  exec(
    "CREATE TABLE org (\n"
    "  rep_id      INTEGER NOT NULL,  -- the rep\n"
    "  valid_from  DATE    NOT NULL,  -- from this day on the rep reports to manager_id\n"
    "  manager_id  INTEGER NOT NULL,\n"
    "  director_id INTEGER NOT NULL,\n"
    "  rep_name    TEXT\n"
    ");\n"
    "CREATE TABLE sales_snapshot (\n"
    "  rep_id              INTEGER NOT NULL,\n"
    "  snapshot_date       DATE    NOT NULL,\n"
    "  supervisor_id       INTEGER,           -- the rep's manager on that day\n"
    "  active              BOOLEAN NOT NULL DEFAULT 1,\n"
    "  quota               REAL,\n"
    "  pipeline_amount     REAL,\n"
    "  conversion_rate     REAL,\n"
    "  baseline_conversion REAL,\n"
    "  contract_amount     REAL,\n"
    "  negative_feedback   INTEGER,\n"
    "  progress_note       TEXT\n"
    ");\n"
    "CREATE TABLE invoices (\n"
    "  invoice_id   INTEGER PRIMARY KEY,\n"
    "  customer_id  INTEGER NOT NULL,\n"
    "  rep_id       INTEGER NOT NULL,  -- the rep who owns the customer\n"
    "  invoice_date DATE    NOT NULL,\n"
    "  due_date     DATE    NOT NULL,\n"
    "  paid_date    DATE,              -- NULL while unpaid\n"
    "  amount       REAL    NOT NULL,\n"
    "  currency     TEXT    NOT NULL DEFAULT 'USD'\n"
    ");\n");

  int32_t first = days_from_civil(2021, 7, 9), last = days_from_civil(2025, 6, 20);
  if (last != first + 14 * (HIST_MAX - 1)) die("calendar");
  int j0 = HIST_MAX - hist; /* first snapshot number written */
  char day[16];

  /* ---- org: one row per rep; one rep in ten changed manager once --------- */
  long *mgr0 = malloc((size_t)nreps * sizeof *mgr0), *mgr1 = malloc((size_t)nreps * sizeof *mgr1);
  int *move = malloc((size_t)nreps * sizeof *move);
  if (!mgr0 || !mgr1 || !move) die("out of memory");
  sqlite3_stmt *ins_org = prep("INSERT INTO org VALUES (?1, ?2, ?3, ?4, ?5)");
  for (long r = 0; r < nreps; r++) {
    long rep = r + 1;
    mgr0[r] = r % nmgr;
    move[r] = INT32_MAX;
    mgr1[r] = mgr0[r];
    if (unif((uint64_t)rep, 0, S_MOVE) < 0.10) {
      move[r] = 60 + (int)(unif((uint64_t)rep, 1, S_MOVE) * 40); /* a snapshot number within the normal history */
      mgr1[r] = (mgr0[r] + 1 + (long)(unif((uint64_t)rep, 2, S_MOVE) * (double)(nmgr - 1))) % nmgr;
    }
    char name[32];
    snprintf(name, sizeof name, "Rep %06ld", rep);
    civil(first - 30 - (int32_t)(unif((uint64_t)rep, 0, S_HIRE) * 900), day);
    sqlite3_bind_int64(ins_org, 1, rep);
    sqlite3_bind_text(ins_org, 2, day, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(ins_org, 3, 900000 + mgr0[r] + 1);
    sqlite3_bind_int64(ins_org, 4, 990000 + mgr0[r] % ndir + 1);
    sqlite3_bind_text(ins_org, 5, name, -1, SQLITE_TRANSIENT);
    step_done(ins_org);
    if (move[r] != INT32_MAX) {
      civil(first + 14 * move[r] - 3, day); /* effective a few days before that snapshot */
      sqlite3_bind_int64(ins_org, 1, rep);
      sqlite3_bind_text(ins_org, 2, day, -1, SQLITE_TRANSIENT);
      sqlite3_bind_int64(ins_org, 3, 900000 + mgr1[r] + 1);
      sqlite3_bind_int64(ins_org, 4, 990000 + mgr1[r] % ndir + 1);
      sqlite3_bind_text(ins_org, 5, name, -1, SQLITE_TRANSIENT);
      step_done(ins_org);
    }
  }
  sqlite3_finalize(ins_org);

  /* ---- snapshots: per rep an AR(1) conversion factor and a contract random walk,
  **      evolved from snapshot 0 on (so both databases agree), written from j0 on */
  double *z = malloc((size_t)nreps * sizeof *z), *amount = malloc((size_t)nreps * sizeof *amount);
  if (!z || !amount) die("out of memory");
  sqlite3_stmt *ins_s = prep("INSERT INTO sales_snapshot VALUES (?1, ?2, ?3, 1, ?4, ?5, ?6, ?7, ?8, ?9, ?10)");
  for (int j = 0; j < HIST_MAX; j++) {
    civil(first + 14 * j, day);
    for (long r = 0; r < nreps; r++) {
      uint64_t rep = (uint64_t)r + 1;
      double base = round_to(0.15 + 0.20 * unif(rep, 0, S_BASE), 0.001);
      if (j == 0) {
        z[r] = gauss(rep, 0, S_CONV);
        amount[r] = 50000 + 450000 * unif(rep, 0, S_AMOUNT);
      } else {
        z[r] = 0.6 * z[r] + 0.8 * gauss(rep, (uint64_t)j, S_CONV);
        double g = 0.01 + 0.04 * gauss(rep, (uint64_t)j, S_AMOUNT);
        if (unif(rep, (uint64_t)j, S_CHURN) < 0.02) g -= 0.10 + 0.20 * unif(rep, (uint64_t)j, S_CHURN + 100);
        amount[r] *= 1 + g;
        if (amount[r] < 1000) amount[r] = 1000;
      }
      if (j < j0) continue;
      double conv = base * (1 + 0.15 * z[r]);
      if (conv < 0) conv = 0;
      double uf = unif(rep, (uint64_t)j, S_FEEDBACK);
      int feedback = uf < 0.80 ? 0 : uf < 0.95 ? 1 : uf < 0.99 ? 2 : 3;
      long sup = 900000 + (j >= move[r] ? mgr1[r] : mgr0[r]) + 1;
      char note[96];
      snprintf(note, sizeof note, "%s (%d)", notes[h3(rep, (uint64_t)j, S_NOTE) % 8], (int)(h3(rep, (uint64_t)j, S_NOTE + 1) % 20));
      sqlite3_bind_int64(ins_s, 1, (sqlite3_int64)rep);
      sqlite3_bind_text(ins_s, 2, day, -1, SQLITE_TRANSIENT);
      sqlite3_bind_int64(ins_s, 3, sup);
      sqlite3_bind_double(ins_s, 4, round_to(400000 + 400000 * unif(rep, 0, S_QUOTA), 1000));
      sqlite3_bind_double(ins_s, 5, round_to(amount[r] * (0.5 + unif(rep, (uint64_t)j, S_PIPE)), 0.01));
      sqlite3_bind_double(ins_s, 6, round_to(conv, 0.0001));
      sqlite3_bind_double(ins_s, 7, base);
      sqlite3_bind_double(ins_s, 8, round_to(amount[r], 0.01));
      sqlite3_bind_int(ins_s, 9, feedback);
      sqlite3_bind_text(ins_s, 10, note, -1, SQLITE_TRANSIENT);
      step_done(ins_s);
    }
  }
  sqlite3_finalize(ins_s);

  /* ---- invoices: issued evenly over the normal history, in order; terms 30/45/60;
  **      1% never paid, the rest paid around the due date (later ones not yet) */
  sqlite3_stmt *ins_i = prep("INSERT INTO invoices VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'USD')");
  int32_t ifirst = first + 14 * 52, span = last - ifirst + 1;
  for (long i = 0; i < ninv; i++) {
    uint64_t id = (uint64_t)i + 1;
    int32_t issued = ifirst + (int32_t)((double)i * span / (double)ninv);
    double ut = unif(id, 0, S_INV_TERMS);
    int32_t due = issued + (ut < 0.5 ? 30 : ut < 0.8 ? 45 : 60);
    int paid = unif(id, 0, S_INV_PAID) >= 0.01;
    int32_t paid_day = due - 20 + (int32_t)fmin(200.0, -40.0 * log(unif(id, 0, S_INV_LAG)));
    if (paid_day < issued) paid_day = issued;
    if (paid_day > last) paid = 0; /* not paid yet on the day of the nightly load */
    long rep = 1 + (long)(unif(id, 0, S_INV_REP) * (double)nreps);
    sqlite3_bind_int64(ins_i, 1, (sqlite3_int64)id);
    sqlite3_bind_int64(ins_i, 2, 1 + (sqlite3_int64)(unif(id, 0, S_INV_CUST) * 40000.0 * size));
    sqlite3_bind_int64(ins_i, 3, rep);
    civil(issued, day);
    sqlite3_bind_text(ins_i, 4, day, -1, SQLITE_TRANSIENT);
    civil(due, day);
    sqlite3_bind_text(ins_i, 5, day, -1, SQLITE_TRANSIENT);
    if (paid) {
      civil(paid_day, day);
      sqlite3_bind_text(ins_i, 6, day, -1, SQLITE_TRANSIENT);
    } else {
      sqlite3_bind_null(ins_i, 6);
    }
    sqlite3_bind_double(ins_i, 7, round_to(200 + 20000 * pow(unif(id, 0, S_INV_AMOUNT), 3), 0.01));
    step_done(ins_i);
  }
  sqlite3_finalize(ins_i);

  exec("CREATE INDEX org_rep_from ON org(rep_id, valid_from);"
       "CREATE INDEX sales_snapshot_rep_time ON sales_snapshot(rep_id, snapshot_date);"
       "CREATE INDEX invoices_key_time ON invoices(invoice_id, due_date);");
  exec("COMMIT");
  exec("PRAGMA journal_mode = DELETE");
  if (sqlite3_close(db) != SQLITE_OK) die("close");
  db = NULL;
  if (rename(tmp, out) != 0) {
    perror("gen: rename");
    return 1;
  }
  free(mgr0); free(mgr1); free(move); free(z); free(amount);
  printf("gen: %s: %ld reps, %ld managers, %ld directors, %ld snapshot rows (%d per rep, %s .. %s), %ld invoices\n",
         out, nreps, nmgr, ndir, nreps * hist, hist, j0 == 0 ? FIRST_DAY : "2023-07-07", LAST_DAY, ninv);
  return 0;
}
