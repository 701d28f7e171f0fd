import FloeSemantic

extension SemanticServer {
    /// Why a bounded load gave no answer: the status and message the REST API would answer with
    /// (400, 403, 499 when `running` was ended, 500, 503, 504).
    struct LoadFailure: Error {
        var status: Int
        var message: String
    }

    /// `query` answered as `/v1/load` answers it — rollups when current, the security context's
    /// policies and row filters — on a pooled connection, within the query timeout and the drain;
    /// ending `running` interrupts it. What the SQL and GraphQL APIs run their cube queries with.
    /// `endpoint` names the API in the metrics (`sql_api`, `graphql`).
    func load(_ query: CubeQuery, served: ServedPlan, security: SecurityContext?, running: RunningQuery = RunningQuery(),
              endpoint: String) async -> Result<LoadResult, LoadFailure> {
        let started = ContinuousClock.now
        final class Answer: @unchecked Sendable {
            var result: LoadResult?
        }
        let answer = Answer()
        let api = CubeAPI(served: served, security: security, log: log)
        let reply = await bounded(served, api, client: nil, query: running) { connection in
            do {
                let result = try served.runner.load(query, on: connection, rollups: served.rollupState.current(connection), security: security)
                answer.result = result
                var reply = CubeAPI.Reply(status: 200, body: .null, note: CubeAPI.answeredBy(result))
                reply.ran = [(result.generated.sql, result.rows.rows.count)]
                return reply
            } catch {
                return api.failure(error)
            }
        }
        guard reply.status == 200, let result = answer.result else {
            if endpoint == "sql_api" { metrics.request(endpoint, status: reply.status, duration: ContinuousClock.now - started) }
            metrics.failed(status: reply.status)
            return .failure(LoadFailure(status: reply.status, message: reply.body["error"]?.stringValue ?? "the query failed"))
        }
        if endpoint == "sql_api" { metrics.request(endpoint, status: 200, duration: ContinuousClock.now - started) }
        metrics.answered(CubeAPI.answeredBy(result))
        return .success(result)
    }
}
