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

/// In a plan (SQL and names), values that look random but are data pass; credentials do not.
@Suite struct SecretDetectorPlanTests {
    @Test(arguments: [
        "d41d8cd98f00b204e9800998ecf8427e",                                   // an md5 surrogate key
        "da39a3ee5e6b4b0d3255bfef95601890afd80709",                           // sha1
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",   // sha256
        "pi_3MtwBwLkdIwHu7ix28a3tqPa",                                        // Stripe object ids
        "cus_J1a2B3c4D5e6F7g8H9",
        "aHR0cHM6Ly9leGFtcGxlLmNvbS9wYXRoL3RvL3BhZ2U/cT0x",                   // base64 of a URL
        "accepted_values_stg_Orders_Status__Pending__Shipped__Delivered",    // a long test name
        "accepted_values_orders_1ce6ab157c285f7cd2ac656013faf758",
        "accepted_values_fct_trials_size__ONE_TO_50__FIFTY_TO_100__ONE_HUNDRED_TO_500__FIVE_HUNDRED_AND_UP",
    ])
    func dataPasses(value: String) {
        #expect(SecretDetector.inspect("where key = '\(value)'", mode: .plan) == nil)
    }

    /// A macro that strips a public key's PEM lines is no secret in a plan; a private key is.
    @Test func onlyAPrivateKeysPEMBlockIsASecretInAPlan() {
        #expect(SecretDetector.inspect("key.replace('-----BEGIN PUBLIC KEY-----', '')", mode: .plan) == nil)
        #expect(SecretDetector.inspect("x\n-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIE", mode: .plan) == .privateKeyBlock)
        #expect(SecretDetector.inspect("-----BEGIN CERTIFICATE-----") == .privateKeyBlock)
    }

    @Test(arguments: [
        ("sk_test_51HqLyjWDarjtT1zdp7dcXqVYT3Bl", SecretDetector.Finding.highEntropyString),
        ("sk_live_51HqLyjWDarjtT1zdp7dcXqVYT3Bl", .knownTokenPrefix),
        ("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", .highEntropyString),
        ("AKIAIOSFODNN7EXAMPLE", .awsAccessKeyID),
        ("postgres://admin:s3cret@db:5432/app", .urlWithCredentials),
    ])
    func credentialsDoNot(value: String, expected: SecretDetector.Finding) {
        #expect(SecretDetector.inspect("select '\(value)'", mode: .plan) == expected)
    }

    @Test func configurationFilesStayStrictAboutHexKeys() {
        #expect(SecretDetector.inspect("d41d8cd98f00b204e9800998ecf8427e") == .highEntropyString)
    }
}
