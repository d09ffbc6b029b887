/// The `Mail` module of Patchsite (see DESIGN.md §2).
public enum MailModule {
  public static let name = "Mail"
}
