import Crypto
import FloeCore
import Foundation

/// Every node's state as the warehouse holds it now: what `_floe_node_state` said when the run
/// began, updated as each of this run's builds commits. It decides "up to date": a node is, only
/// when its fingerprint is the plan's and every input it reads is at the version its last build
/// read. Shared by the worker threads behind one lock.
///
/// The version of an input, as a reader sees it:
/// - a seed, synthetic table, table or incremental model: the version its last build recorded;
/// - a view: its own version together with the current versions of what it reads, since a view
///   shows its inputs' rows as they are now;
/// - an external source (a table floe does not load): unknown, so what reads it is always built.
package final class NodeStates: @unchecked Sendable {
    private let lock = NSLock()
    private var states: [String: NodeState]
    private let graph: PlanGraph

    package init(recorded: [String: NodeState], graph: PlanGraph) {
        states = recorded
        self.graph = graph
    }

    package func state(of id: String) -> NodeState? {
        lock.lock()
        defer { lock.unlock() }
        return states[id]
    }

    /// A build of `id` committed and recorded `state`.
    package func committed(_ id: String, _ state: NodeState) {
        lock.lock()
        defer { lock.unlock() }
        states[id] = state
    }

    /// The current version of each input `id` reads; nil when one is unknown (never built, or an
    /// external source), in which case `id` cannot be up to date.
    package func inputVersions(of id: String) -> [String: String]? {
        lock.lock()
        defer { lock.unlock() }
        var versions: [String: String] = [:]
        for input in graph.inputs(of: id) {
            guard let version = currentVersion(input) else { return nil }
            versions[input] = version
        }
        return versions
    }

    /// The versions to record for a build of `id` that starts now: unknown inputs get a marker
    /// that no later version equals, so the build is recorded faithfully but never counts as
    /// current against them.
    package func inputVersionsForRecord(of id: String, runID: String) -> [String: String] {
        lock.lock()
        defer { lock.unlock() }
        var versions: [String: String] = [:]
        for input in graph.inputs(of: id) {
            versions[input] = currentVersion(input) ?? "unknown:\(runID)"
        }
        return versions
    }

    /// True when `id`'s last build had `fingerprint` and read exactly the inputs' current versions.
    /// The caller also checks that the relation still exists.
    package func isUpToDate(_ id: String, fingerprint: String) -> Bool {
        guard let state = state(of: id), state.fingerprint == fingerprint,
              let current = inputVersions(of: id) else { return false }
        return current == state.inputs
    }

    /// Called with the lock held.
    private func currentVersion(_ id: String) -> String? {
        guard let node = graph.byID[id], let state = states[id] else { return nil }
        guard node.materialized == .view else { return node.type == .source ? nil : state.version }
        var hasher = SHA256()
        hasher.update(data: Data(state.version.utf8))
        for input in state.inputs.keys.sorted() {
            guard let version = currentVersion(input) else { return nil }
            hasher.update(data: Data("\u{0}\(input)=\(version)".utf8))
        }
        return "view:" + Hex.string(hasher.finalize())
    }
}
