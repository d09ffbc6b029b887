/// The `Diff` module of Patchsite (see DESIGN.md §2).
public enum DiffModule {
  public static let name = "Diff"
}
