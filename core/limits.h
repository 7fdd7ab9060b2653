/*
** limits.h — the compiler's and the VM's limits, in one place.
** Each can be overridden at build time (-DVG_MAX_...=N).  Exceeding one is
** an error with a location, never a crash.
**
** The table of docs/LANGUAGE.md §14 is generated from this file
** (docs/gen-tables.sh limits; make test checks it): each limit's comment is
** "[UNIT] WHAT", where WHAT (up to an empty comment line) is the table's
** text, in Markdown; what follows an empty comment line is for the reader of
** the code only.  UNIT (optional) is what the value counts: "bytes" shows
** as MiB when it is a whole number of them.
*/
#ifndef VIGIL_LIMITS_H
#define VIGIL_LIMITS_H

/* `.rules` files in one pack */
#ifndef VG_MAX_FILES
#define VG_MAX_FILES 256
#endif

/* [bytes] size of one `.rules` file */
#ifndef VG_MAX_FILE_SIZE
#define VG_MAX_FILE_SIZE (16u * 1024u * 1024u)
#endif

/* nesting of expressions in the source text (parentheses, operators,
** calls); defs in a chain of calls (a def calling a def … 200 deep) */
#ifndef VG_MAX_DEPTH
#define VG_MAX_DEPTH 200
#endif

/* [nodes] size of one expression once lets and defs are inlined (nesting
** once inlined: 2 000). A call of a def is measured before the def's body is
** copied, and refused at the call
**
** A let used twice in a let used twice ... grows exponentially; sema.c keeps
** each def's size as a function of its arguments' sizes.  The nesting bound
** once inlined is 10 * VG_MAX_DEPTH. */
#ifndef VG_MAX_INLINED
#define VG_MAX_INLINED 200000
#endif

/* [nodes] all the clauses, messages, `notify`, `clear when` and `where`s of
** a pack together, once inlined (what the warnings and the rule functions
** walk)
**
** Lets compiled as evidence are bounded by VG_MAX_CODE. */
#ifndef VG_MAX_PACK_SIZE
#define VG_MAX_PACK_SIZE 2000000
#endif

/* [nodes] tree nodes the checker builds for a pack, counted as they are
** built (each call of a def copies the def's body, and each def is also
** checked on its own). At about 120 bytes a node, that is at most about
** 240 MB
**
** Without it a few lines of defs could ask for gigabytes.  The parser's own
** nodes are not counted (they are bounded by the input). */
#ifndef VG_MAX_CHECK_NODES
#define VG_MAX_CHECK_NODES 2000000
#endif

/* lets in one rule (each is also a function of the bytecode, its evidence) */
#ifndef VG_MAX_LETS
#define VG_MAX_LETS 10000
#endif

/* [bytes] one string literal or identifier */
#ifndef VG_MAX_STRING
#define VG_MAX_STRING 65535
#endif

/* params, defs, sources, rules or tiers of one kind; functions in the
** bytecode (one per rule, let, `where`, `clear when`, `for` and window
** function: `E-limit` at the one that would be one too many); operands are
** 16-bit */
#ifndef VG_MAX_ITEMS
#define VG_MAX_ITEMS 65535
#endif

/* N in `last N snapshots`, `for N snapshots` and `prev(x, N)`; days in a
** day window */
#ifndef VG_MAX_WINDOW
#define VG_MAX_WINDOW 10000
#endif

/* levels in `route ... up N` and `manager(x, N)` */
#ifndef VG_MAX_ROUTE
#define VG_MAX_ROUTE 16
#endif

/* nesting of window functions at run time (one VM frame each) */
#ifndef VM_MAX_DEPTH
#define VM_MAX_DEPTH 64
#endif

/* value-stack slots of one function: counted by the code generator
** (`E-limit` at the value one too many), and checked again by the verifier */
#ifndef VM_MAX_STACK
#define VM_MAX_STACK 65535
#endif

/* values in one `in (…)` list, arguments of one call (of a built-in or a
** def), parameters of one def, parts of one message (an error with a
** location) */
#ifndef VG_MAX_LIST
#define VG_MAX_LIST 1000
#endif

/* [bytes] one program's instructions and line table (16 bytes an entry),
** counted as they are emitted (a `.vgc` is read up to 256 MiB) */
#ifndef VG_MAX_CODE
#define VG_MAX_CODE (64u * 1024u * 1024u)
#endif

/* instructions for one rule on one key. Exceeding it fails the run (the
** default of vg_run_opts.step_budget) */
#ifndef VM_STEP_BUDGET
#define VM_STEP_BUDGET 50000000u
#endif

/* instructions between two polls of vg_run_opts.progress */
#ifndef VM_POLL_STEPS
#define VM_POLL_STEPS 1000000u
#endif

/* errors listed before `check` stops listing (`--max-errors`) */
#ifndef VG_DEFAULT_MAX_ERRORS
#define VG_DEFAULT_MAX_ERRORS 50
#endif

/* [s] how long every database connection waits for another process's lock
** ([CLI.md §6](CLI.md#6-runs-and-recording))
**
** SQLite's busy timeout (runtime/db.c), after which a run fails with "the
** database is locked by another process".  A whole number. */
#ifndef VG_BUSY_TIMEOUT_S
#define VG_BUSY_TIMEOUT_S 5
#endif

#endif
