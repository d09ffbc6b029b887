import ArgumentParser
import Diagnostics

/// The root command: `patchsite <subcommand>`.
public struct Patchsite: ParsableCommand {
  public static let configuration = CommandConfiguration(
    commandName: "patchsite",
    abstract: "Check Linux arm64 ftrace patch-site series offline.",
    discussion: """
      Patchsite reads a patch series (an mbox, a maildir, a folder of .patch files, a single \
      message, stdin, or a revision range in a git repository) and rebuilds the arm64 ftrace \
      callsite it proposes.

      Exit codes: 0 success; 1 something was found (a patch that does not apply, an \
      error-level diagnostic, a program that faults in `run`); 2 bad input or usage, with the \
      file, line and reason.
      """,
    subcommands: [
      SeriesCommand.self, MailCommand.self, AsmCommand.self, DisasmCommand.self, LayoutCommand.self,
      RunCommand.self, ReviewCommand.self, ReplyCommand.self, AuditCommand.self,
      ScanCommand.self,
    ]
  )

  public init() {}

  /// Parses the command line, runs the command and exits with Patchsite's exit codes.
  ///
  /// This is the one place that turns errors into messages and exit codes:
  /// `InputError` → `file:line: reason` and 2; `ExitCode` as given; usage errors → 2.
  public static func main(_ arguments: [String]? = nil) {
    let code = run(arguments)
    if code != 0 { Patchsite.exit(withError: ExitCode(code)) }
  }

  /// Runs and returns the exit code instead of exiting (used by tests).
  public static func run(_ arguments: [String]?) -> Int32 {
    do {
      var command = try parseAsRoot(arguments)
      try command.run()
      return 0
    } catch let error as InputError {
      Console.error("patchsite: \(error)")
      return ExitStatus.badInput
    } catch let error as ExitCode {
      return error.rawValue
    } catch {
      let code = exitCode(for: error).rawValue
      let message = fullMessage(for: error)
      if code == 0 {
        if !message.isEmpty { Console.out(message) }
        return 0
      }
      if !message.isEmpty { Console.error(message) }
      // Usage errors exit 64 in ArgumentParser; Patchsite's contract says 2.
      return code == ExitCode.validationFailure.rawValue ? ExitStatus.badInput : code
    }
  }
}

/// Patchsite's exit codes.
public enum ExitStatus {
  public static let ok: Int32 = 0
  public static let findings: Int32 = 1
  public static let badInput: Int32 = 2
}
