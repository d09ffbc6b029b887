/// The `PatchSeries` module of Patchsite (see DESIGN.md §2).
public enum PatchSeriesModule {
  public static let name = "PatchSeries"
}
