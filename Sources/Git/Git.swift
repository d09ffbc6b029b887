/// The `Git` module of Patchsite (see DESIGN.md §2).
public enum GitModule {
  public static let name = "Git"
}
