// swift-tools-version: 6.0
import PackageDescription

let package = Package(
  name: "Patchsite",
  platforms: [.macOS(.v14)],
  products: [
    .executable(name: "patchsite", targets: ["patchsite"]),
    // For the libFuzzer package in Fuzz/ (built only by `make fuzz`).
    .library(name: "FuzzTargets", targets: ["FuzzTargets"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
  ],
  targets: [
    // Source locations, stable message IDs, severities: the vocabulary every module reports in.
    .target(name: "Diagnostics"),
    // libgit2 from Debian's libgit2-dev: the system library's headers (not linked), and
    // CLibGit2Loader, which loads it on first use so that commands without git never do.
    .systemLibrary(name: "CLibGit2", providers: [.apt(["libgit2-dev"])]),
    .target(
      name: "CLibGit2Loader",
      // DWARF 4 like the Swift code (valgrind 3.19 cannot read the DWARF 5 clang writes).
      cSettings: [.unsafeFlags(["-gdwarf-4"])], linkerSettings: [.linkedLibrary("dl")]),
    .target(name: "Git", dependencies: ["CLibGit2", "CLibGit2Loader", "Diagnostics"]),
    .target(name: "Mail", dependencies: ["Diagnostics"]),
    .target(name: "Diff", dependencies: ["Diagnostics"]),
    .target(name: "PatchSeries", dependencies: ["Mail", "Diff", "Git", "Diagnostics"]),
    .target(name: "AArch64", dependencies: ["Diagnostics"]),
    .target(name: "AArch64Emulator", dependencies: ["AArch64"]),
    .target(name: "KernelSource", dependencies: ["AArch64", "Diff", "Diagnostics"]),
    .target(
      name: "Analysis", dependencies: ["AArch64", "AArch64Emulator", "KernelSource", "Diagnostics"]),
    // The one path every command takes: inputs, series, post-images, layouts.
    .target(
      name: "Pipeline",
      dependencies: [
        "PatchSeries", "Git", "Mail", "Diff", "KernelSource", "Analysis", "Diagnostics",
      ]),
    // Renderers: one JSON writer, one diagnostic shape, the text and JSON reports; the
    // mustache templates of Templates/ (reports, replies) and the reply composer.
    .target(
      name: "Reporting",
      dependencies: [
        "Pipeline", "Analysis", "AArch64Emulator", "PatchSeries", "Mail", "Diff", "Diagnostics",
        .product(name: "Mustache", package: "swift-mustache"),
      ]),
    .target(
      name: "PatchsiteCLI",
      dependencies: [
        "Diagnostics", "Git", "Mail", "Diff", "PatchSeries", "AArch64", "AArch64Emulator",
        "KernelSource", "Analysis", "Pipeline", "Reporting",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ]
    ),
    .executableTarget(name: "patchsite", dependencies: ["PatchsiteCLI"]),
    .target(name: "TestSupport", dependencies: ["Diagnostics"]),
    // The readers as the libFuzzer targets of Fuzz/ drive them, with the properties they check.
    .target(
      name: "FuzzTargets",
      dependencies: ["Mail", "Diff", "AArch64", "KernelSource", "PatchSeries", "Pipeline"]),

    .testTarget(name: "DiagnosticsTests", dependencies: ["Diagnostics", "TestSupport"]),
    .testTarget(name: "GitTests", dependencies: ["Git", "TestSupport"]),
    .testTarget(name: "MailTests", dependencies: ["Mail", "TestSupport"], exclude: ["Fixtures"]),
    .testTarget(name: "DiffTests", dependencies: ["Diff", "TestSupport"], exclude: ["Fixtures"]),
    .testTarget(
      name: "PatchSeriesTests",
      dependencies: ["PatchSeries", "Git", "Mail", "Diff", "TestSupport"],
      exclude: ["Fixtures"]),
    .testTarget(
      name: "AArch64Tests", dependencies: ["AArch64", "TestSupport"],
      exclude: ["Vectors", "AsmFixtures"]),
    .testTarget(
      name: "AArch64EmulatorTests", dependencies: ["AArch64Emulator", "AArch64", "TestSupport"]),
    .testTarget(
      name: "KernelSourceTests", dependencies: ["KernelSource", "TestSupport"],
      exclude: ["Fixtures"]),
    .testTarget(
      name: "AnalysisTests", dependencies: ["Analysis", "KernelSource", "AArch64", "TestSupport"],
      exclude: ["Snapshots"]),
    .testTarget(
      name: "PipelineTests",
      dependencies: [
        "Pipeline", "Analysis", "KernelSource", "PatchSeries", "Git", "Diagnostics", "TestSupport",
        "AArch64", "AArch64Emulator", "Mail",
      ]),
    .testTarget(
      name: "ReportingTests",
      dependencies: [
        "Reporting", "Pipeline", "Analysis", "AArch64Emulator", "AArch64", "Diagnostics",
        "PatchSeries", "Mail", "TestSupport",
      ]),
    .testTarget(
      name: "PatchsiteCLITests",
      dependencies: ["PatchsiteCLI", "Reporting", "Mail", "Diagnostics", "TestSupport"],
      exclude: ["Snapshots", "Fixtures", "BadInput"]),
    .testTarget(
      name: "FuzzTargetsTests", dependencies: ["FuzzTargets", "TestSupport"],
      exclude: ["FuzzRegressions"]),
  ],
  swiftLanguageModes: [.v6]
)
