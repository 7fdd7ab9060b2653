/*
** compile.c — the public compile API: from a PATH (a .rules file, a pack
** folder or a .vgc) to a verified program.
*/
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "ast.h"
#include "../runtime/vm.h"
#include "../runtime/bc.h"

static void cc_init(cc *c, const vg_compile_opts *o) {
  memset(c, 0, sizeof *c);
  if (o) { c->diag = o->diag; c->ud = o->ud; c->max_errors = o->max_errors; c->lint = o->warnings; }
  if (c->max_errors <= 0) c->max_errors = VG_DEFAULT_MAX_ERRORS;
}

/* See ast.h. */
char *compile_read_file(const char *path, size_t *len, size_t limit) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  vg_buf b = {NULL, 0, 0};
  char chunk[65536];
  size_t n;
  while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
    if (b.len + n > limit) { vg_buf_free(&b); fclose(f); errno = EFBIG; return NULL; }
    if (vg_buf_append(&b, chunk, n) != 0) { vg_buf_free(&b); fclose(f); errno = ENOMEM; return NULL; }
  }
  int bad = ferror(f);
  fclose(f);
  if (bad) { vg_buf_free(&b); errno = EIO; return NULL; }
  if (!b.data && vg_buf_append(&b, "", 0) != 0) { errno = ENOMEM; return NULL; }
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

/* Load the schema the options or the folder give.  Returns 0 or -1. */
static int load_schema(cc *c, const vg_compile_opts *o, const char *folder_schema) {
  if (o && o->db_path) return schema_load_db(c, o->db_path);
  const char *path = o && o->schema_path ? o->schema_path : folder_schema;
  if (!path) return 0;
  size_t len;
  char *sql = compile_read_file(path, &len, VG_MAX_FILE_SIZE);
  if (!sql) {
    if (!(o && o->schema_path) && errno == ENOENT) return 0; /* no schema.sql beside: unchecked */
    cc_error_plain(c, "%s: cannot read the schema: %s", path, strerror(errno));
    return -1;
  }
  int rc = schema_load_sql(c, path, sql);
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
    snprintf(msg, sizeof msg, "%d more error%s not shown (--max-errors %d)", c->nerrors - c->max_errors,
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
  char *data = compile_read_file(path, &len, 256u * 1024u * 1024u);
  if (!data) {
    cc_error_plain(&c, "%s: cannot read: %s", path, strerror(errno));
    return VG_EIO;
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
    /* a compiled pack is recognised by its magic, whatever its name */
    FILE *f = fopen(path, "rb");
    char magic[4] = {0, 0, 0, 0};
    if (f) {
      size_t got = fread(magic, 1, 4, f);
      (void)got;
      fclose(f);
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
    char *text = compile_read_file(names[i], &len, VG_MAX_FILE_SIZE);
    if (!text) {
      if (errno == EFBIG) cc_error_plain(&c, "%s: file too large (at most %u bytes)", names[i], (unsigned)VG_MAX_FILE_SIZE);
      else cc_error_plain(&c, "%s: cannot read: %s", names[i], strerror(errno));
      st_rc = VG_EIO;
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
  if (schema_sql && schema_load_sql(&c, "schema", schema_sql) != 0) { rc = c.oom ? VG_ENOMEM : VG_EINPUT; goto done; }
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

/* Collects the first diagnostic's message for vg_set_param. */
static void first_message(void *ud, const vg_diag *d) {
  char *buf = ud;
  if (!buf[0]) snprintf(buf, 256, "%s", d->message);
}

vg_status vg_set_param(vg_program *p, const char *name, const char *literal, char *err, size_t errcap) {
  int pi = -1;
  for (int i = 0; i < p->nparams; i++)
    if (strcmp(p->params[i].name, name) == 0) pi = i;
  if (pi < 0) {
    vg_buf names = {NULL, 0, 0};
    for (int i = 0; i < p->nparams; i++) vg_buf_printf(&names, "%s%s", i ? ", " : "", p->params[i].name);
    snprintf(err, errcap, "pack %s has no param '%s'%s%s", p->pack, name,
             p->nparams ? "; its params are " : " (it declares none)", names.data ? names.data : "");
    vg_buf_free(&names);
    return VG_EUSAGE;
  }
  char first[256] = "";
  cc c;
  vg_compile_opts o = {NULL, NULL, first_message, first, 1, 0};
  cc_init(&c, &o);
  vg_status rc = VG_OK;
  ast *lit = NULL;
  if (cc_add_file(&c, "--set", literal, strlen(literal)) < 0 ||
      parse_source(&c, 0, PARSE_LITERAL, 0, (uint32_t)strlen(literal), &lit) != 0 || !lit) {
    snprintf(err, errcap, "--set %s=%s: not a literal of the rule language%s%s", name, literal, first[0] ? ": " : "", first);
    rc = c.oom ? VG_ENOMEM : VG_EUSAGE;
    goto done;
  }
  val v;
  switch (lit->kind) {
  case A_NUM: v = val_num(lit->num); break;
  case A_DUR: v = val_dur(lit->num); break;
  case A_DATE: v = val_date(lit->date); break;
  case A_BOOL: v = val_bool(lit->num != 0); break;
  case A_STR: {
    char *s = vg_arena_strndup(&p->arena, lit->str, lit->len);
    if (!s) { rc = VG_ENOMEM; goto done; }
    v = val_str(s, lit->len);
    break;
  }
  default: v = val_null();
  }
  if (v.t != p->params[pi].value.t) {
    snprintf(err, errcap, "--set %s=%s: param %s is a %s, and this is a %s%s", name, literal, name,
             val_type_name(p->params[pi].value.t), val_type_name(v.t),
             p->params[pi].value.t == VT_DUR ? " (write a duration, e.g. 7days)" : "");
    rc = VG_EUSAGE;
    goto done;
  }
  p->params[pi].value = v;
done:
  vg_arena_free(&c.arena);
  return rc;
}

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
