import AArch64
import Foundation
import TestSupport

/// GNU as as the oracle of the assembler: section bytes (`objcopy -O binary -j NAME`) and
/// relocations (`readelf -rW`) of `aarch64-linux-gnu-as -o x.o`.
enum GNUAssembler {
  /// The tools it runs.
  static let tools = [
    AArch64Oracles.gnuAs, AArch64Oracles.objdump, AArch64Oracles.objcopy,
    "aarch64-linux-gnu-readelf",
  ]

  /// One relocation in a comparable form: `.text + 0x2c` for section symbols, as readelf shows.
  struct Reloc: Hashable, CustomStringConvertible {
    var section: String
    var offset: Int
    var type: String
    var symbol: String
    var addend: Int64
    var description: String {
      "\(section)+0x\(String(offset, radix: 16)) \(type) \(symbol)\(addend >= 0 ? "+" : "")\(addend)"
    }
  }

  struct Failure: Error { var message: String }

  struct Object {
    var sections: [String: [UInt8]]
    var relocations: Set<Reloc>
  }

  /// Assembles `text` with GNU as; `.failure(stderr)` if it rejects it.
  static func assemble(_ text: String, sections: [String]) throws -> Result<Object, Failure> {
    let dir = try Tools.makeTemporaryDirectory("asm-gnu")
    defer { Tools.removeTemporaryDirectory(dir) }
    try text.write(toFile: "\(dir)/t.s", atomically: true, encoding: .utf8)
    let a = try Tools.run(
      AArch64Oracles.gnuAs, [AArch64Oracles.gnuMarch, "-o", "\(dir)/t.o", "\(dir)/t.s"])
    if a.status != 0 { return .failure(Failure(message: a.stderr)) }
    var bytes: [String: [UInt8]] = [:]
    for (k, s) in sections.enumerated() {
      let c = try Tools.run(
        AArch64Oracles.objcopy, ["-O", "binary", "-j", s, "\(dir)/t.o", "\(dir)/s\(k).bin"])
      if c.status != 0 { return .failure(Failure(message: c.stderr)) }
      bytes[s] = [UInt8](
        (try? Data(contentsOf: URL(fileURLWithPath: "\(dir)/s\(k).bin"))) ?? Data())
    }
    let r = try Tools.run("aarch64-linux-gnu-readelf", ["-rW", "\(dir)/t.o"])
    var relocs = Set<Reloc>()
    var section = ""
    for line in r.stdout.split(separator: "\n") {
      if line.hasPrefix("Relocation section '.rela") {
        let name = line.dropFirst("Relocation section '.rela".count).prefix { $0 != "'" }
        section = String(name)
        continue
      }
      let f = line.split(separator: " ", omittingEmptySubsequences: true)
      guard f.count >= 4, let off = Int(f[0], radix: 16), f[2].hasPrefix("R_AARCH64_") else {
        continue
      }
      var symbol = ""
      var addend: Int64 = 0
      if f.count >= 7 {
        symbol = String(f[4])
        let mag = Int64(f[6], radix: 16) ?? 0
        addend = f[5] == "-" ? -mag : mag
      }
      relocs.insert(
        Reloc(section: section, offset: off, type: String(f[2]), symbol: symbol, addend: addend))
    }
    return .success(Object(sections: bytes, relocations: relocs))
  }

  /// Our relocations in the same form.
  static func relocations(of o: AssembledObject) -> Set<Reloc> {
    var out = Set<Reloc>()
    for s in o.sections {
      for r in s.relocations {
        out.insert(
          Reloc(
            section: s.name, offset: r.offset, type: r.type.elfName, symbol: r.symbol,
            addend: r.addend))
      }
    }
    return out
  }

  /// Differences between our object and GNU's for `text`, as readable lines (empty if equal).
  static func compare(_ text: String, file: String = "t.s") throws -> [String] {
    let ours: AssembledObject
    do {
      ours = try Assembler.assemble(text, file: file)
    } catch {
      return ["ours rejected: \(error)"]
    }
    let names = ours.sections.map(\.name).filter { $0 != ".bss" }
    let gnu: Object
    switch try assemble(text, sections: names) {
    case .success(let o): gnu = o
    case .failure(let e): return ["GNU as rejected: \(e.message)"]
    }
    var diffs: [String] = []
    for s in ours.sections where s.name != ".bss" {
      let mine = s.bytes
      let theirs = gnu.sections[s.name] ?? []
      if mine != theirs {
        let n = min(mine.count, theirs.count)
        let at = (0..<n).first { mine[$0] != theirs[$0] } ?? n
        let item = s.items.first { $0.offset <= at && at < $0.offset + $0.size }
        diffs.append(
          "\(s.name): bytes differ at 0x\(String(at, radix: 16)) (ours \(mine.count) bytes, GNU "
            + "\(theirs.count)); item: \(item.map { "\($0.source) \($0.text)" } ?? "none")")
      }
    }
    let mine = relocations(of: ours)
    let ourSections = Set(ours.sections.map(\.name))
    let theirs = gnu.relocations.filter { ourSections.contains($0.section) }  // not .eh_frame
    for r in mine.subtracting(theirs).sorted(by: { $0.description < $1.description }) {
      diffs.append("only ours: \(r)")
    }
    for r in theirs.subtracting(mine).sorted(by: { $0.description < $1.description }) {
      diffs.append("only GNU: \(r)")
    }
    return diffs
  }
}
