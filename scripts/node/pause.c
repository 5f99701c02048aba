/* The pod sandbox's process: holds the pod's namespaces, reaps orphans, ends on SIGINT or SIGTERM. */
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

static void stop(int signal) { (void)signal; _exit(0); }

static void reap(int signal) {
  (void)signal;
  while (waitpid(-1, 0, WNOHANG) > 0) {
  }
}

int main(void) {
  struct sigaction down = {.sa_handler = stop};
  struct sigaction children = {.sa_handler = reap, .sa_flags = SA_NOCLDSTOP};
  sigaction(SIGINT, &down, 0);
  sigaction(SIGTERM, &down, 0);
  sigaction(SIGCHLD, &children, 0);
  for (;;) pause();
}
