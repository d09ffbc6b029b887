import AArch64
import Diagnostics
import Foundation

/// A hand-written layout, for what extraction cannot read.
///
/// ```
/// # a comment (also after `#` at the end of a line)
/// state disabled              # a heading; `state far module` places it in a module
/// symbol my_tramp = 0xffff800008400000
/// -8: .quad ftrace_nop_ops    # a 64-bit literal: two `literal` words
/// 0:  bti c
/// 4:  mov x9, x30
/// 8:  bl ftrace_caller        # symbols: `symbol` lines, then the assumed placement
/// ```
/// Offsets are bytes from the function symbol (decimal or 0x hex, signed), multiples of 4.
/// Instructions are GNU as syntax; a branch or literal-load target may be a symbol name.
public enum LayoutFile {
  public static func read(path: String) throws(InputError) -> Layout {
    guard let data = FileManager.default.contents(atPath: path) else {
      throw InputError(
        "input.not-found", at: SourceLocation(file: path), "cannot read the layout file")
    }
    return try parse(String(decoding: data, as: UTF8.self), file: path)
  }

  public static func parse(
    _ text: String, file: String, placement: Placement = Placement()
  ) throws(InputError) -> Layout {
    var layout = Layout(source: file, configuration: LayoutConfiguration(name: "hand-written"))
    for a in placement.description { layout.assume(Assumption(.address, a)) }
    var symbols: [String: UInt64] = [:]
    for (n, a) in placement.fixedSymbols { symbols[n] = a }
    symbols["ftrace_caller"] = placement.entryText
    var current: LayoutState?
    var progress = LoopProgress()
    let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
    for (k, raw) in lines.enumerated() {
      guard progress.advanced(to: k) else { break }
      let at = SourceLocation(file: file, line: k + 1)
      var line = String(raw)
      if let h = line.firstIndex(of: "#") { line = String(line[..<h]) }
      line = line.trimmingCharacters(in: .whitespaces)
      if line.isEmpty { continue }
      let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
      if words[0] == "state" {
        guard words.count >= 2, words.count <= 3 else {
          throw InputError(LayoutMessage.syntax, at: at, "expected `state NAME [core|module]`")
        }
        if let c = current { layout.states.append(c) }
        let module = words.count == 3 && words[2] == "module"
        if words.count == 3 && !module && words[2] != "core" {
          throw InputError(
            LayoutMessage.syntax, at: at, "placement must be core or module, not \(words[2])")
        }
        current = LayoutState(
          name: words[1], words: [], placement: module ? .module : .core,
          functionAddress: (module ? placement.moduleFunctionArea : placement.coreFunctionArea)
            + 0x100,
          note: "\(file):\(k + 1)")
        continue
      }
      if words[0] == "symbol" {
        guard words.count == 4, words[2] == "=", let v = number(words[3]) else {
          throw InputError(LayoutMessage.syntax, at: at, "expected `symbol NAME = ADDRESS`")
        }
        symbols[words[1]] = UInt64(bitPattern: v)
        layout.assume(
          Assumption(
            .address, "\(words[1]) at 0x\(Words.hex(UInt64(bitPattern: v))) (\(file):\(k + 1))",
            at: at))
        continue
      }
      guard let colon = line.firstIndex(of: ":") else {
        throw InputError(
          LayoutMessage.syntax, at: at,
          "expected `OFFSET: instruction`, `state NAME` or `symbol NAME = ADDRESS`")
      }
      guard var state = current else {
        throw InputError(
          LayoutMessage.syntax, at: at, "a word before the first `state NAME` heading")
      }
      guard
        let off = number(String(line[..<colon]).trimmingCharacters(in: .whitespaces)).map(Int.init),
        off % 4 == 0, off >= -(1 << 20), off <= 1 << 20
      else {
        throw InputError(
          LayoutMessage.syntax, at: at,
          "the offset must be a multiple of 4 within ±1 MiB (decimal or 0x hex)")
      }
      let insn = String(line[line.index(after: colon)...]).trimmingCharacters(in: .whitespaces)
      let pc = state.address(off)
      if insn.hasPrefix(".quad") {
        let v = String(insn.dropFirst(5)).trimmingCharacters(in: .whitespaces)
        guard let value = symbols[v] ?? number(v).map({ UInt64(bitPattern: $0) }) else {
          throw InputError(
            LayoutMessage.syntax, at: at,
            "unknown symbol \(v) (define it with `symbol \(v) = ADDRESS`)")
        }
        if pc % 8 != 0 {
          layout.diagnostics.append(
            Diagnostic(
              LayoutMessage.literalMisaligned, .warning, at: at,
              "the 64-bit literal at func\(off) is not 8-byte aligned"))
        }
        state.set(
          LayoutWord(
            offset: off, word: UInt32(truncatingIfNeeded: value), kind: .literal,
            text: ".quad \(v) (low)", symbol: v))
        state.set(
          LayoutWord(
            offset: off + 4, word: UInt32(truncatingIfNeeded: value >> 32), kind: .literal,
            text: ".quad \(v) (high)", symbol: v))
      } else if insn.hasPrefix(".word") || insn.hasPrefix(".inst") {
        guard let v = number(String(insn.dropFirst(5)).trimmingCharacters(in: .whitespaces)),
          v >= 0, v <= 0xffff_ffff
        else {
          throw InputError(LayoutMessage.syntax, at: at, "expected a 32-bit value")
        }
        state.set(
          LayoutWord(
            offset: off, word: UInt32(v), kind: insn.hasPrefix(".word") ? .literal : .insn,
            text: insn))
      } else {
        var t = insn
        var target: String?
        for (name, addr) in symbols.sorted(by: { $0.key.count > $1.key.count })
        where containsWord(t, name) {
          t = t.replacingOccurrences(of: name, with: "0x" + String(addr, radix: 16))
          target = name
          break
        }
        let i: Instruction
        do throws(AsmParseError) {
          i = try A64.parse(t, pc: pc, syntax: .gnu)
        } catch {
          throw InputError(
            LayoutMessage.syntax, at: at, "cannot read `\(insn)`: \(error.message)")
        }
        let w: UInt32
        do throws(EncodingError) {
          w = try A64.encode(i)
        } catch {
          throw InputError(
            LayoutMessage.syntax, at: at,
            "cannot encode `\(insn)` at 0x\(Words.hex(pc)): \(error.operand): \(error.message)")
        }
        var names: [UInt64: String] = [:]
        for (n, a) in symbols { names[a] = n }
        state.set(
          LayoutWord(
            offset: off, word: w, kind: .insn, text: Words.text(w, at: pc, symbols: names),
            symbol: target))
      }
      current = state
    }
    if let c = current { layout.states.append(c) }
    for k in layout.states.indices { layout.states[k].symbols = symbols }
    return layout
  }

  static func containsWord(_ s: String, _ w: String) -> Bool {
    guard let r = s.range(of: w) else { return false }
    let before = r.lowerBound == s.startIndex ? " " : s[s.index(before: r.lowerBound)]
    let after = r.upperBound == s.endIndex ? " " : s[r.upperBound]
    func ident(_ c: Character) -> Bool {
      c == "_" || c.isLetter || c.isNumber || c == "<" || c == ">"
    }
    return !ident(before) && !ident(after)
  }

  static func number(_ s: String) -> Int64? {
    var t = Substring(s)
    var neg = false
    if t.hasPrefix("-") {
      neg = true
      t = t.dropFirst()
    } else if t.hasPrefix("+") {
      t = t.dropFirst()
    }
    let v: UInt64?
    if t.hasPrefix("0x") || t.hasPrefix("0X") {
      v = UInt64(t.dropFirst(2), radix: 16)
    } else {
      v = UInt64(t)
    }
    guard let v else { return nil }
    let i = Int64(bitPattern: v)
    return neg ? (i == .min ? nil : -i) : i
  }
}
