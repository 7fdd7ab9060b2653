/*
** cmd_digest.c — `vigil digest`: a recorded run's alerts as one digest per
** person (vg_digest_run), printed in text, Markdown or HTML, and optionally
** stored in the vigil_outbox table for a mailer to send.
**
** Several digests are printed one after another: text ones separated by a
** line of '=', Markdown ones by a thematic break (---).  An HTML digest is a
** complete document, so several make one page instead: a document of its
** own around each digest's section (vg_digest.section), one after another.
** The line on stderr says which run was digested and how many digests.
*/
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "out.h"

static const char *const usage_digest =
  "usage: vigil digest --db FILE [--run ID|latest] [--pack NAME] [--format text|markdown|html]\n"
  "                    [--to PERSON] [--outbox] [-o FILE]\n"
  "\n"
  "Turn a recorded run into one digest per person: the alerts routed to them\n"
  "(the recipient, and the supervisors on the alert's route), grouped by key,\n"
  "highest tier first, with what fired, since when, the trend behind it and\n"
  "what changed since the previous run.  Alerts without a recipient make one\n"
  "digest of their own.\n"
  "\n"
  "  --db FILE          the database the runs are recorded in\n"
  "  --run ID|latest    the vigil_runs row to digest (default latest: the largest\n"
  "                     as_of, then run_id, of --pack or of any pack)\n"
  "  --pack NAME        the pack whose latest run to take (with --run ID, the run\n"
  "                     must be of this pack)\n"
  "  --format FORMAT    text (default), markdown, or html (a complete page; several\n"
  "                     recipients make one page with a section each)\n"
  "  --to PERSON        only this person's digest (the recipient as recorded, or the\n"
  "                     display name from the route)\n"
  "  --outbox           also store the digests in the vigil_outbox table, replacing\n"
  "                     this run's digests of this format (one transaction)\n"
  "  -o FILE            write to FILE instead of standard output\n"
  "exit status: 0 success (also when the run has no alert), 1 no such run, a\n"
  "--to PERSON who is not in the run, or a database error, 2 bad command line\n";

/* The digests as they arrive; HTML ones are kept for one page. */
typedef struct dg_cli {
  FILE *out;
  int format;
  int count;            /* digests seen */
  diag_sink page;       /* html: the sections so far */
  diag_sink toc;        /* html: their table of contents entries */
  char *first_copy;     /* html: the first digest's whole document */
  vg_digest_summary sum;
  int have_sum;
  char *pack, *as_of;   /* copies of the summary's (it lives only during the call) */
} dg_cli;

static void on_digest(void *ud, const vg_digest *d) {
  dg_cli *c = ud;
  if (c->format == VG_DIGEST_HTML) {
    if (c->count == 0) {
      c->first_copy = strdup(d->body);
      if (!c->first_copy) out_of_memory();
    }
    sink_str(&c->page, d->section);
    if (d->toc) sink_str(&c->toc, d->toc);
  } else {
    /* (a body is the library's: its data is already escaped for the format) */
    const char *sep = c->format == VG_DIGEST_MARKDOWN ? "\n---\n\n"
                                                      : "\n========================================================================\n\n";
    if (c->count > 0) out_write(c->out, sep, strlen(sep));
    out_write(c->out, d->body, strlen(d->body));
  }
  c->count++;
}

static void on_summary(void *ud, const vg_digest_summary *s) {
  dg_cli *c = ud;
  c->sum = *s;
  c->have_sum = 1;
  c->pack = strdup(s->pack ? s->pack : "");
  c->as_of = strdup(s->as_of ? s->as_of : "");
  if (!c->pack || !c->as_of) out_of_memory();
  c->sum.pack = c->pack;
  c->sum.as_of = c->as_of;
}

/* Text t as HTML text: by the terminal rule first (the same rule as the
** digests' data: control characters and bytes that are not UTF-8 as
** visible escapes), then & < > " escaped. */
static void html_text(diag_sink *s, const char *t) {
  diag_sink u;
  memset(&u, 0, sizeof u);
  out_term_str(&u, t);
  for (size_t i = 0; i < u.len; i++) {
    char ch = u.buf[i];
    if (ch == '&') sink_str(s, "&amp;");
    else if (ch == '<') sink_str(s, "&lt;");
    else if (ch == '>') sink_str(s, "&gt;");
    else if (ch == '"') sink_str(s, "&quot;");
    else sink_put(s, &ch, 1);
  }
  free(u.buf);
}

/* The summary box of the combined page, in the digests' style. */
#define PAGE_BOX "max-width:760px;margin:0 auto 16px;padding:16px;background:#ffffff;border:1px solid #d9dee5;" \
  "border-radius:8px;font-family:-apple-system,'Segoe UI',Helvetica,Arial,sans-serif;font-size:15px;line-height:1.5;color:#1f2933"

/* Several HTML digests: one page, a summary first (the run, what is new or
** escalated since the previous run, then who holds what, most severe
** first, each a link to their section), then each one's section. */
static void html_page(dg_cli *c) {
  if (c->count == 1) { out_write(c->out, c->first_copy, strlen(c->first_copy)); return; }
  diag_sink s;
  memset(&s, 0, sizeof s);
  sink_str(&s, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
               "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>Vigil ");
  html_text(&s, c->pack ? c->pack : "");
  sink_str(&s, " ");
  html_text(&s, c->as_of ? c->as_of : "");
  out_format(&s, ": %d digests</title>\n</head>\n<body style=\"margin:0;padding:8px;background:#f3f4f6\">\n", c->count);
  sink_str(&s, "<div id=\"summary\" style=\"" PAGE_BOX "\">\n<h1 style=\"font-size:20px;margin:0 0 4px\">Vigil ");
  html_text(&s, c->pack ? c->pack : "");
  sink_str(&s, ", as of ");
  html_text(&s, c->as_of ? c->as_of : "");
  out_format(&s, " (run %lld)</h1>\n<p style=\"margin:0 0 8px;color:#52606d\">%lld open alert%s, %lld resolved; ", c->sum.run_id,
             c->sum.alerts, c->sum.alerts == 1 ? "" : "s", c->sum.resolved);
  if (c->sum.new_alerts || c->sum.escalated)
    out_format(&s, "since the last run: %lld new, %lld escalated.</p>\n", c->sum.new_alerts, c->sum.escalated);
  else sink_str(&s, "nothing new or escalated since the last run.</p>\n");
  sink_str(&s, "<h2 style=\"font-size:16px;margin:12px 0 8px\">Who holds what, most severe first</h2>\n"
               "<ol style=\"margin:0;padding-left:24px\">\n");
  if (c->toc.buf) sink_put(&s, c->toc.buf, c->toc.len);
  sink_str(&s, "</ol>\n</div>\n");
  if (c->page.buf) sink_put(&s, c->page.buf, c->page.len);
  sink_str(&s, "</body>\n</html>\n");
  out_flush_sink(c->out, &s);
  free(s.buf);
}

int cmd_digest(int argc, char **argv) {
  vg_digest_opts o;
  memset(&o, 0, sizeof o);
  cli_opts co = {.accept = CLI_DB, .usage = usage_digest};
  const char *out_path = NULL;
  int format = VG_DIGEST_TEXT;
  for (int i = 2; i < argc; i++) {
    const char *v;
    if (is_help(argv[i])) { fputs(usage_digest, stdout); return 0; }
    int r = cli_opt(&co, argc, argv, &i);
    if (r < 0) return EXIT_USAGE;
    if (r > 0) continue;
    if ((v = opt_value(argc, argv, &i, "--run"))) {
      if (strcmp(v, "latest") == 0) { o.run_id = 0; continue; }
      char *end;
      errno = 0;
      long long id = strtoll(v, &end, 10);
      if (!*v || *end || id < 1 || errno) return usage_error(usage_digest, "--run needs a run id (a positive number) or latest, not '%s'", v);
      o.run_id = id;
    } else if ((v = opt_value(argc, argv, &i, "--pack"))) {
      if (!*v) return usage_error(usage_digest, "%s needs a pack name", "--pack");
      o.pack = v;
    } else if ((v = opt_value(argc, argv, &i, "--format"))) {
      if (strcmp(v, "text") == 0) format = VG_DIGEST_TEXT;
      else if (strcmp(v, "markdown") == 0) format = VG_DIGEST_MARKDOWN;
      else if (strcmp(v, "html") == 0) format = VG_DIGEST_HTML;
      else return usage_error(usage_digest, "unknown format '%s' (text, markdown or html)", v);
    } else if ((v = opt_value(argc, argv, &i, "--to"))) {
      if (!*v) return usage_error(usage_digest, "%s needs a person", "--to");
      o.to = v;
    } else if (strcmp(argv[i], "--outbox") == 0) {
      o.outbox = 1;
    } else if ((v = opt_value(argc, argv, &i, "-o"))) {
      if (!*v) return usage_error(usage_digest, "%s needs a file", "-o");
      out_path = v;
    } else if (argv[i][0] == '-' && argv[i][1]) {
      return usage_error(usage_digest, "unknown option '%s'", argv[i]);
    } else {
      return usage_error(usage_digest, "unexpected argument '%s' (digest takes no PATH)", argv[i]);
    }
  }
  if (cli_need_db(&co)) return EXIT_USAGE;
  o.db_path = co.db;
  o.format = (vg_digest_format)format;
  dg_cli c;
  memset(&c, 0, sizeof c);
  c.format = format;
  c.out = stdout;
  /* the output file is opened only once the digests are made: a failed
  ** digest leaves an existing file alone */
  FILE *tmp = NULL;
  if (out_path) {
    tmp = tmpfile();
    if (!tmp) { fprintf(stderr, "vigil: cannot make a temporary file: %s\n", strerror(errno)); return EXIT_INPUT; }
    c.out = tmp;
  }
  diag_sink sink;
  sink_begin(&sink, FMT_TEXT);
  o.diag = on_diag;
  o.ud = &sink;
  o.digest = on_digest;
  o.summary = on_summary;
  o.out_ud = &c;
  int rc = out_status(vg_digest_run(&o));
  if (rc == 0 && format == VG_DIGEST_HTML && c.count) html_page(&c);
  if (rc == 0 && c.have_sum) {
    const vg_digest_summary *s = &c.sum;
    diag_sink where;
    memset(&where, 0, sizeof where);
    out_format(&where, "run %lld (pack %s, as of %s)", s->run_id, s->pack, s->as_of);
    if (s->alerts == 0 && s->resolved == 0)
      out_printf(stderr, "vigil: %s has no alerts: no digest\n", where.buf);
    else if (c.count == 0 && o.to) {
      /* everyone with an alert or a resolved one in the run gets a digest:
      ** a person without one is not in the run (a typo, another run) */
      out_printf(stderr, "vigil: %s: '%s' is not in the run: no recipient or person on the route of its %lld alert%s has that id or name\n",
                 where.buf, o.to, s->alerts, s->alerts == 1 ? "" : "s");
      rc = EXIT_INPUT;
    }
    else
      out_printf(stderr, "vigil: %s: %d digest%s; %lld alert%s, %lld resolved in the run%s\n", where.buf, c.count,
                 c.count == 1 ? "" : "s", s->alerts, s->alerts == 1 ? "" : "s", s->resolved,
                 o.outbox ? "; stored in vigil_outbox" : "");
    free(where.buf);
  }
  if (tmp) {
    if (rc == 0) {
      FILE *f = fopen(out_path, "wb");
      if (!f) {
        fprintf(stderr, "vigil: %s: %s\n", out_path, strerror(errno));
        rc = EXIT_INPUT;
      } else {
        rewind(tmp);
        char buf[65536];
        size_t n;
        while ((n = fread(buf, 1, sizeof buf, tmp)) > 0)
          if (fwrite(buf, 1, n, f) != n) break;
        if (ferror(tmp) | ferror(f) | (fclose(f) != 0)) {
          fprintf(stderr, "vigil: %s: cannot write the digests\n", out_path);
          rc = EXIT_INPUT;
        }
      }
    }
    fclose(tmp);
  } /* (standard output is checked at the end of main) */
  free(c.first_copy);
  free(c.pack);
  free(c.as_of);
  free(c.page.buf);
  free(c.toc.buf);
  sink_end(&sink);
  return rc;
}
