import Testing

@testable import KernelSource

/// The parse memo compares texts without their comments, line breaks kept.
@Suite struct ParseMemoTests {
  @Test func cCommentsGoAndLineBreaksStay() {
    let a = "int a; /* one\n two */ int b; // tail\nchar *s = \"/* not a comment */\";\n\n"
    let b = "int a; /* other\n words */ int b;\nchar *s = \"/* not a comment */\";"
    #expect(CommentStyle.c.strip(a) == CommentStyle.c.strip(b))
    #expect(CommentStyle.c.strip(a) == "int a;\n  int b;\nchar *s = \"/* not a comment */\";")
    // A change outside the comments is a change.
    #expect(CommentStyle.c.strip("int a;") != CommentStyle.c.strip("int b;"))
    #expect(CommentStyle.c.strip("x = '/';") == "x = '/';")
  }

  @Test func hashCommentsAreWholeLines() {
    let a = "# a comment\nX := 1 # kept\n  # indented\nY := 2\n# revision 3\n"
    #expect(CommentStyle.hash.strip(a) == "\nX := 1 # kept\n\nY := 2")
    #expect(CommentStyle.hash.strip("X := 1\n") == CommentStyle.hash.strip("X := 1\n# more\n"))
  }

  @Test func aCommentOnlyChangeReusesTheParse() {
    let memo = ParseMemo<Int>()
    let tree = InMemoryTree(["inc.h": "#define N 1 /* one */\n"])
    var made = 0
    let config = KernelConfig()
    let first = memo.value(file: "f.c", text: "int a; // x\n", config: config, tree: tree) { t, _ in
      made += 1
      return t.contents(of: "inc.h")?.count ?? 0
    }
    let again = memo.value(file: "f.c", text: "int a; // y\n\n", config: config, tree: tree) {
      _, _ in
      made += 1
      return -1
    }
    #expect(first == again && made == 1)
    // An include whose code changes is a miss.
    let other = InMemoryTree(["inc.h": "#define N 2\n"])
    _ = memo.value(file: "f.c", text: "int a;\n", config: config, tree: other) { _, _ in
      made += 1
      return 0
    }
    #expect(made == 2)
  }

  /// A parse is kept for every configuration that agrees on the options it looked up.
  @Test func aParseHoldsForConfigurationsThatAgreeOnWhatItConsulted() {
    let memo = ParseMemo<Bool>()
    let tree = InMemoryTree()
    var made = 0
    let parse = { (t: any KernelTree, c: KernelConfig) -> Bool in
      made += 1
      return c.isEnabled("A")
    }
    let a = KernelConfig(["A": .yes, "B": .yes])
    let first = memo.value(file: "f.c", text: "x", config: a, tree: tree, parse)
    // B differs, and the parse never asked about B: kept.
    let second = memo.value(
      file: "f.c", text: "x", config: a.setting("B", .no), tree: tree, parse)
    #expect(first && second && made == 1)
    // A differs: made again, and right.
    let third = memo.value(
      file: "f.c", text: "x", config: a.setting("A", .no), tree: tree, parse)
    #expect(!third && made == 2)
    // A parse that reads every value holds only for an equal configuration.
    let all = { (t: any KernelTree, c: KernelConfig) -> Bool in
      made += 1
      return c.values.count > 1
    }
    _ = memo.value(file: "g.c", text: "x", config: a, tree: tree, all)
    _ = memo.value(file: "g.c", text: "x", config: a.setting("B", .no), tree: tree, all)
    #expect(made == 4)
  }

  @Test func theKindOfCommentsFollowsTheFileName() {
    let hash = [
      "Makefile", "arch/arm64/Makefile", "arch/arm64/Kconfig", "arch/Kconfig.debug",
      "scripts/Makefile.lib", "x/Kbuild", "tools/build.mk", "arch/arm64/Makefile/",
    ]
    let c = ["a/b.c", "include/x.h", "kernel/entry-ftrace.S", "vmlinux.lds", ".c"]
    let none = ["x.s", "README", "dir.c/file", "Makefile/x", "", "///", "arch/arm64/kernel/x.cc"]
    for p in hash { #expect(CommentStyle(path: p) == .hash, "\(p)") }
    for p in c { #expect(CommentStyle(path: p) == .c, "\(p)") }
    for p in none { #expect(CommentStyle(path: p) == nil, "\(p)") }
  }
}
