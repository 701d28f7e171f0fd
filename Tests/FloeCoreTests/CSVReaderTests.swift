import FloeCore
import Testing

@Suite struct CSVReaderTests {
    @Test func nullFieldsFollowDbt() {
        for field in ["", "  ", "null", "NULL", " Null\t"] { #expect(CSVReader.isNull(Array(field.utf8)[...]), "'\(field)'") }
        for field in ["NA", "none", "nullable", "0", "n ull"] { #expect(!CSVReader.isNull(Array(field.utf8)[...]), "'\(field)'") }
    }

    @Test func recordsUnquoteAndKeepEmptyFields() throws {
        #expect(try CSVReader.rows("a,b\r\n\"x, \"\"y\"\"\",\n1,2") == [["a", "b"], ["x, \"y\"", ""], ["1", "2"]])
        #expect(throws: CSVReader.Failure.unterminatedQuote(line: 2)) { try CSVReader.rows("a\n\"open") }
        #expect(throws: CSVReader.Failure.empty) { try CSVReader.rows("") }
    }
}
