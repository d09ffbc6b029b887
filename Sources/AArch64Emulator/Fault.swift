import AArch64

/// A synchronous exception the emulated program took, as a typed value: where (`pc`) and why.
///
/// The machine stops at a fault with the PC of the faulting instruction and no architectural
/// effect of that instruction applied (a store pair that would fault on its second half writes
/// nothing; a writeback load that faults does not update its base).
public struct Fault: Error, Sendable, Hashable, CustomStringConvertible {
  /// The class of the fault; `rawValue` is the `kind` string of the JSON run report.
  public enum Kind: String, Sendable, Hashable, CaseIterable {
    case bti, pac, undefined, unpredictable, unmapped, permission, alignment, brk, budget
  }

  /// What kind of memory access faulted.
  public enum Access: String, Sendable, Hashable {
    case fetch, load, store
  }

  /// Why the machine stopped, with the data a report needs.
  public enum Reason: Sendable, Hashable {
    /// A Branch Target exception: the instruction at the target of an indirect branch is not a
    /// compatible landing pad (DOMAIN.md §2). `btype` is PSTATE.BTYPE (1, 2 or 3).
    case branchTarget(btype: UInt8, word: UInt32)
    /// A branch to (or, with FPAC, an authentication of) a pointer whose PAC did not match.
    case pointerAuthentication(address: UInt64)
    /// An unallocated word, or one this emulator does not model (`detail` says which).
    case undefined(word: UInt32, detail: String)
    /// A CONSTRAINED UNPREDICTABLE encoding (the decoder's `.unpredictable`).
    case unpredictable(word: UInt32, detail: String)
    /// An access to an address no page maps (or a non-canonical address).
    case unmapped(Access, address: UInt64)
    /// A mapped page without the needed permission.
    case permission(Access, address: UInt64)
    /// A misaligned exclusive/atomic/acquire-release access, a misaligned PC or SP, or any
    /// misaligned access under strict alignment.
    case alignment(Access, address: UInt64, size: Int)
    /// `BRK #imm`.
    case breakpoint(UInt16)
    /// The step budget ran out before the program returned.
    case budget(steps: Int)
  }

  public var reason: Reason
  /// The PC of the instruction that faulted (for `.budget`: the next instruction to run).
  public var pc: UInt64

  public init(_ reason: Reason, pc: UInt64) {
    self.reason = reason
    self.pc = pc
  }

  public var kind: Kind {
    switch reason {
    case .branchTarget: .bti
    case .pointerAuthentication: .pac
    case .undefined: .undefined
    case .unpredictable: .unpredictable
    case .unmapped: .unmapped
    case .permission: .permission
    case .alignment: .alignment
    case .breakpoint: .brk
    case .budget: .budget
    }
  }

  /// The ESR_ELx value the exception would report, for the classes where that is well defined:
  /// Branch Target (EC 0x0D, IL = 1, ISS[1:0] = BTYPE: `0x36000000 | btype`, as in the
  /// kernel's "ESR 0x0000000036000003 -- BTI" report), BRK (EC 0x3C, ISS = imm16) and
  /// Undefined (EC 0x00, IL = 1).
  public var syndrome: UInt64? {
    switch reason {
    case .branchTarget(let btype, _): 0x3600_0000 | UInt64(btype)
    case .breakpoint(let imm): 0xF200_0000 | UInt64(imm)
    case .undefined, .unpredictable: 0x0200_0000
    default: nil
    }
  }

  /// One line for humans: what happened, without the kind or PC.
  public var detail: String {
    switch reason {
    case .branchTarget(let btype, let word):
      let bt = String(btype, radix: 2)
      return "BTYPE \(String(repeating: "0", count: max(0, 2 - bt.count)) + bt) into "
        + "\(disassemble(word)) (\(hex32(word))); ESR \(hex(syndrome ?? 0))"
    case .pointerAuthentication(let address):
      return "authentication failed: pointer \(hex(address)) is not canonical"
    case .undefined(let word, let detail): return "\(hex32(word)): \(detail)"
    case .unpredictable(let word, let detail): return "\(hex32(word)): \(detail)"
    case .unmapped(let access, let address):
      return "\(access.rawValue) at \(hex(address)): unmapped"
    case .permission(let access, let address):
      return "\(access.rawValue) at \(hex(address)): page does not allow it"
    case .alignment(let access, let address, let size):
      return "\(access.rawValue) of \(size) bytes at \(hex(address)) is misaligned"
    case .breakpoint(let imm): return "brk #\(hex16(imm))"
    case .budget(let steps): return "step budget of \(steps) exhausted"
    }
  }

  public var description: String { "\(kind.rawValue) fault at \(hex(pc)): \(detail)" }
}

/// The objdump text of a word with the tab after the mnemonic turned into a space.
func disassemble(_ word: UInt32, pc: UInt64 = 0) -> String {
  String(A64.print(decode(word), pc: pc).map { $0 == "\t" ? " " : $0 })
}

/// `0x` and 16 lower-case hex digits.
func hex(_ v: UInt64) -> String {
  let s = String(v, radix: 16)
  return "0x" + String(repeating: "0", count: 16 - s.count) + s
}

/// `0x` and 8 hex digits.
func hex32(_ v: UInt32) -> String {
  let s = String(v, radix: 16)
  return "0x" + String(repeating: "0", count: 8 - s.count) + s
}

/// `0x` and the shortest hex.
func hex16(_ v: UInt16) -> String { "0x" + String(v, radix: 16) }

/// `0x` and the shortest hex of a 64-bit value.
func shortHex(_ v: UInt64) -> String { "0x" + String(v, radix: 16) }
