/*
** vmbench.c — the VM micro-benchmark: the cost of evaluating one rule on one
** row, with the rows coming from memory (no SQLite).
**
**   vmbench PACK_DIR [ROWS]
**
** Compiles the pack (bench/rules/nightly, against its schema.sql) and, for
** each rule, feeds rows of realistic values (the distributions of
** bench/gen.c) into a window (a vm_series, as runtime/exec.c keeps one) and
** calls vm_eval_rule once per row:
**
**   - a rule on `snapshot`: ROWS / 52 reps of 52 snapshots each; the rule is
**     evaluated after each row is added, as of that row's day (what a
**     backtest does at every snapshot date);
**   - a rule on `invoice`: ROWS invoices, one row per key, as of 2025-06-20
**     (its lookup into org is answered from memory).
**
** Alerts go to a callback that only counts them; their messages are
** formatted by the VM as in a run.  Prints per rule the median over 5 passes
** of CPU ns per row: the total, the part spent only moving the row into the
** window (measured by the same loop without the evaluation), and the
** difference, the VM's cost per rule per row.  Each rule is measured twice:
** with the pack's params (alerts fire on a few percent of the rows, as in
** the database), and with thresholds no row reaches ("no alert": the cost
** of the conditions alone, no message formatted).
**
** For instruction counts of one case (valgrind --tool=callgrind
** --toggle-collect=vm_eval_rule): VMBENCH_RULE=NAME measures only that rule,
** VMBENCH_PARAMS=given or quiet only those params.
*/
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "vigil.h"
#include "vm.h"
#include "params.h"

#define PASSES 5

/* CPU time of the process: on a shared, busy machine it counts only what
** this program ran, not the time it waited for a core. */
static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static uint64_t rng = 0x853c49e6748fea9bull;
static double unif(void) {
  rng ^= rng << 13;
  rng ^= rng >> 7;
  rng ^= rng << 17;
  return ((double)(rng >> 11) + 0.5) / 9007199254740992.0;
}
static double gauss(void) { return sqrt(-2.0 * log(unif())) * cos(6.283185307179586 * unif()); }

static int32_t day_of(const char *s) {
  int d = 0;
  if (!vg_parse_date(s, &d)) { fprintf(stderr, "vmbench: bad date %s\n", s); exit(1); }
  return d;
}

static int col_of(const vm_source *s, const char *name) {
  for (int i = 0; i < s->ncols; i++)
    if (strcmp(s->cols[i].name, name) == 0) return i;
  return -1;
}

static long alerts;
static int on_emit(void *ud, int rule, int tier, const char *message, size_t mlen, const char *recipient, size_t rlen) {
  (void)ud; (void)rule; (void)tier; (void)message; (void)mlen; (void)recipient; (void)rlen;
  alerts++;
  return 0;
}

/* Params that no row of the data reaches (bench/rules/nightly). */
static const char *const quiet_params[][2] = {
  {"slump", "100%"}, {"amount_floor", "0"}, {"feedback_limit", "1000"},
  {"overdue_yellow", "100000days"}, {"overdue_orange", "100000days"}, {"overdue_red", "100000days"},
};

static vm_row org_row;
static int on_lookup(void *ud, vm_state *vm, int src, val key, int32_t day, const vm_row **row) {
  (void)ud; (void)vm; (void)src; (void)key; (void)day;
  *row = &org_row;
  return 0;
}

static void diag(void *ud, const vg_diag *d) {
  (void)ud;
  fprintf(stderr, "vmbench: %s:%d: %s\n", d->file ? d->file : "", d->line, d->message);
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

/* The values of one rule's rows, row-major: nrows x ncols. */
typedef struct data {
  long nrows, per_key; /* per_key: rows of one key (1: every row is its own key) */
  int ncols;
  val *v;
  int32_t *time;
} data;

static void make_snapshots(data *d, const vm_source *s, long nrows) {
  int c_key = col_of(s, "rep_id"), c_time = col_of(s, "snapshot_date"), c_sup = col_of(s, "supervisor_id");
  int c_conv = col_of(s, "conversion_rate"), c_base = col_of(s, "baseline_conversion");
  int c_amt = col_of(s, "contract_amount"), c_fb = col_of(s, "negative_feedback");
  d->per_key = 52;
  d->nrows = nrows / 52 * 52;
  d->ncols = s->ncols;
  d->v = calloc((size_t)d->nrows * (size_t)s->ncols, sizeof(val));
  d->time = calloc((size_t)d->nrows, sizeof(int32_t));
  if (!d->v || !d->time) { fputs("vmbench: out of memory\n", stderr); exit(1); }
  int32_t first = day_of("2023-07-07");
  for (long k = 0; k < d->nrows / 52; k++) {
    double base = floor((0.15 + 0.20 * unif()) * 1000 + 0.5) / 1000, z = gauss(), amount = 50000 + 450000 * unif();
    for (int j = 0; j < 52; j++) {
      long r = k * 52 + j;
      val *v = d->v + r * s->ncols;
      if (j) {
        z = 0.6 * z + 0.8 * gauss();
        double g = 0.01 + 0.04 * gauss();
        if (unif() < 0.02) g -= 0.10 + 0.20 * unif();
        amount *= 1 + g;
      }
      double uf = unif();
      d->time[r] = first + 14 * j;
      if (c_key >= 0) v[c_key] = val_num((double)(k + 1));
      if (c_time >= 0) v[c_time] = val_date(d->time[r]);
      if (c_sup >= 0) v[c_sup] = val_num((double)(900001 + k % 2000));
      if (c_conv >= 0) v[c_conv] = val_num(floor(base * (1 + 0.15 * z) * 10000 + 0.5) / 10000);
      if (c_base >= 0) v[c_base] = val_num(base);
      if (c_amt >= 0) v[c_amt] = val_num(floor(amount * 100 + 0.5) / 100);
      if (c_fb >= 0) v[c_fb] = val_num(uf < 0.80 ? 0 : uf < 0.95 ? 1 : uf < 0.99 ? 2 : 3);
    }
  }
}

static void make_invoices(data *d, const vm_source *s, long nrows) {
  int c_key = col_of(s, "invoice_id"), c_due = col_of(s, "due_date"), c_paid = col_of(s, "paid_date");
  int c_cust = col_of(s, "customer_id"), c_amt = col_of(s, "amount"), c_rep = col_of(s, "rep_id");
  d->per_key = 1;
  d->nrows = nrows;
  d->ncols = s->ncols;
  d->v = calloc((size_t)nrows * (size_t)s->ncols, sizeof(val));
  d->time = calloc((size_t)nrows, sizeof(int32_t));
  if (!d->v || !d->time) { fputs("vmbench: out of memory\n", stderr); exit(1); }
  int32_t first = day_of("2023-07-07"), last = day_of("2025-06-20");
  for (long r = 0; r < nrows; r++) {
    val *v = d->v + r * s->ncols;
    int32_t issued = first + (int32_t)((double)r * (last - first + 1) / (double)nrows);
    double ut = unif();
    int32_t due = issued + (ut < 0.5 ? 30 : ut < 0.8 ? 45 : 60);
    int32_t paid = due - 20 + (int32_t)fmin(200.0, -40.0 * log(unif()));
    if (paid < issued) paid = issued;
    int is_paid = unif() >= 0.01 && paid <= last;
    d->time[r] = due;
    if (c_key >= 0) v[c_key] = val_num((double)(r + 1));
    if (c_due >= 0) v[c_due] = val_date(due);
    if (c_paid >= 0) v[c_paid] = is_paid ? val_date(paid) : val_null();
    if (c_cust >= 0) v[c_cust] = val_num((double)(1 + (long)(unif() * 40000)));
    if (c_amt >= 0) v[c_amt] = val_num(floor((200 + 20000 * pow(unif(), 3)) * 100 + 0.5) / 100);
    if (c_rep >= 0) v[c_rep] = val_num((double)(1 + (long)(unif() * 20000)));
  }
}

/* One pass: feed every row into the window and (eval) evaluate rule r after
** each.  Returns seconds. */
static double pass(vm_state *vm, int r, const data *d, vm_series *ser, int32_t as_of, int eval, double *sink) {
  double t0 = now();
  size_t rowbytes = (size_t)d->ncols * sizeof(val);
  for (long i = 0; i < d->nrows; i++) {
    if (i % d->per_key == 0) { ser->n = 0; ser->head = 0; }
    uint32_t slot = ser->n == 0 ? 0 : (ser->head + 1) % ser->cap;
    vm_row *row = &ser->rows[slot];
    memcpy(row->v, d->v + i * d->ncols, rowbytes);
    row->time = d->time[i];
    ser->head = slot;
    if (ser->n < ser->cap - 1) ser->n++;
    if (eval) {
      vm->as_of = d->per_key == 1 ? as_of : d->time[i];
      vm_status st = vm_eval_rule(vm, r, ser);
      if (st != VM_OK) { fprintf(stderr, "vmbench: evaluation failed (%d)\n", (int)st); exit(1); }
    } else {
      *sink += row->v[0].u.n; /* keep the copy */
    }
  }
  return now() - t0;
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: vmbench PACK_DIR [ROWS]\n");
    return 2;
  }
  long nrows = argc > 2 ? atol(argv[2]) : 1040000;
  vg_compile_opts co;
  memset(&co, 0, sizeof co);
  co.diag = diag;
  vg_program *prog = NULL;
  if (vg_compile_path(argv[1], &co, &prog) != VG_OK) return 1;
  vm_program *p = prog;
  int32_t as_of = day_of("2025-06-20");
  for (int si = 0; si < p->nsources; si++) /* the org row a lookup returns */
    if (strcmp(p->sources[si].table, "org") == 0) {
      org_row.v = calloc(p->sources[si].ncols ? p->sources[si].ncols : 1, sizeof(val));
      for (int c = 0; c < p->sources[si].ncols; c++) org_row.v[c] = val_num(900001);
    }
  printf("%-20s %-9s %8s %8s %14s %13s %14s\n", "rule", "params", "rows", "alerts", "total ns/row", "feed ns/row", "VM ns/row");
  double sink = 0;
  vg_params *ps = vg_params_new();
  if (!ps) return 1;
  const char *only_rule = getenv("VMBENCH_RULE"), *only_params = getenv("VMBENCH_PARAMS");
  for (int quiet = 0; quiet < 2; quiet++) {
  if (only_params && strcmp(only_params, quiet ? "quiet" : "given") != 0) continue;
  if (quiet) { /* thresholds no row reaches: the cost of the conditions alone, no message formatted */
    for (int i = 0; i < (int)(sizeof quiet_params / sizeof *quiet_params); i++) {
      char err[256];
      if (vg_params_set(ps, prog, quiet_params[i][0], quiet_params[i][1], err, sizeof err) != VG_OK) {
        fprintf(stderr, "vmbench: %s\n", err);
        return 1;
      }
    }
    /* the VM reads the program's param table, and this benchmark drives the
    ** VM without a run: it writes the values in (a run does so in its own
    ** copy of the table, runtime/run.c) */
    for (size_t k = 0; k < ps->v.n; k++)
      for (int j = 0; j < p->nparams; j++)
        if (strcmp(p->params[j].name, ps->v.v[k].name) == 0) p->params[j].value = ps->v.v[k].value;
  }
  for (int r = 0; r < p->nrules; r++) {
    if (only_rule && strcmp(only_rule, p->rules[r].name) != 0) continue;
    const vm_source *s = &p->sources[p->rules[r].source];
    data d;
    memset(&d, 0, sizeof d);
    if (strcmp(s->table, "invoices") == 0) make_invoices(&d, s, nrows / 2);
    else make_snapshots(&d, s, nrows);
    uint32_t lb = vm_lookback(p, p->rules[r].fn);
    vm_series ser;
    memset(&ser, 0, sizeof ser);
    ser.bounded = 1;
    ser.cap = (lb == VM_UNBOUNDED ? 64 : lb) + 2;
    ser.ncols = s->ncols;
    ser.rows = calloc(ser.cap, sizeof *ser.rows);
    for (uint32_t i = 0; i < ser.cap; i++) ser.rows[i].v = calloc(s->ncols ? s->ncols : 1, sizeof(val));
    vm_state vm;
    vm_state_init(&vm, p, as_of);
    vm.emit = on_emit;
    vm.lookup = on_lookup;
    double tot[PASSES], feed[PASSES];
    pass(&vm, r, &d, &ser, as_of, 1, &sink); /* warm-up */
    alerts = 0;
    for (int k = 0; k < PASSES; k++) {
      tot[k] = pass(&vm, r, &d, &ser, as_of, 1, &sink);
      feed[k] = pass(&vm, r, &d, &ser, as_of, 0, &sink);
    }
    qsort(tot, PASSES, sizeof *tot, cmp_double);
    qsort(feed, PASSES, sizeof *feed, cmp_double);
    double nt = tot[PASSES / 2] * 1e9 / (double)d.nrows, nf = feed[PASSES / 2] * 1e9 / (double)d.nrows;
    printf("%-20s %-9s %8ld %8ld %14.1f %13.1f %14.1f\n", p->rules[r].name, quiet ? "no alert" : "as given", d.nrows,
           alerts / PASSES, nt, nf, nt - nf);
    vm_state_free(&vm);
    for (uint32_t i = 0; i < ser.cap; i++) free(ser.rows[i].v);
    free(ser.rows);
    free(d.v);
    free(d.time);
  }
  }
  if (sink == 42) puts("");
  vg_params_free(ps);
  vg_free_program(prog);
  return 0;
}
