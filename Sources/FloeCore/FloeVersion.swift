/// The version of the floe tool, recorded in every plan and printed by `floe --version`.
public enum FloeVersion {
    public static let current = "0.1.0"
}
