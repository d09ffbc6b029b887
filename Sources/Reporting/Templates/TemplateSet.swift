import Diagnostics
import Foundation
import Mustache

/// The mustache templates reports and replies are rendered with: `Templates/*.mustache`,
/// found at run time (not compiled in), so a maintainer can change the wording of a reply
/// without rebuilding.
///
/// Templates are looked up by name along a search path, the first folder that has
/// `NAME.mustache` winning: `--templates DIR`, then `$PATCHSITE_TEMPLATES`, then the installed
/// share folder (`PREFIX/share/patchsite/templates`, beside `PREFIX/bin/patchsite`), then the
/// checkout the binary was built from. A user folder may therefore hold just the templates it
/// changes; partials it does not define come from the folders after it.
///
/// Every template must start with `{{% CONTENT_TYPE: TEXT }}`: without it swift-mustache
/// escapes values as HTML (and a partial does so even when its parent is text). Loading checks
/// that, that each template parses, and that each partial a template names exists; each
/// problem is an `InputError` at the template's file and line.
public struct TemplateSet: Sendable {
  /// The folders searched, first first.
  public let path: [String]
  /// Each template's name and the file it was read from.
  public let files: [String: String]
  let library: MustacheLibrary

  /// The pragma every template and partial starts with.
  public static let pragma = "{{% CONTENT_TYPE: TEXT }}"

  /// Where templates are looked for: `explicit` (`--templates DIR`), `environment`
  /// (`PATCHSITE_TEMPLATES`), the share folder beside the executable, the checkout.
  /// Folders that do not exist are left out, except `explicit`, which must exist.
  public static func searchPath(
    explicit: String?, environment: String?, executable: String? = CommandLine.arguments.first
  ) throws(InputError) -> [String] {
    var out: [String] = []
    let fm = FileManager.default
    func isDirectory(_ p: String) -> Bool {
      var dir: ObjCBool = false
      return fm.fileExists(atPath: p, isDirectory: &dir) && dir.boolValue
    }
    if let explicit {
      guard isDirectory(explicit) else {
        throw InputError(
          "template.no-folder", at: SourceLocation(file: explicit),
          "--templates: no such folder")
      }
      out.append(explicit)
    }
    if let environment, !environment.isEmpty {
      guard isDirectory(environment) else {
        throw InputError(
          "template.no-folder", at: SourceLocation(file: environment),
          "PATCHSITE_TEMPLATES names no folder")
      }
      out.append(environment)
    }
    for candidate in installedAndCheckout(executable: executable)
    where isDirectory(candidate) && !out.contains(candidate) {
      out.append(candidate)
    }
    return out
  }

  /// The share folder of an installed binary and the checkout's `Templates/`: from the
  /// executable's real path (`PREFIX/bin/patchsite` → `PREFIX/share/patchsite/templates`; a
  /// build in `.build/…` → walking up to the folder with `Package.swift` and `Templates/`),
  /// then from where this file was compiled.
  static func installedAndCheckout(executable: String?) -> [String] {
    var out: [String] = []
    if let executable, !executable.isEmpty {
      let resolved = URL(fileURLWithPath: executable).resolvingSymlinksInPath()
      let bin = resolved.deletingLastPathComponent()
      out.append(
        bin.deletingLastPathComponent().appendingPathComponent("share/patchsite/templates").path)
      var dir = bin
      for _ in 0..<8 {
        if FileManager.default.fileExists(atPath: dir.appendingPathComponent("Package.swift").path)
        {
          out.append(dir.appendingPathComponent("Templates").path)
          break
        }
        let up = dir.deletingLastPathComponent()
        if up.path == dir.path { break }
        dir = up
      }
    }
    // Sources/Reporting/Templates/TemplateSet.swift → the checkout's Templates/.
    let checkout = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
      .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    out.append(checkout.appendingPathComponent("Templates").path)
    return out
  }

  /// Loads every `*.mustache` of the folders of `path` (earlier folders win by name), plus
  /// `extra` files given by path (`--template FILE`), named by their file name without
  /// `.mustache`.
  public static func load(path: [String], extra: [String] = []) throws(InputError) -> TemplateSet {
    var files: [String: String] = [:]
    for dir in path.reversed() {
      let names: [String]
      do {
        names = try FileManager.default.contentsOfDirectory(atPath: dir)
      } catch {
        throw InputError(
          "template.no-folder", at: SourceLocation(file: dir),
          "cannot list templates: \(error.localizedDescription)")
      }
      for n in names where n.hasSuffix(".mustache") {
        files[String(n.dropLast(".mustache".count))] = dir + "/" + n
      }
    }
    for file in extra {
      let base = URL(fileURLWithPath: file).lastPathComponent
      let name = base.hasSuffix(".mustache") ? String(base.dropLast(".mustache".count)) : base
      files[name] = file
    }
    var templates: [String: MustacheTemplate] = [:]
    var texts: [String: String] = [:]
    for (name, file) in files.sorted(by: { $0.key < $1.key }) {
      let text = try read(file)
      texts[name] = text
      templates[name] = try parse(text, file: file)
    }
    for (name, text) in texts.sorted(by: { $0.key < $1.key }) {
      let file = files[name] ?? name
      for (line, partial) in partials(in: text) where templates[partial] == nil {
        throw InputError(
          "template.missing", at: SourceLocation(file: file, line: line),
          "the partial `\(partial)` is not a template: no \(partial).mustache in "
            + (path.isEmpty ? "any templates folder" : path.joined(separator: ", ")))
      }
    }
    return TemplateSet(path: path, files: files, library: MustacheLibrary(templates: templates))
  }

  /// The templates along the usual search path (see ``searchPath(explicit:environment:executable:)``).
  public static func standard(
    explicit: String? = nil, extra: [String] = [],
    environment: String? = ProcessInfo.processInfo.environment["PATCHSITE_TEMPLATES"]
  ) throws(InputError) -> TemplateSet {
    try load(path: try searchPath(explicit: explicit, environment: environment), extra: extra)
  }

  /// Renders the template `name` with `model` (a value whose stored properties are the
  /// template's variables; see the README's "Templates" section).
  public func render(_ name: String, _ model: Any) throws(InputError) -> String {
    guard let text = library.render(model, withTemplate: name) else {
      let where_ = path.first.map { "\($0)/\(name).mustache" } ?? "\(name).mustache"
      throw InputError(
        "template.missing", at: SourceLocation(file: where_),
        "no template `\(name)`: no \(name).mustache in "
          + (path.isEmpty ? "any templates folder" : path.joined(separator: ", ")))
    }
    return text
  }

  public func has(_ name: String) -> Bool { files[name] != nil }

  // MARK: Reading

  static func read(_ file: String) throws(InputError) -> String {
    guard let data = FileManager.default.contents(atPath: file) else {
      throw InputError("template.missing", at: SourceLocation(file: file), "cannot read template")
    }
    guard let text = String(data: data, encoding: .utf8) else {
      throw InputError(
        "template.broken", at: SourceLocation(file: file, line: 1), "template is not UTF-8")
    }
    return text
  }

  /// Parses one template, checking its first line is the text pragma.
  static func parse(_ text: String, file: String) throws(InputError) -> MustacheTemplate {
    let first = text.prefix { $0 != "\n" }.trimmingCharacters(in: .whitespaces)
    let compact = first.replacingOccurrences(of: " ", with: "")
    guard compact == pragma.replacingOccurrences(of: " ", with: "") else {
      throw InputError(
        "template.broken", at: SourceLocation(file: file, line: 1),
        "a template must start with \(pragma) (otherwise values are escaped as HTML)")
    }
    do {
      return try MustacheTemplate(string: text)
    } catch let error as MustacheTemplate.ParserError {
      throw InputError(
        "template.broken",
        at: SourceLocation(
          file: file, line: error.context.lineNumber, column: error.context.columnNumber),
        "cannot parse template: \(describe(error.error)) in `\(error.context.line)`")
    } catch {
      throw InputError(
        "template.broken", at: SourceLocation(file: file, line: 1),
        "cannot parse template: \(error)")
    }
  }

  static func describe(_ error: any Error) -> String {
    guard let e = error as? MustacheTemplate.Error else { return "\(error)" }
    switch e {
    case .sectionCloseNameIncorrect: return "a section is closed with another name than it opened"
    case .unfinishedName: return "a tag is not closed"
    case .expectedSectionEnd: return "a section is never closed"
    case .invalidSetDelimiter: return "bad set-delimiter tag"
    case .transformAppliedToInheritanceSection: return "a transform on an inherited section"
    case .illegalTokenInsideInheritSection: return "a bad tag inside an inherited partial"
    case .textInsideInheritSection: return "text inside an inherited partial"
    case .invalidConfigVariableSyntax: return "bad pragma"
    case .unrecognisedConfigVariable: return "unknown pragma"
    }
  }

  /// The partials a template names (`{{> name}}`), with their lines.
  static func partials(in text: String) -> [(Int, String)] {
    var out: [(Int, String)] = []
    for (k, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
      var rest = line[...]
      while let open = rest.range(of: "{{>") {
        let after = rest[open.upperBound...]
        guard let close = after.range(of: "}}") else { break }
        let name = after[..<close.lowerBound].trimmingCharacters(in: .whitespaces)
        if !name.isEmpty && !name.hasPrefix("*") { out.append((k + 1, name)) }
        rest = after[close.upperBound...]
      }
    }
    return out
  }
}
