import AArch64
import Diagnostics
import KernelSource

/// DOMAIN.md §6.25: the flags agree with the configuration and with the C that patches the
/// site. Four questions, each from the build the layout was rebuilt for:
/// - every word a transition writes is one of the NOPs `-fpatchable-function-entry` reserves
///   (a write past them lands on the function's body or on the function before it);
/// - `ARM64_BTI_KERNEL` and the `bti` of `-mbranch-protection` agree;
/// - the Kconfig allows the configuration with the assumed compiler;
/// - the Kconfig does not let a compiler with a known callsite defect build it.
enum FlagsCheck {
  static func run(_ c: CheckContext) -> [Finding] {
    guard let build = c.layout.build else { return [] }
    var out: [Finding] = []
    out += outsideReservation(c.layout, build)
    out += btiAgreement(c.layout, build)
    out += rejections(c.layout, build).map(\.restingOnItsAssumptions)
    out += toolchains(c.layout, build).map(\.restingOnItsAssumptions)
    return out
  }

  static func flagText(_ pe: FtraceBuildFlags.PatchableEntry) -> String {
    "-fpatchable-function-entry=\(pe.total)" + (pe.before > 0 ? ",\(pe.before)" : "")
  }

  /// Words written outside the NOPs of the compiled state.
  static func outsideReservation(_ layout: Layout, _ build: BuildFacts) -> [Finding] {
    guard let pe = build.flags?.patchableEntryValue, let compiled = layout.state(.compiled)
    else { return [] }
    let reserved = Set(compiled.words.filter { $0.word == Words.nop }.map(\.offset))
    var out: [Finding] = []
    var seen = Set<Int>()
    for t in layout.transitions {
      guard let from = layout.state(t.from) else { continue }
      for w in t.writes {
        let offsets = stride(from: w.offset, to: w.offset + max(4, w.width), by: 4)
        let outside = offsets.filter { !reserved.contains($0) }
        guard let first = outside.first, !seen.contains(first) else { continue }
        for o in outside { seen.insert(o) }
        let nops = reserved.sorted().map { "func\(signed($0))" }
        let lands: String
        if let w = compiled.word(at: first) {
          lands = "the function's `\(w.text)`"
        } else if first < 0 {
          lands = "the end of the function before it"
        } else {
          lands = "the function's body"
        }
        let span =
          max(4, w.width) > 4
          ? "func\(signed(w.offset))..func\(signed(w.offset + w.width - 1)) (\(w.width) bytes)"
          : "func\(signed(w.offset))"
        var lines = compiled.words.map {
          EvidenceLine(
            address: compiled.address($0.offset), word: $0.word, text: $0.text,
            note: $0.word == Words.nop ? "reserved by the flag" : "")
        }
        lines.append(
          EvidenceLine(
            address: from.address(first), text: "(write)",
            note: "\(t.function) writes \(span): \(w.text)"))
        out.append(
          Finding(
            CheckCatalogue.flags, severity: .error,
            message: "\(t.function) writes \(span), but \(flagText(pe)) reserves the NOPs at "
              + "\(nops.joined(separator: ", ")) only: func\(signed(first)) is \(lands)",
            explanation: "The compiler reserves exactly the NOPs the flag asks for; the C that "
              + "patches the site must write inside them. Either the flag (CC_FLAGS_FTRACE in "
              + "arch/arm64/Makefile) or the offsets ftrace.c computes are wrong for this "
              + "configuration.",
            transition: (t.from, t.to), offset: first,
            evidence: Evidence(
              blocks: [.init("state compiled, \(flagText(pe)) at \(pe.origin)", lines)],
              facts: [
                ("flag", flagText(pe)), ("reserved", nops.joined(separator: " ")),
                ("write", span),
              ]),
            location: w.location ?? t.location ?? pe.origin))
      }
    }
    return out
  }

  /// `ARM64_BTI_KERNEL` against the `bti` of `-mbranch-protection`.
  static func btiAgreement(_ layout: Layout, _ build: BuildFacts) -> [Finding] {
    // Without the option's entry in the files read, the configuration is hypothetical: what
    // it depends on (ARM64_PTR_AUTH_KERNEL, which the Makefile tests too) was never set.
    guard let flags = build.flags, let kernelBTI = layout.configuration.bti,
      !build.undefinedOptions.contains("ARM64_BTI_KERNEL")
    else { return [] }
    let flagBTI = flags.branchProtection?.bti ?? false
    guard kernelBTI != flagBTI else { return [] }
    let flagText =
      flags.branchProtection.map { "-mbranch-protection=\($0.raw)" } ?? "no -mbranch-protection"
    let facts = [
      ("ARM64_BTI_KERNEL", kernelBTI ? "y" : "n"), ("flag", flagText),
    ]
    if kernelBTI {
      return [
        Finding(
          CheckCatalogue.flags,
          message: "ARM64_BTI_KERNEL is on but the flags say \(flagText): the compiler emits no "
            + "landing pads, and the kernel enforces BTI, so every indirect call into C faults",
          explanation: "With ARM64_BTI_KERNEL the kernel sets SCTLR_EL1.BT1 and maps its text "
            + "guarded; the Makefile must add bti to -mbranch-protection in the same "
            + "configuration.",
          evidence: Evidence(facts: facts),
          location: flags.branchProtection?.origin)
      ]
    }
    return [
      Finding(
        CheckCatalogue.flags, severity: .note,
        message: "the flags say \(flagText) although ARM64_BTI_KERNEL is off: the landing pads "
          + "cost a word per function and are not enforced",
        evidence: Evidence(facts: facts),
        location: flags.branchProtection?.origin)
    ]
  }

  /// The Kconfig's own verdict on the configuration with the assumed compiler.
  static func rejections(_ layout: Layout, _ build: BuildFacts) -> [Finding] {
    guard let first = build.rejections.first else { return [] }
    let compiler = build.compiler ?? "the assumed compiler"
    return [
      Finding(
        CheckCatalogue.flags,
        message: "the Kconfig does not allow \(layout.configName) with \(compiler): "
          + build.rejections.map(\.message).joined(separator: "; "),
        explanation: "The layout was rebuilt as if the options were on; a kernel of this "
          + "configuration cannot be built, so what it shows may never run.",
        assumptions: ["the compiler is \(compiler)"],
        evidence: Evidence(
          facts: build.rejections.map { ("depends on", "\($0.location): \($0.message)") }),
        location: first.location)
    ]
  }

  /// Compilers with a known callsite defect that the Kconfig lets build the configuration.
  static func toolchains(_ layout: Layout, _ build: BuildFacts) -> [Finding] {
    guard layout.configuration.bti == true, let flags = build.flags,
      let pe = flags.patchableEntryValue, pe.total > 0
    else { return [] }
    var out: [Finding] = []
    for probe in build.probes where probe.allowed {
      guard case .toolchain(let t) = probe.kind else { continue }
      let where_ = flags.branchProtection?.origin ?? pe.origin
      switch t.defect {
      case .nopsBeforeLandingPad:
        // The words that compiler would emit at the symbol: the NOPs, then the pad.
        let after = pe.total - pe.before
        var lines: [EvidenceLine] = []
        for k in 0..<after {
          lines.append(
            EvidenceLine(
              word: Words.nop, text: "nop", note: k == 0 ? "at the symbol: not a landing pad" : ""))
        }
        lines.append(EvidenceLine(word: 0xd503_245f, text: "bti c", note: "after the NOPs"))
        out.append(
          Finding(
            CheckCatalogue.flags, severity: .error,
            message: "the Kconfig lets \(t.name) build \(layout.configName), and GCC before 10.1 "
              + "puts the \(flagText(pe)) NOPs in front of BTI C (\(t.reference)): the word at "
              + "the symbol is a NOP and every indirect call to a traced function faults",
            explanation: "Kernels gate ARM64_BTI_KERNEL on GCC_VERSION >= 100100 for this; the "
              + "gate is missing or does not cover this configuration.",
            state: .compiled, offset: 0,
            assumptions: ["the kernel is built with \(t.name)"],
            evidence: Evidence(
              blocks: [.init("the symbol as \(t.name) emits it", lines)],
              facts: [("compiler", t.name), ("defect", t.reference), ("flag", flagText(pe))]),
            location: where_))
      }
    }
    return out
  }
}

/// DOMAIN.md §6.24: pre-function words shared with prefix data. With CFI_CLANG, Clang puts
/// the kCFI type hash in front of the pre-function NOPs, and an indirect call checks the hash
/// at an offset that follows the calling function's own pre-function NOPs. A function built
/// without them (notrace) has its hash at func-4, so calls between the two kinds fail the
/// check. CALL_OPS is kept off with CFI_CLANG for this reason.
enum PrefixDataCheck {
  static func run(_ c: CheckContext) -> [Finding] {
    findings(c).map(\.restingOnItsAssumptions)
  }

  /// Where Clang puts the kCFI type hash of a function with `before` pre-function NOPs, from
  /// the function symbol.
  static func hashOffset(before: Int) -> Int { -4 * (before + 1) }

  static func findings(_ c: CheckContext) -> [Finding] {
    guard let build = c.layout.build, let pe = build.flags?.patchableEntryValue else { return [] }
    let own = build.config.isEnabled("CFI_CLANG")
    let probe = build.probes.first { $0.kind == .cfiClang }
    let before: Int
    let how: String
    if own {
      before = pe.before
      how = "CFI_CLANG is on"
    } else if let probe, probe.allowed, let p = probe.patchableEntry {
      before = p.before
      how = "the Kconfig lets CFI_CLANG be on with \(c.layout.configName)"
    } else {
      return []
    }
    guard before > 0 else { return [] }
    let traced = hashOffset(before: before)
    let plain = hashOffset(before: 0)
    var tracedLines = [
      EvidenceLine(text: ".word <type hash>", note: "func\(signed(traced))")
    ]
    for k in 0..<before {
      tracedLines.append(
        EvidenceLine(word: Words.nop, text: "nop", note: "func\(signed(-4 * (before - k)))"))
    }
    tracedLines.append(EvidenceLine(text: "func:", note: "the symbol"))
    let checkLines = [
      EvidenceLine(
        text: "ldur w9, [x16, #\(traced)]",
        note: "a traced caller's check, as Clang emits it"),
      EvidenceLine(text: "ldur w9, [x16, #\(plain)]", note: "a notrace caller's check"),
    ]
    let plainLines = [
      EvidenceLine(text: ".word <type hash>", note: "func\(signed(plain))"),
      EvidenceLine(text: "func:", note: "the symbol"),
    ]
    return [
      Finding(
        CheckCatalogue.prefixData,
        message: "\(how), and the \(before) pre-function word\(before == 1 ? "" : "s") move the "
          + "kCFI type hash to func\(signed(traced)) in traced functions but not in notrace ones "
          + "(func\(signed(plain))): an indirect call between the two kinds reads the wrong word "
          + "and fails the CFI check",
        explanation: "The check's offset follows the calling function's own pre-function NOPs, "
          + "so it only works when every function has the same number. Mark Rutland kept "
          + "CALL_OPS off with CFI_CLANG (`if ... && !CFI_CLANG`) until compilers give "
          + "notrace functions the same prefix.",
        state: .compiled, offset: traced,
        assumptions: [
          "the kernel is built with Clang (\(build.compiler ?? "Clang")), which places the type "
            + "hash in front of the pre-function NOPs"
        ],
        evidence: Evidence(
          blocks: [
            .init("a traced function, \(FlagsCheck.flagText(pe))", tracedLines),
            .init("a notrace function (no pre-function NOPs)", plainLines),
            .init("the callers' checks", checkLines),
          ],
          facts: [
            ("hash (traced)", "func\(signed(traced))"), ("hash (notrace)", "func\(signed(plain))"),
          ]),
        location: probe?.rejections.first?.location ?? pe.origin)
    ]
  }
}
