import FloeCore

/// A problem in a template, at the line and column where it is.
public struct TemplateError: Error, Sendable, Equatable {
    public var location: SourceLocation
    public var message: String
    public var hint: String?
    /// The template called the database (`run_query`, …) while none may be used: at compile, the
    /// model is then rendered at apply time instead.
    public var needsDatabase = false
    /// The template raised it itself (`exceptions.raise_compiler_error`), as against a mistake
    /// floe found in it: a model that raises only when `execute` is true fails when it runs.
    public var raisedByTemplate = false

    public init(_ message: String, at location: SourceLocation, hint: String? = nil) {
        self.location = location
        self.message = message
        self.hint = hint
    }

    /// A stop, not a mistake: the template reached what only the database (or the compiled
    /// project) can answer, so it is rendered at apply time instead.
    package static func needingDatabase(_ message: String, at location: SourceLocation) -> TemplateError {
        var stop = TemplateError(message, at: location)
        stop.needsDatabase = true
        return stop
    }

    public var diagnostic: Diagnostic { .error(at: location, message, hint: hint) }

    /// The same, as a warning: what rendered, but maybe not as meant.
    public var warning: Diagnostic { .warning(at: location, message, hint: hint) }
}
