import Analysis
import Diagnostics
import PatchSeries

/// The rule every command's exit status follows: something was found when a patch does not
/// apply to its base or an error-level diagnostic was raised (exit 1; bad input is exit 2).
public enum Outcome {
  public static func somethingFound(series: SeriesSet?, layouts: [Layout] = []) -> Bool {
    // By index: `contains` over the versions and patches would copy each one.
    var notApplied = false
    if let versions = series?.versions {
      notApplied = versions.indices.contains { v in
        versions[v].patches.indices.contains { versions[v].patches[$0].applies == false }
      }
    }
    let seriesError = series?.diagnostics.contains { $0.severity == .error } ?? false
    let layoutError = layouts.contains { $0.diagnostics.contains { $0.severity == .error } }
    return notApplied || seriesError || layoutError
  }
}
