/// Pointer authentication as the emulator models it (FEAT_PAuth, Arm ARM J1 `AddPAC`/`Auth`),
/// with a 48-bit VA, two address ranges (bit 55 selects) and top-byte-ignore off, so the PAC
/// lives in bits 63:56 and 54:48 and bit 55 is preserved.
///
/// `ComputePAC` is not QARMA: it is a keyed 64-bit mixing function of (pointer, modifier, key),
/// deterministic per machine. A failed authentication returns the pointer with the
/// architecture's error code in bits 62:61 (`01` for key A, `10` for key B), which is
/// non-canonical: the emulator reports a `pac` fault when such a pointer is fetched from.
/// With `Machine.Options.fpac` (FEAT_FPAC) the AUT instruction faults at once instead.
public enum PointerAuth {
  /// The splitmix64 finaliser.
  @inline(__always)
  static func mix(_ x: UInt64) -> UInt64 {
    var z = x
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }

  /// The keyed hash standing in for QARMA's ComputePAC.
  public static func computePAC(
    _ pointer: UInt64, modifier: UInt64, key: (hi: UInt64, lo: UInt64)
  ) -> UInt64 {
    mix(mix(pointer ^ key.lo) ^ modifier &* 0x2545_F491_4F6C_DD1D ^ key.hi)
  }

  static let pacMask: UInt64 = 0xFF7F_0000_0000_0000

  /// The pointer with its upper bits replaced by copies of bit 55 (what `XPAC` returns).
  @inline(__always)
  public static func strip(_ pointer: UInt64) -> UInt64 {
    pointer & (1 << 55) != 0 ? pointer | 0xFFFF_0000_0000_0000 : pointer & 0x0000_FFFF_FFFF_FFFF
  }

  /// True if bits 63:48 are all equal (a canonical 48-bit VA).
  @inline(__always)
  public static func isCanonical(_ pointer: UInt64) -> Bool {
    let top = pointer >> 48
    return top == 0 || top == 0xFFFF
  }

  /// `AddPAC`: signs `pointer` with `modifier` under `key`.
  public static func sign(
    _ pointer: UInt64, modifier: UInt64, key: (hi: UInt64, lo: UInt64)
  ) -> UInt64 {
    let ext = strip(pointer)
    var pac = computePAC(ext, modifier: modifier, key: key)
    if !isCanonical(pointer) { pac ^= 1 << 62 }
    return (pac & pacMask) | (pointer & (1 << 55)) | (pointer & 0x0000_FFFF_FFFF_FFFF)
  }

  /// `Auth`: the canonical pointer if the PAC matches, otherwise the pointer with the error
  /// code of `keyB` in bits 62:61 (and `ok` false).
  public static func authenticate(
    _ pointer: UInt64, modifier: UInt64, key: (hi: UInt64, lo: UInt64), keyB: Bool
  ) -> (pointer: UInt64, ok: Bool) {
    let original = strip(pointer)
    let pac = computePAC(original, modifier: modifier, key: key)
    if (pac ^ pointer) & pacMask == 0 { return (original, true) }
    let code: UInt64 = keyB ? 0b10 : 0b01
    return ((original & ~(UInt64(3) << 61)) | code << 61, false)
  }

  /// True if `pointer` looks like the result of a failed `Auth` (non-canonical only in bits
  /// 62:61, holding `01` or `10`).
  public static func isAuthFailure(_ pointer: UInt64) -> Bool {
    let code = (pointer >> 61) & 3
    guard code == 1 || code == 2 else { return false }
    let repaired = (pointer & ~(UInt64(3) << 61)) | (pointer >> 63 == 1 ? UInt64(3) << 61 : 0)
    return isCanonical(repaired)
  }
}
