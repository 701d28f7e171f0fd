import FloeCore
import FloeContract
import FloeEngine

extension ResultColumn {
    static func measure(_ reference: MemberReference, _ measure: CubeMeasure) -> ResultColumn {
        ResultColumn(
            member: reference.path, alias: "\(reference.cube.name)__\(measure.name)", kind: .measure, type: "number",
            title: Titles.full(reference.cube, measure.title, measure.name), shortTitle: measure.title ?? Titles.human(measure.name),
            format: measure.format, drillMembers: measure.drillMembers.map { "\(reference.cube.name).\($0)" })
    }

    static func dimension(_ reference: MemberReference, _ dimension: CubeDimension) -> ResultColumn {
        ResultColumn(
            member: reference.path, alias: "\(reference.cube.name)__\(dimension.name)", kind: .dimension, type: dimension.type,
            title: Titles.full(reference.cube, dimension.title, dimension.name), shortTitle: dimension.title ?? Titles.human(dimension.name),
            format: dimension.format, drillMembers: [])
    }

    static func time(_ reference: MemberReference, _ dimension: CubeDimension, _ granularity: DatePart) -> ResultColumn {
        ResultColumn(
            member: reference.path, alias: "\(reference.cube.name)__\(dimension.name)_\(granularity.rawValue)",
            kind: .timeDimension(granularity), type: "time",
            title: Titles.full(reference.cube, dimension.title, dimension.name), shortTitle: dimension.title ?? Titles.human(dimension.name),
            format: dimension.format, drillMembers: [])
    }
}

/// Cube's titles: a member's `title`, or its name in words (`total_revenue` → `Total Revenue`,
/// `OrderItems` → `Order Items`); the full title puts the cube's first.
enum Titles {
    static func full(_ cube: CompiledCube, _ title: String?, _ name: String) -> String {
        "\(cube.title ?? human(cube.name)) \(title ?? human(name))"
    }

    /// Names seen before and their words: titles are written for every column of every answer.
    private static let known = BoundedCache<String, String>(capacity: 100_000)

    static func human(_ name: String) -> String {
        if let title = known[name] { return title }
        let title = words(name)
        known[name] = title
        return title
    }

    private static func words(_ name: String) -> String {
        var words: [String] = []
        var current = ""
        var previous: Character?
        for character in name {
            if character == "_" || character == " " {
                if !current.isEmpty { words.append(current) }
                current = ""
            } else if character.isUppercase, let previous, previous.isLowercase || previous.isNumber {
                words.append(current)
                current = String(character)
            } else {
                current.append(character)
            }
            previous = character
        }
        if !current.isEmpty { words.append(current) }
        return words.map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined(separator: " ")
    }
}

