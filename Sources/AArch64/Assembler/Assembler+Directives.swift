import Diagnostics

// Directives: sections, symbols, data, alignment, space. Anything else is an error naming the
// directive (`unsupported: directive .foo`), never silently skipped.

extension AssemblerState {
  /// `bytes[a..<e]` is the directive name, `e..<b` its operands.
  mutating func directive(_ a: Int, _ e: Int, _ b: Int) throws(AssemblyError) {
    let name = lowercasedString(a, e)
    let (oa, ob) = trim(e, b)
    if name.hasPrefix(".cfi_") { return }
    switch name {
    // The most frequent directives first: a switch over strings tests the cases in order.
    case ".globl", ".global", ".weak", ".local", ".hidden", ".protected", ".internal":
      guard pass == 1 else { return }
      for (x, y) in splitOperands(oa, ob) {
        guard x < y else { throw error("asm.syntax", at: x, "\(name) needs a symbol name") }
        let s = source.string(x, y)
        var entry = symbols[s] ?? SymbolEntry()
        switch name {
        case ".globl", ".global": entry.global = true
        case ".weak": entry.weak = true
        case ".local": entry.global = false
        default: break
        }
        symbols[s] = entry
      }
    case ".type":
      guard pass == 2 else { return }
      let ops = splitOperands(oa, ob)
      guard ops.count == 2 else {
        throw error("asm.syntax", at: oa, ".type needs a symbol and a type")
      }
      let s = source.string(ops[0].0, ops[0].1)
      let t = source.string(ops[1].0, ops[1].1).lowercased()
      let kind: Symbol.Kind? =
        t.hasSuffix("function") || t == "stt_func"
        ? .function : t.hasSuffix("object") || t == "stt_object" ? .object : nil
      if symbolLog != nil {
        symbolLog?.append(.type(s, kind))
      } else {
        symbols[s, default: SymbolEntry()].type = kind
      }
    case ".size":
      guard pass == 2 else { return }
      let ops = splitOperands(oa, ob)
      guard ops.count == 2 else {
        throw error("asm.syntax", at: oa, ".size needs a symbol and a size")
      }
      let s = source.string(ops[0].0, ops[0].1)
      dotOffset = Int64(sections[current].offset)
      let size = try absolute(ops[1].0, ops[1].1)
      if symbolLog != nil {
        symbolLog?.append(.size(s, size))
      } else {
        symbols[s, default: SymbolEntry()].size = size
      }
    case ".word", ".long", ".int", ".4byte": try data(name, size: 4, oa, ob)
    case ".quad", ".xword", ".dword", ".8byte": try data(name, size: 8, oa, ob)
    case ".align", ".p2align", ".balign": try align(name, a, oa, ob)
    case ".text": switchTo(section(named: ".text", executable: true))
    case ".data": switchTo(section(named: ".data", executable: false))
    case ".bss": switchTo(section(named: ".bss", executable: false))
    case ".rodata": switchTo(section(named: ".rodata", executable: false))
    case ".section", ".pushsection":
      let ops = splitOperands(oa, ob)
      guard let first = ops.first, first.0 < first.1 else {
        throw error("asm.syntax", at: oa, "\(name) needs a section name")
      }
      var sname = source.string(first.0, first.1)
      if sname.hasPrefix("\""), sname.hasSuffix("\""), sname.count >= 2 {
        sname = String(sname.dropFirst().dropLast())
      }
      var exec: Bool? = nil
      if ops.count > 1 {
        let flags = source.string(ops[1].0, ops[1].1)
        exec = flags.contains("x") || sname.hasPrefix(".text")
      }
      let k = section(named: sname, executable: exec)
      if name == ".pushsection" {
        sectionStack.append((current, previous))
        if sectionStack.count > 1024 {
          throw error("asm.syntax", at: a, ".pushsection nested too deeply")
        }
      }
      switchTo(k)
    case ".popsection":
      guard let (c, p) = sectionStack.popLast() else {
        throw error("asm.syntax", at: a, ".popsection without .pushsection")
      }
      current = c
      previous = p
    case ".previous":
      swap(&current, &previous)
    case ".equ", ".set", ".equiv", ".eqv":
      let ops = splitOperands(oa, ob)
      guard ops.count == 2, ops[0].0 < ops[0].1 else {
        throw error("asm.syntax", at: oa, "\(name) needs a name and a value")
      }
      let s = source.string(ops[0].0, ops[0].1)
      if name == ".equiv", pass == 1,
        symbols[s].map({ if case .none = $0.definition { false } else { true } }) == true
      {
        throw error("asm.redefined-symbol", at: ops[0].0, "symbol '\(s)' is already defined")
      }
      try setSymbol(s, at: ops[0].0, ops[1].0, ops[1].1)
    case ".byte": try data(name, size: 1, oa, ob)
    case ".short", ".hword", ".2byte", ".value": try data(name, size: 2, oa, ob)
    case ".inst": try inst(oa, ob)
    case ".ascii", ".asciz", ".string": try strings(name, oa, ob)
    case ".space", ".skip", ".zero": try space(name, a, oa, ob)
    case ".file", ".ident", ".arch", ".arch_extension", ".cpu", ".loc", ".note.gnu.property":
      return
    case ".ltorg", ".pool":
      throw error(
        "asm.unsupported", at: a, "unsupported: directive \(name) (literal pools; use adrp/ldr)")
    default:
      throw error("asm.unsupported", at: a, "unsupported: directive \(name)")
    }
  }

  /// Pass 1: `bytes` bytes in `items` items that pass 2 will emit here.
  mutating func place(bytes: Int, items: Int) {
    sections[current].offset += bytes
    sections[current].itemCount += items
  }

  mutating func switchTo(_ k: Int) {
    if k != current { previous = current }
    current = k
  }

  /// `.byte/.short/.word/.quad expr, …`: one item per value; symbols become relocations.
  mutating func data(_ name: String, size: Int, _ oa: Int, _ ob: Int) throws(AssemblyError) {
    let ops = splitOperands(oa, ob)
    if pass == 1 {
      place(bytes: size * ops.count, items: ops.count)
      return
    }
    for (x, y) in ops {
      guard x < y else { throw error("asm.syntax", at: x, "missing value in \(name)") }
      let offset = sections[current].offset
      dotOffset = Int64(offset)
      let v = try evaluate(x, y)
      var value = v.add
      if !v.isAbsolute {
        let type: RelocationType
        if let m = v.minus {
          guard m == current else {
            throw error(
              "asm.expression", at: x, "difference with a location in another section")
          }
          switch size {
          case 8: type = .prel64
          case 4: type = .prel32
          case 2: type = .prel16
          default:
            throw error("asm.unsupported", at: x, "unsupported: PC-relative \(name)")
          }
          var pv = v
          pv.add = v.add &+ Int64(offset)
          pv.minus = nil
          try relocate(type, pv, at: offset, column: x)
        } else {
          switch size {
          case 8: type = .abs64
          case 4: type = .abs32
          case 2: type = .abs16
          default: throw error("asm.unsupported", at: x, "unsupported: symbol in \(name)")
          }
          try relocate(type, v, at: offset, column: x)
        }
        value = 0
      } else if size < 8 {
        let lo = -(Int64(1) << (size * 8 - 1))
        let hi = Int64(1) << (size * 8)
        if value < lo || value >= hi {
          throw error(
            "asm.encoding", at: x,
            "value \(value) does not fit in \(size) byte\(size == 1 ? "" : "s") (\(name))")
        }
      }
      var bytes = [UInt8](repeating: 0, count: size)
      for k in 0..<size { bytes[k] = UInt8(truncatingIfNeeded: value >> Int64(8 * k)) }
      emit(.data(bytes), size: size, prefix: name + " ", textFrom: x, to: y)
    }
  }

  /// `.inst expr, …`: instruction words (printed as instructions).
  mutating func inst(_ oa: Int, _ ob: Int) throws(AssemblyError) {
    let ops = splitOperands(oa, ob)
    if pass == 1 {
      place(bytes: 4 * ops.count, items: ops.count)
      return
    }
    for (x, y) in ops {
      guard x < y else { throw error("asm.syntax", at: x, "missing value in .inst") }
      dotOffset = Int64(sections[current].offset)
      let v = try absolute(x, y)
      guard v >= 0, v <= 0xffff_ffff else {
        throw error("asm.encoding", at: x, "value \(v) does not fit in 4 bytes (.inst)")
      }
      emit(.insn(UInt32(v)), size: 4, prefix: ".inst ", textFrom: x, to: y)
    }
  }

  mutating func strings(_ name: String, _ oa: Int, _ ob: Int) throws(AssemblyError) {
    for (x, y) in splitOperands(oa, ob) {
      var bytes = try stringLiteral(x, y)
      if name != ".ascii" { bytes.append(0) }
      emit(.data(bytes), size: bytes.count, prefix: name + " ", textFrom: x, to: y)
    }
  }

  /// A C-style string literal with GNU's escapes.
  func stringLiteral(_ x: Int, _ y: Int) throws(AssemblyError) -> [UInt8] {
    let src = source.bytes
    guard y - x >= 2, src[x] == UInt8(ascii: "\""), src[y - 1] == UInt8(ascii: "\"") else {
      throw error("asm.syntax", at: x, "expected a string in quotes")
    }
    var out: [UInt8] = []
    var k = x + 1
    let end = y - 1
    while k < end {
      let c = src[k]
      k += 1
      guard c == UInt8(ascii: "\\"), k < end else {
        out.append(c)
        continue
      }
      let e = src[k]
      k += 1
      switch e {
      case UInt8(ascii: "n"): out.append(10)
      case UInt8(ascii: "t"): out.append(9)
      case UInt8(ascii: "r"): out.append(13)
      case UInt8(ascii: "b"): out.append(8)
      case UInt8(ascii: "f"): out.append(12)
      case UInt8(ascii: "x"), UInt8(ascii: "X"):
        var v = 0
        while k < end, let d = hexDigit(src[k]) {
          v = (v * 16 + d) & 0xff
          k += 1
        }
        out.append(UInt8(v))
      case UInt8(ascii: "0")...UInt8(ascii: "7"):
        var v = Int(e - 48)
        var n = 1
        while n < 3, k < end, src[k] >= 48, src[k] <= 55 {
          v = v * 8 + Int(src[k] - 48)
          k += 1
          n += 1
        }
        out.append(UInt8(v & 0xff))
      default: out.append(e)
      }
    }
    return out
  }

  func hexDigit(_ c: UInt8) -> Int? {
    if isDigit(c) { return Int(c - 48) }
    let l = lower(c)
    if l >= 97, l <= 102 { return Int(l - 87) }
    return nil
  }

  /// `.align n` / `.p2align n` (2^n bytes on AArch64) and `.balign n`, with optional fill and
  /// maximum skip. Code sections pad with NOP (`d503201f`) once 4-byte aligned, as GNU as does.
  mutating func align(_ name: String, _ a: Int, _ oa: Int, _ ob: Int) throws(AssemblyError) {
    let ops = splitOperands(oa, ob)
    guard let first = ops.first, first.0 < first.1, ops.count <= 3 else {
      throw error("asm.syntax", at: oa, "\(name) needs an alignment")
    }
    dotOffset = Int64(sections[current].offset)
    let n = try absolute(first.0, first.1)
    let boundary: Int
    if name == ".balign" {
      guard n >= 1, n <= 1 << 28, n & (n - 1) == 0 else {
        throw error("asm.expression", at: first.0, "alignment \(n) is not a power of 2")
      }
      boundary = Int(n)
    } else {
      guard n >= 0, n <= 28 else {
        throw error("asm.expression", at: first.0, "alignment 2^\(n) out of range [0, 28]")
      }
      boundary = 1 << Int(n)
    }
    var fill: UInt8? = nil
    if ops.count >= 2, ops[1].0 < ops[1].1 {
      fill = UInt8(truncatingIfNeeded: try absolute(ops[1].0, ops[1].1))
    }
    var maxSkip = Int.max
    if ops.count == 3 {
      maxSkip = Int(clamping: try absolute(ops[2].0, ops[2].1))
    }
    let off = sections[current].offset
    let pad = (boundary - off % boundary) % boundary
    if pad == 0 || pad > maxSkip { return }
    let end = Int(statement.end)
    if pass == 1 {
      // The items pass 2 emits below: one fill, or zero bytes up to a word and then NOPs.
      let zeros = (4 - off % 4) % 4
      let items =
        fill != nil || !sections[current].executable ? 1 : (zeros > 0 ? 1 : 0) + (pad - zeros) / 4
      place(bytes: pad, items: items)
      return
    }
    if let fill {
      emit(.data([UInt8](repeating: fill, count: pad)), size: pad, prefix: "", textFrom: a, to: end)
      return
    }
    if !sections[current].executable {
      emit(.data([UInt8](repeating: 0, count: pad)), size: pad, prefix: "", textFrom: a, to: end)
      return
    }
    let zeros = (4 - off % 4) % 4
    if zeros > 0 {
      emit(
        .data([UInt8](repeating: 0, count: zeros)), size: zeros, prefix: "", textFrom: a, to: end)
    }
    for _ in 0..<((pad - zeros) / 4) {
      emit(.insn(0xd503_201f), size: 4, prefix: "", textFrom: a, to: end)
    }
  }

  /// `.space size[, fill]`.
  mutating func space(_ name: String, _ a: Int, _ oa: Int, _ ob: Int) throws(AssemblyError) {
    let ops = splitOperands(oa, ob)
    guard let first = ops.first, first.0 < first.1, ops.count <= 2 else {
      throw error("asm.syntax", at: oa, "\(name) needs a size")
    }
    dotOffset = Int64(sections[current].offset)
    let n = try absolute(first.0, first.1)
    guard n >= 0, n <= 1 << 28 else {
      throw error("asm.expression", at: first.0, "\(name) size \(n) out of range [0, 2^28]")
    }
    var fill: UInt8 = 0
    if ops.count == 2 { fill = UInt8(truncatingIfNeeded: try absolute(ops[1].0, ops[1].1)) }
    if n == 0 { return }
    if pass == 1 {
      place(bytes: Int(n), items: 1)
      return
    }
    emit(
      .data([UInt8](repeating: fill, count: Int(n))), size: Int(n), prefix: "",
      textFrom: a, to: Int(statement.end))
  }
}
