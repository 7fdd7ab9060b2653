/*
** bc.h — the .vgc bytecode file: writing, reading, verifying and listing a
** vm_program.  The format is described in docs/BYTECODE.md.
**
** Ownership: a program returned by bc_read belongs to the caller, who frees
** it with vm_program_free (vm.h).  Output buffers (vg_buf) belong to the
** caller; these functions only append to them.  Error texts are written into
** the caller's err[0..errcap) as one NUL-terminated line (truncated to fit).
*/
#ifndef VIGIL_BC_H
#define VIGIL_BC_H

#include <stddef.h>
#include <stdint.h>
#include "mem.h"
#include "prog.h"

/* The format version this build writes and the only one it reads.  Bump it
** whenever the file layout or the opcode list changes. */
#define VG_BC_VERSION 8

/* Serializes p (which must have passed bc_verify) as a .vgc file appended
** to out.  Returns 0, or -1 when out of memory (or the payload would exceed
** 4 GiB); on failure out->len is restored to what it was. */
int bc_write(const vm_program *p, vg_buf *out);

/* Parses data[0..len) as a .vgc file and runs bc_verify on the result.
** Returns 0 and sets *out to a new program owned by the caller (free it with
** vm_program_free); or returns -1, leaves *out NULL and writes a one-line
** reason into err.  Never reads outside data and never trusts a count before
** checking it against the bytes that remain.  data is not kept. */
int bc_read(const uint8_t *data, size_t len, vm_program **out, char *err, size_t errcap);

/* Checks every semantic property listed in docs/BYTECODE.md ("What the
** verifier guarantees") on an in-memory program, and sets each function's
** max_stack to the deepest stack it can reach (at most VM_MAX_STACK of
** core/limits.h).  Returns 0, or -1 with a
** one-line reason in err ("function 3, pc 12: constant index 9 out of range
** (4 constants)"); on failure some max_stack fields may have been updated.
** Returns -2, with "out of memory" in err, when its scratch allocation
** fails (not a fault of the program: the compiler reports VG_ENOMEM). */
int bc_verify(vm_program *p, char *err, size_t errcap);

/* Appends a readable listing of p (header, params, sources, rules with their
** lookback, then every function's instructions with named operands) to out.
** p should be verified.  For an unverified one (a compiler bug being
** debugged) every index is bounds-checked and code is listed as far as it
** decodes, but the tables must exist for their counts.
** Returns 0, or -1 when out of memory (out then holds a partial listing). */
int bc_disasm(const vm_program *p, vg_buf *out);

/* CRC-32 (IEEE 802.3, reflected, as zlib computes it) of data[0..len): the
** checksum of a .vgc payload.  Exposed for tests that craft files. */
uint32_t bc_crc32(const uint8_t *data, size_t len);

/* Internal to core/ (bc.c, verify.c): writes a formatted line into
** err[0..cap) (if there is one) and returns -1, so callers can
** `return bc_fail(...)`. */
#if defined(__GNUC__)
#define BC_PRINTF_LIKE(f, a) __attribute__((format(printf, f, a)))
#else
#define BC_PRINTF_LIKE(f, a)
#endif
int bc_fail(char *err, size_t cap, const char *fmt, ...) BC_PRINTF_LIKE(3, 4);

#endif
