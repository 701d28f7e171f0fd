import FloeCore

/// Why `floe deps` could not install the packages: the one error type of this module, with what
/// a user needs to act on it.
public struct PackagesError: Error, Sendable {
    public enum Kind: Sendable {
        /// packages.yml (or a package's own) does not say what to install; `diagnostics` say why.
        case invalidSpec
        /// No version, revision or path satisfies what is asked.
        case unresolvable
        /// The package hub or a tarball's server did not answer as it should.
        case unreachable
        /// `git` or `tar` failed.
        case tool
        /// Files could not be read or written.
        case files
    }

    public var kind: Kind
    public var message: String
    public var hint: String?
    /// Located problems of a package list, for ``Kind/invalidSpec``.
    public var diagnostics: [Diagnostic]

    public init(_ kind: Kind, _ message: String, hint: String? = nil, diagnostics: [Diagnostic] = []) {
        self.kind = kind
        self.message = message
        self.hint = hint
        self.diagnostics = diagnostics
    }
}
