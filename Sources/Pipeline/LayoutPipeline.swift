import Analysis
import Diagnostics
import KernelSource
import PatchSeries

/// From series versions to layouts: post-image by post-image, configuration by configuration,
/// plus the layouts sketched in the messages, and the range-diff between consecutive versions.
public enum LayoutPipeline {
  public static func layouts(set: SeriesSet, overrides: [String: ConfigValue] = [:]) -> [Layout] {
    var out: [Layout] = []
    // Where each version's post-image layouts are in `out`, to compare consecutive versions.
    var rebuilt: [Int: Range<Int>] = [:]
    for (vi, v) in set.versions.enumerated() {
      let messages = versionMessages(v)
      var modulo8: Int?
      if let post = v.patches.last(where: { $0.postImage != nil })?.postImage {
        let last = v.patches.last { $0.postImage != nil }
        let src = last.map { "v\(v.version) \($0.index)/\($0.total) post-image" } ?? "v\(v.version)"
        var built = layouts(
          tree: KernelTreeOf(post), ownOptions: ownOptions(messages.map(\.body)),
          overrides: overrides, version: v.version, source: src)
        // A file that did not apply keeps the base's text in the post-image: say so on every
        // layout built from it, with the place the patch failed.
        for p in v.patches where p.applies == false {
          for problem in p.applyProblems {
            let d = Diagnostic(
              "layout.partial-post-image", .warning, at: problem.location,
              "v\(v.version) \(p.index)/\(p.total) does not apply fully: the post-image keeps the "
                + "base's text where it failed (\(problem.message))")
            for k in built.indices { built[k].diagnostics.append(d) }
          }
        }
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
            version: v.version, source: "v\(v.version) (no post-image)",
            configuration: LayoutConfiguration(name: "none"),
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
        let mine = out[i].configuration
        if let j = theirs.first(where: { out[$0].configuration.sameChoices(as: mine) }) {
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

  /// The layouts of one tree, in every configuration reviewed: the tree's own ftrace options
  /// and `ownOptions` on, BTI on and off.
  public static func layouts(
    tree: any KernelTree, ownOptions: [String] = [], overrides: [String: ConfigValue] = [:],
    version: Int? = nil, source: String
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
        sources: sources, version: version, source: source,
        configuration: LayoutConfiguration(name: rc.name, options: rc.options, bti: rc.bti)
      ).build()
      l.diagnostics = rc.rejections + l.diagnostics
      if !ownOptions.isEmpty {
        l.assumptions.insert(
          Assumption(
            .configuration, "the series' own options: \(ownOptions.joined(separator: ", "))"),
          at: 0)
      }
      out.append(l)
    }
    return out
  }
}
