import ArgumentParser
import FloeSemantic
import FloeServe
import Foundation

/// `floe serve`: Cube's REST API over the plan's cubes.
struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Answer Cube REST API queries (/cubejs-api/v1/load, /meta, /sql, /dry-run), and SQL clients (--sql-port), over the plan's cubes.",
        discussion: """
            When platform.yaml gives the semantic API a secret (semantic.api_secret), every request needs \
            Authorization: <JWT signed HS256 with it>, and its claims are the security context of the \
            cubes' access policies; without one the API is open. A new plan file is picked up without a \
            restart, when it is for the environment served. Without a plan, the project is compiled for \
            --env first (as floe build does) and its target/artifacts.json served. Every query is bounded \
            by --query-timeout (504 past it) and the compute profile's connect_timeout (503 when the \
            warehouse cannot be reached). SIGINT or SIGTERM stop taking requests, give running ones \
            --drain-timeout seconds, then end them; a second signal ends the process at once. Exit codes: \
            2 for bad flags, 3 and 4 as for floe compile, 4 for a plan that cannot be served, 5 for a \
            secret that cannot be resolved, 1 when the address cannot be used.
            """)

    @Argument(help: ArgumentHelp("The plan to serve instead of compiling the project (or --plan).", valueName: "artifacts.json"))
    var artifacts: String?

    @Option(help: ArgumentHelp("The plan to serve instead of compiling the project.", valueName: "file"))
    var plan: String?

    @OptionGroup var project: ProjectOptions

    @Option(help: ArgumentHelp("The longest a query may take, connecting to the warehouse included (seconds).", valueName: "seconds"))
    var queryTimeout: Double = ServeConfiguration.defaultQueryTimeout

    @Option(help: ArgumentHelp("How long running queries may finish after SIGINT or SIGTERM (seconds).", valueName: "seconds"))
    var drainTimeout: Double = ServeConfiguration.defaultDrainTimeout

    @Option(help: ArgumentHelp(
        "How long a /load waits for its answer before it is answered \"Continue wait\", as Cube does; its query goes on (seconds).",
        valueName: "seconds"))
    var continueWait: Double = ServeConfiguration.defaultContinueWait

    @Option(help: "The address to listen on.")
    var host = "127.0.0.1"

    @Option(help: "The port to listen on; 0 picks a free one (printed at startup).")
    var port = 4000

    @Option(help: ArgumentHelp(
        "Also answer PostgreSQL clients (psql, BI tools) on this port: Cube's SQL API. 0 picks a free one; default: "
            + "platform.yaml's semantic.sql_api.port, and no SQL API when it gives none.", valueName: "port"))
    var sqlPort: Int?

    @Option(help: ArgumentHelp("The directory of floe.yaml (default: the parent of the plan's target/ directory).", valueName: "dir"))
    var projectDir: String?

    @Option(help: ArgumentHelp(
        "Print a token signed with the API secret for these claims (a JSON object, e.g. '{\"region\": \"EMEA\"}') and exit.",
        valueName: "claims"))
    var token: String?

    @Option(help: "How long a token printed by --token is valid, in hours (unless its claims give exp).")
    var tokenHours: Double = 24

    @Option(help: ArgumentHelp("Where the server's spans go: an OTLP/HTTP collector's URL, or off (default: platform.yaml's "
                               + "observability.otlp; also OTEL_EXPORTER_OTLP_ENDPOINT).", valueName: "url"))
    var otlp: String?

    @Option(help: "text: the log as lines on stderr; json: one JSON object per event, shaped like dbt's JSON logs.")
    var logFormat: LogFormat = .text

    func validate() throws {
        guard (0...65_535).contains(port) else { throw ValidationError("--port must be 0 to 65535") }
        guard sqlPort.map({ (0...65_535).contains($0) }) ?? true else { throw ValidationError("--sql-port must be 0 to 65535") }
        guard artifacts == nil || plan == nil else { throw ValidationError("give the plan once: as an argument or with --plan") }
        guard queryTimeout > 0, drainTimeout >= 0, continueWait > 0 else {
            throw ValidationError("--query-timeout and --continue-wait must be above 0, --drain-timeout 0 or more")
        }
    }

    func run() throws {
        let plan: String
        var environmentName = project.env
        if let given = artifacts ?? self.plan {
            plan = given
            guard FileManager.default.fileExists(atPath: plan) else {
                Console.standardError.line("error: no plan at \(plan); run floe compile first")
                throw FloeExit(.fileNotFound)
            }
            _ = try CurrentPlan.load(named: plan, project: project, command: "serve")
        } else if token != nil, FileManager.default.fileExists(atPath: CompileCommand.defaultOutput(forSpec: project.spec)) {
            // A token needs only the plan's secret reference: the plan there does.
            plan = CompileCommand.defaultOutput(forSpec: project.spec)
        } else {
            plan = try CurrentPlan.load(named: nil, project: project, command: "serve").path
            environmentName = project.environmentName
        }
        let configuration = ServeConfiguration(
            host: host, port: port, planPath: plan, projectDirectory: projectDir ?? PlanFile.projectDirectory(forPlan: plan),
            environment: ProcessInfo.processInfo.environment, environmentName: environmentName,
            queryTimeout: queryTimeout, drainTimeout: drainTimeout, continueWait: continueWait, sqlPort: sqlPort, otlp: otlp)
        let server: SemanticServer
        var events: (@Sendable (ServeLogEvent) -> Void)?
        var log: @Sendable (String) -> Void = { Console.standardError.line($0) }
        if logFormat == .json {
            events = { Self.jsonEvent($0) }
            log = { Self.jsonLine($0) }
        }
        do throws(ServeError) {
            server = try SemanticServer(configuration: configuration, events: events, log: log)
        } catch {
            Console.standardError.line("error: \(error.message)")
            throw FloeExit(error.kind == .secret ? .secretNotResolvable : .invalidConfiguration)
        }
        if let token {
            try printToken(token, server: server)
            return
        }
        let auth = server.requiresTokens
            ? "requests need Authorization: <JWT signed HS256 with the semantic API secret>"
            : "open: platform.yaml gives the semantic API no secret, so no token is asked for and access policies are not applied"
        let json = logFormat == .json
        let say: @Sendable (String) -> Void = { line in
            if json { Self.jsonLine(line) } else { Console.standardError.line(line) }
        }
        let host = self.host
        server.bootstrapTracing()
        defer { if let warning = server.closeTracing() { say("floe serve: warning: \(warning)") } }
        let outcome = Self.waitFor {
            try await server.run(onRunning: { port in
                say("floe serve: listening on http://\(host):\(port) (plan \(plan), environment \(server.environment)); \(auth)")
            }, onSQLRunning: { port in
                let login = server.requiresTokens ? "password: a token from floe serve --token, or a user of semantic.sql_api.users" : "no password"
                say("floe serve: SQL API on postgresql://\(host):\(port) (psql -h \(host) -p \(port) -U <user> <any database>; "
                    + "\(login)\(server.sqlTLS ? "; TLS offered" : ""))")
            })
        }
        if case .failure(let failure) = outcome {
            say("error: cannot serve on \(host):\(port): \(failure)")
            throw FloeExit(.failed)
        }
        say("floe serve: stopped")
    }
}

extension ServeCommand {
    /// A request's or query's event as one JSON object on stderr.
    @Sendable static func jsonEvent(_ event: ServeLogEvent) {
        Console.standardError.line(LogEvent(level: event.level, event: event.name, message: event.message,
                                            fields: event.fields.map { ($0.0, $0.1) }).jsonLine(at: Date(), context: .init()))
    }

    /// Any other line of the server's log (startup, warnings) as one JSON object.
    @Sendable static func jsonLine(_ line: String) {
        let level = line.contains("error") ? "error" : line.contains("warning") ? "warn" : "info"
        Console.standardError.line(LogEvent(level: level, event: "serve_log", message: line, fields: []).jsonLine(at: Date(), context: .init()))
    }

    /// `--token`: signs the claims with the plan's API secret.
    func printToken(_ text: String, server: SemanticServer) throws {
        guard let claims = try? JSONValue.parse(text), claims.objectValue != nil else {
            Console.standardError.line("error: --token takes the claims as a JSON object, e.g. '{\"region\": \"EMEA\"}'")
            throw FloeExit(.usage)
        }
        let lifetime = tokenHours * 3600
        switch Self.waitFor({ try await server.token(claims: claims, lifetime: lifetime) }) {
        case .success(let token?):
            Console.standardOutput.line(token)
        case .success(nil):
            Console.standardError.line("error: platform.yaml gives the semantic API no secret (semantic.api_secret), so it takes no tokens")
            throw FloeExit(.usage)
        case .failure(let failure):
            Console.standardError.line("error: \(failure)")
            throw FloeExit(.usage)
        }
    }

    /// Runs `work` and waits for it on this (synchronous) command's thread.
    static func waitFor<T: Sendable>(_ work: @escaping @Sendable () async throws -> T) -> Result<T, any Error> {
        let outcome = Outcome<T>()
        let done = DispatchSemaphore(value: 0)
        Task {
            do {
                outcome.result = .success(try await work())
            } catch {
                outcome.result = .failure(error)
            }
            done.signal()
        }
        done.wait()
        return outcome.result ?? .failure(CancellationError())
    }
}

/// What the awaited task gave, read once it has signalled.
private final class Outcome<T>: @unchecked Sendable {
    var result: Result<T, any Error>?
}
