import ArgumentParser
import Diagnostics
import Mail
import Pipeline
import Reporting

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// `patchsite scan`: every series in list archives that touches the arm64 patch-site, each
/// version reviewed.
struct ScanCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "scan",
    abstract: "Find every series in list archives that touches the patch-site, and review it.",
    discussion: """
      ARCHIVE is an mbox file, a maildir (cur/, new/), or a public-inbox archive: an epoch's \
      git repository (each commit holds one message as the file `m`) or an inbox folder with \
      git/0.git, git/1.git… Archives are streamed twice, message by message, in memory that \
      does not grow with their size: first to find the patches whose diff changes a file that \
      shapes the callsite (arch/arm64/Makefile, Kconfig, kernel/entry-ftrace.S, kernel/ftrace.c, \
      include/asm/ftrace.h, insn*, kernel/patching.c, kernel/module-plts.c, \
      kernel/stacktrace.c), then to collect their series (cover letter, the other patches) \
      and the replies. Those are assembled into series and versions, and each version is \
      reviewed as `patchsite review` would: from its hunks, or applied to --tree DIR or \
      --repo PATH (--base REV, else the version's base-commit or the commit its index lines \
      name).

      --since YYYY-MM-DD skips messages dated before that day (UTC); messages without a \
      readable Date are kept. Damaged messages are skipped with a diagnostic.

      The report lists each series (subject, Message-ID), its versions (date, patches, the \
      watched files they change, errors, warnings and notes) and each version's findings. \
      json: {"series": [...], "messages": N, "bytes": N, ...} as in the README. A progress bar \
      is drawn on stderr when it is a terminal, unless --quiet.

      Exit status: 0 when no finding is an error, 1 when one is, 2 for bad input.

      Examples:
        patchsite scan linux-arm-kernel.mbox --since 2023-01-01
        patchsite scan ~/inbox/linux-arm-kernel/git/0.git --format json -o scan.json
        patchsite scan Maildir/lists --repo ~/linux
      """
  )

  @Argument(help: "Mbox files, maildirs or public-inbox git repositories.")
  var archives: [String] = []

  @Option(help: "Skip messages dated before this day (YYYY-MM-DD, UTC).")
  var since: String?

  @OptionGroup var output: OutputOptions

  @Flag(help: "No progress bar.")
  var quiet = false

  @Option(help: "A git repository to apply each version to (with --base, or its base-commit).")
  var repo: String?

  @Option(help: "The revision the series apply to (needs --repo).")
  var base: String?

  @Option(help: "A folder to use as the base tree instead of a git revision.")
  var tree: String?

  func validate() throws {
    if archives.isEmpty { throw ValidationError("give at least one ARCHIVE") }
    if tree != nil && repo != nil {
      throw ValidationError("give --tree DIR or --repo PATH, not both")
    }
    if base != nil && repo == nil { throw ValidationError("--base needs --repo PATH") }
    if let since, Self.day(since) == nil {
      throw ValidationError("--since wants a day as YYYY-MM-DD, not '\(since)'")
    }
  }

  func run() throws {
    let request = ScanRequest(
      archives: archives, since: since.flatMap(Self.day),
      base: SeriesInputs(inputs: [], repo: repo, base: base, tree: tree))
    var bar = ProgressBar(enabled: !quiet && Console.stderrIsTerminal)
    let result = try ArchiveScan.run(request) { bar.show($0) }
    bar.clear()
    let text =
      switch output.format {
      case .text: ScanReport.text(result, color: output.output == nil && Console.colorful)
      case .json: ScanReport.json(result).rendered()
      }
    try output.write(text)
    if result.hasErrorFinding { throw ExitCode(ExitStatus.findings) }
  }

  /// `2023-01-31` as midnight UTC; nil unless it is a real day.
  static func day(_ text: String) -> MailDate? {
    let parts = text.split(separator: "-", omittingEmptySubsequences: false)
    guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
      let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]),
      (1...12).contains(m), d >= 1, d <= daysIn(month: m, year: y)
    else { return nil }
    return MailDate(year: y, month: m, day: d, hour: 0, minute: 0, second: 0, offsetMinutes: 0)
  }

  private static func daysIn(month: Int, year: Int) -> Int {
    switch month {
    case 2: return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28
    case 4, 6, 9, 11: return 30
    default: return 31
    }
  }
}

/// A one-line progress bar on stderr, redrawn at most every 1/10 s: the pass, a bar when the
/// total is known, the megabytes (or versions) done and the messages read.
struct ProgressBar {
  let enabled: Bool
  private var lastDraw: UInt64 = 0
  private var drawn = false

  init(enabled: Bool) { self.enabled = enabled }

  mutating func show(_ p: ScanProgress) {
    guard enabled else { return }
    let now = Self.monotonicNanoseconds()
    if drawn && now - lastDraw < 100_000_000 { return }
    lastDraw = now
    drawn = true
    let width = 30
    var line = "\r\u{1b}[K"
    let label = ["", "finding patches", "collecting series", "reviewing"][min(p.pass, 3)]
    line += "scan \(p.pass)/3 \(label) "
    if let total = p.total, total > 0 {
      let filled = min(width, p.done * width / total)
      line += "[" + String(repeating: "#", count: filled)
      line += String(repeating: "-", count: width - filled) + "] "
      line += "\(min(100, p.done * 100 / total))% "
    }
    if p.pass < 3 {
      line += "\(p.done >> 20) MB, \(p.messages) messages"
    } else {
      line += "\(p.done) versions"
    }
    Console.write(line, fd: 2)
  }

  static func monotonicNanoseconds() -> UInt64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
  }

  mutating func clear() {
    guard enabled, drawn else { return }
    Console.write("\r\u{1b}[K", fd: 2)
    drawn = false
  }
}
