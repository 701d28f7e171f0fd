import FloeConnect
import FloeContract
import FloeRuntime
import Foundation
import Testing

@Suite struct SecretResolverTests {
    let reference = SecretReference(name: "warehouse-db", key: "password")

    @Test func theEnvironmentVariableComesFirst() throws {
        let resolver = SecretResolver(settings: SecretSettings(mount: "/nonexistent"),
                                      environment: ["FLOE_SECRET_WAREHOUSE_DB_PASSWORD": "s3cr3t-value"])
        #expect(try resolver.resolve(reference) == "s3cr3t-value")
    }

    @Test func thenTheMountedFileWithoutItsNewline() throws {
        let mount = FileManager.default.temporaryDirectory.appendingPathComponent("floe-secrets-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: mount.appendingPathComponent("warehouse-db"), withIntermediateDirectories: true)
        try Data("from-file\n".utf8).write(to: mount.appendingPathComponent("warehouse-db/password"))
        let resolver = SecretResolver(settings: SecretSettings(mount: "/nonexistent"), environment: ["FLOE_SECRETS_MOUNT": mount.path])
        #expect(try resolver.resolve(reference) == "from-file")
        #expect(try resolver.resolve(["password": .secret(reference), "user": .string("floe")])
            == ["password": .string("from-file"), "user": .string("floe")])
    }

    @Test func aMissingSecretNamesBothPlaces() {
        let resolver = SecretResolver(settings: SecretSettings(mount: "/run/floe"), environment: [:])
        #expect {
            try resolver.resolve(reference)
        } throws: { error in
            let text = "\(error)"
            return text.contains("FLOE_SECRET_WAREHOUSE_DB_PASSWORD") && text.contains("/run/floe/warehouse-db/password")
        }
    }

    @Test func applyExitsWithTheSecretFailureBeforeTouchingTheWarehouse() throws {
        let shop = try Workspace(fixture: "shop")
        var plan = try shop.compile()
        plan.profiles.compute.settings["key"] = .secret(SecretReference(name: "sqlite-key", key: "value"))
        #expect {
            try shop.apply(plan: plan)
        } throws: { error in
            guard let error = error as? ExecutorError, error.kind == .secret else { return false }
            return error.message.contains("FLOE_SECRET_SQLITE_KEY_VALUE")
        }
        #expect(!FileManager.default.fileExists(atPath: shop.directory.appendingPathComponent(".floe/dev.db").path))
        let results = try shop.apply(environment: ["FLOE_SECRET_SQLITE_KEY_VALUE": "hunter2-very-secret"], plan: plan)
        #expect(results.status("fct_orders") == .success)
        let encoded = String(decoding: try results.encoded(), as: UTF8.self)
        #expect(!encoded.contains("hunter2-very-secret"))
    }
}
