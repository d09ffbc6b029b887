// The run loop without an observer, which is how scenarios, `patchsite run` and the tests
// run. It has two levels:
//
// - `runInner` walks the code page's ops with a pointer and calls nothing, so its state stays
//   in registers: a sequential op moves to the next slot, a direct branch within the page moves
//   the pointer there. It runs the common ops (the specialised kinds of
//   Lowering+Specialise.swift, branches, loads and stores that hit the one-entry TLBs) and
//   returns before touching anything when an op needs more: another page, an indirect branch
//   (BTYPE), an undecoded slot, a TLB miss or a possible fault, or an op it does not inline.
// - `runUnobserved` does the fetch (the page, the return sentinel, the BTI landing pad) and runs
//   what the inner loop left through `execute`, one op at a time.
//
// The fetch record costs nothing per step (a slot is decoded on its first fetch, see
// `Page.ops`). The semantics are `execute`'s exactly; the observed loop in Executor.swift
// stays the reference.

/// The state `runInner` carries in and out.
struct InnerState {
  /// The op to run next (a slot of the code page's ops).
  var p: UnsafeMutablePointer<Op>
  /// The PC of `p`, or of the branch target when `runInner` returned `.fetch`.
  var pc: UInt64
  /// Instructions left in the budget.
  var left: Int
  var nzcv: UInt8
}

// The fields of the op in a slot, read from the slot: `runInner` reads them where a case
// needs them, so the compiler does not load every field of every op before the dispatch.
extension UnsafeMutablePointer where Pointee == Op {
  fileprivate var kind: OpKind { pointee.kind }
  fileprivate var a: UInt8 { pointee.a }
  fileprivate var b: UInt8 { pointee.b }
  fileprivate var c: UInt8 { pointee.c }
  fileprivate var d: UInt8 { pointee.d }
  fileprivate var f: UInt8 { pointee.f }
  fileprivate var g: UInt8 { pointee.g }
  fileprivate var h: UInt8 { pointee.h }
  fileprivate var imm: UInt64 { pointee.imm }
  fileprivate var imm2: UInt64 { pointee.imm2 }
}

/// Why `runInner` returned.
enum InnerExit {
  /// The budget is spent.
  case budget
  /// PC left the page or came from an indirect branch: fetch it.
  case fetch
  /// The op at `p` needs `execute` (or a decode).
  case slow
}

extension Executor {
  /// Runs until `limit` instructions have completed in this call, a fault, or the return.
  mutating func runUnobserved(limit: Int) -> Stop? {
    let budget = max(0, limit &- steps)
    var s = InnerState(p: codeOps, pc: pc, left: budget, nzcv: nzcv)
    defer {
      pc = s.pc
      nzcv = s.nzcv
      steps &+= budget &- s.left
    }
    while s.left > 0 {
      // The fetch: the code page, the return sentinel, the decode, the landing pad.
      pc = s.pc
      if pc & 0xFFFF_FFFF_FFFF_F003 != codeBase {
        do { try fillCode() } catch { return error }
      }
      let idx = Int(truncatingIfNeeded: (pc & 0xfff) >> 2)
      if codeOps[idx].kind == .undecoded { _ = decodeSlot(idx) }
      if btype != 0, let fault = landingPadFault(codeOps[idx], idx) { return .fault(fault) }
      s.p = codeOps + idx
      switch runInner(&s) {
      case .budget: return nil
      case .fetch: continue
      case .slow:
        let op = s.p.pointee
        // An undecoded slot is decoded by the fetch.
        if op.kind == .undecoded { continue }
        pc = s.pc
        nzcv = s.nzcv
        do { try executeCold(op) } catch {
          s.nzcv = nzcv
          return .fault(error)
        }
        s.pc = pc
        s.nzcv = nzcv
        s.left &-= 1
      }
    }
    return nil
  }

  /// Runs ops from `s.p` while they are ones it runs inline (see the file comment); calls
  /// nothing, so that the op pointer, NZCV and the budget stay in registers.
  @inline(never)
  mutating func runInner(_ s: inout InnerState) -> InnerExit {
    let r = self.r
    let ops = codeOps
    let base = codeBase
    let strict = self.strict
    let spChecked = spAlignmentCheck
    let loadPage = self.loadPage
    let loadBytes = self.loadBytes
    let storePage = self.storePage
    let storeBytes = self.storeBytes
    var p = s.p
    var left = s.left
    // NZCV as a one-hot bit, `1 << nzcv`: a condition holds when its mask (Op.imm2) has that
    // bit, one AND.
    var nzcvBit: UInt16 = 1 &<< UInt16(s.nzcv)
    // Why and where the loop stopped: at `p` (its PC), or at a branch's target.
    var exit = InnerExit.budget
    var branchTarget: UInt64?
    /// The PC of the op at `p`.
    @inline(__always) func pcOf(_ p: UnsafeMutablePointer<Op>) -> UInt64 {
      base &+ UInt64(truncatingIfNeeded: p - ops) &<< 2
    }
    /// True if [addr, addr + size) lies in the TLB's page `page`.
    @inline(__always) func inPage(_ page: UInt64, _ addr: UInt64, _ size: Int) -> Bool {
      addr >> 12 == page && Int(truncatingIfNeeded: addr & 0xfff) &+ size <= 4096
    }
    /// True if [addr, addr + size) lies in the TLB's page `page` and meets SCTLR.A.
    @inline(__always) func hits(_ page: UInt64, _ addr: UInt64, _ size: Int) -> Bool {
      inPage(page, addr, size) && !(strict && addr & UInt64(size &- 1) != 0)
    }
    /// The base register of a specialised load or store, nil when an SP base fails the SP
    /// alignment check.
    @inline(__always) func baseValue(_ op: UnsafeMutablePointer<Op>) -> UInt64? {
      let v = r[Int(op.b)]
      if op.f & Op.baseSP != 0 && v & 15 != 0 && spChecked { return nil }
      return v
    }
    /// The base and the page offset of a base + immediate access of `size` bytes, nil when it
    /// misses the TLB's page `page` or would fault.
    @inline(__always) func immediateAddress(
      _ op: UnsafeMutablePointer<Op>, _ size: Int, _ page: UInt64
    ) -> (UInt64, Int)? {
      guard let b = baseValue(op) else { return nil }
      let addr = b &+ op.imm2
      guard hits(page, addr, size) else { return nil }
      return (b, Int(truncatingIfNeeded: addr & 0xfff))
    }
    /// The address of a register-offset access, nil when an SP base fails its check.
    @inline(__always) func registerAddress(_ op: UnsafeMutablePointer<Op>) -> UInt64? {
      guard let b = baseValue(op) else { return nil }
      let shifted = r[Int(op.c)] &<< op.imm2
      let index =
        op.f & Op.flag5 != 0
        ? UInt64(bitPattern: Int64(bitPattern: shifted) &>> Int64(op.imm2))
        : shifted &>> op.imm2
      return b &+ (index &<< op.imm)
    }
    /// The base and the page offset of a pair of `size`-byte elements, nil when the pair
    /// misses the TLB's page `page` or would fault (SCTLR.A asks for the element's alignment).
    @inline(__always) func pairAddress(
      _ op: UnsafeMutablePointer<Op>, _ size: Int, _ page: UInt64
    ) -> (UInt64, Int)? {
      guard let b = baseValue(op) else { return nil }
      let addr = b &+ op.imm2
      guard inPage(page, addr, 2 &* size) && !(strict && addr & UInt64(size &- 1) != 0) else {
        return nil
      }
      return (b, Int(truncatingIfNeeded: addr & 0xfff))
    }
    /// ASR of a 64-bit value.
    @inline(__always) func asr(_ v: UInt64, _ amount: UInt8) -> UInt64 {
      UInt64(bitPattern: Int64(bitPattern: v) &>> Int64(amount))
    }
    /// A flag-setting result with its NZCV as the one-hot bit.
    @inline(__always) func oneHot(_ result: (UInt64, UInt8)) -> (UInt64, UInt16) {
      (result.0, 1 &<< UInt16(result.1))
    }
    // (The local functions capture only constants: a captured variable would be checked for
    // exclusive access at run time.)

    loop: while left > 0 {
      // The op's fields are read from the slot where each case needs them, not copied up
      // front (see the `UnsafeMutablePointer<Op>` accessors below).
      let op = p
      switch op.kind {
      case .undecoded, .decodeFault, .branchAuth, .hint, .barrier, .clrex, .msrImm,
        .sys, .mrs, .msr, .brk, .pacData, .exclusive, .acqRel, .atomic, .cas, .casp,
        .addImm, .addShift, .logImm, .logShift, .addExt, .adc, .ccmp, .ldst, .ldstPair:
        // Not inlined, or a class op the specialisation kept general: through `execute`.
        exit = .slow
        break loop
      case .pageEnd:
        exit = .fetch
        break loop

      // Branches: a taken one moves `p` within the page or returns for the fetch.
      case .b, .bl, .bcond, .cbz, .cbnz, .tbz, .tbnz:
        let taken: Bool
        switch op.kind {
        case .b: taken = true
        case .bl:
          r[30] = pcOf(p) &+ 4
          taken = true
        case .bcond: taken = UInt16(truncatingIfNeeded: op.imm2) & nzcvBit != 0
        case .cbz, .cbnz:
          let v = op.f & Op.sf != 0 ? r[Int(op.a)] : r[Int(op.a)] & 0xFFFF_FFFF
          taken = (v == 0) == (op.kind == .cbz)
        default:
          taken = ((r[Int(op.a)] >> UInt64(op.h)) & 1 == 0) == (op.kind == .tbz)
        }
        left &-= 1
        guard taken else {
          p += 1
          continue
        }
        // The target's slot when it is on this page (found without the PC; as addresses,
        // since a pointer may not leave its allocation).
        let stride = MemoryLayout<Op>.stride
        let t = Int(bitPattern: p) &+ (Int(truncatingIfNeeded: op.imm) >> 2) &* stride
        let first = Int(bitPattern: ops)
        guard t >= first && t < first &+ 1024 &* stride,
          let target = UnsafeMutablePointer<Op>(bitPattern: t)
        else {
          branchTarget = pcOf(p) &+ op.imm
          exit = .fetch
          break loop
        }
        p = target
        continue
      case .ret, .br, .blr:
        // The fetch checks the landing pad against the BTYPE left here.
        let target = r[Int(op.b)]
        if op.kind == .br { btype = brType(op.d) }
        if op.kind == .blr {
          r[30] = pcOf(p) &+ 4
          btype = 2
        }
        branchTarget = target
        left &-= 1
        exit = .fetch
        break loop

      // Data processing, immediate
      case .nop: break
      case .adr: r[Int(op.a)] = (op.f & Op.flag3 != 0 ? pcOf(p) & ~0xfff : pcOf(p)) &+ op.imm
      case .movz: r[Int(op.a)] = op.imm
      case .movn:
        r[Int(op.a)] = op.f & Op.sf != 0 ? ~op.imm : UInt64(~UInt32(truncatingIfNeeded: op.imm))
      case .movk: r[Int(op.a)] = (r[Int(op.a)] & op.imm2) | op.imm
      case .addImmX: r[Int(op.a)] = r[Int(op.b)] &+ op.imm2
      case .addImmW: r[Int(op.a)] = (r[Int(op.b)] &+ op.imm2) & 0xFFFF_FFFF
      case .addsImmX:
        (r[Int(op.a)], nzcvBit) = oneHot(
          Executor.addWithCarry64(r[Int(op.b)], op.imm2, UInt64(op.h)))
      case .addsImmW:
        (r[Int(op.a)], nzcvBit) = oneHot(
          Executor.addWithCarry32(
            UInt32(truncatingIfNeeded: r[Int(op.b)]), UInt32(truncatingIfNeeded: op.imm2),
            UInt32(op.h)))
      case .andImm: r[Int(op.a)] = r[Int(op.b)] & op.imm
      case .orrImmX: r[Int(op.a)] = r[Int(op.b)] | op.imm
      case .eorImmX: r[Int(op.a)] = r[Int(op.b)] ^ op.imm
      case .bitfield: execBitfield(op.pointee)
      case .extr: execExtr(op.pointee)

      // Data processing, register
      case .addLslX:
        r[Int(op.a)] = r[Int(op.b)] &+ ((r[Int(op.c)] &<< UInt64(op.h)) ^ op.imm2) &+ op.imm
      case .addLsrX:
        r[Int(op.a)] = r[Int(op.b)] &+ ((r[Int(op.c)] &>> UInt64(op.h)) ^ op.imm2) &+ op.imm
      case .addAsrX: r[Int(op.a)] = r[Int(op.b)] &+ (asr(r[Int(op.c)], op.h) ^ op.imm2) &+ op.imm
      case .addShiftW:
        let m = shifted(r[Int(op.c)], op.d, op.h, sf: false)
        r[Int(op.a)] = (r[Int(op.b)] &+ (m ^ op.imm2) &+ op.imm) & 0xFFFF_FFFF
      case .addsShiftX:
        let m = shifted(r[Int(op.c)], op.d, op.h, sf: true)
        (r[Int(op.a)], nzcvBit) = oneHot(Executor.addWithCarry64(r[Int(op.b)], m ^ op.imm2, op.imm))
      case .addsShiftW:
        let m = shifted(r[Int(op.c)], op.d, op.h, sf: false)
        (r[Int(op.a)], nzcvBit) = oneHot(
          Executor.addWithCarry32(
            UInt32(truncatingIfNeeded: r[Int(op.b)]), UInt32(truncatingIfNeeded: m ^ op.imm2),
            UInt32(truncatingIfNeeded: op.imm)))
      case .addsLslX:
        let m = r[Int(op.c)] &<< UInt64(op.h)
        (r[Int(op.a)], nzcvBit) = oneHot(
          Executor.addWithCarry64(r[Int(op.b)], m ^ op.imm2, op.imm))
      case .andLslX: r[Int(op.a)] = r[Int(op.b)] & ((r[Int(op.c)] &<< UInt64(op.h)) ^ op.imm2)
      case .andLsrX: r[Int(op.a)] = r[Int(op.b)] & ((r[Int(op.c)] &>> UInt64(op.h)) ^ op.imm2)
      case .andAsrX: r[Int(op.a)] = r[Int(op.b)] & (asr(r[Int(op.c)], op.h) ^ op.imm2)
      case .orrLslX: r[Int(op.a)] = r[Int(op.b)] | ((r[Int(op.c)] &<< UInt64(op.h)) ^ op.imm2)
      case .orrLsrX: r[Int(op.a)] = r[Int(op.b)] | ((r[Int(op.c)] &>> UInt64(op.h)) ^ op.imm2)
      case .orrAsrX: r[Int(op.a)] = r[Int(op.b)] | (asr(r[Int(op.c)], op.h) ^ op.imm2)
      case .eorLslX: r[Int(op.a)] = r[Int(op.b)] ^ ((r[Int(op.c)] &<< UInt64(op.h)) ^ op.imm2)
      case .eorLsrX: r[Int(op.a)] = r[Int(op.b)] ^ ((r[Int(op.c)] &>> UInt64(op.h)) ^ op.imm2)
      case .eorAsrX: r[Int(op.a)] = r[Int(op.b)] ^ (asr(r[Int(op.c)], op.h) ^ op.imm2)
      case .andShiftX:
        r[Int(op.a)] = r[Int(op.b)] & (shifted(r[Int(op.c)], op.d, op.h, sf: true) ^ op.imm2)
      case .orrShiftX:
        r[Int(op.a)] = r[Int(op.b)] | (shifted(r[Int(op.c)], op.d, op.h, sf: true) ^ op.imm2)
      case .eorShiftX:
        r[Int(op.a)] = r[Int(op.b)] ^ (shifted(r[Int(op.c)], op.d, op.h, sf: true) ^ op.imm2)
      case .addUxtX:
        let e = (r[Int(op.c)] &<< UInt64(op.d)) &>> UInt64(op.d)
        r[Int(op.a)] = r[Int(op.b)] &+ ((e &<< UInt64(op.h)) ^ op.imm2) &+ op.imm
      case .addSxtX:
        let e = UInt64(
          bitPattern: Int64(bitPattern: r[Int(op.c)] &<< UInt64(op.d)) &>> Int64(op.d))
        r[Int(op.a)] = r[Int(op.b)] &+ ((e &<< UInt64(op.h)) ^ op.imm2) &+ op.imm
      case .csel:
        var res: UInt64
        if UInt16(truncatingIfNeeded: op.imm2) & nzcvBit != 0 {
          res = r[Int(op.b)]
        } else {
          let m = r[Int(op.c)]
          switch op.d {
          case 0: res = m
          case 1: res = m &+ 1
          case 2: res = ~m
          default: res = 0 &- m
          }
        }
        r[Int(op.a)] = op.f & Op.sf != 0 ? res : res & 0xFFFF_FFFF
      case .mul: execMul(op.pointee)
      case .dp2: execDp2(op.pointee)
      case .dp1: execDp1(op.pointee)

      // Loads and stores that hit the TLBs. Anything else (a miss, a fault to come, a text
      // write) is left to `execute`, before anything changed.
      case .ldrX:
        guard let (b, off) = immediateAddress(op, 8, loadPage) else {
          exit = .slow
          break loop
        }
        r[Int(op.a)] = UInt64(
          littleEndian: loadBytes.loadUnaligned(fromByteOffset: off, as: UInt64.self))
        r[Int(op.c)] = b &+ op.imm
      case .ldrW:
        guard let (b, off) = immediateAddress(op, 4, loadPage) else {
          exit = .slow
          break loop
        }
        r[Int(op.a)] = UInt64(
          UInt32(littleEndian: loadBytes.loadUnaligned(fromByteOffset: off, as: UInt32.self)))
        r[Int(op.c)] = b &+ op.imm
      case .strX:
        guard let (b, off) = immediateAddress(op, 8, storePage) else {
          exit = .slow
          break loop
        }
        storeBytes.storeBytes(of: r[Int(op.a)].littleEndian, toByteOffset: off, as: UInt64.self)
        r[Int(op.c)] = b &+ op.imm
      case .strW:
        guard let (b, off) = immediateAddress(op, 4, storePage) else {
          exit = .slow
          break loop
        }
        storeBytes.storeBytes(
          of: UInt32(truncatingIfNeeded: r[Int(op.a)]).littleEndian, toByteOffset: off,
          as: UInt32.self)
        r[Int(op.c)] = b &+ op.imm
      case .ldrImm:
        let size = 1 &<< Int(op.d)
        guard let (b, off) = immediateAddress(op, size, loadPage) else {
          exit = .slow
          break loop
        }
        let v = Executor.loadBytes(loadBytes, off, size)
        r[Int(op.a)] =
          op.f & Op.flag4 != 0 ? signExtend(v, size: size, toX: op.f & Op.sf != 0) : v
        r[Int(op.c)] = b &+ op.imm
      case .strImm:
        let size = 1 &<< Int(op.d)
        guard let (b, off) = immediateAddress(op, size, storePage) else {
          exit = .slow
          break loop
        }
        Executor.storeBytes(storeBytes, off, size, r[Int(op.a)])
        r[Int(op.c)] = b &+ op.imm
      case .ldrRegX:
        guard let addr = registerAddress(op), hits(loadPage, addr, 8) else {
          exit = .slow
          break loop
        }
        r[Int(op.a)] = UInt64(
          littleEndian: loadBytes.loadUnaligned(
            fromByteOffset: Int(truncatingIfNeeded: addr & 0xfff), as: UInt64.self))
      case .strRegX:
        guard let addr = registerAddress(op), hits(storePage, addr, 8) else {
          exit = .slow
          break loop
        }
        storeBytes.storeBytes(
          of: r[Int(op.a)].littleEndian, toByteOffset: Int(truncatingIfNeeded: addr & 0xfff),
          as: UInt64.self)
      case .ldrReg:
        let size = 1 &<< Int(op.d)
        guard let addr = registerAddress(op), hits(loadPage, addr, size) else {
          exit = .slow
          break loop
        }
        let v = Executor.loadBytes(loadBytes, Int(truncatingIfNeeded: addr & 0xfff), size)
        r[Int(op.a)] =
          op.f & Op.flag4 != 0 ? signExtend(v, size: size, toX: op.f & Op.sf != 0) : v
      case .strReg:
        let size = 1 &<< Int(op.d)
        guard let addr = registerAddress(op), hits(storePage, addr, size) else {
          exit = .slow
          break loop
        }
        Executor.storeBytes(
          storeBytes, Int(truncatingIfNeeded: addr & 0xfff), size, r[Int(op.a)])
      case .ldrLit:
        // LDR (literal), LDRSW (literal): `g` 0 W, 1 X, 2 SW.
        let addr = pcOf(p) &+ op.imm
        let size = op.g == 1 ? 8 : 4
        guard hits(loadPage, addr, size) else {
          exit = .slow
          break loop
        }
        let v = Executor.loadBytes(loadBytes, Int(truncatingIfNeeded: addr & 0xfff), size)
        r[Int(op.a)] = op.g == 2 ? UInt64(bitPattern: Int64(Int32(truncatingIfNeeded: v))) : v
      case .ldpX:
        guard let (b, off) = pairAddress(op, 8, loadPage) else {
          exit = .slow
          break loop
        }
        r[Int(op.a)] = UInt64(
          littleEndian: loadBytes.loadUnaligned(fromByteOffset: off, as: UInt64.self))
        r[Int(op.d)] = UInt64(
          littleEndian: loadBytes.loadUnaligned(fromByteOffset: off &+ 8, as: UInt64.self))
        r[Int(op.c)] = b &+ op.imm
      case .stpX:
        guard let (b, off) = pairAddress(op, 8, storePage) else {
          exit = .slow
          break loop
        }
        let v1 = r[Int(op.a)]
        let v2 = r[Int(op.d)]
        storeBytes.storeBytes(of: v1.littleEndian, toByteOffset: off, as: UInt64.self)
        storeBytes.storeBytes(of: v2.littleEndian, toByteOffset: off &+ 8, as: UInt64.self)
        r[Int(op.c)] = b &+ op.imm
      case .ldp:
        // W pairs and LDPSW.
        guard let (b, off) = pairAddress(op, 4, loadPage) else {
          exit = .slow
          break loop
        }
        var v1 = Executor.loadBytes(loadBytes, off, 4)
        var v2 = Executor.loadBytes(loadBytes, off &+ 4, 4)
        if op.f & Op.flag4 != 0 {
          v1 = signExtend(v1, size: 4, toX: true)
          v2 = signExtend(v2, size: 4, toX: true)
        }
        r[Int(op.a)] = v1
        r[Int(op.d)] = v2
        r[Int(op.c)] = b &+ op.imm
      case .stp:
        guard let (b, off) = pairAddress(op, 4, storePage) else {
          exit = .slow
          break loop
        }
        let v1 = r[Int(op.a)]
        let v2 = r[Int(op.d)]
        Executor.storeBytes(storeBytes, off, 4, v1)
        Executor.storeBytes(storeBytes, off &+ 4, 4, v2)
        r[Int(op.c)] = b &+ op.imm
      }
      p += 1
      left &-= 1
    }
    s.p = p
    s.pc = branchTarget ?? pcOf(p)
    s.left = left
    s.nzcv = UInt8(truncatingIfNeeded: nzcvBit.trailingZeroBitCount)
    return exit
  }

  /// Runs an op the unobserved loop does not inline (out of line, to keep that loop small).
  @inline(never)
  mutating func executeCold(_ op: Op) throws(Fault) {
    var none = NoObserver()
    try execute(op, &none)
  }

  /// Checks the landing pad at a branch target and clears BTYPE: the fault when a guarded
  /// page refuses `op` (out of line: BTYPE is set only by indirect branches).
  @inline(never)
  mutating func landingPadFault(_ op: Op, _ idx: Int) -> Fault? {
    let bt = btype
    btype = 0
    guard codeGuarded && !landingPadAccepts(op, bt) else { return nil }
    return Fault(
      .branchTarget(btype: bt, word: codeBytes.load(fromByteOffset: idx << 2, as: UInt32.self)),
      pc: pc)
  }
}
