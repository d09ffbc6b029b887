import Foundation
import TestSupport
import Testing

@testable import AArch64

/// Assembling a file through a private mapping of it gives what assembling its bytes gives, and
/// leaves the file as it was (the scan blanks comments in its own copy of a page).
struct MappedSourceTests {
  func temporaryFile(_ contents: String) throws -> String {
    let path = NSTemporaryDirectory() + "patchsite-mapped-\(UUID().uuidString).s"
    try contents.write(toFile: path, atomically: false, encoding: .utf8)
    return path
  }

  @Test func sameObjectAsFromBytesAndTheFileIsUntouched() throws {
    var gen = ProgramGenerator(seed: 0x3a99)
    // Comments of every kind, so that the scan writes into the mapping.
    let text =
      "/* a block\n comment */\n" + gen.program(statements: 400) + "\n// line comment\n"
      + "# 1 \"x.S\"\n\tnop /* inline */ ; nop\n"
    let path = try temporaryFile(text)
    defer { try? FileManager.default.removeItem(atPath: path) }
    let fromBytes = try Assembler.assemble(bytes: Array(text.utf8), file: path)
    let mapped = try #require(try Assembler.assemble(mapping: path, file: path))
    #expect(mapped == fromBytes)
    let after = try String(contentsOfFile: path, encoding: .utf8)
    #expect(after == text)
  }

  @Test func errorsNameTheFile() throws {
    let path = try temporaryFile("\tnop\n\tfoo x0\n")
    defer { try? FileManager.default.removeItem(atPath: path) }
    do {
      _ = try Assembler.assemble(mapping: path, file: "shown.s")
      Issue.record("no error")
    } catch {
      #expect(error.description.hasPrefix("shown.s:2:2:"), "\(error)")
    }
  }

  @Test func whatCannotBeMappedIsLeftToTheCaller() throws {
    let empty = try temporaryFile("")
    defer { try? FileManager.default.removeItem(atPath: empty) }
    #expect(try Assembler.assemble(mapping: empty, file: empty) == nil)
    #expect(try Assembler.assemble(mapping: NSTemporaryDirectory(), file: "dir") == nil)
    #expect(try Assembler.assemble(mapping: "/nonexistent/x.s", file: "x.s") == nil)
  }

  @Test func bytesOfAMappingAreTheFile() throws {
    let text = String(repeating: "\tadd\tx0, x1, #1 // c\n", count: 5000)
    let path = try temporaryFile(text)
    defer { try? FileManager.default.removeItem(atPath: path) }
    let buffer = try #require(ByteBuffer(mapping: path))
    #expect(Array(SourceBytes(buffer)) == Array(text.utf8))
  }
}
