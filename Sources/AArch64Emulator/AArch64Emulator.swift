/// The `AArch64Emulator` module of Patchsite (see DESIGN.md §2).
public enum AArch64EmulatorModule {
  public static let name = "AArch64Emulator"
}
