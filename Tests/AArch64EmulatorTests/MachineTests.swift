import AArch64
import Testing

@testable import AArch64Emulator
