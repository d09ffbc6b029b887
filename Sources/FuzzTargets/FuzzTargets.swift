import AArch64
import Diagnostics
import Diff
import KernelSource
import Mail
import PatchSeries
import Pipeline

/// The entry points the libFuzzer targets of `Fuzz/` drive, one per reader, shared with the
/// regression test that replays every crash a fuzzer found.
///
/// Each entry takes the raw input and runs the reader the way a command does. A trap is a bug in
/// the reader. Where a property is cheap to check (a round trip, a drip-fed read that must match
/// the whole read), a broken property comes back as a message; the fuzz executable turns a
/// message into a crash so libFuzzer keeps the input, and the test reports it.
public enum FuzzTargets {
  /// A fuzz target: its name (`FUZZ_TARGET=<name>` for the `Fuzz/` executable, and the folder
  /// `Tests/FuzzTargetsTests/FuzzRegressions/<name>/` of its regressions) and its entry.
  public struct Target: Sendable {
    public var name: String
    public var run: @Sendable ([UInt8]) -> [String]
  }

  /// Every target, in the order `make fuzz` runs them.
  public static let all: [Target] = [
    Target(name: "mbox", run: mbox),
    Target(name: "message", run: message),
    Target(name: "diff", run: diff),
    Target(name: "asm", run: assembler),
    Target(name: "decode", run: decoder),
    Target(name: "makefile", run: makefile),
    Target(name: "kconfig", run: kconfig),
    Target(name: "c", run: cSource),
    Target(name: "prose", run: prose),
    Target(name: "review", run: review),
  ]

  /// The target called `name`, or nil.
  public static func target(_ name: String) -> Target? { all.first { $0.name == name } }

  // MARK: - Mail

  /// The mbox reader: `MailInput.parse`, and the splitter fed in two pieces (cut where the
  /// first byte says) must cut the same messages as the whole input; mboxrd quoting of the
  /// input unquotes to the input.
  @Sendable public static func mbox(_ data: [UInt8]) -> [String] {
    var problems: [String] = []
    let whole = MboxSplitter.split(data)
    var fed = MboxSplitter()
    let cut = data.isEmpty ? 0 : Int(data[0]) % (data.count + 1)
    fed.feed(data[..<cut])
    var pieces = fed.takeReady()
    fed.feed(data[cut...])
    pieces += fed.finish()
    if pieces != whole {
      problems.append(
        "mbox: fed in two pieces at \(cut), \(pieces.count) messages, whole \(whole.count)")
    }
    let quoted = FromQuoting.mboxrd.quote(data)
    if Array(FromQuoting.mboxrd.unquote(quoted[...])) != data {
      problems.append("mbox: mboxrd unquote(quote(x)) != x")
    }
    for quoting in [FromQuoting.mboxrd, .mboxo] {
      guard let c = try? MailInput.parse(bytes: data, name: "fuzz.mbox", quoting: quoting) else {
        continue
      }
      for m in c.messages { _ = (m.messageID, m.references, m.patchSubject) }
    }
    return problems
  }

  /// The header and MIME decoder: every message's headers (addresses, dates, Message-IDs, the
  /// patch subject) and its body through MIME, transfer encodings and charsets.
  @Sendable public static func message(_ data: [UInt8]) -> [String] {
    var problems: [String] = []
    guard
      let c = try? MailInput.parse(bytes: data, name: "fuzz.eml", quoting: .none, bodies: .eager)
    else { return problems }
    for m in c.messages {
      _ = (m.from, m.to, m.cc, m.date, m.messageID, m.inReplyTo, m.references)
      for h in m.headers {
        _ = HeaderParameters.parse(h.value)
        _ = Mailbox.parseList(encoded: h.rawValue)
      }
      let body = m.decodeBody()
      _ = Trailers.parse(body.text)
      let lines = body.text.split(separator: "\n", omittingEmptySubsequences: false).count
      for k in stride(from: 1, through: lines, by: max(1, lines / 8)) {
        if let input = body.inputLine(forTextLine: k), input < 1 {
          problems.append("message: text line \(k) maps to input line \(input)")
        }
      }
      if body.text != m.body {
        problems.append("message: decodeBody() and body differ")
      }
    }
    return problems
  }

  // MARK: - Diff

  /// The diff parser: `print(parse(x)) == x` for UTF-8 input, and the incremental parser fed in
  /// two pieces gives the same diff as the whole parse.
  @Sendable public static func diff(_ data: [UInt8]) -> [String] {
    var problems: [String] = []
    let (whole, _) = DiffParser.parse(bytes: data, file: "fuzz.diff")
    if String(validating: data, as: UTF8.self) != nil, Array(whole.print().utf8) != data {
      problems.append("diff: print(parse(x)) != x")
    }
    var inc = DiffParser.Incremental(file: "fuzz.diff")
    let cut = data.isEmpty ? 0 : Int(data[0]) % (data.count + 1)
    inc.feed(data[..<cut])
    inc.feed(data[cut...])
    let (fed, _) = inc.finish()
    if fed != whole { problems.append("diff: incremental parse at \(cut) differs from whole") }
    for f in whole.files {
      _ = try? f.apply(to: nil)
    }
    return problems
  }

  // MARK: - AArch64

  /// The assembler on a whole file, with and without a listing: the same bytes, relocations and
  /// symbols, or the same first error. Each line is also read as one instruction, and an
  /// instruction that parses must encode, decode back to itself and print text that parses back.
  @Sendable public static func assembler(_ data: [UInt8]) -> [String] {
    var problems: [String] = []
    func assemble(listing: Bool) -> Result<AssembledObject, AssemblyError> {
      do throws(AssemblyError) {
        return .success(try Assembler.assemble(bytes: data, file: "fuzz.S", listing: listing))
      } catch {
        return .failure(error)
      }
    }
    switch (assemble(listing: true), assemble(listing: false)) {
    case (.success(let items), .success(let image)):
      if items.sections.map(\.bytes) != image.sections.map(\.bytes)
        || items.sections.map(\.relocations) != image.sections.map(\.relocations)
        || Set(items.symbols) != Set(image.symbols)
      {
        problems.append("asm: the object assembled without a listing differs")
      }
    case (.failure(let a), .failure(let b)):
      if a != b { problems.append("asm: without a listing the error is \(b), not \(a)") }
    case (let a, let b):
      problems.append("asm: with a listing \(a), without \(b)")
    }
    let text = String(decoding: data, as: UTF8.self)
    for line in text.split(separator: "\n").prefix(64) {
      guard let i = try? A64.parse(String(line), pc: 0x1000, syntax: .gnu) else { continue }
      guard let w = try? encode(i) else {
        problems.append("asm: \"\(line)\" parses but does not encode")
        continue
      }
      if decode(w).instruction == nil {
        problems.append("asm: \"\(line)\" encodes to \(hex(w)), which does not decode")
      }
    }
    return problems
  }

  /// The decoder on every 4-byte little-endian word: a decoded word encodes back to itself and
  /// its text parses back to the instruction.
  @Sendable public static func decoder(_ data: [UInt8]) -> [String] {
    var problems: [String] = []
    var k = 0
    while k + 4 <= data.count {
      let w =
        UInt32(data[k]) | UInt32(data[k + 1]) << 8 | UInt32(data[k + 2]) << 16
        | UInt32(data[k + 3]) << 24
      let pc = UInt64(k) * 4 + 0x1000
      k += 4
      let r = decode(w)
      _ = A64.print(r, pc: pc)
      guard case .decoded(let i) = r else { continue }
      if let e = try? encode(i) {
        if e != w { problems.append("decode: encode(decode(\(hex(w)))) = \(hex(e))") }
      } else {
        problems.append("decode: \(hex(w)) decodes but does not encode")
      }
      let text = A64.print(i, pc: pc)
      if (try? A64.parse(text, pc: pc, syntax: .objdump)) != canonical(i) {
        problems.append("decode: \(hex(w)) prints \"\(text)\", which does not parse back")
      }
    }
    return problems
  }

  static func canonical(_ i: Instruction) -> Instruction {
    if case .logicalImmediate(var l) = i {
      l.ignoredImmrBits = 0
      return .logicalImmediate(l)
    }
    return i
  }

  static func hex(_ w: UInt32) -> String {
    let s = String(w, radix: 16)
    return String(repeating: "0", count: 8 - s.count) + s
  }

  // MARK: - KernelSource

  /// The Makefile reader and the build flags read from its variables.
  @Sendable public static func makefile(_ data: [UInt8]) -> [String] {
    let text = String(decoding: data, as: UTF8.self)
    let vars = MakefileFlags.evaluate(text: text, file: "Makefile", config: Kconfig.defaultBase)
    _ = FtraceBuildFlags(from: vars, config: Kconfig.defaultBase)
    for name in vars.variables.keys.sorted().prefix(16) { _ = vars.words(name) }
    return []
  }

  /// The Kconfig reader: parse, dependency cycles, and the review configurations for its first
  /// options.
  @Sendable public static func kconfig(_ data: [UInt8]) -> [String] {
    let text = String(decoding: data, as: UTF8.self)
    let k = Kconfig.parse(text: text, file: "Kconfig")
    _ = k.dependencyCycles()
    _ = k.configurations(for: Array(k.entries.keys.sorted().prefix(3)))
    return []
  }

  /// The C reader: cpp-lite, then the ftrace transitions (the symbolic interpreter).
  @Sendable public static func cSource(_ data: [UInt8]) -> [String] {
    let text = String(decoding: data, as: UTF8.self)
    let x = TransitionExtractor(text: text, file: "ftrace.c", config: Kconfig.defaultBase)
    _ = x.transitions()
    _ = Preprocessor(tree: nil, config: Kconfig.defaultBase).run(text: text, file: "entry.S")
    return []
  }

  /// The prose-listing reader on a mail body: every listing keeps its lines in input order.
  @Sendable public static func prose(_ data: [UInt8]) -> [String] {
    var problems: [String] = []
    let text = String(decoding: data, as: UTF8.self)
    _ = ProseListings.statedPatchableEntry(in: text)
    for l in ProseListings.extract(body: text, file: "fuzz.eml") {
      let lines = l.lines.map(\.line)
      if lines != lines.sorted() { problems.append("prose: listing lines out of order: \(lines)") }
    }
    return problems
  }

  // MARK: - Pipeline

  /// The review pipeline as a whole on an mbox with no base tree: read, assemble the series,
  /// rebuild every layout and review it.
  @Sendable public static func review(_ data: [UInt8]) -> [String] {
    guard let c = try? MailInput.parse(bytes: data, name: "fuzz.mbox") else { return [] }
    let set = SeriesAssembler.assemble(c.messages, diagnostics: c.diagnostics)
    _ = ReviewPipeline.review(set: set)
    return []
  }
}
