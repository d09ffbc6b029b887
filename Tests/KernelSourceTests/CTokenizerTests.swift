import Testing

@testable import KernelSource

// The tokenizer, the comment stripper and the line splitter read UTF-8 bytes. These pin what
// they give for the shapes that bytes and characters could disagree on.

@Test func tokensOfAnAssemblyLine() {
  let t = CTokenizer.tokenize("\tstp x29, x30, [sp, #-16]!  ->* a<<=1 0x1p-3 .5", firstLine: 7)
  #expect(
    t.map(\.text) == [
      "stp", "x29", ",", "x30", ",", "[", "sp", ",", "#", "-", "16", "]", "!", "->*", "a", "<<=",
      "1", "0x1p-3", ".5",
    ])
  #expect(t.map(\.kind).prefix(2) == [.identifier, .identifier])
  #expect(t[10].kind == .number)
  #expect(t.allSatisfy { $0.line == 7 })
  #expect(t[0].column == 2 && t[0].leadingSpace)
  #expect(t[1].column == 6 && t[2].column == 9 && !t[2].leadingSpace)
}

@Test func tokensAfterACharacterOutsideASCII() {
  // "é" is two bytes and one column; it is one punctuator token.
  let t = CTokenizer.tokenize("é x \"a\\\"é\" 'b'\ny")
  #expect(t.map(\.text) == ["é", "x", "\"a\\\"é\"", "'b'", "y"])
  #expect(t[0].kind == .punctuator && t[0].column == 1)
  #expect(t[1].column == 3)
  #expect(t[2].kind == .string && t[3].kind == .character)
  #expect(t[3].column == 12)
  #expect(t[4].line == 2 && t[4].column == 1)
}

@Test func commentsBecomeSpacesAndKeepLines() {
  // Inside a comment each character is one space (a CR too), and each newline stays.
  let s = CTokenizer.stripComments("a /* é\r\n b */ c // d \"e\"\nf \"/* g */\" h")
  #expect(s == "a      \n      c \nf \"/* g */\" h")
  // With no slash there is nothing to strip.
  #expect(CTokenizer.stripComments("x = 1;\n") == "x = 1;\n")
}

@Test func linesEndAtEveryNewline() {
  #expect(splitLines("a\r\nb\n\nc") == ["a", "b", "", "c"])
  #expect(splitLines("a\n") == ["a"])
  #expect(splitLines("") == [])
  #expect(splitLines("\n") == [""])
  #expect(" \t x y\t ".trimmed == "x y")
  #expect("abcabc".replacingAll("bc", with: "→") == "a→a→")
  #expect("abc".replacingAll("", with: "x") == "abc")
}

/// A compound literal is one operand the expression cannot value; what is around it parses.
@Test func aCompoundLiteralIsOneUnknownOperand() {
  let e = CExpr.parse(
    "!plt_entries_equal(mod->arch.ftrace_trampoline, &(struct plt_entry){ 0, { 1 } })")
  guard case .unary(.not, .call("plt_entries_equal", let args)) = e, args.count == 2 else {
    Issue.record("\(e)")
    return
  }
  #expect(
    args[0]
      == .member(
        .member(.identifier("mod"), "arch", arrow: true), "ftrace_trampoline", arrow: false))
  #expect(args[1] == .unary(.addressOf, .unknown("(struct plt_entry){ 0, { 1 } }")))
  // A cast of a parenthesised value is still a cast.
  #expect(CExpr.parse("(u32)(x)") == .cast("u32", .identifier("x")))
}
