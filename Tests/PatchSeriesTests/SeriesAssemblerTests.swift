import Diagnostics
import Foundation
import Mail
import PatchSeries
import TestSupport
import Testing

private let root = Tools.packageRoot()
private let withArgs = root + "/Series/with-args/series.mbox"
private let baseTree = root + "/Series/base"

private func assemble(_ path: String) throws -> SeriesSet {
  let mail = try MailInput.load(path: path)
  return SeriesAssembler.assemble(mail.messages, diagnostics: mail.diagnostics)
}

private func assemble(text: String) throws -> SeriesSet {
  let mail = try MailInput.parse(bytes: Array(text.utf8), name: "test.mbox")
  return SeriesAssembler.assemble(mail.messages, diagnostics: mail.diagnostics)
}

@Test func withArgsHasTwoLinkedCompleteVersions() throws {
  let set = try assemble(withArgs)
  #expect(set.versions.map(\.version) == [1, 2])
  #expect(set.versions.map(\.patches.count) == [2, 3])
  #expect(set.versions.allSatisfy { $0.missing.isEmpty })
  #expect(set.versions[0].previous == nil)
  #expect(set.versions[1].previous == 0)
  #expect(set.versions[1].title == "arm64: ftrace: move from WITH_REGS to WITH_ARGS")
  #expect(set.versions[1].cover?.messageID == "20240311154000.2000-0-ada@example.org")
  // The commit scripts/series-base-repo makes of Series/base.
  #expect(set.versions[1].baseCommit == "e45ebe133f9e9df68ab89f4294bbf2f589bb3eb9")
  #expect(set.unassigned.isEmpty)
  #expect(!set.diagnostics.contains { $0.severity >= .warning })
}

@Test func patchesAreOrderedAndClassified() throws {
  let v2 = try assemble(withArgs).versions[1]
  #expect(v2.patches.map(\.index) == [1, 2, 3])
  #expect(v2.patches.allSatisfy { $0.total == 3 })
  // The third patch was sent quoted-printable with a folded subject.
  #expect(
    v2.patches[2].message.subject.hasSuffix("describe the WITH_ARGS callsite in asm/ftrace.h"))
  #expect(v2.patches[2].files.map(\.path) == ["arch/arm64/include/asm/ftrace.h"])
  #expect(v2.patches[2].files.first?.kind == .arm64C)
  let p1 = v2.patches[0].files
  #expect(p1.map(\.path) == ["arch/arm64/Kconfig", "arch/arm64/Makefile"])
  #expect(p1.allSatisfy { $0.kind == .build && $0.hunks.allSatisfy { $0.kind == .build } })
  let p2 = Dictionary(uniqueKeysWithValues: v2.patches[1].files.map { ($0.path, $0) })
  #expect(p2["arch/arm64/kernel/entry-ftrace.S"]?.kind == .arm64Asm)
  #expect(p2["arch/arm64/kernel/ftrace.c"]?.kind == .arm64C)
  #expect(p2["arch/arm64/kernel/entry-ftrace.S"]?.added == 11)
  #expect(p2["arch/arm64/kernel/entry-ftrace.S"]?.removed == 34)
}

@Test func trailersIncludeThoseGivenInReplies() throws {
  let v2 = try assemble(withArgs).versions[1]
  let t1 = v2.patches[0].trailers
  #expect(t1.contains(TrailerEntry(name: "Signed-off-by", value: "Ada Reviewer <ada@example.org>")))
  #expect(
    t1.contains(
      TrailerEntry(
        name: "Tested-by", value: "Zoë Tracer <zoe@example.org>", givenIn: "Zfz-reply-1@example.org"
      )))
  #expect(t1.contains { $0.name == "Acked-by" && $0.value.hasPrefix("Zoë") })
  // "For the series: Reviewed-by" in a reply to the cover reaches every patch.
  for p in v2.patches {
    #expect(
      p.trailers.contains(
        TrailerEntry(
          name: "Reviewed-by", value: "Bo Maintainer <bo@example.org>",
          givenIn: "ZfzBo-reply-2@example.org")))
  }
  #expect(v2.patches[2].trailers.contains { $0.name == "Reported-by" && $0.givenIn == nil })
}

@Test func repliesAttachToWhatTheyAnswer() throws {
  let set = try assemble(withArgs)
  let v1 = set.versions[0]
  #expect(v1.patches[1].replies.map(\.messageID) == ["ZeXbo1234@example.org"])
  #expect(v1.patches[0].replies.isEmpty)
  let v2 = set.versions[1]
  #expect(v2.replies.map(\.messageID) == ["ZfzBo-reply-2@example.org"])
  #expect(v2.patches[0].replies.map(\.author) == ["Zoë Tracer <zoe@example.org>"])
}

@Test func everyPatchAppliesToTheExampleBase() throws {
  var set = try assemble(withArgs)
  BaseApplier.apply(&set, base: try DirectoryTree(root: baseTree))
  for v in set.versions {
    for p in v.patches {
      #expect(p.applies == true, "v\(v.version) \(p.index): \(p.applyProblems)")
    }
  }
  let last = try #require(set.versions[1].patches.last?.postImage)
  let header = try #require(last.contents(of: "arch/arm64/include/asm/ftrace.h"))
  #expect(header.contains("#ifdef CONFIG_DYNAMIC_FTRACE_WITH_ARGS\n#define ftrace_init_nop"))
  let asm = try #require(last.contents(of: "arch/arm64/kernel/entry-ftrace.S"))
  #expect(!asm.contains("ftrace_regs_caller"))
  // Each patch keeps its own post-image: patch 1 has not touched entry-ftrace.S yet.
  let first = try #require(set.versions[1].patches.first?.postImage)
  #expect(
    first.contents(of: "arch/arm64/kernel/entry-ftrace.S")?.contains("ftrace_regs_caller") == true)
}

@Test func aFileThatDoesNotApplyIsReportedAndTheRestGoesOn() throws {
  let dir = try Tools.makeTemporaryDirectory()
  defer { Tools.removeTemporaryDirectory(dir) }
  _ = try Tools.run("/bin/cp", ["-R", baseTree + "/.", dir])
  // Change a line that v1 2/2 removes from ftrace.c.
  let path = dir + "/arch/arm64/kernel/ftrace.c"
  let text = try String(contentsOfFile: path, encoding: .utf8)
  try text.replacingOccurrences(
    of: " * Switch f between ftrace_caller and ftrace_regs_caller: one BL replaced",
    with: " * Move f from one trampoline to the other: one BL replaced"
  ).write(toFile: path, atomically: true, encoding: .utf8)

  var set = try assemble(withArgs)
  BaseApplier.apply(&set, base: try DirectoryTree(root: dir))
  let p2 = set.versions[0].patches[1]
  #expect(p2.applies == false)
  #expect(p2.applyProblems.count == 1)
  let problem = try #require(p2.applyProblems.first)
  #expect(problem.id == "apply.hunk-failed")
  #expect(problem.location.file == withArgs)
  #expect(problem.message.contains("arch/arm64/kernel/ftrace.c"))
  #expect(problem.message.contains("Switch f between ftrace_caller and ftrace_regs_caller"))
  // The patch's other file still applied.
  let asm = try #require(p2.postImage?.contents(of: "arch/arm64/kernel/entry-ftrace.S"))
  #expect(!asm.contains("ftrace_regs_caller"))
  // The hunk header line reported is a real '@@' line of the mbox.
  let lines = try String(contentsOfFile: withArgs, encoding: .utf8).split(
    separator: "\n", omittingEmptySubsequences: false)
  #expect(lines[problem.location.line - 1].hasPrefix("@@ "))
}

@Test func missingAndDuplicatePatchesAreReported() throws {
  let text = """
    From x Mon Jan  1 00:00:00 2024
    From: A <a@example.org>
    Subject: [PATCH 1/3] arm64: one
    Message-ID: <p1@x>

    body
    ---
    diff --git a/arch/arm64/kernel/ftrace.c b/arch/arm64/kernel/ftrace.c
    --- a/arch/arm64/kernel/ftrace.c
    +++ b/arch/arm64/kernel/ftrace.c
    @@ -1 +1 @@
    -a
    +b

    From x Mon Jan  1 00:00:00 2024
    From: A <a@example.org>
    Subject: [PATCH 1/3] arm64: one again
    Message-ID: <p1b@x>

    body
    ---
    diff --git a/arch/arm64/kernel/ftrace.c b/arch/arm64/kernel/ftrace.c
    --- a/arch/arm64/kernel/ftrace.c
    +++ b/arch/arm64/kernel/ftrace.c
    @@ -1 +1 @@
    -a
    +c

    """
  let set = try assemble(text: text)
  #expect(set.versions.count == 1)
  let v = try #require(set.versions.first)
  #expect(v.patches.count == 1)
  #expect(v.patches.first?.message.messageID == "p1@x")
  #expect(v.missing == [2, 3])
  #expect(
    set.diagnostics.contains { $0.id == "series.missing-patch" && $0.message.contains("2-3") })
  #expect(set.diagnostics.contains { $0.id == "series.duplicate-patch" && $0.location.line == 16 })
}

@Test func repliesToAbsentPatchesFormAVersionByTheirSubject() throws {
  let text = """
    From x Mon Jan  1 00:00:00 2024
    From: B <b@example.org>
    Subject: Re: [PATCH bpf-next v5 1/6] arm64: ftrace: Add ftrace direct call support
    Message-ID: <r1@x>
    In-Reply-To: <absent-1@x>

    > quoted

    The literal is not 8-byte aligned.

    From x Mon Jan  1 00:00:00 2024
    From: C <c@example.org>
    Subject: Re: Something else entirely
    Message-ID: <r2@x>
    In-Reply-To: <absent-2@x>

    Agreed.

    """
  let set = try assemble(text: text)
  #expect(set.versions.count == 1)
  let v = try #require(set.versions.first)
  #expect(v.version == 5)
  #expect(v.tags.contains("bpf-next"))
  #expect(v.missing == Array(1...6))
  #expect(v.replies.map(\.messageID) == ["r1@x"])
  #expect(v.replies.first?.inReplyToIndex == 1)
  #expect(set.unassigned.map(\.messageID) == ["r2@x"])
  #expect(set.diagnostics.contains { $0.id == "series.orphan-reply" })
}

@Test func unthreadedPatchFilesFormOneVersion() throws {
  let set = try assemble(root + "/Tests/PatchSeriesTests/Fixtures/unthreaded")
  #expect(set.versions.count == 1)
  let v = try #require(set.versions.first)
  #expect(v.version == 3)
  #expect(v.patches.map(\.index) == [1, 2])
  #expect(v.missing.isEmpty)
  #expect(v.patches[1].files.map(\.kind) == [.arm64Asm, .build])
}

@Test func aLonePatchIsItsOwnSeries() throws {
  let text = """
    From x Mon Jan  1 00:00:00 2024
    From: A <a@example.org>
    Subject: [PATCH] arm64: ftrace: lone fix
    Message-ID: <lone@x>

    Fix it.

    Signed-off-by: A <a@example.org>
    ---
    diff --git a/kernel/trace/ftrace.c b/kernel/trace/ftrace.c
    --- a/kernel/trace/ftrace.c
    +++ b/kernel/trace/ftrace.c
    @@ -1 +1 @@
    -a
    +b

    """
  let set = try assemble(text: text)
  let v = try #require(set.versions.first)
  #expect(v.total == nil)
  #expect(v.patches.map(\.index) == [1])
  #expect(v.patches.first?.total == 1)
  #expect(v.patches.first?.files.first?.kind == .other)
  #expect(v.title == "arm64: ftrace: lone fix")
}

@Test func hunkKindsFollowPaths() {
  #expect(HunkKind.classify(path: "arch/arm64/kernel/entry-ftrace.S") == .arm64Asm)
  #expect(HunkKind.classify(path: "arch/arm64/kernel/ftrace.c") == .arm64C)
  #expect(HunkKind.classify(path: "arch/arm64/include/asm/ftrace.h") == .arm64C)
  #expect(HunkKind.classify(path: "arch/arm64/Makefile") == .build)
  #expect(HunkKind.classify(path: "arch/arm64/Kconfig") == .build)
  #expect(HunkKind.classify(path: "kernel/trace/Kconfig") == .build)
  #expect(HunkKind.classify(path: "Makefile") == .build)
  #expect(HunkKind.classify(path: "arch/arm64/kernel/vdso/gen_vdso_offsets.sh") == .other)
  #expect(HunkKind.classify(path: "arch/x86/kernel/ftrace_64.S") == .other)
  #expect(HunkKind.classify(path: "kernel/trace/ftrace.c") == .other)
}

@Test func rangesAreSaidCompactly() {
  #expect(describeRanges([1, 2, 3, 5, 7, 8]) == "1-3, 5, 7-8")
  #expect(describeRanges([]) == "")
}

/// Every hunk of every example series points at its own `@@` line in the mbox, whatever the
/// transfer encoding of the message (the QP patch of with-args has soft line breaks).
@Test(arguments: ["with-args", "call-ops", "direct-calls", "literal-call", "in-function-literal"])
func hunkLinesPointAtTheirHeadersInTheInput(example: String) throws {
  let path = root + "/Series/\(example)/series.mbox"
  let lines = try String(contentsOfFile: path, encoding: .utf8).split(
    separator: "\n", omittingEmptySubsequences: false)
  let set = try assemble(path)
  var checked = 0
  for v in set.versions {
    for p in v.patches {
      for f in p.files {
        for h in f.hunks {
          let line = String(lines[h.line - 1])
          #expect(
            line.hasPrefix("@@ -\(h.oldStart)"), "\(example) \(f.path): line \(h.line) is '\(line)'"
          )
          checked += 1
        }
      }
    }
  }
  #expect(checked > 0 || example == "in-function-literal")
}
