import Mail
import Testing

@testable import PatchSeries

/// Two patches to one file: the second's hunk lies below a hunk of the first that added a line.
/// The image puts every line a hunk shows at its number in the post-image, and every base line
/// a hunk shows at its number in the base, the second patch's old side included.
@Test func hunksAreLaidOverEachOtherWithGitsLineArithmetic() throws {
  let mbox = """
    From 1 Mon Sep 17 00:00:00 2001
    From: A <a@example.org>
    Subject: [PATCH 1/2] one
    Message-ID: <p1@x>

    ---
    diff --git a/f.txt b/f.txt
    index 1111111..2222222 100644
    --- a/f.txt
    +++ b/f.txt
    @@ -1,3 +1,4 @@
     a
    -b
    +B1
    +B2
     c
    --\u{20}
    2.39.5

    From 2 Mon Sep 17 00:00:00 2001
    From: A <a@example.org>
    Subject: [PATCH 2/2] two
    Message-ID: <p2@x>
    In-Reply-To: <p1@x>

    ---
    diff --git a/f.txt b/f.txt
    index 2222222..3333333 100644
    --- a/f.txt
    +++ b/f.txt
    @@ -8,3 +8,3 @@
     g
    -h
    +H
     i
    --\u{20}
    2.39.5

    """
  let mail = try MailInput.parse(bytes: Array(mbox.utf8), name: "t.mbox")
  let set = SeriesAssembler.assemble(mail.messages, diagnostics: mail.diagnostics)
  let v = try #require(set.versions.first)
  #expect(v.patches.count == 2)
  let image = HunkImage.of(v.patches, name: "t")
  let post = try #require(image.files["f.txt"])
  #expect(post.lines == [1: "a", 2: "B1", 3: "B2", 4: "c", 8: "g", 9: "H", 10: "i"])
  #expect(post.unknown == [5...7])
  let base = try #require(image.baseFiles["f.txt"])
  #expect(base.lines == [1: "a", 2: "b", 3: "c", 7: "g", 8: "h", 9: "i"])
  #expect(image.contents(of: "f.txt") == "a\nB1\nB2\nc\n\n\n\ng\nH\ni\n")
  #expect(image.unknownLines(in: "f.txt") == [5...7])
}

/// A file the series adds is known whole; one it deletes is gone from the image.
@Test func addedFilesAreWholeAndDeletedOnesGone() throws {
  let mbox = """
    From 1 Mon Sep 17 00:00:00 2001
    From: A <a@example.org>
    Subject: [PATCH] add and delete
    Message-ID: <p1@x>

    ---
    diff --git a/new.S b/new.S
    new file mode 100644
    index 0000000..1111111
    --- /dev/null
    +++ b/new.S
    @@ -0,0 +1,2 @@
    +x
    +y
    diff --git a/old.c b/old.c
    deleted file mode 100644
    index 2222222..0000000
    --- a/old.c
    +++ /dev/null
    @@ -1,1 +0,0 @@
    -z
    --\u{20}
    2.39.5

    """
  let mail = try MailInput.parse(bytes: Array(mbox.utf8), name: "t.mbox")
  let set = SeriesAssembler.assemble(mail.messages, diagnostics: mail.diagnostics)
  let image = HunkImage.of(try #require(set.versions.first).patches, name: "t")
  #expect(image.files["new.S"]?.whole == true)
  #expect(image.contents(of: "new.S") == "x\ny\n")
  #expect(image.unknownLines(in: "new.S").isEmpty)
  #expect(image.contents(of: "old.c") == nil)
  #expect(image.base.contents(of: "old.c") == "z\n")
  #expect(image.base.contents(of: "new.S") == nil)
}
