/// The `AArch64` module of Patchsite (see DESIGN.md §2).
public enum AArch64Module {
  public static let name = "AArch64"
}
