/// The `KernelSource` module of Patchsite (see DESIGN.md §2).
public enum KernelSourceModule {
  public static let name = "KernelSource"
}
