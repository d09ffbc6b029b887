import Analysis
import Diagnostics
import Git
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
      // The series' own symbols (its trampolines where its rebuilt layout placed them), for the
      // names its messages' listings use.
      var symbols: [String: UInt64] = [:]
      if let post = v.patches.last(where: { $0.postImage != nil })?.postImage {
        let last = v.patches.last { $0.postImage != nil }
        let src = last.map { "v\(v.version) \($0.index)/\($0.total) post-image" } ?? "v\(v.version)"
        let base = (post as? OverlayTree)?.base
        let own = base.map { ownOptions(post: KernelTreeOf(post), base: KernelTreeOf($0)) } ?? []
        var built = layouts(
          tree: KernelTreeOf(post), ownOptions: own, overrides: overrides, version: v.version,
          source: src)
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
        symbols = built.first?.states.last?.symbols ?? [:]
        rebuilt[vi] = out.count..<(out.count + built.count)
        out += built
      } else if v.patches.contains(where: { $0.diff?.files.isEmpty == false }) {
        // No base: rebuild what the hunks allow, the rest from the era's defaults, said.
        let image = HunkImage.of(v.patches, name: "v\(v.version) hunks")
        let own = ownOptions(post: KernelTreeOf(image), base: KernelTreeOf(image.base))
        var built = layouts(
          tree: KernelTreeOf(image), ownOptions: own, overrides: overrides, version: v.version,
          source: "v\(v.version) hunks only", defaults: true)
        for k in built.indices {
          built[k].assumptions.insert(
            Assumption(
              .source,
              "no base tree was given: rebuilt from what the hunks of v\(v.version) show (give "
                + "--tree DIR or --repo PATH to read whole files)"), at: 0)
        }
        modulo8 =
          built.lazy.compactMap { l in
            l.state("compiled").map { Int($0.functionAddress % 8) }
          }.first
        symbols = built.first?.states.last?.symbols ?? [:]
        rebuilt[vi] = out.count..<(out.count + built.count)
        out += built
      } else {
        let why =
          v.patches.isEmpty
          ? "the version has no patches in the input"
          : "its patches change no file"
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
      // The version's trampolines, as its rebuilt layout assembled them: a sketch that branches
      // to the series' ftrace_caller runs into the series' code.
      let entry = rebuilt[vi].flatMap { r in out[r].lazy.compactMap(\.entryObject).first }
      for m in messages {
        let listings = ProseListings.extract(
          body: m.body, file: m.file, firstLine: m.line)
        if var l = ProseLayouts.layout(
          from: listings, source: "\(m.kind) \(m.subject) (\(m.file):\(m.line))",
          version: v.version, functionModulo8: modulo8, knownSymbols: symbols,
          statedEntry: ProseListings.statedPatchableEntry(in: m.body))
        {
          if let entry, l.entryObject == nil {
            l.entryObject = entry
            l.assume(
              Assumption(
                .model,
                "the listings' branches to the series' trampolines run into entry-ftrace.S as "
                  + "v\(v.version)'s post-image assembles it"))
          }
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

  /// The arch Kconfig of `tree` (the top-level one and what it sources when there is one).
  static func kconfig(_ tree: any KernelTree) -> Kconfig {
    Kconfig.load(
      tree: tree, root: tree.contents(of: "Kconfig") != nil ? "Kconfig" : "arch/arm64/Kconfig")
  }

  /// The `HAVE_DYNAMIC_FTRACE_WITH_*` options the Kconfig selects, as the user options
  /// kernel/trace/Kconfig turns on by default (`HAVE_` dropped), in file order.
  static func selectedOptions(_ k: Kconfig) -> [String] {
    var out: [String] = []
    for name in k.order {
      for e in k.entries[name] ?? [] {
        for sel in e.selects where sel.value.hasPrefix("HAVE_DYNAMIC_FTRACE_WITH_") {
          let o = String(sel.value.dropFirst(5))
          if !out.contains(o) { out.append(o) }
        }
      }
    }
    return out
  }

  /// The ftrace options a version brings, read with the Kconfig reader from its post-image and
  /// its base: the `HAVE_DYNAMIC_FTRACE_WITH_*` it newly selects (as the options they allow),
  /// then the ftrace options it newly defines (`ARM64_FTRACE_LITERAL_CALL`).
  public static func ownOptions(post: any KernelTree, base: any KernelTree) -> [String] {
    let p = kconfig(post)
    let b = kconfig(base)
    let before = Set(selectedOptions(b))
    var out: [String] = []
    for name in p.order {
      for e in p.entries[name] ?? [] {
        for sel in e.selects where sel.value.hasPrefix("HAVE_DYNAMIC_FTRACE_WITH_") {
          let o = String(sel.value.dropFirst(5))
          guard !before.contains(o), !out.contains(o) else { continue }
          // The ftrace options the select needs (`if DYNAMIC_FTRACE_WITH_REGS && …`) come on
          // with it: the new option means nothing without them.
          for needed in sel.condition.map(positiveSymbols) ?? []
          where needed.contains("FTRACE") && !out.contains(needed) {
            out.append(needed)
          }
          out.append(o)
        }
      }
    }
    // New options a user can set (with a prompt): a `def_bool` (the compiler probes
    // CLANG_SUPPORTS_…) takes its value from its default when the configuration is resolved.
    for name in p.order
    where name.contains("FTRACE") && b.entries[name] == nil
      && (p.entries[name] ?? []).contains(where: \.hasPrompt)
    {
      // A new option comes with the ftrace options it depends on.
      for e in p.entries[name] ?? [] {
        for d in e.dependsOn {
          for needed in positiveSymbols(d.value) where needed.contains("FTRACE") {
            if !out.contains(needed) { out.append(needed) }
          }
        }
      }
      if !out.contains(name) { out.append(name) }
    }
    return out
  }

  /// The symbols an expression needs set (not under a negation), in order.
  static func positiveSymbols(_ e: KconfigExpr) -> [String] {
    switch e {
    case .symbol(let s): [s]
    case .and(let a, let b): positiveSymbols(a) + positiveSymbols(b)
    case .or, .not, .constant, .macro, .compare: []
    }
  }

  /// The layouts of one tree, in every configuration reviewed: the tree's own ftrace options
  /// and `ownOptions` on, BTI on and off.
  ///
  /// With `defaults` (a tree rebuilt from hunks), what the tree does not show comes from the
  /// era's defaults, each one listed.
  public static func layouts(
    tree: any KernelTree, ownOptions: [String] = [], overrides: [String: ConfigValue] = [:],
    version: Int? = nil, source: String, defaults: Bool = false
  ) -> [Layout] {
    rebuild(
      tree: tree, ownOptions: ownOptions, overrides: overrides, version: version, source: source,
      defaults: defaults
    ).layouts
  }

  /// ``layouts(tree:ownOptions:overrides:version:source:defaults:)`` as a stage value: the
  /// layouts and the blob of every file they were built from. With a `cache`, a tree with the
  /// same blobs where a kept rebuild read gets its layouts (with this version and source)
  /// instead of a new rebuild.
  public static func rebuild(
    tree: any KernelTree, ownOptions: [String] = [], overrides: [String: ConfigValue] = [:],
    version: Int? = nil, source: String, defaults: Bool = false, cache: RebuildCache? = nil
  ) -> Rebuild {
    if let kept = cache?.lookup(
      tree, ownOptions: ownOptions, overrides: overrides, defaults: defaults)
    {
      var r = kept
      for k in r.layouts.indices {
        r.layouts[k].version = version
        r.layouts[k].source = source
      }
      return r
    }
    let log = ReadLog()
    let recorded = RecordingTree(tree: tree, log: log)
    let layouts = build(
      tree: recorded, ownOptions: ownOptions, overrides: overrides, version: version,
      source: source, defaults: defaults)
    // Every path read, by text or by version alone, with its blob and its shape.
    var seen = TreeVersions(tree)
    var files: [String: ObjectID?] = [:]
    var shapes: [String: ObjectID?] = [:]
    for path in Set(log.read.keys).union(log.versioned) {
      files[path] = seen.blobID(path)
      shapes[path] = seen.shape(path)
    }
    let r = Rebuild(
      inputs: RebuildInputs(
        files: files, shapes: shapes, ownOptions: ownOptions, overrides: overrides,
        defaults: defaults),
      layouts: layouts)
    return cache?.keep(r) ?? r
  }

  /// The configurations of `options` under each probed compiler, and with `CFI_CLANG` on
  /// when the Kconfig knows it (and the user did not set it): what `config.flags` and
  /// `config.prefix-data` check the configuration against.
  ///
  /// Only a Kconfig read whole answers: from hunks, the `depends on` that keeps a compiler or
  /// kCFI out may be in a line the hunks do not show.
  static func probes(
    _ kconfig: Kconfig, options: [String], base: KernelConfig, overrides: [String: ConfigValue],
    tree: any KernelTree
  ) -> [(BuildFacts.Probe.Kind, [ReviewConfiguration])] {
    var out: [(BuildFacts.Probe.Kind, [ReviewConfiguration])] = []
    let files = ["Kconfig", "arch/arm64/Kconfig"].filter { tree.contents(of: $0) != nil }
    guard !files.isEmpty, files.allSatisfy({ tree.unknownLines(in: $0).isEmpty }) else {
      return []
    }
    let compilerSet = ["CC_IS_GCC", "CC_IS_CLANG", "GCC_VERSION", "CLANG_VERSION"].contains {
      overrides[$0] != nil
    }
    // The compiler defects are BTI's: without the option in the files read there is no gate
    // to ask.
    if !compilerSet, kconfig.entries["ARM64_BTI_KERNEL"] != nil {
      for t in ToolchainProbe.all {
        out.append(
          (.toolchain(t), kconfig.configurations(for: options, base: t.configuration(from: base))))
      }
    }
    if overrides["CFI_CLANG"] == nil, base.isEnabled("CC_IS_CLANG"),
      kconfig.mentions("CFI_CLANG") || kconfig.mentions("ARCH_SUPPORTS_CFI_CLANG")
    {
      out.append(
        (.cfiClang, kconfig.configurations(for: options, base: base.setting("CFI_CLANG", .yes))))
    }
    return out
  }

  static func build(
    tree: any KernelTree, ownOptions: [String], overrides: [String: ConfigValue],
    version: Int?, source: String, defaults: Bool
  ) -> [Layout] {
    let kconfig = kconfig(tree)
    var base = Kconfig.defaultBase
    for (n, v) in overrides { base = base.setting(n, v) }
    var options = ["DYNAMIC_FTRACE"] + selectedOptions(kconfig)
    for o in ownOptions where !options.contains(o) { options.append(o) }
    options = options.filter { overrides[$0] == nil }
    var out: [Layout] = []
    let asked = probes(
      kconfig, options: options, base: base, overrides: overrides, tree: tree)
    for rc in kconfig.configurations(for: options, base: base) {
      var config = rc.config
      for (n, v) in overrides { config = config.setting(n, v) }
      let sources = FtraceSources.read(
        tree: tree, config: config, defaults: defaults ? EraDefaults(config: config) : nil)
      var l = LayoutBuilder(
        sources: sources, version: version, source: source,
        configuration: LayoutConfiguration(name: rc.name, options: rc.options, bti: rc.bti)
      ).build()
      l.diagnostics = rc.rejections + l.diagnostics + rc.switchedOff
      l.build?.rejections = rc.rejections
      l.build?.undefinedOptions = (rc.options + (rc.bti ? ["ARM64_BTI_KERNEL"] : [])).filter {
        kconfig.entries[$0] == nil
      }
      // BTI on by assumption only (no Kconfig entry for it), while the Makefiles of the tree
      // give no bti flag: a configuration nobody could build, not a kernel without pads. Said,
      // and not placed.
      if rc.bti, kconfig.entries["ARM64_BTI_KERNEL"] == nil, !defaults,
        let flags = l.build?.flags, flags.branchProtection?.bti != true
      {
        l.states = []
        l.transitions = []
        l.diagnostics.append(
          Diagnostic(
            LayoutMessage.couldNotModel, .note, at: SourceLocation(file: source),
            "not modelled with ARM64_BTI_KERNEL: the Kconfig files read do not define it, and the "
              + "Makefiles give no bti flag in this configuration (the option's dependencies, such "
              + "as ARM64_PTR_AUTH_KERNEL, are unknown)"))
      }
      l.build?.probes = asked.compactMap { kind, configurations in
        guard let other = configurations.first(where: { $0.bti == rc.bti }) else { return nil }
        guard other.isValid else {
          return BuildFacts.Probe(kind: kind, allowed: false, rejections: other.rejections)
        }
        var c = other.config
        for (n, v) in overrides { c = c.setting(n, v) }
        let flags = FtraceSources.readFlags(
          tree: tree, config: c, defaults: defaults ? EraDefaults(config: c) : nil
        ).flags
        return BuildFacts.Probe(
          kind: kind, allowed: true, patchableEntry: flags?.patchableEntryValue)
      }
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
