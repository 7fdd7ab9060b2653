/*
** timeit.c — run a command and write its wall time and CPU time.
**
**   timeit OUT CMD [ARG...]
**
** Runs CMD, waits for it (wait4) and writes one line to OUT:
** "WALL_US USER_US SYS_US MAXRSS_KIB" — wall-clock time from a monotonic
** clock, the user and system CPU time of CMD and the processes it waited
** for, in microseconds, and ru_maxrss.  Exits with CMD's status.  run.sh
** runs it under /usr/bin/time -f %M, whose peak RSS is the one reported;
** /usr/bin/time prints CPU times to 10 ms only, too coarse for the small
** sizes, hence this.
*/
#include <stdio.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: timeit OUT CMD [ARG...]\n");
    return 2;
  }
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  pid_t pid = fork();
  if (pid < 0) { perror("timeit: fork"); return 2; }
  if (pid == 0) {
    execvp(argv[2], argv + 2);
    perror("timeit: exec");
    _exit(127);
  }
  int status = 0;
  struct rusage ru;
  if (wait4(pid, &status, 0, &ru) < 0) { perror("timeit: wait4"); return 2; }
  clock_gettime(CLOCK_MONOTONIC, &t1);
  FILE *f = fopen(argv[1], "w");
  if (!f) { perror(argv[1]); return 2; }
  long long wall = (long long)(t1.tv_sec - t0.tv_sec) * 1000000 + (t1.tv_nsec - t0.tv_nsec) / 1000;
  long long usr = (long long)ru.ru_utime.tv_sec * 1000000 + ru.ru_utime.tv_usec;
  long long sys = (long long)ru.ru_stime.tv_sec * 1000000 + ru.ru_stime.tv_usec;
  fprintf(f, "%lld %lld %lld %ld\n", wall, usr, sys, ru.ru_maxrss);
  fclose(f);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
