import AArch64
import Analysis
import ArgumentParser
import Diagnostics
import Foundation
import KernelSource
import PatchSeries

/// `patchsite layout`: the rebuilt callsite, state by state.
struct LayoutCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "layout",
    abstract: "Rebuild the arm64 ftrace callsite a series (or a tree) proposes, state by state.",
    discussion: """
      For every series version applied to a base (--tree DIR, or --repo PATH --base REV), and \
      for every configuration reviewed (the series' own ftrace options on, ARM64_BTI_KERNEL on \
      and off; --config NAME=VALUE adjusts the assumed base configuration), Patchsite reads the \
      post-image: the flags in arch/arm64/Makefile give the compiled callsite \
      (-fpatchable-function-entry=N,M, BTI, function alignment); the functions of \
      arch/arm64/kernel/ftrace.c (ftrace_init_nop, ftrace_make_call, ftrace_make_nop…) are \
      applied in order to give the states init, near, disabled, list, far (the traced function \
      in a module) and direct-near/direct-far (with direct calls). Words that branch are encoded \
      at assumed addresses, all listed under "assumptions". The trampolines of entry-ftrace.S \
      are assembled and listed with their first word.

      Listings sketched in message bodies (covers, commit messages, replies) become candidate \
      layouts too: one state per lettered or named listing ("b) disabled:").

      --layout FILE reads a hand-written layout instead:
        # comment
        state disabled            (a heading; "state NAME module" places it in a module)
        symbol my_tramp = 0xffff800008400000
        -8: .quad ftrace_nop_ops  (a 64-bit literal: two words)
        0: bti c
        4: mov x9, x30
        8: bl ftrace_caller       (offsets in bytes from the function symbol, signed)

      JSON: {units: [{version, source, config, states: [{name, words: [{offset, word, text, \
      kind}]}], transitions: [{from, to, writes: [{offset, old, new, width, api}]}], …}]}.

      Examples:
        patchsite layout Series/call-ops/series.mbox --tree Series/base
        patchsite layout Series/direct-calls/series.mbox --tree Series/base --state direct-far
        patchsite layout --tree ~/linux --config ARM64_BTI_KERNEL=n --format json
        patchsite layout Series/in-function-literal/series.mbox
        patchsite layout --layout my-callsite.txt
      """
  )

  @Argument(help: "Mbox, maildir, folder of .patch files, message, '-', or a range with --repo.")
  var inputs: [String] = []

  @Option(help: "A git repository (for revision ranges and --base).")
  var repo: String?

  @Option(help: "The revision the series applies to (needs --repo).")
  var base: String?

  @Option(help: "A folder to use as the base tree (alone: the layout of that tree).")
  var tree: String?

  @Option(help: "A hand-written layout file (see above).")
  var layout: String?

  @Option(
    parsing: .upToNextOption, help: "Assumed configuration values, NAME=VALUE (y, n, m, numbers).")
  var config: [String] = []

  @Option(help: "Show only this state (and the transitions into it).")
  var state: String?

  @Option(help: "Output format: text or json.")
  var format: OutputFormat = .text

  @Option(name: .shortAndLong, help: "Write the output to this file instead of stdout.")
  var output: String?

  enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json
  }

  func run() throws {
    let overrides = try parseConfig()
    var units: [Layout] = []
    if let layout {
      units.append(try LayoutFile.read(path: layout))
    }
    if inputs.isEmpty {
      if let tree {
        let t = try DirectoryTree(root: tree)
        units += LayoutPipeline.layouts(
          tree: TreeBridge(tree: t), ownOptions: [], overrides: overrides, version: nil,
          source: tree)
      } else if layout == nil {
        throw ValidationError("give INPUT, --tree DIR, or --layout FILE")
      }
    } else {
      let source = SeriesSource(inputs: inputs, repo: repo, base: base, tree: tree)
      let set = try source.load()
      units += LayoutPipeline.layouts(set: set, overrides: overrides)
    }
    if let state {
      units = units.map { u in
        var u = u
        u.states = u.states.filter { $0.name == state }
        u.transitions = u.transitions.filter { $0.to == state }
        return u
      }
    }
    let text =
      switch format {
      case .text: LayoutOutput.text(units)
      case .json: LayoutOutput.json(units).rendered()
      }
    try Output.write(text, to: output)
  }

  func parseConfig() throws(InputError) -> [String: ConfigValue] {
    var out: [String: ConfigValue] = [:]
    for c in config {
      let parts = c.split(separator: "=", maxSplits: 1)
      guard parts.count == 2, !parts[0].isEmpty else {
        throw InputError(
          "usage.config", at: SourceLocation(file: "--config \(c)"), "expected NAME=VALUE")
      }
      out[KernelConfig.bareName(String(parts[0]))] = ConfigValue(parsing: String(parts[1]))
    }
    return out
  }
}

/// A post-image (or folder) as KernelSource reads it.
struct TreeBridge: KernelTree {
  let tree: any SourceTree
  func contents(of path: String) -> String? { tree.contents(of: path) }
}

/// From series versions to layouts.
enum LayoutPipeline {
  static func layouts(set: SeriesSet, overrides: [String: ConfigValue]) -> [Layout] {
    var out: [Layout] = []
    // Where each version's post-image layouts are in `out`, to compare consecutive versions.
    var rebuilt: [Int: Range<Int>] = [:]
    for (vi, v) in set.versions.enumerated() {
      let messages = versionMessages(v)
      var modulo8: Int?
      if let post = v.patches.last(where: { $0.postImage != nil })?.postImage {
        let last = v.patches.last { $0.postImage != nil }
        let src = last.map { "v\(v.version) \($0.index)/\($0.total) post-image" } ?? "v\(v.version)"
        let built = layouts(
          tree: TreeBridge(tree: post), ownOptions: ownOptions(messages.map(\.body)),
          overrides: overrides, version: v.version, source: src)
        modulo8 =
          built.lazy.compactMap { l in
            l.state("compiled").map { Int($0.functionAddress % 8) }
          }.first
        rebuilt[vi] = out.count..<(out.count + built.count)
        out += built
      } else {
        let why =
          v.patches.contains { $0.applies == false }
          ? "a patch does not apply to the base (see `patchsite series`)"
          : v.patches.isEmpty
            ? "the version has no patches in the input"
            : "no base tree was given (--tree DIR, or --repo PATH --base REV)"
        out.append(
          Layout(
            version: v.version, source: "v\(v.version) (no post-image)", configName: "none",
            diagnostics: [
              Diagnostic(
                "layout.no-post-image", .note,
                at: v.cover?.location ?? v.patches.first?.message.location
                  ?? SourceLocation(file: "<input>"),
                "could not rebuild the callsite of v\(v.version) from its files: \(why); only "
                  + "the layouts sketched in its messages are shown")
            ]))
      }
      for m in messages {
        let listings = ProseListings.extract(
          body: m.body, file: m.file, firstLine: m.line)
        if let l = ProseLayouts.layout(
          from: listings, source: "\(m.kind) \(m.subject) (\(m.file):\(m.line))",
          version: v.version,
          functionModulo8: modulo8)
        {
          out.append(l)
        }
      }
    }
    // The semantic range-diff: each rebuilt layout against the previous version's layout
    // under the same configuration.
    for (vi, v) in set.versions.enumerated() {
      guard let p = v.previous, let mine = rebuilt[vi], let theirs = rebuilt[p] else { continue }
      for i in mine {
        if let j = theirs.first(where: { out[$0].configName == out[i].configName }) {
          out[i].changes = out[i].changes(since: out[j])
        }
      }
    }
    return out
  }

  struct Message {
    var kind: String
    var subject: String
    var body: String
    var file: String
    var line: Int
  }

  static func versionMessages(_ v: SeriesVersion) -> [Message] {
    var out: [Message] = []
    if let c = v.cover {
      out.append(
        Message(
          kind: "cover", subject: c.subject, body: c.body, file: c.location.file,
          line: c.location.line))
    }
    for p in v.patches {
      let m = p.message
      out.append(
        Message(
          kind: "patch \(p.index)/\(p.total)", subject: m.subject, body: m.body,
          file: m.location.file, line: m.location.line))
      for r in p.replies {
        out.append(
          Message(
            kind: "reply", subject: r.subject, body: r.body, file: r.location.file,
            line: r.location.line))
      }
    }
    for r in v.replies {
      out.append(
        Message(
          kind: "reply", subject: r.subject, body: r.body, file: r.location.file,
          line: r.location.line))
    }
    return out
  }

  /// The ftrace options the series adds or tests on its `+` lines (`HAVE_` dropped).
  static func ownOptions(_ bodies: [String]) -> [String] {
    var out: [String] = []
    for body in bodies {
      for line in body.split(separator: "\n") where line.hasPrefix("+") && !line.hasPrefix("+++") {
        let words = line.dropFirst().split(whereSeparator: { $0 == " " || $0 == "\t" })
        let kconfigLine =
          words.first.map {
            ["config", "menuconfig", "select", "depends", "imply"].contains($0)
          }
          ?? false
        for name in identifiers(in: String(line)) {
          guard name.hasPrefix("CONFIG_") || kconfigLine else { continue }
          var n = name.hasPrefix("CONFIG_") ? String(name.dropFirst(7)) : name
          guard n.contains("FTRACE"), !n.contains("BTI"), n == n.uppercased() else { continue }
          if n.hasPrefix("HAVE_") { n = String(n.dropFirst(5)) }
          if n.hasPrefix("CC_") || n.hasPrefix("ARCH_") || n.hasSuffix("_H") { continue }
          if !out.contains(n) { out.append(n) }
        }
      }
    }
    return out
  }

  static func identifiers(in s: String) -> [String] {
    var out: [String] = []
    var cur = ""
    for c in s {
      if c == "_" || (c.isASCII && (c.isLetter || c.isNumber)) {
        cur.append(c)
      } else {
        if cur.count > 3 { out.append(cur) }
        cur = ""
      }
    }
    if cur.count > 3 { out.append(cur) }
    return out
  }

  /// The `HAVE_DYNAMIC_FTRACE_WITH_*` options the arch Kconfig selects, as the user options
  /// kernel/trace/Kconfig turns on by default.
  static func selectedOptions(_ kconfigText: String?) -> [String] {
    guard let t = kconfigText else { return [] }
    var out: [String] = []
    for line in t.split(separator: "\n") {
      let w = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
      if w.count >= 2, w[0] == "select", w[1].hasPrefix("HAVE_DYNAMIC_FTRACE_WITH_") {
        let n = String(w[1].dropFirst(5))
        if !out.contains(n) { out.append(n) }
      }
    }
    return out
  }

  static func layouts(
    tree: any KernelTree, ownOptions: [String], overrides: [String: ConfigValue], version: Int?,
    source: String
  ) -> [Layout] {
    let root = tree.contents(of: "Kconfig") != nil ? "Kconfig" : "arch/arm64/Kconfig"
    let kconfig = Kconfig.load(tree: tree, root: root)
    var base = Kconfig.defaultBase
    for (n, v) in overrides { base = base.setting(n, v) }
    var options = ["DYNAMIC_FTRACE"] + selectedOptions(tree.contents(of: "arch/arm64/Kconfig"))
    for o in ownOptions where !options.contains(o) { options.append(o) }
    options = options.filter { overrides[$0] == nil }
    var out: [Layout] = []
    for rc in kconfig.configurations(for: options, base: base) {
      var config = rc.config
      for (n, v) in overrides { config = config.setting(n, v) }
      let sources = FtraceSources.read(tree: tree, config: config)
      var l = LayoutBuilder(
        sources: sources, version: version, source: source, configName: rc.name, tree: tree
      ).build()
      l.diagnostics = rc.rejections + l.diagnostics
      if !ownOptions.isEmpty {
        l.assumptions.insert(
          "the series' own options: \(ownOptions.joined(separator: ", "))", at: 0)
      }
      out.append(l)
    }
    return out
  }
}
