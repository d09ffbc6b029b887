/// The C both qemu comparisons wrap their cells in: headers, and a handler that records which
/// signal stopped a cell and at what PC, then jumps back to the loop (`sigsetjmp(jb, 1)`).
enum QemuSignalCatcher {
  /// Headers, `jb`/`sig`/`fpc`, and `catch_signals()` for the given signals.
  static func prelude(signals: [String]) -> String {
    let installs = signals.map { "  sigaction(\($0), &sa, 0);" }.joined(separator: "\n")
    return """
      #include <setjmp.h>
      #include <signal.h>
      #include <stdint.h>
      #include <stdio.h>
      #include <string.h>
      #include <sys/mman.h>
      #include <ucontext.h>
      static sigjmp_buf jb;
      static volatile int sig;
      static volatile uint64_t fpc;
      static void handler(int s, siginfo_t *si, void *ctx) {
        sig = s;
        fpc = ((ucontext_t *)ctx)->uc_mcontext.pc;
        siglongjmp(jb, 1);
      }
      static void catch_signals(void) {
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_sigaction = handler;
        sa.sa_flags = SA_SIGINFO | SA_NODEFER;
      \(installs)
      }

      """
  }
}
