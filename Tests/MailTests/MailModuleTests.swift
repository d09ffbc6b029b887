import Testing

@testable import Mail

@Test func moduleName() {
  #expect(MailModule.name == "Mail")
}
