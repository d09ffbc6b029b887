import Foundation

// Testing is on the search path only when tests are built; a plain `swift build` (the demo,
// the release binary) compiles this target without it, and without what needs it.
#if canImport(Testing)
  import Testing

  /// Whether the oracle tools a test compares against must be there.
  ///
  /// `make test` sets `PATCHSITE_REQUIRE_ORACLES=1`: a missing oracle then fails the test that
  /// needed it, naming the tool. A bare `swift test` on a machine without them still passes the
  /// oracle tests trivially, as a developer without cross tools expects.
  public enum Oracles {
    public static var required: Bool {
      ProcessInfo.processInfo.environment["PATCHSITE_REQUIRE_ORACLES"] == "1"
    }

    /// The tools of `names` that are not on PATH.
    public static func missing(_ names: [String]) -> [String] {
      names.filter { Tools.which($0) == nil }
    }

    /// The message a test fails with when `names` are required and missing.
    public static func failure(_ names: [String]) -> String {
      "oracle missing: \(names.joined(separator: ", ")) is not on PATH, and "
        + "PATCHSITE_REQUIRE_ORACLES=1 requires every oracle (make deps-test installs them)"
    }
  }

  extension Tools {
    /// The path of the oracle `name`, or nil when it is not installed; under
    /// `PATCHSITE_REQUIRE_ORACLES=1` a missing one also fails the running test, naming it.
    public static func oracle(
      _ name: String, sourceLocation: Testing.SourceLocation = #_sourceLocation
    ) -> String? {
      if let path = which(name) { return path }
      if Oracles.required {
        Issue.record(Comment(rawValue: Oracles.failure([name])), sourceLocation: sourceLocation)
      }
      return nil
    }
  }

  /// A trait for tests and suites that compare against oracle tools: they run when the tools are
  /// there; when one is missing they are passed over, unless `PATCHSITE_REQUIRE_ORACLES=1`, which
  /// fails them, naming the tool.
  public struct OracleTrait: TestTrait, SuiteTrait, TestScoping {
    public var tools: [String]
    public var isRecursive: Bool { true }

    public func provideScope(
      for test: Test, testCase: Test.Case?,
      performing function: @Sendable () async throws -> Void
    ) async throws {
      // A suite's scope is entered for the suite and again for each test: check once, per test.
      guard !test.isSuite else { return try await function() }
      let missing = Oracles.missing(tools)
      if missing.isEmpty { return try await function() }
      if Oracles.required {
        Issue.record(
          Comment(rawValue: Oracles.failure(missing)),
          sourceLocation: test.sourceLocation)
      }
    }
  }

  extension Trait where Self == OracleTrait {
    /// Needs the oracle tools `tools` (see ``OracleTrait``).
    public static func oracles(_ tools: String...) -> OracleTrait { OracleTrait(tools: tools) }
    /// Needs the oracle tools `tools`.
    public static func oracles(_ tools: [String]) -> OracleTrait { OracleTrait(tools: tools) }
  }
#endif
