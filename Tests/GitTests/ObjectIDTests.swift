import Git
import Testing

@Suite struct ObjectIDTests {
  @Test func hexRoundTrips() throws {
    let hex = "0123456789abcdef0123456789abcdef01234567"
    let id = try #require(ObjectID(hex: hex))
    #expect(id.description == hex)
    #expect(ObjectID(hex: hex.uppercased()) == id)
    #expect(id.abbreviated() == "0123456")
    #expect(id.abbreviated(12) == "0123456789ab")
    #expect(id.bytes.count == 20)
    #expect(ObjectID(bytes: id.bytes) == id)
    #expect(!id.isZero)
    #expect(ObjectID.zero.isZero)
    #expect(ObjectID.zero < id)
  }

  @Test(arguments: [
    "", "0123", "0123456789abcdef0123456789abcdef0123456",
    "g123456789abcdef0123456789abcdef01234567", "0123456789abcdef0123456789abcdef012345678",
  ])
  func malformedHexIsRejected(hex: String) {
    #expect(ObjectID(hex: hex) == nil)
  }

  @Test func orderingFollowsTheHexStrings() throws {
    let a = try #require(ObjectID(hex: "00000000000000000000000000000000000000ff"))
    let b = try #require(ObjectID(hex: "0000000000000000000000000000000000000100"))
    let c = try #require(ObjectID(hex: "1000000000000000000000000000000000000000"))
    #expect(a < b && b < c)
    #expect(ObjectID(bytes: [1, 2, 3]) == nil)
  }
}
