import Analysis

/// What the check tests share: where hand-written layouts put the function symbol, and a small
/// `entry-ftrace.S` of the tests' own.
enum CheckFixtures {
  static let entryText: UInt64 = Placement().entryText

  /// The function symbol of a hand-written layout (`LayoutFile` places it there).
  static let function: UInt64 = Placement().coreFunctionArea + 0x100

  /// The absolute address `offset` bytes from the function symbol, as a layout file writes a
  /// branch target.
  static func at(_ offset: Int) -> String {
    "0x" + String(function &+ UInt64(bitPattern: Int64(offset)), radix: 16)
  }

  /// A trampoline that builds the callsite record {x29, x9} and its own {fp, x30} above each
  /// other, calls the ops' func (`ops`, linked by the test), and returns to the function with
  /// X30 = X9 again.
  static let trampoline = """
    \t.text
    \t.globl ftrace_caller
    ftrace_caller:
    \tbti c
    \tstp x29, x9, [sp, #-16]!
    \tmov x29, sp
    \tstp x29, x30, [sp, #-16]!
    \tmov x29, sp
    \tadrp x2, ops
    \tadd x2, x2, :lo12:ops
    \tldr x4, [x2]
    \tblr x4
    \tldp x29, x30, [sp], #16
    \tldp x29, x9, [sp], #16
    \tmov x10, x30
    \tmov x30, x9
    \tret x10
    \t.size ftrace_caller, . - ftrace_caller
    """
}
