import Foundation
import PatchsiteCLI
import TestSupport
import Testing

/// The catalogue of bad input (`BadInput/`, linked from the README): one file per kind of
/// damage the project knows about, each with a `.expect` file that gives the command, the
/// exact diagnostic it must produce (location, severity, message, ID) and what is still
/// recovered (lines the output must hold).
///
/// `.expect` lines: `# comment`, `command: series|review|layout`, `status: N`,
/// `diagnostic: FILE:LINE: severity: message [id]` (one or more), `recovered: prose`,
/// `output: text the output must contain` (one or more).
@Suite struct BadInputTests {
  static let folder = Tools.packageRoot() + "/Tests/PatchsiteCLITests/BadInput"

  struct Case: CustomTestStringConvertible, Sendable {
    var name: String
    var command = "series"
    var status: Int32?
    var diagnostics: [String] = []
    var recovered = ""
    var outputs: [String] = []
    var testDescription: String { name }
  }

  static func cases() -> [Case] {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
    return names.filter { $0.hasSuffix(".expect") }.sorted().map { file in
      var c = Case(name: String(file.dropLast(".expect".count)))
      let text = (try? String(contentsOfFile: folder + "/" + file, encoding: .utf8)) ?? ""
      for line in text.split(separator: "\n") {
        guard let colon = line.firstIndex(of: ":"), !line.hasPrefix("#") else { continue }
        let key = line[..<colon]
        let value = line[line.index(after: colon)...].drop { $0 == " " }
        switch key {
        case "command": c.command = String(value)
        case "status": c.status = Int32(value)
        case "diagnostic": c.diagnostics.append(String(value))
        case "recovered": c.recovered = String(value)
        case "output": c.outputs.append(String(value))
        default: break
        }
      }
      return c
    }
  }

  @Test func theCatalogueCoversTheKnownDamage() {
    let all = Self.cases()
    #expect(all.count >= 12)
    // Every case says what it expects and what survives.
    for c in all {
      #expect(!c.diagnostics.isEmpty, "\(c.name): no diagnostic given")
      #expect(!c.recovered.isEmpty, "\(c.name): no statement of what is recovered")
      let input = (try? FileManager.default.contentsOfDirectory(atPath: Self.folder)) ?? []
      #expect(input.contains { $0.hasPrefix(c.name + ".") && !$0.hasSuffix(".expect") })
    }
  }

  @Test(arguments: cases()) func eachDamageIsDiagnosedAndTheRestRecovered(_ c: Case) throws {
    let names = try FileManager.default.contentsOfDirectory(atPath: Self.folder)
    let input = try #require(names.first { $0.hasPrefix(c.name + ".") && !$0.hasSuffix(".expect") })
    // Locations are read relative to the catalogue, as the `.expect` files write them.
    let (status, full) = try runCapturing([c.command, Self.folder + "/" + input])
    let output = full.replacingOccurrences(of: Self.folder + "/", with: "")
    for d in c.diagnostics {
      #expect(output.contains(d), "\(c.name): missing diagnostic\n  \(d)\nin\n\(output)")
    }
    for o in c.outputs {
      #expect(output.contains(o), "\(c.name): not recovered: \(o)\nin\n\(output)")
    }
    if let s = c.status { #expect(status == s, "\(c.name): exit status") }
  }
}
