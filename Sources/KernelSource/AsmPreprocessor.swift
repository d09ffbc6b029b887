import Diagnostics

/// A line for the assembler: GNU syntax, with where it came from and the symbol it is in.
public struct AsmLine: Hashable, Sendable, CustomStringConvertible {
  public var text: String
  public var origin: SourceLocation
  /// The `SYM_*_START` symbol whose body holds the line, if any.
  public var symbol: String?
  public var description: String { "\(origin): \(text)" }
}

/// A symbol defined by the linkage macros.
public struct AsmSymbol: Hashable, Sendable {
  public enum Kind: String, Hashable, Sendable {
    /// `SYM_FUNC_START*` (and `ENTRY`): a C-callable function; gets `bti c` with BTI on.
    case function = "func"
    /// `SYM_CODE_START*`: code with its own conventions; no landing pad is added.
    case code
    /// `SYM_INNER_LABEL*`: a label inside another symbol.
    case inner
    /// `SYM_FUNC_ALIAS*`: another name for a function.
    case alias
  }
  public var name: String
  public var kind: Kind
  public var global: Bool
  public var location: SourceLocation
  /// Where `SYM_*_END` closed it, if it did.
  public var end: SourceLocation?
  /// For aliases: the aliased symbol.
  public var target: String?
}

/// The result of preprocessing an arm64 `.S` file down to plain assembler lines.
public struct AsmSource: Sendable {
  public var lines: [AsmLine] = []
  public var symbols: [AsmSymbol] = []
  /// The asm-offsets constants used, each stated once as a `kernel.assumption`.
  public var assumptions: [Diagnostic] = []
  public var diagnostics: [Diagnostic] = []
  /// Includes cpp-lite could not find (the generated `asm-offsets.h` is always one).
  public var missingIncludes: [String] = []

  public func symbol(named name: String) -> AsmSymbol? { symbols.first { $0.name == name } }
  /// The lines inside `name` (start to end), in order.
  public func body(of name: String) -> [AsmLine] { lines.filter { $0.symbol == name } }
}

/// GNU as preprocessing for arm64 `.S` files, on top of cpp-lite.
///
/// `.macro`/`.endm` (defaults, `:req`, `:vararg`, `\arg`, `\()`, `\@`), `.purgem`, `.if`,
/// `.ifdef`, `.ifndef`, `.ifc`, `.ifnc`, `.ifeq`, `.ifne`, `.elseif`, `.else`, `.endif`,
/// `.rept`/`.irp`/`.endr`, `.set`/`.equ`; the arm64 linkage macros (`SYM_FUNC_START*` emit
/// `.balign`, the label and `bti c` when BTI is on; `SYM_CODE_START*` the label only;
/// `SYM_INNER_LABEL*`, `SYM_FUNC_ALIAS*`, `ENTRY`/`ENDPROC`/`END`, `SYM_*_END` → `.size`);
/// `ldr_l`/`adr_l`/`str_l` (→ `adrp` + `:lo12:`); `EXPORT_SYMBOL*`/`NOKPROBE` vanish; and the
/// ``AsmOffsets`` constants substituted as named assumptions. `.L` labels, numeric labels and
/// other directives pass through unchanged.
public struct AsmPreprocessor: Sendable {
  public var config: KernelConfig
  /// Emit `bti c` in `SYM_FUNC_START*`; defaults to `CONFIG_ARM64_BTI_KERNEL`.
  public var bti: Bool
  /// The `.balign` of `SYM_*_START` (`__ALIGN`): `CONFIG_FUNCTION_ALIGNMENT` or 4.
  public var functionAlignment: Int
  public var offsets: AsmOffsets

  /// The linkage and helper macro names this layer owns (cpp-lite leaves them alone).
  public static let ownedMacros: Set<String> = [
    "SYM_FUNC_START", "SYM_FUNC_START_LOCAL", "SYM_FUNC_START_NOALIGN",
    "SYM_FUNC_START_LOCAL_NOALIGN", "SYM_FUNC_START_WEAK", "SYM_FUNC_START_WEAK_NOALIGN",
    "SYM_TYPED_FUNC_START", "SYM_FUNC_END", "SYM_CODE_START", "SYM_CODE_START_LOCAL",
    "SYM_CODE_START_NOALIGN", "SYM_CODE_START_LOCAL_NOALIGN", "SYM_CODE_END",
    "SYM_INNER_LABEL", "SYM_INNER_LABEL_ALIGN", "SYM_FUNC_ALIAS", "SYM_FUNC_ALIAS_LOCAL",
    "SYM_FUNC_ALIAS_WEAK", "ENTRY", "ENDPROC", "END", "GLOBAL", "EXPORT_SYMBOL",
    "EXPORT_SYMBOL_GPL",
    "NOKPROBE", "_ASM_NOKPROBE", "ASM_BUG", "SYM_DATA_START", "SYM_DATA_END",
  ]

  public init(
    config: KernelConfig, bti: Bool? = nil, functionAlignment: Int? = nil,
    offsets: AsmOffsets = .defaults
  ) {
    self.config = config
    self.bti = bti ?? config.isEnabled("ARM64_BTI_KERNEL")
    let configured = config.integer("FUNCTION_ALIGNMENT") ?? 0
    self.functionAlignment = functionAlignment ?? (configured > 0 ? configured : 4)
    self.offsets = offsets
  }

  /// The names defined before the first line of a `.S` file: `__ASSEMBLER__`, which GCC and
  /// Clang define for every preprocessed assembler source (the newest kernels' headers test
  /// it), and `__ASSEMBLY__`, which the kernel's Makefile adds with `-D__ASSEMBLY__` (what
  /// older headers test).
  public static let predefined: [String: String] = ["__ASSEMBLER__": "1", "__ASSEMBLY__": "1"]

  /// The landing-pad macros `asm/linkage.h` gives assembly sources, which a tree of the five
  /// ftrace files does not hold: with BTI, `BTI_C` is `bti c` and `BTI_J` is `bti j` (the v5.x
  /// header spells them `hint 34`/`hint 36`, the same words); without it `BTI_C` expands to
  /// nothing and `BTI_J` is not defined. v5.x headers define neither without BTI, which only
  /// `#ifdef BTI_C` tests, and those guard the macro itself, so an empty `BTI_C` reads the same.
  /// A tree that holds the header redefines them as it says.
  public var linkageDefines: [String: String] {
    bti ? ["BTI_C": "bti c", "BTI_J": "bti j"] : ["BTI_C": ""]
  }

  /// Runs cpp-lite (with ``predefined`` and ``linkageDefines`` defined) and then this layer
  /// over `text`.
  public func run(text: String, file: String, tree: (any KernelTree)?) -> AsmSource {
    let defines = Self.predefined.merging(linkageDefines) { first, _ in first }
    var pp = Preprocessor(tree: tree, config: config, defines: defines)
    pp.opaqueMacros = Self.ownedMacros.union(offsets.constants.keys)
    let pre = pp.run(text: text, file: file)
    var out = run(pre.lines)
    out.diagnostics = pre.diagnostics + out.diagnostics
    out.missingIncludes = pre.missingIncludes.map(\.path)
    return out
  }

  /// Runs this layer over lines cpp-lite already produced.
  ///
  /// The asm-offsets constants are cpp macros in the kernel, so they are replaced here, before
  /// any `.macro` expansion: a name pasted together inside a GNU as macro (`S_X\n`) is not one,
  /// exactly as with the real `asm-offsets.h`.
  public func run(_ lines: [SourceLine]) -> AsmSource {
    var state = AsmState(layer: self)
    let substituted = lines.map { l in
      var l = l
      l.text = state.substituteConstants(l.text, l.origin)
      return l
    }
    state.process(substituted, depth: 0)
    for open in state.conditionals {
      state.result.diagnostics.append(
        Diagnostic(
          KernelSourceMessage.conditional, .error, at: open.location,
          ".if opened here is never closed with .endif"))
    }
    return state.result
  }
}

struct AsmMacro {
  struct Parameter {
    var name: String
    var defaultValue: String?
    var required: Bool
    var vararg: Bool
  }
  var name: String
  var parameters: [Parameter]
  var body: [SourceLine]
  var location: SourceLocation
}

struct AsmState {
  let layer: AsmPreprocessor
  var result = AsmSource()
  var macros: [String: AsmMacro] = [:]
  var symbolsDefined: [String: Int] = [:]
  var conditionals: [Conditional] = []
  var currentSymbol: String?
  var usedConstants = Set<String>()
  var macroCounter = 0
  var overBudget = false

  struct Conditional {
    var parentActive: Bool
    var active: Bool
    var taken: Bool
    var location: SourceLocation
  }

  init(layer: AsmPreprocessor) { self.layer = layer }

  var active: Bool { conditionals.last.map { $0.parentActive && $0.active } ?? true }

  mutating func process(_ lines: [SourceLine], depth: Int) {
    guard depth < 32 else {
      if let l = lines.first {
        result.diagnostics.append(
          Diagnostic(
            KernelSourceMessage.couldNotModel, .error, at: l.origin,
            "could not model macro expansion at \(l.origin): nested too deeply"))
      }
      return
    }
    var i = 0
    var progress = LoopProgress()
    while i < lines.count, progress.advanced(to: i) {
      let line = lines[i]
      i += 1
      // GNU as statement separator: ';' splits statements on one line.
      for statement in Self.splitStatements(line.text) {
        let t = statement.trimmed
        if t.isEmpty { continue }
        let (word, rest) = splitFirstWord(t)
        let lower = word.lowercased()
        // Block directives collect their body lines first.
        if lower == ".macro" {
          let (body, next) = collectBlock(lines, from: i, open: [".macro"], close: ".endm")
          i = next
          if active { defineMacro(rest, body: body, at: line.origin) }
          continue
        }
        if lower == ".rept" || lower == ".irp" || lower == ".irpc" {
          let (body, next) = collectBlock(
            lines, from: i, open: [".rept", ".irp", ".irpc"], close: ".endr")
          i = next
          if active { repeatBlock(lower, rest, body: body, at: line.origin, depth: depth) }
          continue
        }
        if handleConditional(lower, rest, line.origin) { continue }
        guard active else { continue }
        handleStatement(t, word: word, rest: rest, origin: line.origin, depth: depth)
      }
    }
  }

  /// `text` cut at each `;` outside double quotes. Read as UTF-8 bytes: both are ASCII, and
  /// a multi-byte character never holds an ASCII byte.
  static func splitStatements(_ text: String) -> [String] {
    var text = text
    return text.withUTF8 { b in
      guard b.contains(UInt8(ascii: ";")) else { return [String(decoding: b, as: UTF8.self)] }
      var out: [String] = []
      var start = 0
      var quote = false
      for (i, c) in b.enumerated() {
        if c == UInt8(ascii: "\"") { quote.toggle() }
        if c == UInt8(ascii: ";") && !quote {
          out.append(String(decoding: UnsafeBufferPointer(rebasing: b[start..<i]), as: UTF8.self))
          start = i + 1
        }
      }
      out.append(String(decoding: UnsafeBufferPointer(rebasing: b[start...]), as: UTF8.self))
      return out
    }
  }

  func splitFirstWord(_ t: String) -> (String, String) {
    guard let sp = t.firstIndex(where: { $0 == " " || $0 == "\t" || $0 == "(" }) else {
      return (t, "")
    }
    return (String(t[..<sp]), String(t[sp...]).trimmed)
  }

  /// The lines up to the matching close directive (nesting counted), and the index after it.
  func collectBlock(_ lines: [SourceLine], from start: Int, open: [String], close: String)
    -> ([SourceLine], Int)
  {
    var level = 0
    var j = start
    while j < lines.count {
      let w = splitFirstWord(lines[j].text.trimmed).0.lowercased()
      if open.contains(w) { level += 1 }
      if w == close || (close == ".endm" && w == ".endmacro") {
        if level == 0 { return (Array(lines[start..<j]), j + 1) }
        level -= 1
      }
      j += 1
    }
    return (Array(lines[start..<lines.count]), lines.count)
  }

  mutating func defineMacro(_ header: String, body: [SourceLine], at loc: SourceLocation) {
    var parts = header.split(
      omittingEmptySubsequences: true, whereSeparator: { $0 == "," || $0 == " " || $0 == "\t" }
    ).map(String.init)
    // "name=default" must stay together even when written "name = default".
    guard !parts.isEmpty else {
      result.diagnostics.append(
        Diagnostic(KernelSourceMessage.syntax, .error, at: loc, ".macro without a name"))
      return
    }
    let name = parts.removeFirst()
    var merged: [String] = []
    var k = 0
    while k < parts.count {
      var p = parts[k]
      if k + 1 < parts.count, parts[k + 1] == "=" || parts[k + 1].hasPrefix("=") || p.hasSuffix("=")
      {
        if parts[k + 1] == "=", k + 2 < parts.count {
          p += "=" + parts[k + 2]
          k += 2
        } else if !p.contains("=") || p.hasSuffix("=") {
          p += parts[k + 1]
          k += 1
        }
      }
      merged.append(p)
      k += 1
    }
    let params = merged.map { p -> AsmMacro.Parameter in
      var n = p
      var def: String?
      if let eq = p.firstIndex(of: "=") {
        n = String(p[..<eq])
        def = String(p[p.index(after: eq)...])
      }
      let required = n.hasSuffix(":req")
      let vararg = n.hasSuffix(":vararg")
      if let colon = n.firstIndex(of: ":") { n = String(n[..<colon]) }
      return AsmMacro.Parameter(name: n, defaultValue: def, required: required, vararg: vararg)
    }
    macros[name] = AsmMacro(name: name, parameters: params, body: body, location: loc)
  }

  mutating func repeatBlock(
    _ kind: String, _ rest: String, body: [SourceLine], at loc: SourceLocation, depth: Int
  ) {
    if kind == ".rept" {
      guard let n = evaluate(rest, loc), n >= 0, n <= 4096 else {
        result.diagnostics.append(
          Diagnostic(
            KernelSourceMessage.couldNotModel, .warning, at: loc,
            "could not model .rept \(rest) at \(loc)"))
        return
      }
      for _ in 0..<n {
        if result.lines.count >= Self.lineBudget {
          emit("", loc)  // reports the budget once
          break
        }
        process(body, depth: depth + 1)
      }
      return
    }
    // .irp sym, a, b, c
    let parts = rest.split(separator: ",", omittingEmptySubsequences: false).map {
      String($0).trimmed
    }
    guard let first = parts.first else { return }
    let (sym, firstValue) = splitFirstWord(first)
    let values = (firstValue.isEmpty ? [] : [firstValue]) + parts.dropFirst()
    let items = kind == ".irpc" ? values.joined().map { String($0) } : values
    for v in items {
      let substituted = body.map {
        SourceLine(text: $0.text.replacingAll("\\" + sym, with: v), origin: $0.origin)
      }
      process(substituted, depth: depth + 1)
    }
  }

  mutating func handleConditional(_ word: String, _ rest: String, _ loc: SourceLocation) -> Bool {
    switch word {
    case ".if", ".ifeq", ".ifne", ".ifdef", ".ifndef", ".ifc", ".ifnc", ".ifb", ".ifnb", ".ifgt",
      ".ifge", ".iflt", ".ifle":
      let parent = active
      let cond = parent ? condition(word, rest, loc) : false
      conditionals.append(
        Conditional(parentActive: parent, active: cond, taken: cond, location: loc))
      return true
    case ".elseif":
      guard var top = conditionals.popLast() else { return unbalanced(word, loc) }
      let cond = !top.taken && top.parentActive ? condition(".if", rest, loc) : false
      top.active = cond
      top.taken = top.taken || cond
      conditionals.append(top)
      return true
    case ".else":
      guard var top = conditionals.popLast() else { return unbalanced(word, loc) }
      top.active = !top.taken
      top.taken = true
      conditionals.append(top)
      return true
    case ".endif":
      if conditionals.popLast() == nil { return unbalanced(word, loc) }
      return true
    default: return false
    }
  }

  mutating func unbalanced(_ word: String, _ loc: SourceLocation) -> Bool {
    result.diagnostics.append(
      Diagnostic(KernelSourceMessage.conditional, .error, at: loc, "\(word) without .if"))
    return true
  }

  mutating func condition(_ word: String, _ rest: String, _ loc: SourceLocation) -> Bool {
    switch word {
    case ".ifdef": return symbolsDefined[rest.trimmed] != nil || labelDefined(rest.trimmed)
    case ".ifndef": return !(symbolsDefined[rest.trimmed] != nil || labelDefined(rest.trimmed))
    case ".ifb": return rest.trimmed.isEmpty
    case ".ifnb": return !rest.trimmed.isEmpty
    case ".ifc", ".ifnc":
      let parts = MakeExpander.splitArguments(rest).map { unquote($0.trimmed) }
      let same = parts.count == 2 && parts[0] == parts[1]
      return word == ".ifc" ? same : !same
    default:
      guard let v = evaluate(rest, loc) else {
        result.diagnostics.append(
          Diagnostic(
            KernelSourceMessage.couldNotModel, .warning, at: loc,
            "could not model \(word) \(rest) at \(loc); taken as false"))
        return false
      }
      switch word {
      case ".ifeq": return v == 0
      case ".ifgt": return v > 0
      case ".ifge": return v >= 0
      case ".iflt": return v < 0
      case ".ifle": return v <= 0
      default: return v != 0
      }
    }
  }

  func unquote(_ s: String) -> String {
    s.count >= 2 && s.hasPrefix("'") && s.hasSuffix("'")
      || s.count >= 2 && s.hasPrefix("\"") && s.hasSuffix("\"")
      ? String(s.dropFirst().dropLast()) : s
  }

  func labelDefined(_ name: String) -> Bool { result.symbols.contains { $0.name == name } }

  /// Evaluates an assembler expression with `.set` symbols and asm-offsets constants.
  mutating func evaluate(_ text: String, _ loc: SourceLocation) -> Int? {
    var tokens = CTokenizer.tokenize(text, firstLine: loc.line)
    for k in tokens.indices where tokens[k].kind == .identifier {
      if let v = symbolsDefined[tokens[k].text] {
        tokens[k].text = String(v)
        tokens[k].kind = .number
      } else if let c = layer.offsets[tokens[k].text] {
        noteConstant(c, loc)
        tokens[k].text = String(c.value)
        tokens[k].kind = .number
      } else {
        return nil
      }
    }
    let expression = CExprParser.parse(tokens)
    guard expression.isIntegerConstantExpression,
      let v = CEvaluator.evaluate(expression, in: PreprocessorEnvironment())
    else { return nil }
    return Int(truncatingIfNeeded: v)
  }

  mutating func noteConstant(_ c: AsmConstant, _ loc: SourceLocation) {
    if usedConstants.insert(c.name).inserted {
      result.assumptions.append(
        Diagnostic(
          KernelSourceMessage.assumption, .note, at: loc,
          "assumed \(c.name) = \(c.value) (\(c.provenance)); asm-offsets.h is generated at build "
            + "time"))
    }
  }

  /// Output lines allowed before expansion stops (nested `.rept` can multiply without end).
  static let lineBudget = 200_000

  mutating func emit(_ text: String, _ origin: SourceLocation) {
    guard result.lines.count < Self.lineBudget else {
      if !overBudget {
        overBudget = true
        result.diagnostics.append(
          Diagnostic(
            KernelSourceMessage.couldNotModel, .error, at: origin,
            "could not model the expansion at \(origin): more than \(Self.lineBudget) lines"))
      }
      return
    }
    result.lines.append(
      AsmLine(
        text: Self.normalizeSpace(text), origin: origin,
        symbol: currentSymbol))
  }

  /// Runs of blanks outside string literals become one space: `bti\tc` → `bti c`.
  /// `text` trimmed, with each run of spaces and tabs outside double quotes made one space
  /// (read as UTF-8 bytes, as ``splitStatements(_:)``).
  static func normalizeSpace(_ text: String) -> String {
    var text = text.trimmed
    return text.withUTF8 { b in
      var out: [UInt8] = []
      out.reserveCapacity(b.count)
      var quote = false
      var pendingSpace = false
      for c in b {
        if c == UInt8(ascii: "\"") { quote.toggle() }
        if !quote && (c == UInt8(ascii: " ") || c == UInt8(ascii: "\t")) {
          pendingSpace = true
          continue
        }
        if pendingSpace { out.append(UInt8(ascii: " ")) }
        pendingSpace = false
        out.append(c)
      }
      return String(decoding: out, as: UTF8.self)
    }
  }

  mutating func substituteConstants(_ text: String, _ loc: SourceLocation) -> String {
    var tokens = CTokenizer.tokenize(text, firstLine: loc.line)
    var changed = false
    for k in tokens.indices where tokens[k].kind == .identifier {
      if let c = layer.offsets[tokens[k].text] {
        noteConstant(c, loc)
        tokens[k].text = String(c.value)
        changed = true
      }
    }
    return changed ? CTokenizer.join(tokens) : text
  }

  /// The arguments of `NAME(a, b)`.
  func linkageArguments(_ rest: String) -> [String] {
    var r = rest.trimmed
    guard r.hasPrefix("(") else { return r.isEmpty ? [] : [r] }
    r.removeFirst()
    if let close = r.lastIndex(of: ")") { r = String(r[..<close]) }
    return MakeExpander.splitArguments(r).map { $0.trimmed }
  }

  mutating func startSymbol(
    _ name: String, kind: AsmSymbol.Kind, global: Bool, weak: Bool, align: Bool,
    bti: Bool, _ loc: SourceLocation
  ) {
    if let open = currentSymbol, kind != .inner {
      result.diagnostics.append(
        Diagnostic(
          KernelSourceMessage.syntax, .warning, at: loc,
          "\(name) starts before \(open) ended"))
    }
    currentSymbol = name
    if global { emit(".globl \(name)", loc) }
    if weak { emit(".weak \(name)", loc) }
    if align { emit(".balign \(layer.functionAlignment)", loc) }
    if kind == .function { emit(".type \(name), %function", loc) }
    emit("\(name):", loc)
    if bti { emit("bti c", loc) }
    result.symbols.append(
      AsmSymbol(
        name: name, kind: kind, global: global || weak, location: loc, end: nil, target: nil))
  }

  mutating func endSymbol(_ name: String, function: Bool, _ loc: SourceLocation) {
    if function { emit(".type \(name), %function", loc) }
    emit(".size \(name), . - \(name)", loc)
    if let k = result.symbols.lastIndex(where: { $0.name == name && $0.kind != .inner }) {
      result.symbols[k].end = loc
    } else {
      result.diagnostics.append(
        Diagnostic(KernelSourceMessage.syntax, .warning, at: loc, "\(name) ends but never started"))
    }
    if currentSymbol == name { currentSymbol = nil }
  }

  mutating func handleStatement(
    _ t: String, word: String, rest: String, origin: SourceLocation, depth: Int
  ) {
    let args = linkageArguments(rest)
    let name = args.first ?? ""
    let bti = layer.bti
    switch word {
    case "SYM_FUNC_START", "SYM_TYPED_FUNC_START":
      startSymbol(name, kind: .function, global: true, weak: false, align: true, bti: bti, origin)
      if word == "SYM_TYPED_FUNC_START" && layer.config.isEnabled("CFI_CLANG") {
        result.diagnostics.append(
          Diagnostic(
            KernelSourceMessage.couldNotModel, .warning, at: origin,
            "could not model the kCFI type hash of SYM_TYPED_FUNC_START at \(origin)"))
      }
    case "SYM_FUNC_START_NOALIGN":
      startSymbol(name, kind: .function, global: true, weak: false, align: false, bti: bti, origin)
    case "SYM_FUNC_START_LOCAL":
      startSymbol(name, kind: .function, global: false, weak: false, align: true, bti: bti, origin)
    case "SYM_FUNC_START_LOCAL_NOALIGN":
      startSymbol(name, kind: .function, global: false, weak: false, align: false, bti: bti, origin)
    case "SYM_FUNC_START_WEAK":
      startSymbol(name, kind: .function, global: false, weak: true, align: true, bti: bti, origin)
    case "SYM_FUNC_START_WEAK_NOALIGN":
      startSymbol(name, kind: .function, global: false, weak: true, align: false, bti: bti, origin)
    case "SYM_CODE_START":
      startSymbol(name, kind: .code, global: true, weak: false, align: true, bti: false, origin)
    case "SYM_CODE_START_LOCAL":
      startSymbol(name, kind: .code, global: false, weak: false, align: true, bti: false, origin)
    case "SYM_CODE_START_NOALIGN":
      startSymbol(name, kind: .code, global: true, weak: false, align: false, bti: false, origin)
    case "SYM_CODE_START_LOCAL_NOALIGN":
      startSymbol(name, kind: .code, global: false, weak: false, align: false, bti: false, origin)
    case "ENTRY":
      startSymbol(name, kind: .function, global: true, weak: false, align: true, bti: false, origin)
    case "SYM_FUNC_END", "ENDPROC": endSymbol(name, function: true, origin)
    case "SYM_CODE_END", "END": endSymbol(name, function: false, origin)
    case "GLOBAL":
      // The older linkage.h's global label inside a function (before SYM_INNER_LABEL).
      emit(".globl \(name)", origin)
      emit("\(name):", origin)
      result.symbols.append(
        AsmSymbol(
          name: name, kind: .inner, global: true, location: origin, end: nil,
          target: currentSymbol))
    case "SYM_INNER_LABEL", "SYM_INNER_LABEL_ALIGN":
      let linkage = args.count > 1 ? args[1] : "SYM_L_LOCAL"
      let global = linkage == "SYM_L_GLOBAL"
      if global { emit(".globl \(name)", origin) }
      if linkage == "SYM_L_WEAK" { emit(".weak \(name)", origin) }
      if word == "SYM_INNER_LABEL_ALIGN" { emit(".balign \(layer.functionAlignment)", origin) }
      emit("\(name):", origin)
      result.symbols.append(
        AsmSymbol(
          name: name, kind: .inner, global: global, location: origin, end: nil,
          target: currentSymbol))
    case "SYM_FUNC_ALIAS", "SYM_FUNC_ALIAS_LOCAL", "SYM_FUNC_ALIAS_WEAK":
      let target = args.count > 1 ? args[1] : ""
      if word == "SYM_FUNC_ALIAS" { emit(".globl \(name)", origin) }
      if word == "SYM_FUNC_ALIAS_WEAK" { emit(".weak \(name)", origin) }
      emit(".set \(name), \(target)", origin)
      result.symbols.append(
        AsmSymbol(
          name: name, kind: .alias, global: word != "SYM_FUNC_ALIAS_LOCAL",
          location: origin, end: nil, target: target))
    case "EXPORT_SYMBOL", "EXPORT_SYMBOL_GPL", "NOKPROBE", "_ASM_NOKPROBE":
      return
    case "SYM_DATA_START", "SYM_DATA_END", "ASM_BUG":
      result.diagnostics.append(
        Diagnostic(
          KernelSourceMessage.couldNotModel, .warning, at: origin,
          "could not model \(word) at \(origin)"))
    case ".set", ".equ", ".equiv":
      let parts = MakeExpander.splitArguments(rest)
      if parts.count == 2, let v = evaluate(parts[1], origin) {
        symbolsDefined[parts[0].trimmed] = v
      }
      emit(t, origin)
    case ".purgem":
      macros[rest.trimmed] = nil
    case ".error", ".err":
      result.diagnostics.append(
        Diagnostic(KernelSourceMessage.conditional, .error, at: origin, "\(word) \(rest)"))
    default:
      if let m = macros[word] {
        expandMacro(m, rest, origin, depth: depth)
      } else if ["ldr_l", "adr_l", "str_l"].contains(word) {
        expandAddressMacro(word, rest, origin)
      } else if word.hasPrefix("SYM_")
        || (rest.hasPrefix("(") && word.count > 1
          && word.allSatisfy { $0 == "_" || $0.isUppercase || $0.isNumber })
      {
        result.diagnostics.append(
          Diagnostic(
            KernelSourceMessage.unknownMacro, .warning, at: origin,
            "could not model \(word)(…) at \(origin): a macro the files read do not define, "
              + "line kept"))
        emit(t, origin)
      } else {
        emit(t, origin)
      }
    }
  }

  mutating func expandAddressMacro(_ word: String, _ rest: String, _ loc: SourceLocation) {
    let a = MakeExpander.splitArguments(rest).map { $0.trimmed }
    switch (word, a.count) {
    case ("adr_l", 2):
      emit("adrp \(a[0]), \(a[1])", loc)
      emit("add \(a[0]), \(a[0]), :lo12:\(a[1])", loc)
    case ("ldr_l", 2), ("ldr_l", 3):
      let base = a.count == 3 ? a[2] : a[0]
      emit("adrp \(base), \(a[1])", loc)
      emit("ldr \(a[0]), [\(base), :lo12:\(a[1])]", loc)
    case ("str_l", 3):
      emit("adrp \(a[2]), \(a[1])", loc)
      emit("str \(a[0]), [\(a[2]), :lo12:\(a[1])]", loc)
    default:
      result.diagnostics.append(
        Diagnostic(
          KernelSourceMessage.couldNotModel, .warning, at: loc,
          "could not model \(word) \(rest) at \(loc): unexpected operands"))
    }
  }

  /// Splits macro invocation arguments: commas, or blanks outside brackets and quotes.
  func invocationArguments(_ rest: String) -> [String] {
    var out: [String] = []
    var current = ""
    var level = 0
    var quote = false
    let chars = Array(rest)
    var i = 0
    while i < chars.count {
      let c = chars[i]
      if c == "\"" { quote.toggle() }
      if !quote && (c == "(" || c == "[") { level += 1 }
      if !quote && (c == ")" || c == "]") { level -= 1 }
      if !quote && level == 0 && (c == "," || c == " " || c == "\t") {
        // Blanks around '=' or before a comma do not separate arguments.
        var j = i
        while j < chars.count, chars[j] == " " || chars[j] == "\t" { j += 1 }
        if c != ",", j < chars.count,
          chars[j] == "," || chars[j] == "=" || current.hasSuffix("=")
            || current.isEmpty
        {
          i = j
          continue
        }
        out.append(current)
        current = ""
        i = c == "," ? i + 1 : j
        while i < chars.count, chars[i] == " " || chars[i] == "\t" { i += 1 }
        continue
      }
      current.append(c)
      i += 1
    }
    if !current.isEmpty || !out.isEmpty { out.append(current) }
    return out
  }

  mutating func expandMacro(_ m: AsmMacro, _ rest: String, _ loc: SourceLocation, depth: Int) {
    let given = invocationArguments(rest)
    var values: [String: String] = [:]
    var positional = 0
    for (k, g) in given.enumerated() {
      if let eq = g.firstIndex(of: "=") {
        let key = String(g[..<eq]).trimmed
        if m.parameters.contains(where: { $0.name == key }) {
          values[key] = String(g[g.index(after: eq)...]).trimmed
          continue
        }
      }
      guard positional < m.parameters.count else {
        result.diagnostics.append(
          Diagnostic(
            KernelSourceMessage.syntax, .warning, at: loc,
            "too many arguments for macro \(m.name)"))
        break
      }
      let p = m.parameters[positional]
      if p.vararg {
        values[p.name] = given[k...].joined(separator: ", ")
        positional = m.parameters.count
        break
      }
      values[p.name] = g
      positional += 1
    }
    for p in m.parameters where values[p.name] == nil {
      if p.required {
        result.diagnostics.append(
          Diagnostic(
            KernelSourceMessage.syntax, .error, at: loc,
            "macro \(m.name) needs argument \(p.name)"))
      }
      values[p.name] = p.defaultValue ?? ""
    }
    macroCounter += 1
    let counter = macroCounter
    let names = m.parameters.map(\.name).sorted { $0.count > $1.count }
    let body = m.body.map { line -> SourceLine in
      var text = line.text
      for n in names { text = text.replacingAll("\\" + n, with: values[n] ?? "") }
      text = text.replacingAll("\\()", with: "").replacingAll("\\@", with: String(counter))
      // Lines from a macro body keep the body line's origin (the text is written there).
      return SourceLine(text: text, origin: line.origin)
    }
    process(body, depth: depth + 1)
  }
}
