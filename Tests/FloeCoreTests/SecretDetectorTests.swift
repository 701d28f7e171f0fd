import FloeCore
import Testing

@Suite struct SecretDetectorTests {
    @Test(arguments: [
        ("AKIAIOSFODNN7EXAMPLE", SecretDetector.Finding.awsAccessKeyID),
        ("key=ASIAY34FZKBOKMUTVV7A", .awsAccessKeyID),
        ("-----BEGIN RSA PRIVATE KEY-----\nMIIE", .privateKeyBlock),
        ("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U", .jsonWebToken),
        ("postgres://admin:s3cret@db:5432/app", .urlWithCredentials),
        ("https://token@github.com/org/repo", .urlWithCredentials),
        ("ghp_1234567890abcdefghijklmnopqrstuvwxyz", .knownTokenPrefix),
        ("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", .highEntropyString),
        ("9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", .highEntropyString),
    ])
    func findsSecretLookingValues(value: String, expected: SecretDetector.Finding) {
        #expect(SecretDetector.inspect(value) == expected)
    }

    @Test(arguments: [
        "customer_lifetime_value_by_region",
        "models/staging/stg_orders_with_customers.sql",
        "http://marquez:5000/api/v1/lineage",
        "*/10 * * * *",
        "Orders, customers and products of a web shop, from raw events to revenue marts.",
        "floe-test-5f0c6a3e-8d1b-4c8e-9f3a-2b7d1e4c6a90",
        "select order_id, sum(amount) as total_amount from orders group by 1",
        "PRINCIPAL_ROLE:ALL",
        "hunter2hunter2",
    ])
    func leavesOrdinaryValuesAlone(value: String) {
        #expect(SecretDetector.inspect(value) == nil)
    }

    @Test func recognisesCredentialAndLocationKeys() {
        for key in ["password", "PASSWORD", "client_secret", "db_password", "api-key", "secret_ref", "token", "private_key"] {
            #expect(SecretDetector.isCredentialKey(key), "\(key)")
        }
        for key in ["name", "path", "description", "tokens_per_minute", "secretary"] {
            #expect(!SecretDetector.isCredentialKey(key), "\(key)")
        }
        for key in ["host", "endpoint", "url", "lineage_endpoint", "db_host", "port"] {
            #expect(SecretDetector.isLocationKey(key), "\(key)")
        }
        #expect(!SecretDetector.isLocationKey("path"))
    }
}

@Suite struct SecretDetectorIdentifierTests {
    @Test(arguments: ["customerLifetimeValueByRegionAndSegment", "ThisIsAVeryLongCamelCaseIdentifierName"])
    func longCamelCaseIdentifiersAreNotSecrets(value: String) {
        #expect(SecretDetector.inspect(value) == nil)
    }
}
