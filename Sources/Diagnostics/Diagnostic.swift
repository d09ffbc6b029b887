/// How bad a diagnostic is. Ordered: `note < remark < warning < error`.
public enum Severity: String, Sendable, Hashable, Comparable, CaseIterable, Codable {
  case note
  case remark
  case warning
  case error

  private var rank: Int {
    switch self {
    case .note: 0
    case .remark: 1
    case .warning: 2
    case .error: 3
    }
  }

  public static func < (lhs: Severity, rhs: Severity) -> Bool { lhs.rank < rhs.rank }
}

/// The stable key of a diagnostic, such as `mail.unknown-charset` or `diff.hunk-count-mismatch`.
///
/// Scripts, JSON output and tests key on these identifiers, never on the message wording. The
/// part before the first dot names the domain (the module that reports it).
public struct MessageID: Hashable, Sendable, Comparable, CustomStringConvertible,
  ExpressibleByStringLiteral, Codable
{
  public let rawValue: String

  public init(_ rawValue: String) { self.rawValue = rawValue }
  public init(stringLiteral value: String) { self.rawValue = value }

  public init(from decoder: any Decoder) throws {
    rawValue = try decoder.singleValueContainer().decode(String.self)
  }

  public func encode(to encoder: any Encoder) throws {
    var c = encoder.singleValueContainer()
    try c.encode(rawValue)
  }

  /// The domain: everything before the first `.`.
  public var domain: Substring { rawValue.prefix { $0 != "." } }
  public var description: String { rawValue }
  public static func < (lhs: MessageID, rhs: MessageID) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// One problem (or remark) found in an input, with where it was found.
public struct Diagnostic: Hashable, Sendable, CustomStringConvertible {
  public var id: MessageID
  public var severity: Severity
  public var location: SourceLocation
  public var message: String

  public init(_ id: MessageID, _ severity: Severity, at location: SourceLocation, _ message: String)
  {
    self.id = id
    self.severity = severity
    self.location = location
    self.message = message
  }

  /// `file:line: severity: message [id]`, the form compilers use, so editors can jump to it.
  public var description: String {
    "\(location): \(severity.rawValue): \(message) [\(id)]"
  }
}

/// An error that stops a reader: it carries the location and a stable identifier, like a
/// diagnostic, but is thrown. The CLI maps it to exit code 2 with `file:line: reason`.
public struct InputError: Error, Hashable, Sendable, CustomStringConvertible {
  public var id: MessageID
  public var location: SourceLocation
  public var reason: String

  public init(_ id: MessageID, at location: SourceLocation, _ reason: String) {
    self.id = id
    self.location = location
    self.reason = reason
  }

  public var description: String { "\(location): \(reason)" }

  /// The same problem as a diagnostic of error severity.
  public var diagnostic: Diagnostic { Diagnostic(id, .error, at: location, reason) }
}

/// A collector of diagnostics that a reader appends to while it steps over damage.
public struct DiagnosticBag: Sendable {
  public private(set) var items: [Diagnostic] = []

  public init() {}

  public mutating func append(_ d: Diagnostic) { items.append(d) }
  public mutating func append(contentsOf ds: some Sequence<Diagnostic>) {
    items.append(contentsOf: ds)
  }
  public mutating func report(
    _ id: MessageID, _ severity: Severity, at location: SourceLocation, _ message: String
  ) {
    items.append(Diagnostic(id, severity, at: location, message))
  }

  public var isEmpty: Bool { items.isEmpty }
  public var hasErrors: Bool { items.contains { $0.severity == .error } }
}
