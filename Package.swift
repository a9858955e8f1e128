// swift-tools-version: 6.1
import Foundation
import PackageDescription

/// jemalloc is linked into the `rong` executable when its development files are installed
/// (Debian: `apt-get install -y libjemalloc-dev`; `.ci/run` installs it). With glibc's malloc a
/// tenth of the server's CPU went to the allocator under e-Link load; jemalloc served the same
/// load ~15% cheaper (docs/benchmarks.md). Without it `rong` builds and runs on glibc's malloc.
let jemalloc: [LinkerSetting] = ["/usr/lib/x86_64-linux-gnu/libjemalloc.so", "/usr/lib/aarch64-linux-gnu/libjemalloc.so", "/usr/lib/libjemalloc.so",
                                 "/usr/local/lib/libjemalloc.so"].contains { FileManager.default.fileExists(atPath: $0) }
    ? [.linkedLibrary("jemalloc")] : []

let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "Rong",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "rong", targets: ["rong"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket.git", from: "2.8.1"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth.git", from: "2.5.0"),
        .package(url: "https://github.com/vapor/jwt-kit.git", from: "5.8.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
    ],
    targets: [
        // Money, ids, clocks, the business calendar and the domain error: no I/O.
        .target(name: "BankKit", swiftSettings: strict),
        // The system SQLite (Debian libsqlite3-dev), used through its C API.
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
        // One database handle over SQLite and PostgreSQL (PostgresNIO), migrations.
        .target(
            name: "Storage",
            dependencies: [
                "BankKit", "CSQLite",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        // The double-entry engine: the only writer of balances.
        .target(
            name: "Ledger",
            dependencies: [
                "BankKit", "Storage", "CSQLite",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            swiftSettings: strict
        ),
        // The end-of-day runner: named, ordered, idempotent, resumable steps.
        .target(
            name: "EndOfDay",
            dependencies: ["BankKit", "Storage", .product(name: "Logging", package: "swift-log")],
            swiftSettings: strict
        ),
        // The outside banking world: CNAPS2-style ISO 20022 messages and a simulator of other banks.
        .target(
            name: "Interbank",
            dependencies: [
                "BankKit", "Storage",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        // Credentials, sessions (JWT + rotating refresh tokens), roles, OTP, SMS outbox, audit log.
        .target(
            name: "Identity",
            dependencies: [
                "BankKit", "Storage",
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        // Customers, real-name KYC, bound Class I accounts, Class II/III e-accounts and their limits.
        .target(
            name: "Accounts",
            dependencies: [
                "BankKit", "Storage", "Ledger", "Identity", "Interbank",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        // e-Pay orders, refunds, merchants and their signed webhooks; transfers.
        .target(
            name: "Payments",
            dependencies: [
                "BankKit", "Storage", "Ledger", "Identity", "Accounts", "Interbank",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        // Deposits and wealth: rates, demand interest, time/tiered deposits, sweep, wealth products, suitability.
        .target(
            name: "Wealth",
            dependencies: [
                "BankKit", "Storage", "Ledger", "EndOfDay", "Identity", "Accounts",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        // Financing: 逸贷 consumer instalment loans, merchant 逸贷 and 网贷通 revolving lines, the scorecard and loan arithmetic.
        .target(
            name: "Lending",
            dependencies: [
                "BankKit", "Storage", "Ledger", "EndOfDay", "Identity", "Accounts", "Payments",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        // e-Link (融e联): conversations, sequenced messages, the service queue, official accounts,
        // account managers, blobs, bank notifications and the fan-out hub (in-process or LISTEN/NOTIFY).
        .target(
            name: "Messaging",
            dependencies: [
                "BankKit", "Storage", "Identity", "Accounts",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        // Composition root: HTTP app, middleware, OpenAPI, pages, demo data.
        .target(
            name: "RongServer",
            dependencies: [
                "BankKit", "Storage", "Ledger", "EndOfDay", "Interbank", "Identity", "Accounts", "Payments", "Wealth", "Lending",
                "Messaging",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            resources: [.copy("Resources")],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "rong",
            dependencies: [
                "BankKit", "Storage", "Ledger", "EndOfDay", "Identity", "Accounts", "Payments", "Wealth", "Lending", "RongServer",
                "Messaging",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
            ],
            swiftSettings: strict,
            linkerSettings: jemalloc
        ),
        .testTarget(
            name: "RongTests",
            dependencies: [
                "BankKit", "Storage", "Ledger", "EndOfDay", "Interbank", "Identity", "Accounts", "Payments", "Wealth", "Lending", "RongServer",
                "Messaging",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HummingbirdWSTesting", package: "hummingbird-websocket"),
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ],
            swiftSettings: strict
        ),
    ],
    swiftLanguageModes: [.v6]
)
