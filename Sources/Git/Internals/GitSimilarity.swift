/// git's rename similarity score (`diffcore-delta.c` and `estimate_similarity` in
/// `diffcore-rename.c`), so that renames and their `similarity index N%` lines come out as
/// `git diff -M` prints them. libgit2's own metric (sampled hash signatures) gives other
/// percentages, such as 96% where git says 93%.
///
/// git cuts each file into spans that end at a newline or after 64 bytes, hashes each span,
/// and counts how many bytes of the old file's spans reappear in the new file
/// (`src_copied`). The score is `src_copied * 100 / max(old size, new size)`, or 0 when the
/// sizes differ by more than half of the larger one (the `-M50%` default).
final class SpanSignature {
  /// The file's size in bytes.
  let size: Int
  /// Span hashes, ascending, each with the number of bytes spanned by that hash.
  let hashes: [UInt32]
  let counts: [Int]

  /// git's `hash_chars`: `HASHBASE` 107927, CR before LF skipped in text files.
  init(_ bytes: UnsafeBufferPointer<UInt8>) {
    size = bytes.count
    // git's `buffer_is_binary`: a NUL byte in the first 8000 bytes.
    let isText = !bytes.prefix(8000).contains(0)
    var table: [UInt32: Int] = [:]
    var accum1: UInt32 = 0
    var accum2: UInt32 = 0
    var n = 0
    var i = 0
    while i < bytes.count {
      let c = UInt32(bytes[i])
      i += 1
      if isText && c == 13 && i < bytes.count && bytes[i] == 10 { continue }
      let old1 = accum1
      accum1 = (accum1 << 7) ^ (accum2 >> 25)
      accum2 = (accum2 << 7) ^ (old1 >> 25)
      accum1 &+= c
      n += 1
      if n < 64 && c != 10 { continue }
      table[(accum1 &+ accum2 &* 0x61) % 107_927, default: 0] += n
      n = 0
      accum1 = 0
      accum2 = 0
    }
    if n > 0 { table[(accum1 &+ accum2 &* 0x61) % 107_927, default: 0] += n }
    let sorted = table.sorted { $0.key < $1.key }
    hashes = sorted.map(\.key)
    counts = sorted.map(\.value)
  }

  /// git's similarity of `self` (the old file) to `other` (the new file), 0-100.
  func similarity(to other: SpanSignature) -> Int {
    let maxSize = max(size, other.size)
    let delta = maxSize - min(size, other.size)
    // `max_size * (MAX_SCORE - minimum_score) < delta_size * MAX_SCORE` with the 50% default.
    if maxSize < 2 * delta || other.size == 0 { return 0 }
    var copied = 0
    var s = 0
    var d = 0
    while s < hashes.count {
      while d < other.hashes.count && other.hashes[d] < hashes[s] { d += 1 }
      if d < other.hashes.count && other.hashes[d] == hashes[s] {
        copied += min(counts[s], other.counts[d])
        d += 1
      }
      s += 1
    }
    // git: score = copied * 60000 / max; printed as score * 100 / 60000, the same integer.
    return copied * 100 / maxSize
  }
}
