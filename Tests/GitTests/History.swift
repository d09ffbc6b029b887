import Foundation
import TestSupport

/// The history most Git tests run on, built with the git CLI:
///
///     c1 ── c2 (v1) ── c3 (light) ── c4 ── m ── c5      main
///             \                          /
///              t1 ─────────── t2 ───────             topic
///
/// c1 is a root commit adding text, a binary file and a script; c2 edits inside a function;
/// c3 renames `src/b.c` to `lib/b.c` with an edit; c4 deletes, changes a mode, edits the binary
/// file and drops a final newline; t1/t2 edit `docs/`; m merges topic; c5 edits two folders.
/// Time zones vary (`+0100`, `-0530`, `+0000`, `+1345`). `v1` is an annotated tag, `light`
/// a lightweight one.
struct History {
  let scratch: ScratchRepository

  static func make() throws -> History {
    let s = try ScratchRepository()
    do {
      try s.write("README", "Patchsite test history\n")
      try s.write("src/a.c", cFile(variant: 0))
      try s.write("src/b.c", (1...30).map { "b line \($0)\n" }.joined())
      try s.write(
        "bin.dat", bytes: (0..<200).map { UInt8(truncatingIfNeeded: $0 * 7) } + [0, 0, 1])
      try s.write("script.sh", "#!/bin/sh\necho hi\n")
      try s.write("docs/guide.txt", "Guide\n=====\n\nFirst words.\n")
      try s.commit("Initial import\n\nAdd the first files.\n", zone: "+0100")

      try s.write("src/a.c", cFile(variant: 1))
      try s.commit(
        "a: change the middle of the function\n\nThe body explains\nover two lines.\n\n"
          + "Signed-off-by: Ada Author <ada@example.org>\n", zone: "-0530")
      try s.git([
        "-c", "user.name=Tom Tagger", "-c", "user.email=tom@example.org", "tag", "-a", "v1",
        "-m", "version 1",
      ])

      try s.git(["checkout", "-q", "-b", "topic"])
      try s.write("docs/guide.txt", "Guide\n=====\n\nFirst words.\nSecond words.\n")
      try s.commit("docs: add second words", zone: "+0000", author: "Tess Topic")
      try s.write("docs/more.txt", "More docs.\n")
      try s.commit("docs: add more", zone: "+0000", author: "Tess Topic")
      try s.git(["checkout", "-q", "main"])

      try FileManager.default.removeItem(atPath: s.path + "/src/b.c")
      var b = (1...30).map { "b line \($0)\n" }
      b[14] = "b line 15, edited\n"
      try s.write("lib/b.c", b.joined())
      try s.commit("b: move to lib", zone: "+1345")
      try s.git(["tag", "light"])

      try s.git(["rm", "-q", "script.sh"])
      try FileManager.default.setAttributes(
        [.posixPermissions: 0o755], ofItemAtPath: s.path + "/README")
      try s.write("bin.dat", bytes: (0..<210).map { UInt8(truncatingIfNeeded: $0 * 11) } + [0])
      try s.write("src/a.c", cFile(variant: 1) + "int tail(void) { return 0; }")
      try s.commit("Assorted changes\n\nDelete, chmod, binary, no newline.\n", zone: "+0100")

      try s.merge("topic", message: "Merge branch 'topic'")

      try s.write("src/a.c", cFile(variant: 2))
      try s.write("docs/guide.txt", "Guide\n=====\n\nFirst words.\nSecond words.\nThird.\n")
      try s.commit("a, docs: finish", zone: "+0100")
      return History(scratch: s)
    } catch {
      s.remove()
      throw error
    }
  }

  /// A C file with a function long enough to give hunks a function-name context.
  static func cFile(variant: Int) -> String {
    var lines = ["#include <stdio.h>", "", "static int helper(int x)", "{"]
    for i in 1...20 {
      var line = "\tx += \(i);"
      if variant >= 1 && i == 10 { line = "\tx *= 10; /* changed */" }
      if variant >= 2 && i == 3 { line = "\tx -= 3; /* changed again */" }
      lines.append(line)
    }
    lines += ["\treturn x;", "}", "", "int main(void)", "{", "\treturn helper(1);", "}"]
    return lines.joined(separator: "\n") + "\n"
  }

  var path: String { scratch.path }
  func remove() { scratch.remove() }
}
