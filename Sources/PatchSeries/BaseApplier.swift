import Diagnostics
import Diff

/// Applies each version's patches in turn to a base tree and keeps each patch's post-image.
///
/// A file that does not apply is reported (with the hunk, where it was expected and the first
/// line that differs) and left as it was; the patch's other files are still applied and the
/// series goes on, so later patches and the review still see as much as can be seen.
public enum BaseApplier {
  /// Applies every version of `set` to `base`, filling `applies`, `applyProblems` and
  /// `postImage` of each patch; problems also go to `set.diagnostics`.
  public static func apply(_ set: inout SeriesSet, base: any SourceTree) {
    for v in set.versions.indices { apply(&set, version: v, base: base) }
  }

  /// Applies version `v` of `set` to `base` (each version may have a base of its own).
  public static func apply(_ set: inout SeriesSet, version v: Int, base: any SourceTree) {
    do {
      var tree = OverlayTree(base: base)
      for p in set.versions[v].patches.indices {
        let problems = apply(set.versions[v].patches[p].diff, to: &tree)
        set.versions[v].patches[p].applies = problems.isEmpty
        set.versions[v].patches[p].applyProblems = problems
        set.versions[v].patches[p].postImage = tree
        set.diagnostics.append(contentsOf: problems)
      }
    }
  }

  /// Applies one patch's diff to `tree`; returns one diagnostic per file that did not apply.
  public static func apply(_ diff: UnifiedDiff?, to tree: inout OverlayTree) -> [Diagnostic] {
    guard let diff else { return [] }
    var problems: [Diagnostic] = []
    for file in diff.files {
      let source = tree.contents(of: file.isNew ? file.path : (file.oldPath ?? file.path))
      do throws(ApplyError) {
        let result = try file.apply(to: source)
        if file.isRename, let old = file.oldPath, old != file.path { tree.set(old, to: nil) }
        if let newPath = file.newPath {
          tree.set(newPath, to: result)
        } else {
          tree.set(file.path, to: nil)
        }
      } catch {
        problems.append(error.diagnostic)
      }
    }
    return problems
  }
}
