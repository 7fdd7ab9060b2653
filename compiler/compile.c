/*
** compile.c — the public compile API: from a PATH (a .rules file, a pack
** folder or a .vgc) to a verified program.
*/
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "ast.h"
#include "../core/prog.h"
#include "../core/bc.h"

static void cc_init(cc *c, const vg_compile_opts *o) {
  memset(c, 0, sizeof *c);
  if (o) { c->diag = o->diag; c->ud = o->ud; c->max_errors = o->max_errors; c->lint = o->warnings; }
  if (c->max_errors <= 0) c->max_errors = VG_DEFAULT_MAX_ERRORS;
}

size_t vg_text_bad_line(const char *text, size_t len, int *nul) {
  const unsigned char *s = (const unsigned char *)text;
  size_t line = 1;
  if (nul) *nul = 0;
  for (size_t i = 0; i < len;) {
    unsigned c = s[i];
    if (c == '\n') line++;
    if (c == 0) {
      if (nul) *nul = 1;
      return line;
    }
    if (c < 0x80) { i++; continue; }
    /* the shortest form only (no overlongs), no surrogates, at most U+10FFFF */
    size_t k = c >= 0xc2 && c <= 0xdf ? 1 : c >= 0xe0 && c <= 0xef ? 2 : c >= 0xf0 && c <= 0xf4 ? 3 : 0;
    if (k == 0 || len - i <= k) return line; /* not a lead byte, or cut short */
    unsigned lo = 0x80, hi = 0xbf;
    if (c == 0xe0) lo = 0xa0;
    else if (c == 0xed) hi = 0x9f;
    else if (c == 0xf0) lo = 0x90;
    else if (c == 0xf4) hi = 0x8f;
    if (s[i + 1] < lo || s[i + 1] > hi) return line;
    for (size_t j = 2; j <= k; j++)
      if (s[i + j] < 0x80 || s[i + j] > 0xbf) return line;
    i += k + 1;
  }
  return 0;
}

int compile_read_refused(int err) { return err == ELOOP || err == EINVAL || err == EILSEQ; }

/* See ast.h. */
char *compile_read_file(const char *path, size_t *len, size_t limit, int flags, char *why, size_t whycap) {
  char dummy[8];
  if (!why) { why = dummy; whycap = sizeof dummy; }
  /* O_NONBLOCK: opening a FIFO must not wait for a writer (it is refused below) */
  int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | (flags & COMPILE_READ_FOLLOW ? 0 : O_NOFOLLOW));
  if (fd < 0) {
    int e = errno;
    struct stat ls;
    if (e == ELOOP && !(flags & COMPILE_READ_FOLLOW) && lstat(path, &ls) == 0 && S_ISLNK(ls.st_mode))
      snprintf(why, whycap, "a symbolic link, not read: sources are read from regular files only, unless following links is asked for");
    else
      snprintf(why, whycap, "cannot read: %s", strerror(e));
    errno = e;
    return NULL;
  }
  /* what was opened is what is checked: no window between a check and the open */
  struct stat st;
  if (fstat(fd, &st) != 0) {
    int e = errno;
    snprintf(why, whycap, "cannot read: %s", strerror(e));
    close(fd);
    errno = e;
    return NULL;
  }
  if (!S_ISREG(st.st_mode)) {
    snprintf(why, whycap, "%s", S_ISDIR(st.st_mode) ? "a folder, not a file" : "not a regular file, not read");
    close(fd);
    errno = EINVAL;
    return NULL;
  }
  vg_buf b = {NULL, 0, 0};
  char chunk[65536];
  ssize_t n;
  int e = 0;
  while ((n = read(fd, chunk, sizeof chunk)) != 0) {
    if (n < 0) {
      if (errno == EINTR) continue;
      e = errno == EAGAIN ? EIO : errno;
      break;
    }
    if (b.len + (size_t)n > limit) { e = EFBIG; break; }
    if (vg_buf_append(&b, chunk, (size_t)n) != 0) { e = ENOMEM; break; }
  }
  close(fd);
  if (!e && !b.data && vg_buf_append(&b, "", 0) != 0) e = ENOMEM;
  int nul = 0;
  size_t bad = !e && (flags & COMPILE_READ_TEXT) ? vg_text_bad_line(b.data, b.len, &nul) : 0;
  if (bad) {
    snprintf(why, whycap, "not a text file: line %zu %s (a source is UTF-8 text; its lines are not shown)", bad,
             nul ? "has a NUL byte" : "is not valid UTF-8");
    e = EILSEQ;
  }
  if (e) {
    if (e == EFBIG) snprintf(why, whycap, "file too large (at most %zu bytes)", limit);
    else if (e != EILSEQ) snprintf(why, whycap, "cannot read: %s", strerror(e));
    vg_buf_free(&b);
    errno = e;
    return NULL;
  }
  *len = b.len;
  return b.data;
}

int compile_has_suffix(const char *s, const char *suf) {
  size_t n = strlen(s), m = strlen(suf);
  return n >= m && strcmp(s + n - m, suf) == 0;
}

int compile_cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* The default pack name: the folder's or file's base name without .rules. */
static const char *base_name(cc *c, const char *path) {
  size_t n = strlen(path);
  while (n > 1 && path[n - 1] == '/') n--;
  size_t s = n;
  while (s > 0 && path[s - 1] != '/') s--;
  size_t e = n;
  if (e - s > 6 && strncmp(path + e - 6, ".rules", 6) == 0) e -= 6;
  char *r = vg_arena_strndup(&c->arena, path + s, e - s);
  return r ? r : "pack";
}

/* compile_read_file's flags for the options: links only when allowed. */
static int read_flags(const vg_compile_opts *o) { return o && o->follow_symlinks ? COMPILE_READ_FOLLOW : 0; }

/* a then b, in c's arena (NULL when out of memory: messages then say "the schema"). */
static const char *arena_join(cc *c, const char *a, const char *b) {
  size_t na = strlen(a), nb = strlen(b);
  char *r = vg_arena_alloc(&c->arena, na + nb + 1);
  if (!r) return NULL;
  memcpy(r, a, na);
  memcpy(r + na, b, nb + 1);
  return r;
}

/* Load the schema the options or the folder give.  Returns 0 or -1. */
static int load_schema(cc *c, const vg_compile_opts *o, const char *folder_schema) {
  if (o && o->db_path) {
    /* a PostgreSQL connection string is not shown: it may hold credentials */
    c->schema_what = vg_db_is_postgres(o->db_path) ? "the PostgreSQL database"
                                                  : arena_join(c, "the database ", o->db_path);
    if (!vg_db_is_postgres(o->db_path)) c->data_path = o->db_path; /* (a server's tables are not read for lints) */
    return schema_load_db(c, o->db_path);
  }
  const char *path = o && o->schema_path ? o->schema_path : folder_schema;
  if (!path) return 0;
  c->schema_what = arena_join(c, "the schema ", path);
  size_t len;
  char why[256];
  char *sql = compile_read_file(path, &len, VG_MAX_FILE_SIZE, read_flags(o) | COMPILE_READ_TEXT, why, sizeof why);
  if (!sql) {
    if (!(o && o->schema_path) && errno == ENOENT) return 0; /* no schema.sql beside: unchecked */
    if (errno == ENOMEM) c->oom = 1;
    else if (compile_read_refused(errno)) cc_error_plain(c, "%s: %s", path, why);
    else cc_error_plain(c, "%s: cannot read the schema: %s", path, strerror(errno));
    return -1;
  }
  /* SQLite reads text up to a NUL byte: what follows it would be ignored */
  const char *nul = memchr(sql, 0, len);
  if (nul) {
    int line = 1;
    for (const char *q = sql; q < nul; q++) line += *q == '\n';
    cc_error_plain(c, "%s: the schema does not load: line %d: a NUL byte (SQL text holds none; remove it)", path, line);
    vg_free(sql);
    return -1;
  }
  int rc = schema_load_sql(c, path, sql, 0);
  vg_free(sql);
  return rc;
}

/* Parse, check and generate: c holds the files. */
static vg_status finish(cc *c, const char *default_pack, vg_program **out) {
  for (int i = 0; i < c->nfiles && !c->oom && !c->stopped; i++) parse_source(c, i, PARSE_FILE, 0, 0, NULL);
  c->syntax_errors = c->nerrors;
  vg_program *p = NULL;
  /* check what parsed even after syntax errors: one run lists them all (but
  ** nothing after a limit: cc_limit) */
  if (!c->oom && !c->stopped) p = sema_compile(c, default_pack);
  if (c->nerrors > c->max_errors && c->diag) {
    char msg[128];
    snprintf(msg, sizeof msg, "%d more error%s not shown (at most %d are listed)", c->nerrors - c->max_errors,
             c->nerrors - c->max_errors == 1 ? "" : "s", c->max_errors);
    vg_diag d;
    memset(&d, 0, sizeof d);
    d.severity = VG_NOTE;
    d.message = msg;
    c->diag(c->ud, &d);
  }
  if (c->oom) {
    vg_free_program(p);
    return VG_ENOMEM;
  }
  if (!p || c->nerrors) {
    vg_free_program(p);
    return VG_EINPUT;
  }
  *out = p;
  return VG_OK;
}

static vg_status load_vgc(const char *path, const vg_compile_opts *o, vg_program **out) {
  cc c;
  cc_init(&c, o);
  size_t len;
  char why[256];
  char *data = compile_read_file(path, &len, 256u * 1024u * 1024u, read_flags(o), why, sizeof why);
  if (!data) {
    if (errno == ENOMEM) return VG_ENOMEM;
    cc_error_plain(&c, "%s: %s", path, why);
    return compile_read_refused(errno) ? VG_EINPUT : VG_EIO;
  }
  char err[512];
  vm_program *p = NULL;
  int rc = bc_read((const uint8_t *)data, len, &p, err, sizeof err);
  vg_free(data);
  if (rc != 0) {
    cc_error_plain(&c, "%s: not a valid compiled pack: %s", path, err);
    return VG_EINPUT;
  }
  *out = p;
  return VG_OK;
}

vg_status vg_compile_path(const char *path, const vg_compile_opts *o, vg_program **out) {
  *out = NULL;
  struct stat st;
  cc c;
  cc_init(&c, o);
  if (stat(path, &st) != 0) {
    cc_error_plain(&c, "%s: %s", path, strerror(errno));
    return VG_EIO;
  }
  if (!S_ISDIR(st.st_mode)) {
    /* a compiled pack is recognised by its magic, whatever its name (peeked
    ** at only in a regular file: a FIFO would wait, a link is refused below) */
    char magic[4] = {0, 0, 0, 0};
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | (read_flags(o) ? 0 : O_NOFOLLOW));
    struct stat fst;
    if (fd >= 0) {
      if (fstat(fd, &fst) == 0 && S_ISREG(fst.st_mode)) {
        ssize_t got = read(fd, magic, 4);
        (void)got;
      }
      close(fd);
    }
    if (memcmp(magic, "VGC", 4) == 0 || compile_has_suffix(path, ".vgc")) return load_vgc(path, o, out);
  }
  vg_status st_rc = VG_OK;
  char *folder_schema = NULL;
  char **names = NULL;
  size_t nnames = 0;
  if (S_ISDIR(st.st_mode)) {
    DIR *d = opendir(path);
    if (!d) {
      cc_error_plain(&c, "%s: %s", path, strerror(errno));
      return VG_EIO;
    }
    struct dirent *e;
    size_t cap = 0;
    while ((e = readdir(d)) != NULL) {
      if (e->d_name[0] == '.' || !compile_has_suffix(e->d_name, ".rules")) continue;
      if (nnames == cap) {
        cap = cap ? cap * 2 : 16;
        char **nn = vg_realloc(names, cap * sizeof *nn);
        if (!nn) { closedir(d); st_rc = VG_ENOMEM; goto done; }
        names = nn;
      }
      size_t len = strlen(path) + strlen(e->d_name) + 2;
      names[nnames] = vg_arena_alloc(&c.arena, len);
      if (!names[nnames]) { closedir(d); st_rc = VG_ENOMEM; goto done; }
      snprintf(names[nnames], len, "%s%s%s", path, compile_has_suffix(path, "/") ? "" : "/", e->d_name);
      nnames++;
    }
    closedir(d);
    if (nnames == 0) {
      cc_error_plain(&c, "%s: the folder has no .rules files", path);
      st_rc = VG_EINPUT;
      goto done;
    }
    qsort(names, nnames, sizeof *names, compile_cmp_str);
    size_t len = strlen(path) + 16;
    folder_schema = vg_arena_alloc(&c.arena, len);
    if (!folder_schema) { st_rc = VG_ENOMEM; goto done; }
    snprintf(folder_schema, len, "%s%sschema.sql", path, compile_has_suffix(path, "/") ? "" : "/");
  } else {
    names = vg_realloc(NULL, sizeof *names);
    if (!names) { st_rc = VG_ENOMEM; goto done; }
    names[0] = (char *)path;
    nnames = 1;
    const char *slash = strrchr(path, '/');
    size_t dl = slash ? (size_t)(slash - path) + 1 : 0;
    folder_schema = vg_arena_alloc(&c.arena, dl + 16);
    if (!folder_schema) { st_rc = VG_ENOMEM; goto done; }
    memcpy(folder_schema, path, dl);
    memcpy(folder_schema + dl, "schema.sql", 11);
  }
  if (load_schema(&c, o, folder_schema) != 0) { st_rc = c.oom ? VG_ENOMEM : VG_EINPUT; goto done; }
  for (size_t i = 0; i < nnames; i++) {
    size_t len;
    char why[256];
    char *text = compile_read_file(names[i], &len, VG_MAX_FILE_SIZE, read_flags(o) | COMPILE_READ_TEXT, why, sizeof why);
    if (!text) {
      if (errno == ENOMEM) { st_rc = VG_ENOMEM; goto done; }
      cc_error_plain(&c, "%s: %s", names[i], why);
      st_rc = compile_read_refused(errno) ? VG_EINPUT : VG_EIO;
      goto done;
    }
    int fi = cc_add_file(&c, names[i], text, len);
    vg_free(text);
    if (fi < 0) { st_rc = c.oom ? VG_ENOMEM : VG_EINPUT; goto done; }
  }
  st_rc = finish(&c, base_name(&c, path), out);
done:
  vg_free(names);
  vg_arena_free(&c.arena);
  return st_rc;
}

vg_status vg_compile_string(const char *name, const char *text, size_t len, const char *schema_sql,
                            const vg_compile_opts *o, vg_program **out) {
  *out = NULL;
  cc c;
  cc_init(&c, o);
  vg_status rc = VG_OK;
  if (schema_sql && schema_load_sql(&c, "schema", schema_sql, 0) != 0) { rc = c.oom ? VG_ENOMEM : VG_EINPUT; goto done; }
  if (!schema_sql && o && (o->db_path || o->schema_path) && load_schema(&c, o, NULL) != 0) {
    rc = c.oom ? VG_ENOMEM : VG_EINPUT;
    goto done;
  }
  if (cc_add_file(&c, name, text, len) < 0) { rc = c.oom ? VG_ENOMEM : VG_EINPUT; goto done; }
  rc = finish(&c, base_name(&c, name), out);
done:
  vg_arena_free(&c.arena);
  return rc;
}

void vg_free_program(vg_program *p) {
  if (p) vm_program_free(p);
}

const char *vg_program_pack(const vg_program *p) { return p->pack; }

vg_status vg_save_program(const vg_program *p, const char *path, char *err, size_t errcap) {
  vg_buf b = {NULL, 0, 0};
  if (bc_write(p, &b) != 0) {
    snprintf(err, errcap, "out of memory");
    return VG_ENOMEM;
  }
  FILE *f = fopen(path, "wb");
  if (!f) {
    snprintf(err, errcap, "%s: %s", path, strerror(errno));
    vg_buf_free(&b);
    return VG_EIO;
  }
  size_t w = fwrite(b.data, 1, b.len, f);
  int bad = w != b.len;
  if (fclose(f) != 0) bad = 1;
  vg_buf_free(&b);
  if (bad) {
    snprintf(err, errcap, "%s: write failed: %s", path, strerror(errno));
    remove(path);
    return VG_EIO;
  }
  return VG_OK;
}

char *vg_disasm(const vg_program *p) {
  vg_buf b = {NULL, 0, 0};
  if (bc_disasm(p, &b) != 0) {
    vg_buf_free(&b);
    return NULL;
  }
  if (!b.data && vg_buf_append(&b, "", 0) != 0) return NULL;
  return b.data; /* allocated by vg_realloc, which is realloc: free() works */
}
