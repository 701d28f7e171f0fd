import FloeCore
import Testing

@Suite struct SuggestionsTests {
    @Test func editDistanceCountsInsertionsDeletionsSubstitutionsAndTranspositions() {
        #expect(Suggestions.editDistance("kitten", "sitting") == 3)
        #expect(Suggestions.editDistance("transforms", "transfroms") == 1)
        #expect(Suggestions.editDistance("", "abc") == 3)
        #expect(Suggestions.editDistance("same", "same") == 0)
    }

    @Test func suggestsTheClosestCandidateWithinReach() {
        #expect(Suggestions.closest(to: "materialised", in: ["materialized", "schema", "tags"]) == "materialized")
        #expect(Suggestions.closest(to: "defualt", in: ["default", "warehouse"]) == "default")
        #expect(Suggestions.closest(to: "xyz", in: ["default", "warehouse"]) == nil)
        #expect(Suggestions.didYouMean("stagin", in: ["dev", "staging"]) == "did you mean 'staging'?")
    }

    @Test func listsChoicesInProse() {
        #expect(Suggestions.list(["a"]) == "a")
        #expect(Suggestions.list(["a", "b", "c"]) == "a, b or c")
        #expect(Suggestions.list([]) == "(none)")
    }

    @Test func neverSuggestsTheWordItself() {
        #expect(Suggestions.didYouMean("orders", in: ["orders"]) == nil)
        #expect(Suggestions.didYouMean("orders", in: ["orders", "order"]) == "did you mean 'order'?")
        #expect(Suggestions.didYouMean("Orders", in: ["orders"]) == "did you mean 'orders'?")
    }
}
