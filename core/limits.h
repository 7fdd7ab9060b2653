/*
** limits.h — the compiler's and the VM's limits, in one place.
** Each can be overridden at build time (-DVG_MAX_...=N).  Exceeding one is
** an error with a location, never a crash.
*/
#ifndef VIGIL_LIMITS_H
#define VIGIL_LIMITS_H

/* Files in one pack. */
#ifndef VG_MAX_FILES
#define VG_MAX_FILES 256
#endif

/* Size of one .rules file, in bytes. */
#ifndef VG_MAX_FILE_SIZE
#define VG_MAX_FILE_SIZE (16u * 1024u * 1024u)
#endif

/* Nesting of expressions (parentheses, operators, calls) in the source. */
#ifndef VG_MAX_DEPTH
#define VG_MAX_DEPTH 200
#endif

/* Size of one rule expression once its lets and defs are inlined (in tree
** nodes): a let used twice in a let used twice ... grows exponentially.
** A call of a def is measured before its body is copied (sema.c keeps each
** def's size as a function of its arguments' sizes).  Nesting once inlined
** is bounded too, at 10 * VG_MAX_DEPTH levels. */
#ifndef VG_MAX_INLINED
#define VG_MAX_INLINED 200000
#endif

/* Total size, in tree nodes, of the expressions of one pack once their lets
** and defs are inlined (every clause, message, notify, clear and where):
** what the warnings and the rule functions walk.  (Lets compiled as
** evidence are bounded by VG_MAX_CODE.) */
#ifndef VG_MAX_PACK_SIZE
#define VG_MAX_PACK_SIZE 2000000
#endif

/* Tree nodes the checker may build for one pack, counted as they are built:
** each call of a def copies the def's body (and each def is also checked on
** its own), so a few lines of defs could otherwise ask for gigabytes.  About
** 120 bytes each: at most about 240 MB of tree nodes.
** The parser's own nodes are not counted (they are bounded by the input). */
#ifndef VG_MAX_CHECK_NODES
#define VG_MAX_CHECK_NODES 2000000
#endif

/* Lets in one rule: each is also a function of the bytecode (its evidence). */
#ifndef VG_MAX_LETS
#define VG_MAX_LETS 10000
#endif

/* Length of one string literal or identifier, in bytes. */
#ifndef VG_MAX_STRING
#define VG_MAX_STRING 65535
#endif

/* Rules, params, sources, tiers, functions: operands are 16-bit. */
#ifndef VG_MAX_ITEMS
#define VG_MAX_ITEMS 65535
#endif

/* Rows in a `last N snapshots` window or a `for N snapshots` clause, and
** days in a day window. */
#ifndef VG_MAX_WINDOW
#define VG_MAX_WINDOW 10000
#endif

/* Levels above a recipient in `route ... up N` and `manager(x, N)`. */
#ifndef VG_MAX_ROUTE
#define VG_MAX_ROUTE 16
#endif

/* Depth of nested window functions at run time (each level is a VM frame). */
#ifndef VM_MAX_DEPTH
#define VM_MAX_DEPTH 64
#endif

/* Value-stack slots of one function (the code generator counts them as it
** emits, so the verifier never sees more). */
#ifndef VM_MAX_STACK
#define VM_MAX_STACK 65535
#endif

/* Values in an `in (...)` list, arguments of a call (of a built-in or a
** def), parameters of a def, parts of a message. */
#ifndef VG_MAX_LIST
#define VG_MAX_LIST 1000
#endif

/* Bytes of one program's instructions and line table (16 bytes an entry),
** counted by the code generator as it emits: a .vgc is read up to 256 MiB. */
#ifndef VG_MAX_CODE
#define VG_MAX_CODE (64u * 1024u * 1024u)
#endif

/* Instructions one rule evaluation (one key) may execute. */
#ifndef VM_STEP_BUDGET
#define VM_STEP_BUDGET 50000000u
#endif

/* Seconds every connection to a database waits for a lock another process
** holds (SQLite's busy timeout, runtime/db.c) before it fails with "the
** database is locked by another process".  A whole number. */
#ifndef VG_BUSY_TIMEOUT_S
#define VG_BUSY_TIMEOUT_S 5
#endif

/* Errors reported before the compiler stops listing them. */
#ifndef VG_DEFAULT_MAX_ERRORS
#define VG_DEFAULT_MAX_ERRORS 50
#endif

#endif
