/*
** cmd_deliver.c — `vigil deliver`: the digests stored in vigil_outbox sent
** to their recipients, each once (vg_deliver_run).  One line per message
** on standard output (sent, would be sent); retries, failures and
** recipients without an address on standard error; a count at the end.
*/
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "out.h"

static const char *const usage_deliver =
  "usage: vigil deliver --db FILE --config FILE [--run ID] [--check | --dry-run]\n"
  "                     [--retry-failed]\n"
  "\n"
  "Send the digests stored in vigil_outbox (vigil digest --outbox), each once:\n"
  "one mail per run and person, the text or Markdown digest as text/plain and\n"
  "the HTML one as text/html, or one post to a chat webhook (Slack, Teams,\n"
  "Feishu/Lark, DingTalk, WeCom, generic JSON).  What became of each message\n"
  "(pending, sent, failed; attempts, the server's answer, the last error) is\n"
  "kept in vigil_delivery, so a message already sent is not sent again.\n"
  "\n"
  "  --db FILE          the database holding vigil_outbox\n"
  "  --config FILE      the delivery configuration: the SMTP server, webhooks,\n"
  "                     addresses\n"
  "  --run ID           only this run's digests (default: every run's)\n"
  "  --check            validate the configuration and every address; send and\n"
  "                     write nothing\n"
  "  --dry-run          print what would be sent; send and write nothing\n"
  "  --retry-failed     try the messages that failed again\n"
  "exit status: 0 every message sent (now or before), 1 a recipient without an\n"
  "address, a message that failed, a bad configuration or a database error,\n"
  "2 bad command line\n";

typedef struct dv_cli {
  int count[VG_DELIVERY_RETRY + 1];
  int dry_run;
} dv_cli;

static void on_delivery(void *ud, const vg_delivery *d) {
  dv_cli *c = ud;
  c->count[d->state]++;
  const char *who = d->recipient ? d->recipient : "alerts without a recipient";
  int hook = d->channel && strcmp(d->channel, "webhook") == 0;
  switch (d->state) {
  case VG_DELIVERY_SENT:
    out_printf(stdout, "sent %s to %s%s (%s), attempt %d: %s\n", d->key, hook ? "webhook " : "", d->address, who, d->attempts,
               d->answer && *d->answer ? d->answer : "accepted");
    break;
  case VG_DELIVERY_WOULD_SEND:
    out_printf(stdout, "%s %s to %s%s (%s): %s\n", c->dry_run ? "would send" : "ok", d->key, hook ? "webhook " : "", d->address,
               who, d->subject);
    if (d->description) {
      diag_sink s;
      memset(&s, 0, sizeof s);
      sink_str(&s, "  ");
      size_t n = strlen(d->description);
      while (n && d->description[n - 1] == '\n') n--;
      out_term_block(&s, d->description, n, "  ");
      sink_str(&s, "\n");
      out_flush_sink(stdout, &s);
      free(s.buf);
    }
    break;
  case VG_DELIVERY_RETRY:
    out_printf(stderr, "vigil: %s to %s%s: attempt %d failed: %s; trying again\n", d->key, hook ? "webhook " : "", d->address,
               d->attempts, d->error);
    break;
  default: break; /* already sent: counted; failed, no address: reported by the library */
  }
}

int cmd_deliver(int argc, char **argv) {
  vg_deliver_opts o;
  memset(&o, 0, sizeof o);
  cli_opts co = {.accept = CLI_DB, .usage = usage_deliver};
  for (int i = 2; i < argc; i++) {
    const char *v;
    if (is_help(argv[i])) { fputs(usage_deliver, stdout); return 0; }
    int r = cli_opt(&co, argc, argv, &i);
    if (r < 0) return EXIT_USAGE;
    if (r > 0) continue;
    if ((v = opt_value(argc, argv, &i, "--config"))) {
      if (!*v) return usage_error(usage_deliver, "%s needs a file", "--config");
      o.config_path = v;
    } else if ((v = opt_value(argc, argv, &i, "--run"))) {
      char *end;
      errno = 0;
      long long id = strtoll(v, &end, 10);
      if (!*v || *end || id < 1 || errno) return usage_error(usage_deliver, "--run needs a run id (a positive number), not '%s'", v);
      o.run_id = id;
    } else if (strcmp(argv[i], "--check") == 0) {
      o.check = 1;
    } else if (strcmp(argv[i], "--dry-run") == 0) {
      o.dry_run = 1;
    } else if (strcmp(argv[i], "--retry-failed") == 0) {
      o.retry_failed = 1;
    } else if (argv[i][0] == '-' && argv[i][1]) {
      return usage_error(usage_deliver, "unknown option '%s'", argv[i]);
    } else {
      return usage_error(usage_deliver, "unexpected argument '%s' (deliver takes no PATH)", argv[i]);
    }
  }
  if (cli_need_db(&co)) return EXIT_USAGE;
  if (!o.config_path) return usage_error(usage_deliver, "%s is required", "--config FILE");
  if (o.check && o.dry_run) return usage_error(usage_deliver, "%s: give one of them", "--check and --dry-run");
  o.db_path = co.db;
  dv_cli c;
  memset(&c, 0, sizeof c);
  c.dry_run = o.dry_run;
  diag_sink sink;
  sink_begin(&sink, FMT_TEXT);
  o.diag = on_diag;
  o.ud = &sink;
  o.delivery = on_delivery;
  o.out_ud = &c;
  vg_status st = vg_deliver_run(&o);
  int rc = out_status(st);
  int total = 0;
  for (int k = 0; k <= VG_DELIVERY_NO_ADDRESS; k++) total += c.count[k];
  total += c.count[VG_DELIVERY_WOULD_SEND];
  if (st == VG_OK || st == VG_EINPUT) {
    if (total == 0 && sink.errors == 0) {
      out_printf(stderr, "vigil: nothing to deliver (vigil_outbox holds no digest%s)\n", o.run_id ? " of that run" : "");
    } else if (total > 0) {
      diag_sink s;
      memset(&s, 0, sizeof s);
      out_format(&s, "vigil: %d message%s: ", total, total == 1 ? "" : "s");
      if (o.check || o.dry_run) out_format(&s, "%d %s, ", c.count[VG_DELIVERY_WOULD_SEND], o.check ? "ready" : "would be sent");
      else out_format(&s, "%d sent, ", c.count[VG_DELIVERY_SENT]);
      out_format(&s, "%d sent before, %d failed, %d without an address\n", c.count[VG_DELIVERY_ALREADY],
                 c.count[VG_DELIVERY_FAILED], c.count[VG_DELIVERY_NO_ADDRESS]);
      out_flush_sink(stderr, &s);
      free(s.buf);
    }
  }
  sink_end(&sink);
  return rc;
}
