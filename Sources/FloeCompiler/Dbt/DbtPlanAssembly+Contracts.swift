import FloeContract
import FloeCore
import FloeTemplates
import Foundation

/// dbt's model contracts (`contract: {enforced: true}`): the columns and constraints a model
/// promises, checked at compile where its SQL names its columns, and at apply by the engine.
extension DbtPlanAssembly {
    /// A properties value as dbt renders properties YAML: Jinja rendered (no node, no `this`), a
    /// failure reported at the file and the text kept.
    mutating func renderedText(_ text: String, file: String) -> String {
        guard text.contains("{{") || text.contains("{%") else { return text }
        let outcome = serialContext.render(source: text, file: file, slot: nil, model: [], base: NodeConfig(), incremental: false)
        if let error = outcome.error {
            result.diagnostics.append(error.diagnostic)
            return text
        }
        return outcome.text.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The model's enforced contract, or nil when it enforces none (or when the contract is wrong:
    /// each mistake is reported at its file).
    mutating func contract(of id: SlotID, materialized: Materialization) -> ModelContract? {
        let model = table[model: id]
        guard model.config.contractEnforced else { return nil }
        let name = table[id].name, file = model.file.display
        guard materialized == .table || materialized == .incremental || materialized == .view else {
            result.diagnostics.append(.error(at: .file(file), path: "config.contract", "model '\(name)': contracts are not supported for \(materialized.rawValue) models",
                                             hint: "enforce a contract on a table, an incremental model or a view"))
            return nil
        }
        let location = model.properties?.location ?? .file(file)
        let columns = model.properties?.columns ?? []
        guard !columns.isEmpty else {
            result.diagnostics.append(.error(at: location, path: "columns", "model '\(name)' enforces a contract, but its properties list no columns",
                                             hint: "list each column the model returns, with its name and data_type"))
            return nil
        }
        let untyped = columns.filter { $0.dataType == nil }.map(\.name)
        guard untyped.isEmpty else {
            result.diagnostics.append(.error(at: location, path: "columns", "model '\(name)' enforces a contract, which requires a data_type for each column: "
                + "\(untyped.joined(separator: ", ")) \(untyped.count == 1 ? "has" : "have") none",
                                             hint: "give each column its type, such as `data_type: integer`"))
            return nil
        }
        var constraints: [ModelContract.Constraint] = []
        for column in columns {
            for written in column.constraints {
                if let made = constraint(written, columns: [column.name], model: name) { constraints.append(made) }
            }
        }
        for written in model.properties?.constraints ?? [] {
            if written.columns.isEmpty, written.type != "check" {
                result.diagnostics.append(.error(at: written.location, path: "constraints", "a model-level \(written.type) constraint needs `columns:`",
                                                 hint: "such as `columns: [order_id, line_number]`"))
                continue
            }
            if let made = constraint(written, columns: written.columns, model: name) { constraints.append(made) }
        }
        if materialized == .view, let first = constraints.first {
            result.diagnostics.append(.warning(at: .file(file), "model '\(name)' is a view: its contract's columns are checked, its constraints "
                + "(\(first.type.rawValue), …) are not applied", hint: "materialize it as a table to enforce them"))
            constraints = []
        }
        // A data type written as Jinja (`"{{ 'UInt8' if target.type == 'clickhouse' else 'int' }}"`)
        // is rendered, as dbt renders properties YAML.
        let contract = ModelContract(columns: columns.map { ModelContract.Column(name: $0.name, dataType: renderedText($0.dataType ?? "", file: location.file)) },
                                     constraints: constraints)
        if let names = SelectListColumns.names(in: model.render.text), !model.renderAtApply {
            let mismatches = contract.mismatches(names.map { ($0, nil) })
            if !mismatches.isEmpty {
                result.diagnostics.append(.error(at: .file(file), ModelContract.describe(mismatches, model: name),
                                                 hint: "make the contract's columns (\(location.file)) and the model's SELECT list agree"))
            }
        }
        return contract
    }

    /// One written constraint as the plan keeps it; warned about when the engine does not enforce
    /// it (dbt's `warn_unenforced`), an error when it is not one of dbt's.
    private mutating func constraint(_ written: ConstraintProperties, columns: [String], model: String) -> ModelContract.Constraint? {
        guard let kind = ModelContract.Constraint.Kind(rawValue: written.type) else {
            let known = ModelContract.Constraint.Kind.allCases.map(\.rawValue)
            if written.type == "custom" {
                result.diagnostics.append(.warning(at: written.location, path: "constraints", "custom constraints are not supported; floe ignores it",
                                                   hint: "write it as a check constraint with an expression"))
            } else {
                result.diagnostics.append(.error(at: written.location, path: "constraints.type", "unknown constraint type '\(written.type)'",
                                                 hint: Suggestions.didYouMean(written.type, in: known) ?? "one of \(known.joined(separator: ", "))"))
            }
            return nil
        }
        var expression = written.expression
        switch kind {
        case .check where expression == nil:
            result.diagnostics.append(.error(at: written.location, path: "constraints.expression", "a check constraint needs an expression",
                                             hint: "such as `expression: \"amount >= 0\"`"))
            return nil
        case .foreignKey:
            if let to = written.to {
                let (value, outcome) = serialContext.expression(GenericTestBuilder.relationExpression(to) ?? to, at: written.location, base: NodeConfig())
                if let error = outcome.error {
                    result.diagnostics.append(.error(at: written.location, path: "constraints.to", "foreign key of model '\(model)': \(error.message)",
                                                     hint: "`to:` names ref('model') or source('source', 'table')"))
                    return nil
                }
                expression = finisher.substitute(value.rendered) + (written.toColumns.isEmpty ? "" : " (\(written.toColumns.joined(separator: ", ")))")
            }
            guard expression != nil else {
                result.diagnostics.append(.error(at: written.location, path: "constraints", "a foreign key needs `to:` and `to_columns:` (or an expression)",
                                                 hint: "such as `to: ref('customers')` with `to_columns: [customer_id]`"))
                return nil
            }
        default: break
        }
        // The engine's table does not take it: dbt's warn_unenforced and warn_unsupported (either false silences it).
        if !request.dialect.enforcedConstraints.contains(kind), written.warnUnenforced, written.warnUnsupported {
            result.diagnostics.append(.warning(at: written.location, path: "constraints",
                                               "\(request.dialect.name) does not enforce \(kind.rawValue) constraints; model '\(model)' is built without it",
                                               hint: "test it instead (a \(kind == .check ? "singular" : kind == .foreignKey ? "relationships" : kind.rawValue) test), or set warn_unenforced: false"))
        }
        return ModelContract.Constraint(type: kind, columns: columns, name: written.name, expression: expression)
    }
}
