import FloeCore
import Testing

@Suite struct CivilDateTests {
    @Test func civilDatesRoundTrip() {
        for text in ["1970-01-01", "2000-02-29", "2024-12-31", "1969-07-20", "1900-03-01"] {
            #expect(CivilDate.days(text).map(CivilDate.text) == text)
        }
        #expect(CivilDate.timestamp(seconds: 86_399) == "1970-01-01 23:59:59")
        #expect(CivilDate.timestamp(seconds: 1_700_000_000, separator: "T") == "2023-11-14T22:13:20")
        #expect(CivilDate.timestamp(seconds: -1) == "1969-12-31 23:59:59")
    }
}
