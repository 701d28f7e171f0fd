@testable import FloeSpark
import Testing

/// Thrift's binary protocol, byte for byte as Apache Thrift writes it.
@Suite struct ThriftBinaryTests {
    @Test func aCallIsWrittenAsThriftWritesIt() {
        let call = ThriftMessage(name: "Ping", kind: .call, sequence: 7, body: .fields([1: .i32(9), 2: .string("ab")]))
        #expect(ThriftBinary.encode(call) == [
            0x80, 0x01, 0x00, 0x01,  0x00, 0x00, 0x00, 0x04, 0x50, 0x69, 0x6E, 0x67,  0x00, 0x00, 0x00, 0x07,
            0x08, 0x00, 0x01, 0x00, 0x00, 0x00, 0x09,  0x0B, 0x00, 0x02, 0x00, 0x00, 0x00, 0x02, 0x61, 0x62,  0x00,
        ])
    }

    @Test func everyKindOfValueReadsBackAsWritten() throws {
        let body = ThriftValue.fields([
            0: .structure([1: .bool(true), 2: .byte(-3), 3: .i16(-300), 4: .i64(1 << 40), 5: .double(2.5)]),
            3: .list(element: ThriftType.string, [.string("x"), .string("")]),
            4: .map(key: ThriftType.string, value: ThriftType.i32, [(.string("k"), .i32(1))]),
            5: .set(element: ThriftType.i16, [.i16(1)]),
        ])
        let message = ThriftMessage(name: "Reply", kind: .reply, sequence: -1, body: body)
        let bytes = ThriftBinary.encode(message)
        let (read, used) = try ThriftBinary.decode(bytes + [0xFF])
        #expect(used == bytes.count)
        #expect(read.name == "Reply" && read.kind == .reply && read.sequence == -1 && read.body == body)
    }

    /// A reply arrives in pieces: every prefix is incomplete, never misread.
    @Test func aPartialReplyAsksForMore() {
        let bytes = ThriftBinary.encode(ThriftMessage(name: "R", kind: .reply, sequence: 1, body: .fields([0: .string("done")])))
        for length in 0..<bytes.count {
            #expect(throws: ThriftBinary.ReadError.incomplete) { try ThriftBinary.decode(Array(bytes.prefix(length))) }
        }
        #expect(throws: ThriftBinary.ReadError.self) { try ThriftBinary.decode([0x48, 0x54, 0x54, 0x50, 0, 0, 0, 0]) }
    }
}
