// swift-tools-version: 6.0
import PackageDescription

// The libFuzzer executable of Patchsite, a package of its own so that a plain `swift build` of
// the checkout never builds it. `make fuzz` builds it with `-sanitize=fuzzer,address` (which
// then instruments every module of the parent package too) and runs it once per target.
let package = Package(
  name: "PatchsiteFuzz",
  platforms: [.macOS(.v14)],
  dependencies: [.package(name: "Patchsite", path: "..")],
  targets: [
    .executableTarget(
      name: "patchsite-fuzz",
      dependencies: [.product(name: "FuzzTargets", package: "Patchsite")])
  ],
  swiftLanguageModes: [.v6]
)
