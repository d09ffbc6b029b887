/// The `Analysis` module of Patchsite (see DESIGN.md §2).
public enum AnalysisModule {
  public static let name = "Analysis"
}
