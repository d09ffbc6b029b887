import KernelSource
import PatchSeries

/// A post-image (or a folder, or a git tree) as KernelSource reads it.
public struct KernelTreeOf: KernelTree {
  public let tree: any SourceTree

  public init(_ tree: any SourceTree) { self.tree = tree }

  public func contents(of path: String) -> String? { tree.contents(of: path) }
  public func unknownLines(in path: String) -> [ClosedRange<Int>] { tree.unknownLines(in: path) }
  public func version(of path: String) -> String? { tree.blobID(of: path)?.description }
}
