import Diagnostics

/// The GNU-as-syntax assembler for AArch64: a file in, an `AssembledObject` out.
///
/// Two passes over the statements: the first places every label (all instructions are 4 bytes;
/// data sizes follow from the number of values, alignment and `.space` from absolute
/// expressions), the second evaluates operands, encodes through `AsmParser.instruction` and
/// `encode`, and records relocations for what only a layout can resolve. As GNU as does,
/// PC-relative references to local labels of the same section are resolved here; references to
/// global, weak or undefined symbols, to other sections, and every ADRP, `:lo12:` and `.quad`
/// of a symbol stay relocations (against the section for local labels).
///
/// Kernel: `arch/arm64/kernel/entry-ftrace.S` is written for this dialect; LLVM: `AArch64AsmParser`.
public enum Assembler {
  /// Assembles `text`, naming `file` in locations.
  /// - Throws: `AssemblyError` with `file:line:column` at the first problem.
  public static func assemble(_ text: String, file: String = "<input>") throws(AssemblyError)
    -> AssembledObject
  {
    try assemble(bytes: Array(text.utf8), file: file)
  }

  /// Assembles UTF-8 `bytes`.
  public static func assemble(bytes: consuming [UInt8], file: String = "<input>")
    throws(AssemblyError) -> AssembledObject
  {
    try assemble(bytes: bytes, file: file, fastPath: true)
  }

  static func assemble(bytes: consuming [UInt8], file: String, fastPath: Bool)
    throws(AssemblyError) -> AssembledObject
  {
    let source = try SourceText(file: file, text: bytes)
    var state = AssemblerState(source: source)
    state.fastPathEnabled = fastPath
    try state.run(pass: 1)
    state.beginPass2()
    try state.run(pass: 2)
    return state.object()
  }
}

/// A symbol while assembling.
struct SymbolEntry: Sendable {
  enum Definition: Sendable {
    case none
    case label(section: Int, offset: Int64)
    case constant(ExprValue)
  }

  var definition: Definition = .none
  var global = false
  var weak = false
  var type: Symbol.Kind? = nil
  var size: Int64? = nil
  var referenced = false
  /// Statement index of the first definition (labels), for redefinition errors.
  var order = 0
}

/// A section while assembling.
struct SectionState: Sendable {
  var name: String
  var executable: Bool
  var offset: Int = 0
  var items: [Item] = []
  var relocations: [Relocation] = []
}

/// The mutable state of both passes.
struct AssemblerState: SymbolResolver {
  let source: SourceText
  /// The source bytes and file name that every item's text slice points into.
  let shared: SharedSource
  /// A reusable buffer for operand ranges.
  var operandScratch: [(Int, Int)] = []
  /// Off only in tests that check the fast path against the general one.
  var fastPathEnabled = true
  var pass = 1
  var sections: [SectionState] = []
  var sectionIndex: [String: Int] = [:]
  var current = 0
  var previous = 0
  var sectionStack: [(Int, Int)] = []
  var symbols: [String: SymbolEntry] = [:]
  /// Definitions of numeric labels in source order: (section, offset).
  var numericDefinitions: [Int: [(Int, Int64)]] = [:]
  /// The same for labels 0…99, without hashing (they are by far the most common).
  var smallNumericDefinitions = [[(Int, Int64)]](repeating: [], count: 100)
  /// How many definitions of each numeric label have been passed.
  var numericSeen: [Int: Int] = [:]
  var smallNumericSeen = [Int](repeating: 0, count: 100)
  /// The location counter while evaluating (start of the current item).
  var dotOffset: Int64 = 0
  /// The statement being processed.
  var statement = Statement(kind: .operation, line: 1, column: 1, start: 0, end: 0)
  var file: String { source.file }

  init(source: SourceText) {
    self.source = source
    shared = SharedSource(bytes: source.bytes, file: source.file)
    _ = section(named: ".text", executable: true)
  }

  mutating func beginPass2() {
    pass = 2
    for k in sections.indices {
      sections[k].items.reserveCapacity(sections[k].offset / 4 + 16)
      sections[k].offset = 0
    }
    current = 0
    previous = 0
    sectionStack = []
    numericSeen = [:]
    smallNumericSeen = [Int](repeating: 0, count: 100)
  }

  mutating func section(named name: String, executable: Bool? = nil) -> Int {
    if let k = sectionIndex[name] { return k }
    let exec = executable ?? (name.hasPrefix(".text") || name.hasPrefix(".init.text"))
    sections.append(SectionState(name: name, executable: exec))
    sectionIndex[name] = sections.count - 1
    return sections.count - 1
  }

  // MARK: SymbolResolver

  func resolve(symbol name: String) -> ExprValue {
    guard let e = symbols[name] else { return ExprValue(base: .symbol(name), minus: nil, add: 0) }
    switch e.definition {
    case .none: return ExprValue(base: .symbol(name), minus: nil, add: 0)
    case .constant(let v): return v
    case .label(let s, let off):
      if e.global || e.weak { return ExprValue(base: .symbol(name), minus: nil, add: 0) }
      return ExprValue(base: .section(s), minus: nil, add: off)
    }
  }

  func resolve(numericLabel n: Int, forward: Bool) -> ExprValue? {
    let small = n < 100
    let seen = small ? smallNumericSeen[n] : numericSeen[n] ?? 0
    let defs = small ? smallNumericDefinitions[n] : numericDefinitions[n] ?? []
    let k = forward ? seen : seen - 1
    guard k >= 0, k < defs.count else {
      // Forward references are not known yet in pass 1.
      if pass == 1 && forward { return ExprValue(base: .symbol("\(n)f"), minus: nil, add: 0) }
      return nil
    }
    return ExprValue(base: .section(defs[k].0), minus: nil, add: defs[k].1)
  }

  var dot: ExprValue { ExprValue(base: .section(current), minus: nil, add: dotOffset) }

  func definition(of name: String) -> (section: Int, offset: Int64)? {
    if case .label(let s, let off)? = symbols[name]?.definition { return (s, off) }
    return nil
  }

  // MARK: errors and evaluation

  func location(_ offset: Int) -> SourceLocation {
    source.location(line: statement.line, column: source.column(of: offset, line: statement.line))
  }

  func error(_ id: MessageID, at offset: Int, _ message: String) -> AssemblyError {
    AssemblyError(id, at: location(offset), message)
  }

  /// Evaluates `bytes[a..<b]`.
  func evaluate(_ a: Int, _ b: Int) throws(AssemblyError) -> ExprValue {
    let l = Int(statement.line) - 1
    let lineStart = l >= 0 && l < source.lineStarts.count ? Int(source.lineStarts[l]) : 0
    var p = ExpressionParser<AssemblerState>(
      bytes: source.bytes, start: a, end: b, file: source.file, line: statement.line,
      lineStart: lineStart)
    p.skipBlanks()
    if p.i >= b { throw error("asm.expression", at: a, "missing expression") }
    return try p.parseAll(self)
  }

  /// Evaluates `bytes[a..<b]` and requires an absolute value.
  func absolute(_ a: Int, _ b: Int) throws(AssemblyError) -> Int64 {
    let v = try evaluate(a, b)
    guard v.isAbsolute else {
      throw error(
        "asm.expression", at: firstNonBlank(a, b), "expression must be a constant")
    }
    return v.add
  }

  func firstNonBlank(_ a: Int, _ b: Int) -> Int {
    var k = a
    while k < b, isBlank(source.bytes[k]) { k += 1 }
    return k
  }

  /// Splits `bytes[a..<b]` at top-level commas (outside brackets, parentheses and strings).
  func splitOperands(_ a: Int, _ b: Int) -> [(Int, Int)] {
    var out: [(Int, Int)] = []
    out.reserveCapacity(4)
    splitOperands(a, b, into: &out)
    return out
  }

  /// As above, appending to `out` (so that a caller can reuse one buffer).
  func splitOperands(_ a: Int, _ b: Int, into out: inout [(Int, Int)]) {
    let splitSpecial = AssemblerState.splitSpecial  // read once: a static access runs swift_once
    source.bytes.withUnsafeBufferPointer { bytes in
      // One pass over raw bytes (no bounds check or retain per byte); `b` is clamped so the
      // loop can never read past the buffer.
      let b = min(b, bytes.count)
      var depth = 0
      var start = a
      var k = a
      var inString = false
      while k < b {
        let c = bytes[k]
        if !splitSpecial[Int(c)] {  // letters, digits, blanks…: nothing to do
          k += 1
          continue
        }
        if inString {
          if c == UInt8(ascii: "\\") {
            k += 2
            continue
          }
          if c == UInt8(ascii: "\"") { inString = false }
        } else if c == UInt8(ascii: "\"") {
          inString = true
        } else if c == UInt8(ascii: "[") || c == UInt8(ascii: "(") || c == UInt8(ascii: "{") {
          depth += 1
        } else if c == UInt8(ascii: "]") || c == UInt8(ascii: ")") || c == UInt8(ascii: "}") {
          depth -= 1
        } else if c == UInt8(ascii: ","), depth == 0 {
          out.append(AssemblerState.trim(bytes, start, k))
          start = k + 1
        }
        k += 1
      }
      let last = AssemblerState.trim(bytes, start, min(k, b))
      if !(out.isEmpty && last.0 == last.1) { out.append(last) }
    }
  }

  /// The bytes `splitOperands` acts on: `\\ " [ ( { ] ) } ,`.
  static let splitSpecial: [Bool] = (0..<256).map { Array("\\\"[({])},".utf8).contains(UInt8($0)) }

  func trim(_ a: Int, _ b: Int) -> (Int, Int) {
    source.bytes.withUnsafeBufferPointer { AssemblerState.trim($0, a, b) }
  }

  @inline(__always)
  static func trim(_ bytes: UnsafeBufferPointer<UInt8>, _ a: Int, _ b: Int) -> (Int, Int) {
    var x = a
    var y = b
    while x < y, isBlank(bytes[x]) { x += 1 }
    while y > x, isBlank(bytes[y - 1]) { y -= 1 }
    return (x, y)
  }

  // MARK: the passes

  mutating func run(pass p: Int) throws(AssemblyError) {
    pass = p
    let statements = source.statements
    let bytes = source.bytes
    for k in statements.indices {
      statement = statements[k]
      let a = Int(statement.start)
      let b = Int(statement.end)
      switch statement.kind {
      case .label: try defineLabel(a, b, order: k)
      case .operation:
        if let eq = assignment(a, b) {
          try assign(a, eq.nameEnd, eq.valueStart, b)
          continue
        }
        let isDirective = bytes[a] == UInt8(ascii: ".")
        if pass == 1 && !isDirective {
          sections[current].offset += 4  // every instruction is 4 bytes
          continue
        }
        var e = a
        while e < b, !isBlank(bytes[e]) { e += 1 }
        if isDirective {
          try directive(a, e, b)
        } else {
          try instruction(a, e, b)
        }
      }
    }
  }

  /// `name = expr`: returns where the name ends and the value starts.
  func assignment(_ a: Int, _ b: Int) -> (nameEnd: Int, valueStart: Int)? {
    let bytes = source.bytes
    var k = a
    while k < b, isSymbolChar(bytes[k]) { k += 1 }
    let nameEnd = k
    while k < b, isBlank(bytes[k]) { k += 1 }
    guard nameEnd > a, k < b, bytes[k] == UInt8(ascii: "="),
      k + 1 >= b
        || bytes[k + 1] != UInt8(ascii: "=")
    else { return nil }
    return (nameEnd, k + 1)
  }

  mutating func assign(_ a: Int, _ nameEnd: Int, _ v0: Int, _ b: Int) throws(AssemblyError) {
    let name = source.string(a, nameEnd)
    try setSymbol(name, at: a, v0, b)
  }

  mutating func setSymbol(_ name: String, at a: Int, _ v0: Int, _ b: Int) throws(AssemblyError) {
    dotOffset = Int64(sections[current].offset)
    let value: ExprValue
    do {
      value = try evaluate(v0, b)
    } catch {
      if pass == 1 { return }  // may use a label defined later; pass 2 decides
      throw error
    }
    var e = symbols[name] ?? SymbolEntry()
    if case .label = e.definition {
      throw self.error("asm.redefined-symbol", at: a, "symbol '\(name)' is already a label")
    }
    e.definition = .constant(value)
    symbols[name] = e
  }

  mutating func defineLabel(_ a: Int, _ b: Int, order: Int) throws(AssemblyError) {
    let bytes = source.bytes
    let off = Int64(sections[current].offset)
    if isDigit(bytes[a]) {
      var n = 0
      for k in a..<b {
        guard isDigit(bytes[k]), k - a < 9 else {
          throw error("asm.syntax", at: a, "bad numeric label '\(source.string(a, b))'")
        }
        n = n * 10 + Int(bytes[k] - 48)
      }
      if n < 100 {
        if pass == 1 { smallNumericDefinitions[n].append((current, off)) }
        smallNumericSeen[n] += 1
      } else {
        if pass == 1 { numericDefinitions[n, default: []].append((current, off)) }
        numericSeen[n, default: 0] += 1
      }
      return
    }
    let name = source.string(a, b)
    guard pass == 1 else { return }
    var e = symbols[name] ?? SymbolEntry()
    switch e.definition {
    case .label:
      throw error("asm.redefined-symbol", at: a, "symbol '\(name)' is already defined")
    case .constant:
      throw error("asm.redefined-symbol", at: a, "symbol '\(name)' is already a constant")
    case .none: break
    }
    e.definition = .label(section: current, offset: off)
    e.order = order
    symbols[name] = e
  }

  /// The object after pass 2.
  func object() -> AssembledObject {
    var outSections: [Section] = []
    for s in sections {
      outSections.append(
        Section(
          name: s.name, executable: s.executable, items: s.items, relocations: s.relocations))
    }
    var syms: [Symbol] = []
    for (name, e) in symbols {
      switch e.definition {
      case .label(let s, let off):
        syms.append(
          Symbol(
            name: name, section: sections[s].name, offset: off, size: e.size, global: e.global,
            weak: e.weak, kind: e.type ?? .label))
      case .constant(let v):
        if v.isAbsolute {
          syms.append(
            Symbol(
              name: name, section: nil, offset: v.add, size: e.size, global: e.global,
              weak: e.weak, kind: .constant))
        }
      case .none:
        if e.global || e.weak || e.referenced {
          syms.append(
            Symbol(
              name: name, section: nil, offset: 0, size: e.size, global: e.global, weak: e.weak,
              kind: .undefined))
        }
      }
    }
    // Sort by (section order, offset, name) on precomputed integer keys.
    let order = Dictionary(uniqueKeysWithValues: sections.enumerated().map { ($1.name, $0) })
    let keys = syms.map { ($0.section.flatMap { order[$0] } ?? -1, $0.offset) }
    let sortedIndices = syms.indices.sorted { i, j in
      if keys[i] != keys[j] { return keys[i] < keys[j] }
      return syms[i].name < syms[j].name
    }
    syms = sortedIndices.map { syms[$0] }
    return AssembledObject(sections: outSections, symbols: syms)
  }

  // MARK: items

  mutating func emit(_ kind: Item.Kind, size: Int, text: String) {
    emit(kind, size: size, slice: TextSlice(text, file: source.file))
  }

  /// Emits an item whose text is `bytes[a..<b]` of the source.
  mutating func emit(_ kind: Item.Kind, size: Int, textFrom a: Int, to b: Int) {
    emit(kind, size: size, slice: TextSlice(storage: shared, start: a, end: b))
  }

  mutating func emit(_ kind: Item.Kind, size: Int, slice: TextSlice) {
    if pass == 2 {
      sections[current].items.append(
        Item(
          offset: sections[current].offset, kind: kind, line: statement.line,
          column: statement.column, text: slice))
    }
    sections[current].offset += size
  }

  mutating func relocate(
    _ type: RelocationType, _ v: ExprValue, at offset: Int, column a: Int
  ) throws(AssemblyError) {
    let loc = location(a)
    switch v.base {
    case .absolute:
      throw error("asm.unsupported", at: a, "unsupported: absolute value for \(type.elfName)")
    case .section(let s):
      sections[current].relocations.append(
        Relocation(
          offset: offset, type: type, symbol: sections[s].name, sectionRelative: true,
          addend: v.add, source: loc))
    case .symbol(let name):
      symbols[name, default: SymbolEntry()].referenced = true
      sections[current].relocations.append(
        Relocation(offset: offset, type: type, symbol: name, addend: v.add, source: loc))
    }
  }
}
