// swift-tools-version:6.0
import PackageDescription

// One target per job (see docs/ARCHITECTURE.md):
// Canonical ← FormatKit ← Formats/* ; Mapping ; Ledger ; Transport ; Gateway ← dropgate.
let package = Package(
    name: "dropgate",
    platforms: [.macOS(.v14)],
    products: [.executable(name: "dropgate", targets: ["dropgate"])],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", exact: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", exact: "1.16.2"),
        .package(url: "https://github.com/apple/swift-crypto", exact: "3.12.3"),
        .package(url: "https://github.com/groue/GRDB.swift", exact: "7.10.0"),
        .package(url: "https://github.com/jpsim/Yams", exact: "6.2.2"),
        // Console (HTTP side of `dropgate run`): server, templates, metrics.
        .package(url: "https://github.com/hummingbird-project/hummingbird", exact: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", exact: "2.1.1"),
        .package(url: "https://github.com/apple/swift-metrics", exact: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", exact: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", exact: "2.13.0"),
        .package(url: "https://github.com/apple/swift-nio", exact: "2.101.3"),
        .package(url: "https://github.com/apple/swift-nio-ssl", exact: "2.37.6"),
    ],
    targets: [
        // Records, exact money, JSON Lines. Depends on nothing of ours.
        .target(name: "Canonical"),
        // What every format shares: the document tree, byte streams, encodings, errors, protocols.
        .target(name: "FormatKit", dependencies: ["Canonical"]),
        // libxml2 with network and external entities off; XSD validation.
        .systemLibrary(name: "CLibXML2", pkgConfig: "libxml-2.0", providers: [.apt(["libxml2-dev"])]),
        .target(name: "XMLSupport", dependencies: ["CLibXML2", "FormatKit"]),

        // Formats: one folder per family, reader and writer side by side.
        .target(name: "CSVFormat", dependencies: ["FormatKit"], path: "Sources/Formats/CSVFormat"),
        .target(name: "X12", dependencies: ["FormatKit", "Canonical", "Yams"], path: "Sources/Formats/X12"),
        .target(name: "ISO20022", dependencies: ["FormatKit", "XMLSupport"], path: "Sources/Formats/ISO20022"),
        .target(name: "GLFormats", dependencies: ["FormatKit"], path: "Sources/Formats/GLFormats"),

        // General ledger: posting rules (mappings/gl/*.yaml) turn records into journal entries;
        // reconciliation matches statement lines against what we expected.
        .target(name: "Posting", dependencies: ["Canonical", "Yams"]),
        .target(name: "Reconciliation", dependencies: ["Canonical"]),
        // Taiwan government e-invoice (MIG 4.1 / 3.2 XML), upload window and batches, platform results.
        .target(name: "TWEInvoice", dependencies: ["FormatKit", "XMLSupport"], path: "Sources/Formats/TWEInvoice",
                resources: [.copy("Schemas")]),
        .target(name: "NACHA", dependencies: ["FormatKit", "Canonical"], path: "Sources/Formats/NACHA"),
        .target(name: "MT940", dependencies: ["FormatKit", "Canonical"], path: "Sources/Formats/MT940"),

        .target(name: "Mapping", dependencies: ["Canonical", "FormatKit", "Yams"]),
        .target(name: "Ledger", dependencies: ["Canonical", .product(name: "GRDB", package: "GRDB.swift"), .product(name: "Crypto", package: "swift-crypto")]),
        // libssh2 for SFTP (Debian 12 ships 1.10: ed25519/ECDSA keys only, see docs/TOOLCHAIN.md).
        .systemLibrary(name: "CLibSSH2", pkgConfig: "libssh2", providers: [.apt(["libssh2-1-dev"])]),
        .target(name: "Transport", dependencies: ["Ledger", "CLibSSH2", .product(name: "Crypto", package: "swift-crypto")]),
        // OpenPGP through GPGME (Debian 12: 1.18) on a keyring of the gateway's own (docs/DROPBOXES.md).
        .systemLibrary(name: "CGPGME", pkgConfig: "gpgme", providers: [.apt(["libgpgme-dev"])]),
        .target(name: "PGP", dependencies: ["CGPGME"]),
        // Events (docs/EVENTS.md): envelope, transactional outbox, RabbitMQ through rabbitmq-c, signed webhooks.
        .systemLibrary(name: "CRabbitMQ", pkgConfig: "librabbitmq", providers: [.apt(["librabbitmq-dev"])]),
        .target(name: "Events", dependencies: ["Canonical", "Ledger", "Transport", "CRabbitMQ", .product(name: "GRDB", package: "GRDB.swift"),
                                               .product(name: "Crypto", package: "swift-crypto"), .product(name: "Logging", package: "swift-log")]),
        .target(name: "Gateway", dependencies: [
            "Canonical", "Events", "FormatKit", "Mapping", "Ledger", "Transport", "Posting", "CSVFormat", "GLFormats", "XMLSupport", "Yams", "TWEInvoice", "NACHA", "X12", "ISO20022", "MT940",
            .product(name: "Logging", package: "swift-log"), .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "Crypto", package: "swift-crypto"), "PGP",
        ]),
        // Console: health, metrics, JSON API and the operator pages inside `dropgate run` (Hummingbird 2).
        .target(name: "Console", dependencies: [
            "Gateway", "Ledger", "Canonical", "Reconciliation", .product(name: "GRDB", package: "GRDB.swift"), .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "Hummingbird", package: "hummingbird"), .product(name: "HummingbirdCore", package: "hummingbird"), .product(name: "HummingbirdTLS", package: "hummingbird"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"), .product(name: "Mustache", package: "swift-mustache"),
            .product(name: "Metrics", package: "swift-metrics"), .product(name: "Prometheus", package: "swift-prometheus"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"), .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "Logging", package: "swift-log"), "Yams",
        ], resources: [.copy("Templates"), .copy("Static")]),
        .executableTarget(name: "dropgate", dependencies: [
            "Gateway", "Events", "Console", "Posting", "Reconciliation", "X12", .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        // Benchmarks/sftp.sh: SFTPPuller throughput against OpenSSH's sftp.
        .executableTarget(name: "sftp-bench", dependencies: ["Transport"], path: "Benchmarks/SFTPBench"),
        // Benchmarks/events.sh: events/s to RabbitMQ with publisher confirms.
        .executableTarget(name: "events-bench", dependencies: ["Events", "Ledger", .product(name: "Logging", package: "swift-log")], path: "Benchmarks/EventsBench"),

        .testTarget(name: "CanonicalTests", dependencies: ["Canonical"]),
        .testTarget(name: "FormatKitTests", dependencies: ["FormatKit", "XMLSupport"]),
        .testTarget(name: "MappingTests", dependencies: ["Mapping"]),
        .testTarget(name: "CSVFormatTests", dependencies: ["TestSupport", "CSVFormat", "Mapping", "Gateway"]),
        .testTarget(name: "X12Tests", dependencies: ["TestSupport", "X12", "FormatKit", "Canonical", "Mapping"], exclude: ["Fixtures"]),
        .testTarget(name: "ISO20022Tests", dependencies: ["TestSupport", "ISO20022", "XMLSupport", "Mapping", "Gateway"], exclude: ["Fixtures"]),
        .testTarget(name: "TWEInvoiceTests", dependencies: ["TestSupport", "TWEInvoice", "XMLSupport", "Mapping", "Gateway"]),
        .testTarget(name: "NACHATests", dependencies: ["TestSupport", "NACHA", "FormatKit", "Canonical", "Mapping", "Gateway"], exclude: ["Fixtures"]),
        .testTarget(name: "MT940Tests", dependencies: ["TestSupport", "MT940", "FormatKit", "Canonical", "Mapping", "Gateway", "Yams"], exclude: ["Fixtures"]),
        .testTarget(name: "LedgerTests", dependencies: ["Ledger"]),
        // A real OpenSSH sshd on 127.0.0.1 for the SFTP tests of Transport and Gateway.
        .target(name: "TestSupport", dependencies: ["Transport"], path: "Tests/TestSupport"),
        .testTarget(name: "TransportTests", dependencies: ["Transport", "TestSupport"]),
        .testTarget(name: "GatewayTests", dependencies: ["Gateway", "Transport", "GLFormats", "TestSupport", "Events"]),
        .testTarget(name: "PGPTests", dependencies: ["PGP", "TestSupport"]),
        .testTarget(name: "DropboxTests", dependencies: ["Gateway", "PGP", "Transport", "Ledger", "Mapping", "Canonical", "TestSupport"]),
        .testTarget(name: "ConsoleTests", dependencies: ["Console", "Gateway", "Ledger", "TestSupport", "Yams", .product(name: "GRDB", package: "GRDB.swift")]),
        .testTarget(name: "GeneralLedgerTests", dependencies: ["TestSupport", "Posting", "Reconciliation", "GLFormats", "FormatKit", "Mapping"]),
    ]
)
