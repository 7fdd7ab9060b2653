/*
** cmd_test.c — `vigil test` (issue #3: not implemented yet).
*/
#include <string.h>
#include "cli.h"

int cmd_test(int argc, char **argv) {
  if (argc > 2 && is_help(argv[2])) {
    puts("usage: vigil test PATH...\n\nNot available in this version yet (issue #3).");
    return 0;
  }
  fputs("vigil: 'test' is not available in this version yet (issue #3)\n", stderr);
  return EXIT_USAGE;
}
