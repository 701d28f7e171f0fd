import FloeCore
import Foundation
/// Word lists for the realistic generators (`name`, `email`, `city`, …). Fixed lists, so the
/// same seed gives the same rows on every machine.
enum FakeValues {
    static let firstNames = [
        "Ada", "Alan", "Amara", "Ana", "Ben", "Carla", "Chen", "Dana", "David", "Elena", "Emil", "Farah",
        "Grace", "Hana", "Hugo", "Ines", "Ivan", "Jonas", "Julia", "Kai", "Kenji", "Lara", "Leo", "Lina",
        "Luca", "Maya", "Mateo", "Mia", "Nadia", "Noah", "Olga", "Omar", "Paul", "Priya", "Rosa", "Sam",
        "Sara", "Sofia", "Tariq", "Tom", "Uma", "Vera", "Wei", "Yara", "Yusuf", "Zoe",
    ]
    static let lastNames = [
        "Adams", "Almeida", "Becker", "Brown", "Costa", "Dubois", "Evans", "Fischer", "Garcia", "Hansen",
        "Ito", "Jensen", "Khan", "Kowalski", "Larsen", "Lopez", "Martin", "Meyer", "Moreau", "Nakamura",
        "Novak", "Okafor", "Olsen", "Patel", "Rossi", "Santos", "Schmidt", "Silva", "Singh", "Smith",
        "Tanaka", "Weber", "Wilson", "Yilmaz", "Zhang",
    ]
    /// City, country and region together, so a row's three agree.
    static let locations: [(city: String, country: String, region: String)] = [
        ("Austin", "United States", "NA"), ("Boston", "United States", "NA"), ("Chicago", "United States", "NA"),
        ("Seattle", "United States", "NA"), ("Toronto", "Canada", "NA"), ("Montreal", "Canada", "NA"),
        ("Mexico City", "Mexico", "LATAM"), ("Bogota", "Colombia", "LATAM"), ("Sao Paulo", "Brazil", "LATAM"),
        ("Buenos Aires", "Argentina", "LATAM"), ("Santiago", "Chile", "LATAM"), ("London", "United Kingdom", "EMEA"),
        ("Dublin", "Ireland", "EMEA"), ("Paris", "France", "EMEA"), ("Lyon", "France", "EMEA"), ("Berlin", "Germany", "EMEA"),
        ("Munich", "Germany", "EMEA"), ("Madrid", "Spain", "EMEA"), ("Lisbon", "Portugal", "EMEA"), ("Milan", "Italy", "EMEA"),
        ("Amsterdam", "Netherlands", "EMEA"), ("Oslo", "Norway", "EMEA"), ("Prague", "Czechia", "EMEA"),
        ("Cairo", "Egypt", "EMEA"), ("Lagos", "Nigeria", "EMEA"), ("Nairobi", "Kenya", "EMEA"), ("Tokyo", "Japan", "APAC"),
        ("Osaka", "Japan", "APAC"), ("Seoul", "South Korea", "APAC"), ("Mumbai", "India", "APAC"),
        ("Singapore", "Singapore", "APAC"), ("Sydney", "Australia", "APAC"), ("Melbourne", "Australia", "APAC"),
    ]
    static let streetSuffixes = ["Street", "Avenue", "Road", "Lane", "Way", "Square"]
    static let cities = [
        "Amsterdam", "Austin", "Berlin", "Bogota", "Boston", "Cairo", "Chicago", "Dublin", "Kyoto", "Lagos",
        "Lisbon", "London", "Lyon", "Madrid", "Melbourne", "Milan", "Montreal", "Mumbai", "Munich", "Nairobi",
        "Osaka", "Oslo", "Paris", "Porto", "Prague", "Seattle", "Seoul", "Sydney", "Toronto", "Vienna",
    ]
    static let countries = [
        "Argentina", "Australia", "Brazil", "Canada", "Chile", "Egypt", "France", "Germany", "India", "Italy",
        "Japan", "Kenya", "Mexico", "Netherlands", "Nigeria", "Norway", "Poland", "Portugal", "South Korea",
        "Spain", "Sweden", "United Kingdom", "United States",
    ]
    static let companySuffixes = ["Labs", "Group", "Systems", "Works", "Partners", "Trading", "Studio", "Foods"]
    static let words = [
        "amber", "anchor", "aspen", "atlas", "birch", "breeze", "canyon", "cedar", "cobalt", "comet", "coral",
        "crystal", "delta", "ember", "falcon", "fern", "harbor", "hazel", "indigo", "iris", "juniper", "lagoon",
        "lantern", "maple", "meadow", "nova", "orbit", "pebble", "pine", "prism", "quartz", "river", "saffron",
        "sage", "summit", "thistle", "timber", "tulip", "velvet", "willow",
    ]

    static func value(_ kind: String, _ random: inout RandomSource) -> String {
        func pick(_ list: [String]) -> String { list[random.index(below: list.count)] }
        switch kind {
        case "first_name": return pick(firstNames)
        case "last_name": return pick(lastNames)
        case "name": return pick(firstNames) + " " + pick(lastNames)
        case "email":
            return (pick(firstNames) + "." + pick(lastNames)).lowercased() + String(random.integer(in: 1...999))
                + "@example.com"
        case "phone":
            return "+1-555-" + String(random.integer(in: 100...999)) + "-" + String(random.integer(in: 1000...9999))
        case "company": return pick(lastNames) + " " + pick(companySuffixes)
        case "username": return pick(words) + "_" + pick(words) + String(random.integer(in: 1...99))
        case "street_address":
            return String(random.integer(in: 1...2999)) + " " + pick(words).capitalized + " " + pick(streetSuffixes)
        case "city": return pick(cities)
        case "country": return pick(countries)
        case "sentence":
            let count = Int(random.integer(in: 5...11))
            let text = (0..<count).map { _ in pick(words) }.joined(separator: " ")
            return text.prefix(1).uppercased() + text.dropFirst() + "."
        default: return pick(words)
        }
    }
}
