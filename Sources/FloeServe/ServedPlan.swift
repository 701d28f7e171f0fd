import FloeConnect
import FloeContract
import FloeCore
import FloeEngine
import FloeSemantic
import Foundation

/// The plan `floe serve` answers from, with what it needs to answer: the query runner, the API
/// secret (resolved when the plan is loaded, never shown) and a pool of read connections.
/// A newer plan file replaces it on the next request; requests already running finish on the
/// one they started with.
final class ServedPlan: @unchecked Sendable {
    let plan: CompiledArtifacts
    let runner: QueryRunner
    /// Which rollups may answer, checked against the warehouse's state for each query.
    let rollupState: PreAggregationState
    /// The HS256 secret tokens must be signed with; nil when platform.yaml gives none (open API).
    let apiSecret: String?
    /// The SQL API's users of platform.yaml by name, their passwords resolved (never shown).
    let sqlUsers: [String: SQLUser]
    /// The plan file's modification time and size when it was read.
    let stamp: FileStamp
    private let configuration: ServeConfiguration
    private let lock = NSLock()
    private var idle: [any EngineConnection] = []
    /// The schemas the plan's relations live in: their data versions stamp a cached answer.
    private let schemas: [String]
    /// Answers already given, per connection and query, with the warehouse's stamp when read.
    private let answers = BoundedCache<AnswerKey, (stamp: [Int64], body: String)>(capacity: 8_192)

    /// Every connection opened gets a serial number, so an answer remembered on a connection
    /// since closed is never taken for one of a new connection that happens to reuse its address.
    private var serials: [ObjectIdentifier: Int] = [:]
    private var lastSerial = 0

    struct AnswerKey: Hashable {
        var connection: Int
        var query: String
    }

    struct FileStamp: Equatable {
        var modified: Date
        var size: Int

        /// One `stat` call: it runs for every request.
        init(path: String) throws {
            var info = stat()
            guard stat(path, &info) == 0 else { throw CocoaError(.fileNoSuchFile) }
            modified = Date(timeIntervalSince1970: Double(info.st_mtim.tv_sec) + Double(info.st_mtim.tv_nsec) / 1e9)
            size = Int(info.st_size)
        }
    }

    /// Reads and checks the plan; a secret that cannot be resolved or a plan without cubes fails.
    init(configuration: ServeConfiguration) throws(ServeError) {
        self.configuration = configuration
        do {
            stamp = try FileStamp(path: configuration.planPath)
            plan = try PlanLoader.load(configuration.planPath)
        } catch let failure as PlanLoader.Failure {
            switch failure {
            case .notFound: throw ServeError(.plan, "cannot read the plan \(configuration.planPath): the file is not there")
            case .unreadable(let reason): throw ServeError(.plan, "cannot read the plan \(configuration.planPath): \(reason)")
            case .invalid(let problems):
                throw ServeError(.plan, "the plan is not valid: " + problems.map(\.description).joined(separator: "; "))
            }
        } catch {
            throw ServeError(.plan, "cannot read the plan \(configuration.planPath): \(error)")
        }
        rollupState = PreAggregationState(plan: plan)
        schemas = EngineAdapters.schemas(of: plan)
        do {
            runner = try QueryRunner(plan: plan)
        } catch {
            throw ServeError(.plan, error.message)
        }
        if let reference = plan.semantic?.apiSecret {
            let secret: String
            do {
                secret = try SecretResolver(settings: plan.secrets, environment: configuration.environment).resolve(reference)
            } catch {
                throw ServeError(.secret, "the semantic API's secret: \(error.description)")
            }
            // RFC 7518 §3.2: an HS256 key is at least as long as the hash.
            guard secret.utf8.count >= TokenVerifier.minimumSecretBytes else {
                throw ServeError(.secret, "the semantic API's secret (secret '\(reference.name)' key '\(reference.key)') is \(secret.utf8.count) bytes; "
                    + "HS256 tokens need a secret of at least \(TokenVerifier.minimumSecretBytes) bytes")
            }
            apiSecret = secret
        } else {
            apiSecret = nil
        }
        var users: [String: SQLUser] = [:]
        for user in plan.semantic?.sqlAPI?.users ?? [] {
            let password: String
            do {
                password = try SecretResolver(settings: plan.secrets, environment: configuration.environment).resolve(user.password)
            } catch {
                throw ServeError(.secret, "the SQL API user '\(user.name)': \(error.description)")
            }
            users[user.name] = SQLUser(password: password, claims: .object(user.securityContext.sorted { $0.key < $1.key }.map { ($0.key, Self.claim($0.value)) }),
                                       md5: user.passwordEncryption == "md5", canSwitchUser: user.canSwitchUser)
        }
        sqlUsers = users
    }

    /// A claim of platform.yaml as a token would carry it.
    private static func claim(_ value: ConfigValue) -> JSONValue {
        switch value {
        case .string(let text): .string(text)
        case .integer(let number): .number(String(number))
        case .number(let number): .number(String(number))
        case .bool(let flag): .bool(flag)
        case .list(let items): .array(items.map(claim))
        case .map(let entries): .object(entries.sorted { $0.key < $1.key }.map { ($0.key, claim($0.value)) })
        case .secret, .null: .null
        }
    }

    /// The data versions of every schema of the plan as `connection` sees them: unchanged means
    /// no other connection has committed anything since. nil when the engine has none.
    func stamp(_ connection: any EngineConnection) -> [Int64]? {
        var versions: [Int64] = []
        for schema in schemas {
            guard let version = connection.dataVersion(of: schema) else { return nil }
            versions.append(version)
        }
        return versions
    }

    /// An answer given on `connection` for `key` while the warehouse had `stamp`.
    func answer(for key: String, on connection: any EngineConnection, stamp: [Int64]) -> String? {
        guard let serial = serial(of: connection), let known = answers[AnswerKey(connection: serial, query: key)], known.stamp == stamp else {
            return nil
        }
        return known.body
    }

    func remember(_ body: String, for key: String, on connection: any EngineConnection, stamp: [Int64]) {
        guard let serial = serial(of: connection) else { return }
        answers[AnswerKey(connection: serial, query: key)] = (stamp, body)
    }

    private func serial(of connection: any EngineConnection) -> Int? {
        lock.lock()
        defer { lock.unlock() }
        return serials[ObjectIdentifier(connection)]
    }

    /// Runs `work` on a connection of the pool (a new one when none is idle), attached to
    /// `running` so that it can be interrupted. The connection goes back to the pool only when the
    /// work ended on its own with an answer below 500: one that was interrupted, or whose engine
    /// failed, is closed, so a warehouse that went away and came back is met with new connections.
    /// A connection that cannot be opened is `SemanticError.unreachable`.
    func run(_ running: RunningQuery, _ work: (any EngineConnection) -> CubeAPI.Reply) throws(SemanticError) -> CubeAPI.Reply {
        lock.lock()
        let pooled = idle.popLast()
        lock.unlock()
        let connection: any EngineConnection
        if let pooled {
            connection = pooled
        } else {
            do {
                connection = try PlanConnection.open(
                    plan, projectDirectory: configuration.projectDirectory, environment: configuration.environment).connection
            } catch {
                throw SemanticError(.unreachable, error.description)
            }
            lock.lock()
            lastSerial += 1
            serials[ObjectIdentifier(connection)] = lastSerial
            lock.unlock()
        }
        guard running.attach(connection) else {
            discard(connection)
            return .error(503, "the server is stopping")
        }
        let reply = work(connection)
        running.detach()
        if running.stopped == nil && reply.status < 500 {
            lock.lock()
            idle.append(connection)
            lock.unlock()
        } else {
            discard(connection)
        }
        return reply
    }

    /// Forgets a connection; it closes when the last reference goes.
    private func discard(_ connection: any EngineConnection) {
        lock.lock()
        serials[ObjectIdentifier(connection)] = nil
        lock.unlock()
    }
}
