import Diagnostics

// Instructions: operands are evaluated here (expressions, `.equ` constants, labels, `:lo12:`),
// turned into `AsmOperand`s, and matched by `AsmParser.instruction`; symbol slots become
// relocations with a zero field.

/// The operand that names a PC-relative target, and the relocation it needs.
struct TargetSlot {
  var index: Int
  var type: RelocationType
}

extension AssemblerState {
  /// The target operand of a mnemonic from its lower-case bytes packed little-endian (the
  /// first eight in `key`), `count` long: no string is built or compared.
  static func targetSlot(key: UInt64, count n: Int) -> TargetSlot? {
    if n > 2, key & 0xffff == 0x2e62 { return TargetSlot(index: 0, type: .condbr19) }  // b.
    guard n >= 1, n <= 5 else { return nil }
    switch key {
    case 0x62: return TargetSlot(index: 0, type: .jump26)  // b
    case 0x6c62: return TargetSlot(index: 0, type: .call26)  // bl
    case 0x7a6263, 0x7a6e6263: return TargetSlot(index: 1, type: .condbr19)  // cbz, cbnz
    case 0x7a6274, 0x7a6e6274: return TargetSlot(index: 2, type: .tstbr14)  // tbz, tbnz
    case 0x726461: return TargetSlot(index: 1, type: .adrPrelLo21)  // adr
    case 0x70726461: return TargetSlot(index: 1, type: .adrPrelPgHi21)  // adrp
    case 0x72646c, 0x77_7372_646c, 0x6d66_7270:  // ldr, ldrsw, prfm
      return TargetSlot(index: 1, type: .ldPrelLo19)
    default: return nil
    }
  }

  /// The mnemonic `src[a..<e]` lowered and packed little-endian, eight bytes a word (bytes
  /// past the sixteenth are left out; `count` tells).
  @inline(__always)
  static func mnemonicKey(_ src: UnsafeBufferPointer<UInt8>, _ a: Int, _ e: Int)
    -> (lo: UInt64, hi: UInt64, count: Int)
  {
    let e = min(e, src.count)
    let n = max(0, e - a)
    if n <= 16, a + 16 <= src.count, let p = src.baseAddress {
      // Sixteen bytes loaded at once, the ones past the mnemonic masked off, A-Z lowered.
      let raw = UnsafeRawPointer(p + a)
      let lo = lowered(UInt64(littleEndian: raw.loadUnaligned(as: UInt64.self)), bytes: n)
      let hi = lowered(
        UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self)),
        bytes: n - 8)
      return (lo, hi, n)
    }
    var lo: UInt64 = 0
    var hi: UInt64 = 0
    var k = a
    while k < e, k < a + 8 {
      lo |= UInt64(lower(src[k])) << UInt64(8 * (k - a))
      k += 1
    }
    while k < e, k < a + 16 {
      hi |= UInt64(lower(src[k])) << UInt64(8 * (k - a - 8))
      k += 1
    }
    return (lo, hi, max(0, e - a))
  }

  /// The first `bytes` (clamped to 0…8) bytes of `w` with `A`-`Z` lowered as `lower` does,
  /// the others zero: each byte's high bit tells whether it is at least `A` and whether it is
  /// above `Z` (bytes of 0x80 and more are left alone).
  @inline(__always)
  static func lowered(_ w: UInt64, bytes: Int) -> UInt64 {
    guard bytes > 0 else { return 0 }
    let keep: UInt64 = bytes >= 8 ? ~0 : (1 << UInt64(8 * bytes)) - 1
    let v = w & keep
    let ones: UInt64 = 0x0101_0101_0101_0101
    let low7 = v & (ones &* 0x7f)
    let atLeastA = low7 &+ ones &* (0x80 - 0x41)
    let aboveZ = low7 &+ ones &* (0x80 - 0x5b)
    let upper = atLeastA & ~aboveZ & ~v & (ones &* 0x80)
    return v | upper >> 2
  }

  /// A pending relocation for the instruction being assembled.
  struct PendingRelocation {
    var type: RelocationType?
    var value: ExprValue
    var column: Int
  }

  /// `bytes[a..<e]` is the mnemonic, `e..<b` the operands.
  mutating func instruction(_ a: Int, _ e: Int, _ b: Int) throws(AssemblyError) {
    let pc = sections[current].offset
    dotOffset = Int64(pc)
    var ranges = OperandRanges()
    splitOperands(e, b, into: &ranges)
    let key = source.bytes.withUnsafeBufferPointer { AssemblerState.mnemonicKey($0, a, e) }
    // More operands than any instruction has: only the general path reads (and rejects) them.
    let fast = fastPathEnabled && !ranges.overflowed
    if fast, let (fm, cond) = FastMnemonic.lookup(key: key.lo, count: key.count) {
      var fastPending: PendingRelocation? = nil
      if let w = fastPath(fm, ranges, pc: pc, pending: &fastPending, conditionCode: cond) {
        if let p = fastPending, let t = p.type {
          try relocate(t, p.value, at: pc, column: p.column)
        }
        emit(.insn(w), size: 4, textFrom: a, to: b)
        return
      }
    }
    // The table's own name when the mnemonic is known: no string is built.
    let entry = MnemonicTable.shared.index(lo: key.lo, hi: key.hi, count: key.count)
    let form = entry.map { MnemonicTable.shared.forms[$0] }
    if fast, let form, let w = fastForm(form, ranges, family: key.lo, count: key.count) {
      emit(.insn(w), size: 4, textFrom: a, to: b)
      return
    }
    let mnemonic = entry.map { MnemonicTable.shared.names[$0] } ?? lowercasedString(a, e)
    if ranges.overflowed {
      try general(a, b, splitOperands(e, b), mnemonic, form, key, pc: pc)
    } else {
      try general(a, b, ranges, mnemonic, form, key, pc: pc)
    }
  }

  /// The general path: every operand read by `operand` (or as a target), matched by the
  /// line parser, encoded; `a..<b` is the statement.
  mutating func general<Ranges: Collection<(Int, Int)>>(
    _ a: Int, _ b: Int, _ ranges: Ranges, _ mnemonic: String, _ form: MnemonicForm?,
    _ key: (lo: UInt64, hi: UInt64, count: Int), pc: Int
  ) throws(AssemblyError) {
    let src = source.bytes
    let slot = AssemblerState.targetSlot(key: key.lo, count: key.count)
    // One operand array for the whole pass: emptied, not freed, between instructions.
    var operands = operandBuffer
    operandBuffer = []
    while !operands.isEmpty { operands.removeLast() }
    defer { operandBuffer = operands }
    var pending: PendingRelocation? = nil
    // Every operand's column from one line start (found once, from the statement).
    let lineStart = source.lineStart(of: a)
    for (n, (x, y)) in ranges.enumerated() {
      let col = x - lineStart + 1
      guard x < y else { throw error("asm.syntax", at: x, "empty operand") }
      if let slot, slot.index == n, src[x] != UInt8(ascii: "["), src[x] != UInt8(ascii: "#") {
        if src[x] == UInt8(ascii: "=") {
          throw error("asm.unsupported", at: x, "unsupported: ldr =value (literal pools)")
        }
        let v = try evaluate(x, y)
        let op = try target(v, slot: slot, pc: pc, at: x, pending: &pending)
        operands.append(LocatedOperand(operand: op, column: col))
        continue
      }
      operands.append(
        LocatedOperand(operand: try operand(x, y, pending: &pending), column: col))
    }
    // GNU as accepts `tbz x1, #3, l` and encodes the W form (b5 = 0), as objdump prints it.
    if slot?.type == .tstbr14, operands.count == 3,  // tbz, tbnz
      case .register(let r) = operands[0].operand, r.width == .x,
      case .immediate(let bit) = operands[1].operand, bit >= 0, bit < 32
    {
      operands[0].operand = .register(r.with(.w))
    }
    let word: UInt32
    do {
      word = try AsmParser.encoded(
        mnemonic: mnemonic, operands: operands, pc: UInt64(pc), syntax: .gnu,
        form: form
      ).word
    } catch {
      let column = error.id == "asm.unknown-mnemonic" ? statementColumn : Int32(error.column)
      throw AssemblyError(
        error.id, at: source.location(line: statement.line, column: column), error.message,
        encoding: error.encoding)
    }
    if let p = pending {
      var type = p.type
      if type == nil {
        // `[xn, :lo12:sym]`: the scale follows the access size of the encoded load/store.
        type = AssemblerState.lo12LoadStoreType(word)
        if type == nil {
          throw error(
            "asm.unsupported", at: p.column,
            "unsupported: :lo12: in this instruction (needs an unsigned-offset load/store)")
        }
      }
      if let t = type { try relocate(t, p.value, at: pc, column: p.column) }
    }
    emit(.insn(word), size: 4, textFrom: a, to: b)
  }

  /// `bytes[a..<e]` in lower case, without an intermediate array.
  func lowercasedString(_ a: Int, _ e: Int) -> String {
    let src = source.bytes
    return String(unsafeUninitializedCapacity: e - a) { buf in
      for k in a..<e { buf[k - a] = lower(src[k]) }
      return e - a
    }
  }

  /// LDST{8,16,32,64,128}_ABS_LO12_NC for a load/store (unsigned immediate) word.
  static func lo12LoadStoreType(_ w: UInt32) -> RelocationType? {
    // size:2 111 V:1 01 opc:2 imm12:12 Rn:5 Rt:5
    guard w & 0x3b00_0000 == 0x3900_0000 else { return nil }
    let size = w >> 30
    let v = (w >> 26) & 1
    let opc = (w >> 22) & 3
    if v == 1 && size == 0 && opc >= 2 { return .ldst128AbsLo12NC }
    switch size {
    case 0: return .ldst8AbsLo12NC
    case 1: return .ldst16AbsLo12NC
    case 2: return .ldst32AbsLo12NC
    default: return .ldst64AbsLo12NC
    }
  }

  /// A branch/literal/ADR(P) target: a resolved offset or a relocation with a zero field.
  func target(
    _ v: ExprValue, slot: TargetSlot, pc: Int, at x: Int, pending: inout PendingRelocation?
  ) throws(AssemblyError) -> AsmOperand {
    if v.minus != nil {
      throw error("asm.expression", at: x, "a PC-relative difference cannot be a branch target")
    }
    switch v.base {
    case .absolute:
      throw error(
        "asm.unsupported", at: x,
        "unsupported: absolute address as a target (write a label or .+offset)")
    case .section(let s) where s == current && slot.type != .adrPrelPgHi21:
      return .immediate(v.add &- Int64(pc))
    default:
      pending = PendingRelocation(type: slot.type, value: v, column: x)
      return .immediate(0)
    }
  }

  /// Any other operand: register, immediate/expression, `:lo12:`, memory, shift, name.
  func operand(_ x: Int, _ y: Int, pending: inout PendingRelocation?) throws(AssemblyError)
    -> AsmOperand
  {
    let src = source.bytes
    var s = x
    if src[s] == UInt8(ascii: "[") { return try memory(x, y, pending: &pending) }
    if src[s] == UInt8(ascii: "#") {
      s += 1
      while s < y, isBlank(src[s]) { s += 1 }
    }
    if s < y, src[s] == UInt8(ascii: ":") {
      return try lo12(s, y, memory: false, pending: &pending)
    }
    if src[x] == UInt8(ascii: "#") {
      return .immediate(try absolute(s, y))
    }
    let c = src[x]
    if isDigit(c) || c == UInt8(ascii: "-") || c == UInt8(ascii: "+") || c == UInt8(ascii: "(")
      || c == UInt8(ascii: "~")
    {
      return .immediate(try absolute(x, y))
    }
    // A word: register, shift/extend, an `.equ` constant, or a name (condition, sysreg…).
    var wordEnd = x
    while wordEnd < y, isSymbolChar(src[wordEnd]) { wordEnd += 1 }
    if wordEnd == y, let r = AssemblerState.register(src, x, y) { return .register(r) }
    if let kind = AssemblerState.shiftOrExtend(src, x, wordEnd) {
      if wordEnd < y, isBlank(src[wordEnd]) {
        var k = wordEnd
        while k < y, isBlank(src[k]) { k += 1 }
        if k < y, src[k] == UInt8(ascii: "#") { k += 1 }
        let amount = try absolute(k, y)
        switch kind {
        case .shift(let sh): return .shift(sh, amount)
        case .extend(let e): return .extend(e, amount)
        case .msl: return .identifier("msl #\(amount)")  // no integer instruction takes it
        }
      }
      if wordEnd == y, case .extend(let e) = kind { return .extend(e, nil) }
    }
    let text = source.string(x, y)
    // A bare word that names no symbol is an identifier (a condition, barrier option…); only a
    // defined name or an expression can be a constant.
    if wordEnd < y || symbols[text] != nil {
      if let v = try? evaluate(x, y), v.isAbsolute { return .immediate(v.add) }
    } else if isLetter(c), AssemblerState.shiftOrExtend(src, x, y) == nil {
      // Every byte is a symbol character (ASCII), so lowering bytes is `lowercased()`; no
      // register name is longer than three.
      let t = lowercasedString(x, y)
      if y - x > 3 || AsmParser.register(t) == nil { return .identifier(t) }
    }
    return try parserOperand(text, column: x)
  }

  enum ShiftOrExtend { case shift(Shift), extend(Extend), msl }

  /// The shift or extend named by `src[x..<y]`, any case.
  static func shiftOrExtend(_ src: SourceBytes, _ x: Int, _ y: Int) -> ShiftOrExtend? {
    func lower(_ i: Int) -> UInt8 { src[i] | 0x20 }
    switch y - x {
    case 3:
      let (a, b, c) = (lower(x), lower(x + 1), lower(x + 2))
      switch (a, b, c) {
      case (0x6C, 0x73, 0x6C): return .shift(.lsl)  // lsl
      case (0x6C, 0x73, 0x72): return .shift(.lsr)  // lsr
      case (0x61, 0x73, 0x72): return .shift(.asr)  // asr
      case (0x72, 0x6F, 0x72): return .shift(.ror)  // ror
      case (0x6D, 0x73, 0x6C): return .msl  // msl
      default: return nil
      }
    case 4:
      let signed: Bool
      switch lower(x) {
      case UInt8(ascii: "u"): signed = false
      case UInt8(ascii: "s"): signed = true
      default: return nil
      }
      guard lower(x + 1) == UInt8(ascii: "x"), lower(x + 2) == UInt8(ascii: "t") else {
        return nil
      }
      let size: UInt8
      switch lower(x + 3) {
      case UInt8(ascii: "b"): size = 0
      case UInt8(ascii: "h"): size = 1
      case UInt8(ascii: "w"): size = 2
      case UInt8(ascii: "x"): size = 3
      default: return nil
      }
      return Extend(rawValue: (signed ? 4 : 0) + size).map { .extend($0) }
    default:
      return nil
    }
  }

  func wordEnd(_ x: Int, _ y: Int) -> Int {
    var k = x
    while k < y, isSymbolChar(source.bytes[k]) { k += 1 }
    return k
  }

  func symbolIsConstant(_ x: Int, _ y: Int) -> Bool {
    guard y > x else { return false }
    if case .constant(let v)? = symbols[source.string(x, y)]?.definition { return v.isAbsolute }
    return false
  }

  func parserOperand(_ text: String, column x: Int) throws(AssemblyError) -> AsmOperand {
    do {
      return try AsmParser.operand(text, column: Int(source.column(of: x)))
    } catch {
      throw AssemblyError(
        error.id, at: source.location(line: statement.line, column: Int32(error.column)),
        error.message)
    }
  }

  /// `:lo12:expr` (the only relocation operator supported).
  func lo12(_ s: Int, _ y: Int, memory: Bool, pending: inout PendingRelocation?)
    throws(AssemblyError) -> AsmOperand
  {
    let src = source.bytes
    var k = s + 1
    while k < y, src[k] != UInt8(ascii: ":") { k += 1 }
    guard k < y else { throw error("asm.syntax", at: s, "unterminated relocation operator") }
    var op = [UInt8]()
    for j in (s + 1)..<k { op.append(lower(src[j])) }
    guard op == Array("lo12".utf8) else {
      throw error(
        "asm.unsupported", at: s,
        "unsupported: relocation operator :\(String(decoding: op, as: UTF8.self)):")
    }
    let v = try evaluate(k + 1, y)
    if v.isAbsolute { return .immediate(v.add & 0xfff) }
    if v.minus != nil {
      throw error("asm.expression", at: k + 1, ":lo12: of a PC-relative difference")
    }
    pending = PendingRelocation(type: memory ? nil : .addAbsLo12NC, value: v, column: s)
    return .immediate(0)
  }

  /// Where the `]` of the memory operand `bytes[x..<y]` is, and whether a `!` follows it.
  func memoryEnd(_ x: Int, _ y: Int) -> (close: Int, pre: Bool)? {
    let src = source.bytes
    guard x < y, y <= src.count else { return nil }
    var close = y - 1
    var pre = false
    if src[close] == UInt8(ascii: "!") {
      pre = true
      close -= 1
      while close > x, isBlank(src[close]) { close -= 1 }
    }
    guard close > x, src[close] == UInt8(ascii: "]") else { return nil }
    return (close, pre)
  }

  /// `[base]`, `[base, #expr]`, `[base, #expr]!`, `[base, :lo12:sym]`; register-index forms are
  /// handed to the line parser.
  func memory(_ x: Int, _ y: Int, pending: inout PendingRelocation?) throws(AssemblyError)
    -> AsmOperand
  {
    let src = source.bytes
    guard let (close, pre) = memoryEnd(x, y) else {
      throw error("asm.syntax", at: x, "bad memory operand '\(source.string(x, y))'")
    }
    // `[base]` alone (no comma): read the register without splitting into a new array.
    var comma = x + 1
    while comma < close, src[comma] != UInt8(ascii: ",") { comma += 1 }
    if comma == close {
      let (p, q) = trim(x + 1, close)
      guard let base = AssemblerState.register(src, p, q) else {
        throw error("asm.syntax", at: x, "bad base register in '\(source.string(x, y))'")
      }
      return .memory(base: base, index: .none, preIndex: pre)
    }
    let parts = splitOperands(x + 1, close)
    guard let first = parts.first, let base = AssemblerState.register(src, first.0, first.1)
    else {
      throw error("asm.syntax", at: x, "bad base register in '\(source.string(x, y))'")
    }
    if parts.count == 1 { return .memory(base: base, index: .none, preIndex: pre) }
    let (p, q) = parts[1]
    guard p < q else { throw error("asm.syntax", at: p, "empty offset") }
    var s = p
    if src[s] == UInt8(ascii: "#") {
      s += 1
      while s < q, isBlank(src[s]) { s += 1 }
    }
    let c = s < q ? src[s] : 0
    if c == UInt8(ascii: ":") {
      guard parts.count == 2 else { throw error("asm.syntax", at: x, "too many parts") }
      guard case .immediate(let v) = try lo12(s, q, memory: true, pending: &pending) else {
        throw error("asm.syntax", at: s, "bad :lo12: operand")
      }
      return .memory(base: base, index: .immediate(v), preIndex: pre)
    }
    let isImm =
      src[p] == UInt8(ascii: "#") || isDigit(c) || c == UInt8(ascii: "-") || c == UInt8(ascii: "(")
      || c == UInt8(ascii: "+") || c == UInt8(ascii: "~")
      || (isSymbolChar(c) && AssemblerState.register(src, p, wordEnd(p, q)) == nil)
    if isImm {
      guard parts.count == 2 else { throw error("asm.syntax", at: x, "too many parts") }
      return .memory(base: base, index: .immediate(try absolute(s, q)), preIndex: pre)
    }
    // Register index, with an optional `lsl`/extend and amount.
    if parts.count <= 3, let index = AssemblerState.register(src, p, q) {
      if parts.count == 2 {
        return .memory(base: base, index: .register(index, nil, nil), preIndex: pre)
      }
      let (u, w) = parts[2]
      let k = wordEnd(u, w)
      if let kind = AssemblerState.shiftOrExtend(src, u, k) {
        var m = k
        while m < w, isBlank(src[m]) { m += 1 }
        var amount: Int64? = nil
        if m < w, m > k {
          if src[m] == UInt8(ascii: "#") { m += 1 }
          amount = try absolute(m, w)
        }
        if m == w || amount != nil {
          switch (kind, amount) {
          case (.shift(.lsl), let a?):
            return .memory(base: base, index: .shiftedRegister(index, a), preIndex: pre)
          case (.extend(let e), _):
            return .memory(base: base, index: .register(index, e, amount), preIndex: pre)
          default: break
          }
        }
      }
    }
    // Anything else: evaluate an amount expression, then let the line parser read it.
    var text = "[" + source.string(first.0, first.1) + ", " + source.string(p, q)
    if parts.count >= 3 {
      let (u, w) = parts[2]
      var k = u
      while k < w, isSymbolChar(src[k]) { k += 1 }
      text += ", " + source.string(u, k)
      var m = k
      while m < w, isBlank(src[m]) { m += 1 }
      if m < w {
        if src[m] == UInt8(ascii: "#") { m += 1 }
        text += " #\(try absolute(m, w))"
      }
    }
    if parts.count > 3 { throw error("asm.syntax", at: x, "too many parts in memory operand") }
    text += pre ? "]!" : "]"
    return try parserOperand(text, column: x)
  }

  /// A register name (`x0`, `w30`, `sp`, `wsp`, `xzr`, `wzr`, `lr`, `fp`), any case.
  @inline(__always)
  static func register(_ src: SourceBytes, _ x: Int, _ y: Int) -> Register? {
    registerBytes(src, x, y, registerName)
  }

  /// `read` on `src[x..<y]` when it is two or three bytes long (every register name is), else
  /// nil; `read` gets the first byte and whether there are three.
  @inline(__always)
  static func registerBytes<R>(
    _ src: SourceBytes, _ x: Int, _ y: Int, _ read: (UnsafePointer<UInt8>, Bool) -> R?
  ) -> R? {
    let n = y - x
    guard n == 2 || n == 3, x >= 0, y <= src.count else { return nil }
    return src.withUnsafeBufferPointer { b in
      guard let p = b.baseAddress else { return nil }
      return read(p + x, n == 3)
    }
  }

  /// `register` on the two or three bytes at `p`. Letters are compared with bit 5 set (which
  /// lowers `A`-`Z` and leaves `a`-`z`; no other byte becomes a letter), digits as they are.
  @inline(__always)
  static func registerName(_ p: UnsafePointer<UInt8>, three: Bool) -> Register? {
    let c0 = p[0] | 0x20
    let d1 = p[1] &- 48
    let isX = c0 == UInt8(ascii: "x")
    if !three {
      if isX || c0 == UInt8(ascii: "w") {
        guard d1 < 10 else { return nil }
        return Register(.r(d1), isX ? .x : .w)
      }
      switch (c0, p[1] | 0x20) {
      case (UInt8(ascii: "s"), UInt8(ascii: "p")): return .sp
      case (UInt8(ascii: "l"), UInt8(ascii: "r")): return .lr
      case (UInt8(ascii: "f"), UInt8(ascii: "p")): return .fp
      default: return nil
      }
    }
    let d2 = p[2] &- 48
    if isX || c0 == UInt8(ascii: "w") {
      let width: Width = isX ? .x : .w
      if d1 < 10 {
        // Two digits, no leading zero, at most 30.
        guard d1 != 0, d2 < 10 else { return nil }
        let r = d1 &* 10 &+ d2
        return r <= 30 ? Register(.r(r), width) : nil
      }
      let c1 = p[1] | 0x20
      let c2 = p[2] | 0x20
      if c1 == UInt8(ascii: "z") && c2 == UInt8(ascii: "r") { return Register(.zr, width) }
      if !isX && c1 == UInt8(ascii: "s") && c2 == UInt8(ascii: "p") { return .wsp }
    }
    return nil
  }
}
