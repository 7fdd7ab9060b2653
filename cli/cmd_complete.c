/*
** cmd_complete.c — `vigil complete WHAT ...`, a hidden command for the shell
** completions in completions/ (bash, zsh, fish).  What it prints is read
** from the commands' own --help texts, so the completions cannot fall out of
** step with the options (tests/check-completions.sh holds them together):
**
**   vigil complete commands           the commands `vigil --help` lists
**   vigil complete flags CMD          the options `vigil CMD --help` shows
**                                     (-o and every --name), then --help
**                                     and the --color forms
**   vigil complete values CMD FLAG    what FLAG takes, from the --help text:
**                                     its words when it shows a|b|c (lower
**                                     case ones), yellow orange red for a
**                                     TIER, "@file" for a FILE or a name with
**                                     a '.' (PACK.vgc, FILE.sql), "@any"
**                                     for another value, nothing for a flag
**                                     without a value
**   vigil complete params PATH...     the param names of the packs (for
**                                     --set NAME=); packs that do not compile
**                                     are skipped, silently
**
** One item per line on stdout; exit 0 (2 for a bad command line).
*/
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "out.h"

static const char *const usage_complete =
  "usage: vigil complete commands | flags CMD | values CMD FLAG | params PATH...\n"
  "\n"
  "For the shell completions (completions/): commands, a command's options, an\n"
  "option's values and the packs' param names, one per line.\n";

/* What `vigil ARGS... --help` prints (malloc'd), through the dispatcher, with
** stdout sent to a temporary file for the call. */
static char *help_of(const char *cmd) {
  char *argv[4] = {(char *)"vigil", (char *)(cmd ? cmd : "--help"), cmd ? (char *)"--help" : NULL, NULL};
  int argc = cmd ? 3 : 2;
  FILE *t = tmpfile();
  if (!t) return NULL;
  fflush(stdout);
  int saved = dup(1);
  if (saved < 0) { fclose(t); return NULL; }
  dup2(fileno(t), 1);
  int rc = cli_dispatch(argc, argv);
  fflush(stdout);
  dup2(saved, 1);
  close(saved);
  if (rc != 0) { fclose(t); return NULL; }
  diag_sink s;
  memset(&s, 0, sizeof s);
  rewind(t);
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, t)) > 0) sink_put(&s, buf, n);
  fclose(t);
  if (!s.buf) sink_str(&s, "");
  return s.buf;
}

/* Is word (n bytes) in the list of words already printed? */
static int seen(diag_sink *list, const char *w, size_t n) {
  const char *p = list->buf;
  while (p && *p) {
    const char *e = strchr(p, '\n');
    if ((size_t)(e - p) == n && memcmp(p, w, n) == 0) return 1;
    p = e + 1;
  }
  return 0;
}

static void add(diag_sink *list, const char *w, size_t n) {
  if (seen(list, w, n)) return;
  sink_put(list, w, n);
  sink_str(list, "\n");
}

/* The options of a --help text: -o and every --name, where a line starts
** with it or it follows ' ', '[' or '|' (as tests/check-man.sh reads them). */
static void flags_of(const char *help, diag_sink *list) {
  for (const char *p = help; *p; p++) {
    if (p != help && p[-1] != ' ' && p[-1] != '[' && p[-1] != '|' && p[-1] != '\n') continue;
    if (p[0] == '-' && p[1] == 'o' && !isalnum((unsigned char)p[2]) && p[2] != '-') { add(list, "-o", 2); continue; }
    if (p[0] != '-' || p[1] != '-' || !islower((unsigned char)p[2])) continue;
    size_t n = 2;
    while (islower((unsigned char)p[n]) || p[n] == '-') n++;
    while (n > 2 && p[n - 1] == '-') n--;
    add(list, p, n);
  }
}

/* FLAG's value in a --help text: the word after its first "FLAG " or
** "FLAG=" (n bytes), or NULL when it takes none. */
static const char *value_of(const char *help, const char *flag, size_t *n) {
  size_t fl = strlen(flag);
  for (const char *p = strstr(help, flag); p; p = strstr(p + 1, flag)) {
    if (p != help && p[-1] != ' ' && p[-1] != '[' && p[-1] != '|' && p[-1] != '\n') continue;
    const char *v = p + fl;
    if (*v != ' ' && *v != '=') continue;
    v++;
    size_t k = 0;
    while (v[k] && !isspace((unsigned char)v[k]) && v[k] != ']') k++;
    /* a value is a word in capitals (FILE, TIER) or a|b list: not an option, not prose */
    if (k == 0 || !isalpha((unsigned char)v[0]) || (islower((unsigned char)v[0]) && !memchr(v, '|', k))) return NULL;
    *n = k;
    return v;
  }
  return NULL;
}

static int complete_values(const char *cmd, const char *flag) {
  char *help = help_of(cmd);
  if (!help) return 0;
  size_t n = 0;
  const char *v = value_of(help, flag, &n);
  if (v) {
    diag_sink out;
    memset(&out, 0, sizeof out);
    int file = memchr(v, '.', n) != NULL, tier = n == 4 && memcmp(v, "TIER", 4) == 0;
    for (size_t k = 0; k + 4 <= n; k++) file |= memcmp(v + k, "FILE", 4) == 0;
    if (file) sink_str(&out, "@file\n");
    else if (tier) sink_str(&out, "yellow\norange\nred\n"); /* the default tiers */
    else {
      /* the lower-case words of a|b|c */
      for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j < n && v[j] != '|') j++;
        int lower = j > i;
        for (size_t k = i; k < j; k++) lower &= islower((unsigned char)v[k]) || v[k] == '-';
        if (lower) { sink_put(&out, v + i, j - i); sink_str(&out, "\n"); }
        i = j + 1;
      }
      if (!out.len) sink_str(&out, "@any\n");
    }
    out_write(stdout, out.buf, out.len);
    free(out.buf);
  }
  free(help);
  return 0;
}

static int complete_params(int argc, char **argv) {
  diag_sink list;
  memset(&list, 0, sizeof list);
  for (int i = 3; i < argc; i++) {
    vg_compile_opts co;
    memset(&co, 0, sizeof co);  /* no diagnostics: a half-written pack is normal while typing */
    vg_program *p = NULL;
    if (vg_compile_path(argv[i], &co, &p) != VG_OK) continue;
    for (int k = 0; k < vg_program_param_count(p); k++) {
      const char *name = vg_program_param_name(p, k);
      add(&list, name, strlen(name));
    }
    vg_free_program(p);
  }
  if (list.buf) out_write(stdout, list.buf, list.len);
  free(list.buf);
  return 0;
}

int cmd_complete(int argc, char **argv) {
  const char *what = argc > 2 ? argv[2] : "";
  if (is_help(what)) { fputs(usage_complete, stdout); return 0; }
  if (strcmp(what, "commands") == 0 && argc == 3) {
    char *help = help_of(NULL);
    const char *p = help ? strstr(help, "\ncommands:\n") : NULL;
    diag_sink list;
    memset(&list, 0, sizeof list);
    for (p = p ? strchr(p + 1, '\n') + 1 : NULL; p && p[0] == ' ' && p[1] == ' ' && islower((unsigned char)p[2]);) {
      size_t n = strcspn(p + 2, " \n");
      add(&list, p + 2, n);
      p = strchr(p, '\n');
      if (p) p++;
    }
    if (list.buf) out_write(stdout, list.buf, list.len);
    free(list.buf);
    free(help);
    return 0;
  }
  if (strcmp(what, "flags") == 0 && argc == 4) {
    char *help = help_of(argv[3]);
    if (!help) return 0; /* not a command: nothing to offer */
    diag_sink list;
    memset(&list, 0, sizeof list);
    flags_of(help, &list);
    add(&list, "--help", 6);
    sink_str(&list, "--color=auto\n--color=always\n--color=never\n");
    out_write(stdout, list.buf, list.len);
    free(list.buf);
    free(help);
    return 0;
  }
  if (strcmp(what, "values") == 0 && argc == 5) return complete_values(argv[3], argv[4]);
  if (strcmp(what, "params") == 0) return complete_params(argc, argv);
  return usage_error(usage_complete, "%s", "complete: commands, flags CMD, values CMD FLAG or params PATH...");
}
