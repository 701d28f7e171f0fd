import FloeSQL
import Testing

/// The text cut into pieces that are the whole of it, which the engines' rewrites and the
/// statement splitter stand on.
struct SQLPiecesTests {
    @Test func piecesAreTheWholeTextByteForByte() {
        let sql = "select a::int, E'it\\'s;' as s /* a; /* nested */ c */ -- x; y\n from $$ ; $$ {{ ref('t') }}; select `q` ;"
        for flavor in [SQLFlavor.postgres, .sqlite] {
            let pieces = SQLLexer.pieces(sql, flavor: flavor)
            #expect(pieces.map(\.text).joined() == sql)
            #expect(pieces.map(\.range.count).reduce(0, +) == sql.utf8.count)
        }
        let pieces = SQLLexer.pieces(sql)
        #expect(pieces.filter { $0.punctuation == ";" }.count == 2, "only the two outside strings, comments and dollar quotes")
        #expect(pieces.contains { $0.kind == .token(.op("::")) })
        #expect(pieces.filter { $0.kind == .unreadable }.map(\.text) == ["{", "{", "}", "}"])
        #expect(pieces.contains { $0.kind == .comment && $0.text.hasPrefix("/* a;") })
    }

    @Test func anUnterminatedStringIsTheRestOfTheText() {
        let pieces = SQLLexer.pieces("select 'open; select 1")
        #expect(pieces.last?.kind == .unreadable && pieces.last?.text == "'open; select 1")
        #expect(!pieces.contains { $0.punctuation == ";" })
    }

    @Test func backticksQuoteNamesOnlyWhereTheEngineSaysSo() {
        #expect(SQLLexer.pieces("`a;b`", flavor: .spark).map(\.kind) == [.token(.identifier("a;b", quoted: true))])
        #expect(SQLLexer.pieces("`a;b`", flavor: .postgres).contains { $0.punctuation == ";" })
    }
}
