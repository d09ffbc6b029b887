import Analysis
import Diagnostics
import KernelSource
import PatchSeries

/// One review unit: a layout (one version under one configuration, or a sketched listing)
/// with the findings of every check.
public struct ReviewUnit: Sendable {
  /// `u1`, `u2`… in report order.
  public var id: String
  public var review: LayoutReview
  /// The message the unit's layout comes from, and where its findings point in the series.
  public var messageID: String?
  public var findings: [LocatedFinding]

  public var layout: Layout { review.layout }
  public var version: Int? { review.layout.version }
}

/// A finding with the patch it is about: the last patch of the version that touches the file
/// the finding points at.
public struct LocatedFinding: Sendable, Hashable {
  public var finding: Finding
  public var unit: String
  public var version: Int?
  /// `v2 3/3` and its Message-ID, when the finding's file is one a patch changes.
  public var patch: String?
  public var messageID: String?
  /// Whether the base tree, reviewed under the same choices, has the same finding: the series
  /// carries it rather than brings it.
  public var inBase = false
}

/// What changed between two versions under the same configuration.
public struct FindingComparison: Sendable {
  public var from: Int
  public var to: Int
  public var configuration: String
  public var introduced: [Finding]
  public var fixed: [Finding]
  public var unchanged: [Finding]
}

/// The whole review of an input.
public struct ReviewReport: Sendable {
  public var series: SeriesSet?
  public var units: [ReviewUnit]
  public var comparisons: [FindingComparison]
  public var diagnostics: [Diagnostic]

  public var findings: [LocatedFinding] { units.flatMap(\.findings) }

  public func count(_ severity: Severity) -> Int {
    findings.filter { $0.finding.severity == severity }.count
  }

  public var scenarios: Int { units.reduce(0) { $0 + $1.review.scenarios } }
  public var instructions: Int { units.reduce(0) { $0 + $1.review.instructions } }
}

public enum ReviewPipeline {
  /// Reviews every layout the series gives: its post-images (or hunks) under each
  /// configuration, and the listings its messages sketch.
  public static func review(set: SeriesSet, overrides: [String: ConfigValue] = [:])
    -> ReviewReport
  {
    let layouts = LayoutPipeline.layouts(set: set, overrides: overrides)
    var units = layouts.enumerated().map { k, layout in
      unit(
        id: "u\(k + 1)", layout,
        version: set.versions.first { $0.version == layout.version })
    }
    markCarried(&units, base: baseTree(of: set), overrides: overrides)
    return ReviewReport(
      series: set, units: units, comparisons: compare(units),
      diagnostics: set.diagnostics + layouts.flatMap(\.diagnostics)
        + units.flatMap(\.review.diagnostics))
  }

  /// A tree alone (no series): its layouts, reviewed.
  public static func review(
    tree: any KernelTree, source: String, overrides: [String: ConfigValue] = [:]
  ) -> ReviewReport {
    let layouts = LayoutPipeline.layouts(tree: tree, overrides: overrides, source: source)
    let units = layouts.enumerated().map { k, l in unit(id: "u\(k + 1)", l, version: nil) }
    return ReviewReport(
      series: nil, units: units, comparisons: [],
      diagnostics: layouts.flatMap(\.diagnostics) + units.flatMap(\.review.diagnostics))
  }

  /// The tree the series applies to, when it was given (a post-image over a base).
  static func baseTree(of set: SeriesSet) -> (any SourceTree)? {
    for v in set.versions {
      for p in v.patches {
        if let o = p.postImage as? OverlayTree { return o.base }
      }
    }
    return nil
  }

  /// Marks the findings the base tree has too, under the same choices (options and BTI): what
  /// a reviewer would not hold against the series. The base is reviewed once.
  static func markCarried(
    _ units: inout [ReviewUnit], base: (any SourceTree)?, overrides: [String: ConfigValue]
  ) {
    guard let base else { return }
    let layouts = LayoutPipeline.layouts(
      tree: KernelTreeOf(base), overrides: overrides, source: "base")
    let reviews = layouts.map { LayoutReview.review($0) }
    for k in units.indices where units[k].layout.configuration.name != "prose" {
      let config = units[k].layout.configuration
      guard let r = reviews.first(where: { $0.layout.configuration.sameChoices(as: config) })
      else { continue }
      let prints = Set(r.findings.map(\.fingerprint))
      for j in units[k].findings.indices
      where prints.contains(units[k].findings[j].finding.fingerprint) {
        units[k].findings[j].inBase = true
      }
    }
  }

  /// One layout reviewed, its findings located in the version's patches (the last patch of
  /// the version that changes the finding's file).
  static func unit(id: String, _ layout: Layout, version: SeriesVersion?) -> ReviewUnit {
    let review = LayoutReview.review(layout)
    let located = review.findings.map { f -> LocatedFinding in
      var patch: String?
      var messageID: String?
      if let v = version, let file = f.location?.file,
        let p = v.patches.last(where: { p in p.files.contains { $0.path == file } })
      {
        patch = "v\(v.version) \(p.index)/\(p.total)"
        messageID = p.message.messageID
      }
      return LocatedFinding(
        finding: f, unit: id, version: layout.version, patch: patch, messageID: messageID)
    }
    return ReviewUnit(
      id: id, review: review, messageID: messageID(of: layout, in: version), findings: located)
  }

  static func messageID(of layout: Layout, in version: SeriesVersion?) -> String? {
    guard let v = version else { return nil }
    if layout.configuration.name == "prose" {
      let file = layout.source
      for p in v.patches where p.message.location.file == file { return p.message.messageID }
    }
    return v.patches.last?.message.messageID ?? v.cover?.messageID
  }

  /// Findings introduced, fixed and unchanged between consecutive versions under the same
  /// configuration, matched by fingerprint (the check, the state, the message without
  /// addresses).
  static func compare(_ units: [ReviewUnit]) -> [FindingComparison] {
    var out: [FindingComparison] = []
    let rebuilt = units.filter { $0.layout.configuration.name != "prose" && $0.version != nil }
    let versions = Array(Set(rebuilt.compactMap(\.version))).sorted()
    for (a, b) in zip(versions, versions.dropFirst()) {
      for new in rebuilt where new.version == b {
        guard
          let old = rebuilt.first(where: {
            $0.version == a && $0.layout.configuration.sameChoices(as: new.layout.configuration)
          })
        else { continue }
        let before = Dictionary(
          old.review.findings.map { ($0.fingerprint, $0) }, uniquingKeysWith: { x, _ in x })
        let after = Dictionary(
          new.review.findings.map { ($0.fingerprint, $0) }, uniquingKeysWith: { x, _ in x })
        out.append(
          FindingComparison(
            from: a, to: b, configuration: new.layout.configName,
            introduced: new.review.findings.filter { before[$0.fingerprint] == nil },
            fixed: old.review.findings.filter { after[$0.fingerprint] == nil },
            unchanged: new.review.findings.filter { before[$0.fingerprint] != nil }))
      }
    }
    return out
  }
}
