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
    try assemble(bytes: consume bytes, file: file, fastPath: true)
  }

  /// Assembles UTF-8 `bytes`; `listing` false keeps only each section's bytes
  /// (`Section.image`), not an item per statement: for callers that want the bytes alone, it
  /// saves the items' memory (40 bytes each) and their writing.
  public static func assemble(bytes: consuming [UInt8], file: String = "<input>", listing: Bool)
    throws(AssemblyError) -> AssembledObject
  {
    try assembleCountingChunks(
      source: SourceBytes(bytes), file: file, fastPath: true, listing: listing
    ).object
  }

  /// Assembles the file at `path` (named `file` in locations) through a private mapping of it:
  /// its bytes are not copied. Nil when it cannot be mapped (not a regular file, empty, or no
  /// mapping on this system); the caller then reads it and calls `assemble(bytes:file:)`.
  /// `listing` as for `assemble(bytes:file:listing:)`.
  public static func assemble(mapping path: String, file: String, listing: Bool = true)
    throws(AssemblyError) -> AssembledObject?
  {
    guard let buffer = ByteBuffer(mapping: path) else { return nil }
    return try assembleCountingChunks(
      source: SourceBytes(buffer), file: file, fastPath: true, listing: listing
    ).object
  }

  /// Files with at least this many statements run their second pass in chunks, one per worker.
  static let parallelThreshold = 20_000

  /// `chunks`: how many pieces the second pass is cut into (nil: one per worker for large
  /// files, else 1). Tests force several pieces on small files to check they change nothing.
  static func assemble(
    bytes: consuming [UInt8], file: String, fastPath: Bool, chunks: Int? = nil
  ) throws(AssemblyError) -> AssembledObject {
    try assembleCountingChunks(bytes: consume bytes, file: file, fastPath: fastPath, chunks: chunks)
      .object
  }

  /// As above, also saying in how many chunks the second pass really ran.
  static func assembleCountingChunks(
    bytes: consuming [UInt8], file: String, fastPath: Bool, chunks: Int? = nil,
    listing: Bool = true, imageSizes: [Int]? = nil
  ) throws(AssemblyError) -> (object: AssembledObject, chunksRun: Int) {
    try assembleCountingChunks(
      source: SourceBytes(bytes), file: file, fastPath: fastPath, chunks: chunks,
      listing: listing, imageSizes: imageSizes)
  }

  /// As above from bytes that nothing else holds yet (the scan blanks comments in place).
  /// `imageSizes` replaces the sizes the first pass found, for tests of what happens when the
  /// second pass places things differently.
  static func assembleCountingChunks(
    source bytes: SourceBytes, file: String, fastPath: Bool, chunks: Int? = nil,
    listing: Bool = true, imageSizes: [Int]? = nil
  ) throws(AssemblyError) -> (object: AssembledObject, chunksRun: Int) {
    let source = try SourceText(file: file, bytes: bytes)
    var state = AssemblerState(source: source)
    state.fastPathEnabled = fastPath
    let n = source.statements.count
    let pieces =
      chunks ?? (n >= parallelThreshold && Parallel.workers > 1 ? Parallel.workers : 1)
    state.planCheckpoints(pieces: max(1, min(pieces, n)))
    try state.run(pass: 1)
    state.beginPass2()
    if !listing {
      for (k, size) in (imageSizes ?? []).enumerated() where k < state.sections.count {
        state.sections[k].placed = size
      }
      // Straight into section images of the sizes pass 1 found; if the second pass placed
      // anything differently, it runs again below with items (which need no sizes).
      let chunked = state.checkpoints.count > 1 && state.assignmentsStable
      if try state.runPass2InChunks(images: true, chunked: chunked) {
        return (state.object(), chunked ? state.checkpoints.count : 1)
      }
    }
    if state.checkpoints.count > 1, state.assignmentsStable,
      try state.runPass2InChunks(images: false, chunked: true)
    {
      return (state.object(), state.checkpoints.count)
    }
    state.prefaultItems()
    try state.run(pass: 2)
    return (state.object(), 1)
  }
}

/// Where a chunk of the second pass starts: the state the first pass had just before that
/// statement (everything the second pass needs that depends on earlier statements).
struct Checkpoint: Sendable {
  var statement: Int
  var current = 0
  var previous = 0
  var sectionStack: [(Int, Int)] = []
  var offsets: [Int] = []
  var itemCounts: [Int] = []
  var smallNumericSeen: [Int] = []
  var numericSeen: [Int: Int] = [:]

  /// The offset in section `k` (0 for a section the file had not opened yet).
  func offset(_ k: Int) -> Int { k < offsets.count ? offsets[k] : 0 }
  /// Items placed in section `k` before this point.
  func itemCount(_ k: Int) -> Int { k < itemCounts.count ? itemCounts[k] : 0 }

  /// True if `state` is where this checkpoint says (used to check each chunk ended exactly
  /// where the next one began).
  func matches(_ state: AssemblerState) -> Bool {
    state.current == current && state.previous == previous
      && state.sectionStack.elementsEqual(sectionStack, by: { $0 == $1 })
      && state.sections.indices.allSatisfy { state.sections[$0].offset == offset($0) }
      && state.smallNumericSeen == smallNumericSeen && state.numericSeen == numericSeen
  }
}

/// A change to the symbol table made by a chunk of a parallel second pass; applied in order
/// once every chunk has finished.
enum SymbolUpdate: Sendable {
  case type(String, Symbol.Kind?)
  case size(String, Int64)
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
  /// Items pass 1 placed (instructions and directives' items): the second pass emits the same.
  var itemCount = 0
  /// Bytes pass 1 placed (the offset it ended at).
  var placed = 0
  var items: [Item] = []
  /// The contents, when assembled without a listing.
  var image: [UInt8]? = nil
  var relocations: [Relocation] = []
}

/// Where `splitOperands` puts the ranges it finds.
protocol OperandSink {
  mutating func add(_ r: (Int, Int))
  var isEmpty: Bool { get }
}

extension Array: OperandSink where Element == (Int, Int) {
  @inline(__always) mutating func add(_ r: (Int, Int)) { append(r) }
}

/// The operand ranges of one instruction, held inline: adding one stores two 32-bit offsets
/// (an array append checked uniqueness and capacity, and the array was passed on to every
/// fast form). At most `capacity`; `overflowed` when there were more (no instruction has), in
/// which case the caller splits into an array instead.
struct OperandRanges: RandomAccessCollection, OperandSink {
  static let capacity = 8
  /// Each range as start << 32 | end.
  private var storage: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) =
    (0, 0, 0, 0, 0, 0, 0, 0)
  private(set) var count = 0
  private(set) var overflowed = false

  var startIndex: Int { 0 }
  var endIndex: Int { count }

  @inline(__always)
  subscript(i: Int) -> (Int, Int) {
    precondition(i >= 0 && i < count, "operand index out of range")
    // The element itself, not a load through a pointer to a copy of all eight.
    let v: UInt64
    switch i {
    case 0: v = storage.0
    case 1: v = storage.1
    case 2: v = storage.2
    case 3: v = storage.3
    case 4: v = storage.4
    case 5: v = storage.5
    case 6: v = storage.6
    default: v = storage.7
    }
    return (Int(v >> 32), Int(v & 0xffff_ffff))
  }

  @inline(__always)
  mutating func add(_ r: (Int, Int)) {
    let k = count
    // Both offsets in 0…UInt32.max at once: a negative one is above it as unsigned.
    guard k < OperandRanges.capacity,
      UInt(bitPattern: r.0) | UInt(bitPattern: r.1) <= UInt(UInt32.max)
    else {
      overflowed = true
      return
    }
    let v = UInt64(r.0) << 32 | UInt64(r.1)
    withUnsafeMutablePointer(to: &storage) {
      UnsafeMutableRawPointer($0).storeBytes(of: v, toByteOffset: k &* 8, as: UInt64.self)
    }
    count = k &+ 1
  }
}

/// The mutable state of both passes.
struct AssemblerState: SymbolResolver {
  var source: SourceText
  /// The source bytes and file name that every item's text slice points into.
  var shared: SharedSource
  /// A reusable buffer for the general path's operands.
  var operandBuffer: [LocatedOperand] = []
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
  var statement = Statement(kind: .operation, line: 1, start: 0, end: 0)
  /// Chunk starts of the second pass; pass 1 fills in each one's state.
  var checkpoints: [Checkpoint] = []
  /// Pass 1 clears this when the second pass must run in one piece: a symbol assigned twice
  /// (`.set` again) or assigned a value that is not a constant yet (the second pass may find a
  /// different value, which statements before the assignment would not see in a chunk).
  var assignmentsStable = true
  var assignedNames: Set<String> = []
  /// Non-nil in a chunk of a parallel second pass: symbol changes are logged here instead of
  /// written to the table that all chunks read.
  var symbolLog: [SymbolUpdate]? = nil
  /// In a chunk: where each section's items go (the chunk's slice of the final arrays).
  var sinks: [ItemSink] = []
  /// Without a listing: where each section's bytes go (this chunk's stretch of the images).
  var imageSinks: [ImageSink] = []
  /// Set when a sink refused bytes (the second pass did not place them where the first did).
  var imageRefused = false
  /// In a chunk: the symbols its relocations refer to (marked referenced after the merge).
  var referencedNames: Set<String> = []
  var file: String { source.file }

  init(source: SourceText) {
    self.source = source
    shared = SharedSource(bytes: source.bytes, file: source.file)
    _ = section(named: ".text", executable: true)
  }

  mutating func beginPass2() {
    pass = 2
    for k in sections.indices {
      sections[k].placed = sections[k].offset
      sections[k].offset = 0
    }
    current = 0
    previous = 0
    sectionStack = []
    numericSeen = [:]
    smallNumericSeen = [Int](repeating: 0, count: 100)
  }

  /// Maps the pages of the items the second pass will write (when it runs in one piece; pass
  /// 1 counted them).
  mutating func prefaultItems() {
    for k in sections.indices {
      sections[k].items.reserveCapacity(sections[k].placed / 4 + 16)
      let n = min(sections[k].itemCount, sections[k].items.capacity - sections[k].items.count)
      Prefault.populate(spareOf: &sections[k].items, count: n)
    }
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

  /// The 1-based byte column of the statement being processed.
  var statementColumn: Int32 {
    source.column(of: Int(statement.start))
  }

  func location(_ offset: Int) -> SourceLocation {
    source.location(line: statement.line, column: source.column(of: offset))
  }

  func error(_ id: MessageID, at offset: Int, _ message: String) -> AssemblyError {
    AssemblyError(id, at: location(offset), message)
  }

  /// Evaluates `bytes[a..<b]`.
  func evaluate(_ a: Int, _ b: Int) throws(AssemblyError) -> ExprValue {
    var p = ExpressionParser<AssemblerState>(
      bytes: source.bytes, start: a, end: b, file: source.file, line: statement.line)
    p.skipBlanks()
    if p.i >= b { throw error("asm.expression", at: a, "missing expression") }
    return try p.parseAll(self)
  }

  /// Evaluates `bytes[a..<b]` and requires an absolute value.
  func absolute(_ a: Int, _ b: Int) throws(AssemblyError) -> Int64 {
    if let n = AssemblerState.plainNumber(source.bytes, a, b) { return n }
    let v = try evaluate(a, b)
    guard v.isAbsolute else {
      throw error(
        "asm.expression", at: firstNonBlank(a, b), "expression must be a constant")
    }
    return v.add
  }

  /// `bytes[a..<b]` when it is only an optionally negated decimal (no leading zero: GNU as
  /// reads `010` as octal) or `0x` number that fits, blanks around; nil for anything else,
  /// which the expression parser reads.
  static func plainNumber(_ src: SourceBytes, _ a: Int, _ b: Int) -> Int64? {
    var i = a
    var e = b
    while i < e, isBlank(src[i]) { i += 1 }
    while e > i, isBlank(src[e - 1]) { e -= 1 }
    var negative = false
    if i < e, src[i] == UInt8(ascii: "-") {
      negative = true
      i += 1
    }
    guard i < e, isDigit(src[i]) else { return nil }
    var v: Int64 = 0
    if e - i > 2, src[i] == UInt8(ascii: "0"), src[i + 1] | 0x20 == UInt8(ascii: "x") {
      guard e - i - 2 <= 15 else { return nil }
      for k in (i + 2)..<e {
        let c = src[k]
        let d: UInt8
        if isDigit(c) {
          d = c - 48
        } else if (c | 0x20) >= 97, (c | 0x20) <= 102 {
          d = (c | 0x20) - 87
        } else {
          return nil
        }
        v = v << 4 | Int64(d)
      }
    } else {
      guard e - i <= 18, src[i] != UInt8(ascii: "0") || e - i == 1 else { return nil }
      for k in i..<e {
        guard isDigit(src[k]) else { return nil }
        v = v * 10 + Int64(src[k] - 48)
      }
    }
    return negative ? -v : v
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

  /// As above, appending to `out` (an array a caller reuses, or an instruction's inline
  /// ranges).
  ///
  /// One pass over the raw bytes (no bounds check or retain per byte). Operands are short (a
  /// dozen bytes on average), so a byte at a time with a two-word membership test beats the
  /// eight-bytes-at-a-time scan this replaced, whose set-up and masking cost more than the
  /// bytes it skipped.
  func splitOperands<Sink: OperandSink>(_ a: Int, _ b: Int, into out: inout Sink) {
    ByteClass.table.withUnsafeBufferPointer { special in
      source.bytes.withUnsafeBufferPointer { bytes in
        // `b` is clamped so the loop can never read past the buffer.
        let b = min(b, bytes.count)
        var depth = 0
        var start = a
        var k = a
        if let p = bytes.baseAddress, let table = special.baseAddress, special.count == 256 {
          while k < b {
            let c = p[k]
            k += 1
            if table[Int(c)] & ByteClass.split == 0 { continue }  // letters, digits, blanks…
            switch c {
            case UInt8(ascii: ","):
              if depth == 0 {
                out.add(AssemblerState.trim(bytes, start, k - 1))
                start = k
              }
            case UInt8(ascii: "["), UInt8(ascii: "("), UInt8(ascii: "{"): depth += 1
            case UInt8(ascii: "]"), UInt8(ascii: ")"), UInt8(ascii: "}"): depth -= 1
            case UInt8(ascii: "\""):
              // A string: nothing inside it splits; `\\` escapes the byte after it.
              while k < b {
                let d = p[k]
                if d == UInt8(ascii: "\\") {
                  k += 2
                  continue
                }
                k += 1
                if d == UInt8(ascii: "\"") { break }
              }
            default: break  // `\\` outside a string
            }
          }
        }
        let last = AssemblerState.trim(bytes, start, min(k, b))
        if !(out.isEmpty && last.0 == last.1) { out.add(last) }
      }
    }
  }

  /// True for the bytes `splitOperands` acts on: `\\ " [ ( { ] ) } ,` (two 64-bit sets; the
  /// splitter itself reads them from `ByteClass.table`, built from this).
  @inline(__always)
  static func isSplitSpecial(_ c: UInt8) -> Bool {
    // `"` 0x22, `(` 0x28, `)` 0x29, `,` 0x2c; `[` 0x5b, `\\` 0x5c, `]` 0x5d, `{` 0x7b, `}` 0x7d.
    let low: UInt64 = 1 << 0x22 | 1 << 0x28 | 1 << 0x29 | 1 << 0x2c
    let high: UInt64 =
      1 << (0x5b - 64) | 1 << (0x5c - 64) | 1 << (0x5d - 64) | 1 << (0x7b - 64)
      | 1 << (0x7d - 64)
    if c < 64 { return low >> UInt64(c) & 1 != 0 }
    if c < 128 { return high >> UInt64(c - 64) & 1 != 0 }
    return false
  }

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
    try run(pass: p, statements: 0..<source.statements.count)
  }

  mutating func run(pass p: Int, statements range: Range<Int>) throws(AssemblyError) {
    pass = p
    let statements = source.statements
    let bytes = source.bytes
    // In pass 1, the state just before each chunk start is recorded.
    var next = pass == 1 && checkpoints.count > 1 ? 1 : checkpoints.count
    var nextAt = next < checkpoints.count ? checkpoints[next].statement : Int.max
    for k in range {
      if k == nextAt {
        checkpoints[next] = checkpoint(at: k)
        next += 1
        nextAt = next < checkpoints.count ? checkpoints[next].statement : Int.max
      }
      statement = statements[k]
      let a = Int(statement.start)
      let b = Int(statement.end)
      switch statement.kind {
      case .label: try defineLabel(a, b, order: k)
      case .numericLabel: defineNumericLabel(Int(statement.wordLength))
      case .assignment:
        if let eq = assignment(a, b) { try assign(a, eq.nameEnd, eq.valueStart, b) }
      case .operation, .directive:
        let isDirective = statement.kind == .directive
        if pass == 1 && !isDirective {
          sections[current].offset += 4  // every instruction is 4 bytes
          sections[current].itemCount += 1
          continue
        }
        var e = a + Int(statement.wordLength)
        if e == a {
          while e < b, !isBlank(bytes[e]) { e += 1 }
        }
        if isDirective {
          try directive(a, e, b)
        } else {
          try instruction(a, e, b)
        }
      }
    }
  }

  // MARK: the second pass in chunks

  /// Cuts the statements into `pieces` chunks of about equal length.
  mutating func planCheckpoints(pieces: Int) {
    let n = source.statements.count
    checkpoints = (0..<max(1, pieces)).map { Checkpoint(statement: $0 * n / max(1, pieces)) }
  }

  func checkpoint(at k: Int) -> Checkpoint {
    Checkpoint(
      statement: k, current: current, previous: previous, sectionStack: sectionStack,
      offsets: sections.map(\.offset), itemCounts: sections.map(\.itemCount),
      smallNumericSeen: smallNumericSeen, numericSeen: numericSeen)
  }

  /// This state (after `beginPass2`) set to start the second pass at checkpoint `c`.
  func chunkState(_ c: Checkpoint) -> AssemblerState {
    var s = self
    if c.statement > 0 {
      // Every item retains the holder of the source text, and the code for each statement
      // retains the source bytes; two threads retaining one object contend for its reference
      // count (each ran ~35% slower). So every chunk but the first gets its own holder and its
      // own copy of the bytes it reads: from the start of its first line to the end of the file.
      // Bytes before that are never read by this chunk (its statements, their lines and the
      // text of its items all lie after), so they are left as the allocator gave them.
      let n = source.bytes.count
      // From the newline before that line, so that finding a line's start (for a column)
      // stops inside the copy.
      let from = max(0, source.lineStart(of: Int(source.statements[c.statement].start)) - 1)
      s.source.bytes = source.bytes.withUnsafeBufferPointer {
        SourceBytes(ByteBuffer(copying: $0, from: min(from, n)))
      }
      s.shared = SharedSource(bytes: s.source.bytes, file: source.file)
    }
    s.symbolLog = []
    s.checkpoints = []
    s.current = c.current
    s.previous = c.previous
    s.sectionStack = c.sectionStack
    s.smallNumericSeen = c.smallNumericSeen
    s.numericSeen = c.numericSeen
    for k in s.sections.indices {
      s.sections[k].offset = c.offset(k)
      s.sections[k].items = []
      s.sections[k].relocations = []
    }
    return s
  }

  /// Runs the second pass as one chunk per checkpoint, in parallel, and puts the pieces back
  /// together in order into this state. Returns false, leaving the state as it was, if a chunk
  /// did not end exactly where the next one began (the caller then runs the pass in one
  /// piece); throws the first error in source order.
  ///
  /// Pass 1 counted each section's items and bytes, so every chunk writes its items (or, with
  /// `images`, its bytes) straight into its own stretch of the final arrays: nothing is copied
  /// afterwards. With `images` and not `chunked`, the pass runs in one piece into the images
  /// (false if it did not fill them exactly).
  mutating func runPass2InChunks(images: Bool, chunked: Bool) throws(AssemblyError) -> Bool {
    let first = Checkpoint(
      statement: 0, current: current, previous: previous, sectionStack: sectionStack,
      offsets: sections.map { _ in 0 }, itemCounts: sections.map { _ in 0 },
      smallNumericSeen: smallNumericSeen, numericSeen: numericSeen)
    let starts = chunked ? [first] + checkpoints.dropFirst() : [first]
    let ends = starts.dropFirst().map(\.statement) + [source.statements.count]
    // Where chunk `i` starts in section `k`, and where the whole section ends.
    func mark(_ i: Int, _ k: Int) -> Int {
      if i == starts.count { return images ? sections[k].placed : sections[k].itemCount }
      return images ? starts[i].offset(k) : starts[i].itemCount(k)
    }
    var outcome: [Result<AssemblerState, AssemblyError>] = []
    var complete = false
    // One piece: this state itself runs (symbols are set as it goes, nothing is logged).
    let state = self
    func run(_ i: Int, _ prepare: (inout AssemblerState) -> Void) -> Result<
      AssemblerState, AssemblyError
    > {
      var chunk = chunked ? state.chunkState(starts[i]) : state
      prepare(&chunk)
      do throws(AssemblyError) {
        try chunk.run(pass: 2, statements: starts[i].statement..<ends[i])
        return .success(chunk)
      } catch {
        return .failure(error)
      }
    }
    // Complete only if every chunk succeeded, filled exactly its stretch, and ended where the
    // next began; otherwise whatever was written is torn down again.
    func completed() -> Bool {
      outcome.enumerated().allSatisfy { i, r in
        guard case .success(let c) = r else { return false }
        let filled =
          images
          ? !c.imageRefused && c.imageSinks.count == sections.count
            && c.sections.count == sections.count
            && c.imageSinks.indices.allSatisfy { c.sections[$0].offset == c.imageSinks[$0].end }
          : c.sinks.allSatisfy(\.isFull)
        return filled && (i + 1 == starts.count || starts[i + 1].matches(c))
      }
    }
    var itemArrays: [[Item]] = []
    var imageArrays: [[UInt8]] = []
    if images {
      imageArrays = InPlaceArrays<UInt8>.make(
        counts: sections.indices.map { mark(starts.count, $0) }
      ) {
        buffers in
        outcome = Parallel.map(starts.count) { i in
          run(i) { chunk in
            chunk.imageSinks = buffers.indices.map { k in
              ImageSink(buffer: buffers[k], start: mark(i, k), end: mark(i + 1, k))
            }
          }
        }
        complete = completed()
        return complete
      }
    } else {
      itemArrays = InPlaceArrays<Item>.make(counts: sections.indices.map { mark(starts.count, $0) })
      {
        buffers in
        outcome = Parallel.map(starts.count) { i in
          run(i) { chunk in
            chunk.sinks = buffers.indices.map { k in
              let from = mark(i, k)
              let to = mark(i + 1, k)
              if to > from, let base = buffers[k].baseAddress, to <= buffers[k].count {
                Prefault.populate(
                  UnsafeMutableRawPointer(base + from),
                  bytes: (to - from) * MemoryLayout<Item>.stride)
              }
              return ItemSink(buffer: buffers[k], start: from, end: max(from, to))
            }
          }
        }
        complete = completed()
        if !complete {
          for case .success(let c) in outcome { for sink in c.sinks { sink.deinitializeWritten() } }
        }
        return complete
      }
    }
    for r in outcome { if case .failure(let e) = r { throw e } }
    guard complete else { return false }
    // Take the pieces over: items are in place; relocations in chunk order; the last chunk's
    // position; then the symbol changes in order, once no chunk shares the table any more.
    var chunks: [AssemblerState] = []
    for case .success(let c) in outcome { chunks.append(c) }
    outcome = []
    guard let last = chunks.last else { return false }
    if !chunked {
      // The one piece ran on a copy of this state: it is the result.
      self = last
      self.imageSinks = []
      for k in sections.indices { sections[k].image = imageArrays[k] }
      return true
    }
    current = last.current
    previous = last.previous
    sectionStack = last.sectionStack
    smallNumericSeen = last.smallNumericSeen
    numericSeen = last.numericSeen
    dotOffset = last.dotOffset
    statement = last.statement
    for k in sections.indices {
      var relocations = chunks[0].sections[k].relocations
      chunks[0].sections[k].relocations = []
      relocations.reserveCapacity(chunks.reduce(0) { $0 + $1.sections[k].relocations.count })
      for c in chunks.dropFirst() { relocations.append(contentsOf: c.sections[k].relocations) }
      sections[k].offset = last.sections[k].offset
      if images {
        sections[k].image = imageArrays[k]
      } else {
        sections[k].items = itemArrays[k]
      }
      sections[k].relocations = relocations
    }
    let referenced = chunks.map(\.referencedNames)
    let updates = chunks.map { $0.symbolLog ?? [] }
    chunks = []
    for names in referenced {
      for name in names { symbols[name, default: SymbolEntry()].referenced = true }
    }
    for log in updates {
      for u in log {
        switch u {
        case .type(let name, let kind): symbols[name, default: SymbolEntry()].type = kind
        case .size(let name, let v): symbols[name, default: SymbolEntry()].size = v
        }
      }
    }
    return true
  }

  /// `name = expr`: returns where the name ends and the value starts.
  func assignment(_ a: Int, _ b: Int) -> (nameEnd: Int, valueStart: Int)? {
    source.bytes.withUnsafeBufferPointer { bytes in
      let b = min(b, bytes.count)
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
  }

  mutating func assign(_ a: Int, _ nameEnd: Int, _ v0: Int, _ b: Int) throws(AssemblyError) {
    let name = source.string(a, nameEnd)
    try setSymbol(name, at: a, v0, b)
  }

  mutating func setSymbol(_ name: String, at a: Int, _ v0: Int, _ b: Int) throws(AssemblyError) {
    // In a chunk of the parallel second pass the value is the one pass 1 found (see
    // `assignmentsStable`), already in the table.
    if symbolLog != nil { return }
    dotOffset = Int64(sections[current].offset)
    let value: ExprValue
    do {
      value = try evaluate(v0, b)
    } catch {
      if pass == 1 {  // may use a label defined later; pass 2 decides
        assignmentsStable = false
        return
      }
      throw error
    }
    if pass == 1 {
      if !value.isAbsolute || !assignedNames.insert(name).inserted { assignmentsStable = false }
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
      defineNumericLabel(n)
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

  /// Defines (pass 1) or passes (pass 2) the numeric label `n:`.
  mutating func defineNumericLabel(_ n: Int) {
    let off = Int64(sections[current].offset)
    if n < 100 {
      if pass == 1 { smallNumericDefinitions[n].append((current, off)) }
      smallNumericSeen[n] += 1
    } else {
      if pass == 1 { numericDefinitions[n, default: []].append((current, off)) }
      numericSeen[n, default: 0] += 1
    }
  }

  /// The object after pass 2.
  func object() -> AssembledObject {
    var outSections: [Section] = []
    for s in sections {
      outSections.append(
        Section(
          name: s.name, executable: s.executable, items: s.items, image: s.image,
          relocations: s.relocations))
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

  /// Emits an item whose text is `prefix` and then `bytes[a..<b]` of the source (the string is
  /// built only if a listing keeps it).
  mutating func emit(_ kind: Item.Kind, size: Int, prefix: String, textFrom a: Int, to b: Int) {
    if keepsItem {
      emit(kind, size: size, slice: TextSlice(prefix + source.string(a, b), file: source.file))
    } else {
      emitBytes(kind, size: size)
    }
  }

  /// Emits an item whose text is `bytes[a..<b]` of the source.
  @inline(__always)
  mutating func emit(_ kind: Item.Kind, size: Int, textFrom a: Int, to b: Int) {
    if keepsItem {
      emit(kind, size: size, slice: TextSlice(storage: shared, start: a, end: b))
    } else {
      emitBytes(kind, size: size)
    }
  }

  /// True when the item about to be emitted is kept as an `Item` (pass 2 with a listing); pass
  /// 1 only counts it, and without a listing only its bytes are written, so neither builds
  /// its text.
  @inline(__always)
  var keepsItem: Bool { pass == 2 && imageSinks.isEmpty }

  /// Moves the current section past an item of `size` bytes: the item's offset in pass 2, nil
  /// in pass 1 (which only counts it).
  @inline(__always)
  mutating func advance(over size: Int) -> Int? {
    let k = current
    let offset = sections[k].offset
    sections[k].offset = offset + size
    guard pass == 2 else {
      sections[k].itemCount += 1
      return nil
    }
    return offset
  }

  /// Without a listing: the item's bytes into the section's image (in pass 1: counts it).
  mutating func emitBytes(_ kind: borrowing Item.Kind, size: Int) {
    guard let offset = advance(over: size) else { return }
    let k = current
    // A section pass 1 did not open has no image (its empty sink refuses the bytes, and the
    // pass is not complete).
    while k >= imageSinks.count { imageSinks.append(ImageSink()) }
    if !imageSinks[k].put(kind, at: offset, size: size) { imageRefused = true }
  }

  mutating func emit(_ kind: consuming Item.Kind, size: Int, slice: consuming TextSlice) {
    guard let offset = advance(over: size) else { return }
    let k = current
    // The kind and text are moved into the item and the item into place (no extra retain of
    // the shared source per item).
    let item = Item(
      offset: offset, kind: kind, line: statement.line, column: statementColumn, text: slice)
    if sinks.isEmpty {
      sections[k].items.append(item)
    } else {
      sinks[k].put(item)
    }
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
      if symbolLog != nil {
        referencedNames.insert(name)
      } else {
        symbols[name, default: SymbolEntry()].referenced = true
      }
      sections[current].relocations.append(
        Relocation(offset: offset, type: type, symbol: name, addend: v.add, source: loc))
    }
  }
}

/// A chunk's stretch `start..<end` of one section's final item array, filled in order.
struct ItemSink: @unchecked Sendable {
  let buffer: UnsafeMutableBufferPointer<Item>
  let start: Int
  let end: Int
  var next: Int
  /// Set when the chunk emitted more items than pass 1 counted (then the chunks are not used).
  var overflowed = false

  init(buffer: UnsafeMutableBufferPointer<Item>, start: Int, end: Int) {
    self.buffer = buffer
    self.start = start
    self.end = end
    next = start
  }

  mutating func put(_ item: consuming Item) {
    guard next < end, let base = buffer.baseAddress else {
      overflowed = true
      return
    }
    (base + next).initialize(to: item)
    next += 1
  }

  var isFull: Bool { next == end && !overflowed }

  func deinitializeWritten() {
    guard let base = buffer.baseAddress, next > start else { return }
    (base + start).deinitialize(count: next - start)
  }
}

/// Uninitialised arrays (of items, or of section bytes), one per section, filled in place.
enum InPlaceArrays<Element> {
  /// Makes arrays of `counts[k]` elements; `fill` gets their buffers and returns true once every
  /// element is initialised, false after it has deinitialised whatever it wrote (the arrays are
  /// then empty).
  static func make(
    counts: [Int], _ fill: ([UnsafeMutableBufferPointer<Element>]) -> Bool
  ) -> [[Element]] {
    var filled = false
    var out: [[Element]] = []
    nest(counts[...], [], &out, &filled, fill)
    return out
  }

  /// One `Array(unsafeUninitializedCapacity:)` per section, nested, `fill` in the innermost.
  private static func nest(
    _ counts: ArraySlice<Int>, _ buffers: [UnsafeMutableBufferPointer<Element>],
    _ out: inout [[Element]], _ filled: inout Bool,
    _ fill: ([UnsafeMutableBufferPointer<Element>]) -> Bool
  ) {
    guard let count = counts.first else {
      filled = fill(buffers)
      return
    }
    var inner: [[Element]] = []
    let array = [Element](unsafeUninitializedCapacity: count) { buffer, initialized in
      nest(counts.dropFirst(), buffers + [buffer], &inner, &filled, fill)
      initialized = filled ? count : 0
    }
    out = [array] + inner
  }
}

/// Where a chunk of the second pass writes the bytes of one section, without a listing: its
/// stretch `start..<end` of the section's image (which the first pass sized). It clears the
/// stretch first, so the image is all initialised whatever the chunk writes; a write outside
/// the stretch is refused (the pass then runs again with items).
struct ImageSink: @unchecked Sendable {
  let base: UnsafeMutablePointer<UInt8>?
  let start: Int
  let end: Int

  /// A sink with no stretch: it refuses every byte.
  init() {
    base = nil
    start = 0
    end = 0
  }

  init(buffer: UnsafeMutableBufferPointer<UInt8>, start: Int, end: Int) {
    if start < end, start >= 0, end <= buffer.count, let b = buffer.baseAddress {
      base = b
      Prefault.populate(UnsafeMutableRawPointer(b + start), bytes: end - start)
      (b + start).initialize(repeating: 0, count: end - start)
      self.start = start
      self.end = end
    } else {
      base = nil
      self.start = start
      self.end = max(start, end)
    }
  }

  /// Writes the `size` bytes of `kind` at `offset`; false if they are not all in the stretch.
  @inline(__always)
  func put(_ kind: borrowing Item.Kind, at offset: Int, size: Int) -> Bool {
    guard offset >= start, size >= 0, offset <= end - size, let base else { return size == 0 }
    switch kind {
    case .insn(let w):
      if size == 4 {
        UnsafeMutableRawPointer(base + offset).storeBytes(of: w.littleEndian, as: UInt32.self)
      } else {
        withUnsafeBytes(of: w.littleEndian) { b in
          for j in 0..<min(size, 4) { base[offset + j] = b[j] }
        }
      }
    case .data(let bytes):
      bytes.withUnsafeBufferPointer { b in
        if let src = b.baseAddress { (base + offset).update(from: src, count: min(size, b.count)) }
      }
    }
    return true
  }
}
