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

    /// A byte order mark (as spreadsheets export CSV) is not part of the first column's name.
    @Test func aByteOrderMarkIsSkipped() throws {
        #expect(try CSVReader.rows("\u{FEFF}date_value,n\n2024-01-01,1") == [["date_value", "n"], ["2024-01-01", "1"]])
    }
}
