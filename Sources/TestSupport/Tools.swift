import Foundation

/// Runs external programs (the oracles: git, as, objdump, llvm-mc, qemu-aarch64, gcc) from tests.
public enum Tools {
  public struct Output: Sendable {
    public var status: Int32
    public var stdout: String
    public var stderr: String
  }

  /// The full path of `name` on PATH, or nil if it is not installed.
  public static func which(_ name: String) -> String? {
    let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
    for dir in path.split(separator: ":") {
      let candidate = "\(dir)/\(name)"
      if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
    }
    return nil
  }

  /// Runs `executable` with `arguments`, feeding `stdin`, and returns its output.
  public static func run(
    _ executable: String, _ arguments: [String], stdin: Data? = nil, cwd: String? = nil,
    environment: [String: String]? = nil
  ) throws -> Output {
    let p = Process()
    p.executableURL = URL(
      fileURLWithPath: executable.hasPrefix("/") ? executable : (which(executable) ?? executable))
    p.arguments = arguments
    if let cwd { p.currentDirectoryURL = URL(fileURLWithPath: cwd) }
    if let environment {
      p.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
    }
    let outPipe = Pipe()
    let errPipe = Pipe()
    let inPipe = Pipe()
    p.standardOutput = outPipe
    p.standardError = errPipe
    p.standardInput = inPipe
    try p.run()
    // Read both pipes concurrently so neither fills up and blocks the child.
    nonisolated(unsafe) var errData = Data()
    let group = DispatchGroup()
    group.enter()
    DispatchQueue.global().async {
      errData = errPipe.fileHandleForReading.readDataToEndOfFile()
      group.leave()
    }
    if let stdin { inPipe.fileHandleForWriting.write(stdin) }
    try? inPipe.fileHandleForWriting.close()
    let outData = outPipe.fileHandleForReading.readDataToEndOfFile()
    group.wait()
    p.waitUntilExit()
    return Output(
      status: p.terminationStatus,
      stdout: String(decoding: outData, as: UTF8.self),
      stderr: String(decoding: errData, as: UTF8.self))
  }

  /// A fresh temporary directory, removed by the caller with `removeTemporaryDirectory`.
  public static func makeTemporaryDirectory(_ prefix: String = "patchsite") throws -> String {
    let base = FileManager.default.temporaryDirectory.path
    let dir = "\(base)/\(prefix)-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    return dir
  }

  public static func removeTemporaryDirectory(_ dir: String) {
    try? FileManager.default.removeItem(atPath: dir)
  }

  /// The checkout's root, found by walking up from a test file to `Package.swift`.
  public static func packageRoot(from file: String = #filePath) -> String {
    var url = URL(fileURLWithPath: file).deletingLastPathComponent()
    while url.path != "/" {
      if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) {
        return url.path
      }
      url = url.deletingLastPathComponent()
    }
    return FileManager.default.currentDirectoryPath
  }
}
