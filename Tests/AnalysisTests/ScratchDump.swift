import Foundation
import KernelSource
import Testing

struct ScratchTree: KernelTree {
  var root: String
  func contents(of path: String) -> String? {
    FileManager.default.contents(atPath: root + "/" + path).map { String(decoding: $0, as: UTF8.self) }
  }
}

@Test func scratchDump() {
  guard ProcessInfo.processInfo.environment["SCRATCH"] == "1" else { return }
  let dirs = ["/tmp/lay/post/co", "/tmp/lay/post/dc2", "/tmp/lay/post/lc", "/tmp/lay/post/wa2", "/work/wt-layout/Series/base", "/work/shared/corpus/kernel/0c3beacf681e-recent"]
  for d in dirs {
    let tree = ScratchTree(root: d)
    let k = Kconfig.load(tree: tree, root: "arch/arm64/Kconfig")
    let opts = ["DYNAMIC_FTRACE_WITH_CALL_OPS", "DYNAMIC_FTRACE_WITH_DIRECT_CALLS", "DYNAMIC_FTRACE_WITH_ARGS", "DYNAMIC_FTRACE_WITH_REGS"]
    for rc in k.configurations(for: opts) {
      print("##### \(d) \(rc.name) valid=\(rc.isValid) \(rc.rejections.map(\.message))")
      let s = FtraceSources.read(tree: tree, config: rc.config)
      print("flags", s.flags?.patchableEntry as Any, s.flags?.functionAlignment as Any, s.flags?.branchProtection?.raw as Any)
      for n in FtraceFunctions.names {
        guard let t = s.transitions[n] else { continue }
        print("--", n, t.outputs.map { "\($0.variable) may become \($0.mayBecome)" })
        for p in t.paths { print("   path", p.conditions, p.outcome, p.returnedAddress.map { "\($0)" } ?? "", p.writes.map(\.description)) }
      }
      print("symbols", s.entry?.symbols.map { "\($0.name):\($0.kind)" } ?? [])
      for dd in s.diagnostics where dd.severity >= .warning { print("diag", dd) }
    }
  }
}
