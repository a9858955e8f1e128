import Accounts
import ArgumentParser
import BankKit
import Foundation
import Identity
import Logging
import NIOCore
import NIOFoundationCompat
import Payments
import RongServer
import ServiceLifecycle
import Storage
import Synchronization

/// `rong bench pay`: e-Pay end to end over HTTP on loopback — the merchant creates an order,
/// the payer asks for the code and confirms (hold, then capture) — from concurrent clients,
/// against the real server on a fresh database.
struct PayBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "pay", abstract: "Benchmark e-Pay: create → code → confirm over HTTP on loopback.")

    @Option(help: "Payments to complete (one per payer: a payer may ask for one code a minute)") var payments = 2_000
    @Option(help: "Concurrent clients") var concurrency = 32
    @Option(help: "Paced mode: start this many payments per second (default: as fast as possible)") var rate: Int?
    @Option(help: "Loopback port for the server") var port = 18_765
    @Option(name: .customLong("database"), help: "postgres://… to bench PostgreSQL (default: $DATABASE_URL, else a fresh SQLite file in data/bench/)")
    var url: String?

    func validate() throws {
        guard payments >= 1, payments <= 1_000_000 else { throw ValidationError("--payments must be 1…1,000,000") }
        guard concurrency >= 1, concurrency <= 1_000 else { throw ValidationError("--concurrency must be 1…1,000") }
        if let rate { guard rate >= 1, rate <= 100_000 else { throw ValidationError("--rate must be 1…100,000") } }
    }

    func run() async throws {
        var logger = Logger(label: "rong.bench")
        logger.logLevel = .warning
        let scratch = try await ScratchDatabase.create(serverURL: url ?? ProcessInfo.processInfo.environment["DATABASE_URL"], sqliteParent: "data/bench",
                                                       prefix: "rong_paybench", logger: logger)
        let codes = CapturedCodes()
        // The bench's merchant is notified on loopback (nothing listens; webhooks are not delivered here).
        var security = RongPlatform.Security(bcryptCost: 4, smsSink: codes)
        security.allowPrivateNotifyURLs = true
        let platform = try await RongPlatform.start(database: scratch.database, clock: .live, ids: .live, security: security, logger: logger)
        print("rong bench pay: \(payments) payments, concurrency \(concurrency)\(rate.map { ", paced at \($0)/s" } ?? ""); "
              + "\(ProcessInfo.processInfo.activeProcessorCount) cores, \(scratch.database.dialect.rawValue)")
        let (apiKey, payers) = try await prepare(platform)
        let server = try await BenchServer.start(platform, port: port)
        let port = self.port
        try await waitUntilUp(port: port)

        let next = SharedCounter()
        let started = ContinuousClock.now
        let interval = rate.map { Duration.nanoseconds(1_000_000_000 / Int64($0)) }
        let count = payments
        // One keep-alive connection per client, as a shop's checkout servers would hold.
        let results: [Sample] = try await withThrowingTaskGroup(of: [Sample].self) { group in
            for _ in 0..<concurrency {
                group.addTask {
                    try await LoopbackHTTPConnection.with(port: port) { connection in
                        var mine: [Sample] = []
                        while true {
                            let index = next.increment() - 1
                            guard index < count else { break }
                            if let interval { try await ContinuousClock().sleep(until: started + interval * index) }
                            mine.append(try await PayBench.pay(&connection, apiKey: apiKey, payer: payers[index], index: index, codes: codes))
                        }
                        return mine
                    }
                }
            }
            var all: [Sample] = []
            for try await part in group { all += part }
            return all
        }
        let elapsed = ContinuousClock.now - started
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let completed = results.filter(\.paid)
        func percentile(_ values: [Double], _ p: Int) -> Double {
            let sorted = values.sorted()
            return sorted.isEmpty ? 0 : sorted[min(sorted.count - 1, sorted.count * p / 100)]
        }
        let total = completed.map(\.totalMs)
        let report = try await platform.ledger.checkInvariants()
        print(String(format: "completed %d of %d payments in %.2f s = %.0f payments/s", completed.count, payments, seconds, Double(completed.count) / seconds))
        print(String(format: "end to end (3 requests): p50 %.1f ms, p99 %.1f ms; create p50 %.1f ms, code p50 %.1f ms, confirm p50 %.1f ms, confirm p99 %.1f ms",
                     percentile(total, 50), percentile(total, 99), percentile(completed.map(\.createMs), 50), percentile(completed.map(\.codeMs), 50),
                     percentile(completed.map(\.confirmMs), 50), percentile(completed.map(\.confirmMs), 99)))
        print("ledger \(report.isHealthy ? "healthy" : "UNHEALTHY: \(report)")")
        if let counts = scratch.database.walCheckpointer?.counts {
            print("WAL: \(counts.passive) background copies, started again \(counts.walStarts) times (\(counts.restarts) by RESTART, \(counts.restartsBusy) RESTARTs gave way to a reader)")
        }
        server.cancel()
        _ = try? await server.value
        await platform.shutdown()
        await scratch.drop()
        if completed.count != payments { throw ExitCode.failure }
    }

    struct Payer: Sendable {
        let mobile: String
        let last6: String
    }

    struct Sample: Sendable {
        let paid: Bool
        let createMs: Double
        let codeMs: Double
        let confirmMs: Double
        var totalMs: Double { createMs + codeMs + confirmMs }
    }

    /// A merchant and one payer per payment: enrolled at the counter with a Class I account holding ¥10,000.
    private func prepare(_ platform: RongPlatform) async throws -> (String, [Payer]) {
        let staff = Principal(userID: RongID.derived("bench", "operator"), role: .operator, sessionID: RongID.derived("bench", "session"), displayName: "bench")
        let first17 = "91330100MA2BENCH1"
        let merchant = try await platform.payments.onboardMerchant(by: staff, name: "压测商户", licenceNumber: first17 + String(CreditCode.checkCharacter(for: first17)!),
                                                                   notifyURL: "http://127.0.0.1:9/notify", address: "bench")
        let count = payments
        let next = SharedCounter()
        let payers: [(Int, Payer)] = try await withThrowingTaskGroup(of: [(Int, Payer)].self) { group in
            for _ in 0..<8 {
                group.addTask {
                    var mine: [(Int, Payer)] = []
                    while true {
                        let index = next.increment() - 1
                        guard index < count else { break }
                        let mobile = "15" + String(format: "%09d", index)
                        let customer = try await platform.accounts.enrolAtCounter(by: staff, name: "测试\(PayBench.chineseNumber(index))",
                                                                                   idNumber: PayBench.uniqueID(index), mobile: mobile,
                                                                                   password: "Bench2026pw", address: "bench")
                        let account = try await platform.accounts.openClassIAccount(by: staff, customerID: customer.id, cashDepositFen: 10_000_00, idempotencyKey: "bench", address: "bench")
                        mine.append((index, Payer(mobile: mobile, last6: String(account.accountNumber.suffix(6)))))
                    }
                    return mine
                }
            }
            var all: [(Int, Payer)] = []
            for try await part in group { all += part }
            return all
        }
        return (merchant.apiKey, payers.sorted { $0.0 < $1.0 }.map(\.1))
    }

    /// A valid resident ID unique per index: birth dates walk day by day from 1960, sequence by index.
    static func uniqueID(_ index: Int) -> String {
        let birth = (try! BusinessDate(year: 1960, month: 1, day: 1)).adding(days: index % 15_000)
        let first17 = "110101" + birth.iso.replacingOccurrences(of: "-", with: "") + String(format: "%03d", index / 15_000 % 1000)
        return first17 + String(ResidentID.checkCharacter(for: first17))
    }

    /// Names are Chinese characters only: the index spelled with 零…九.
    static func chineseNumber(_ index: Int) -> String {
        let digits = Array("零一二三四五六七八九")
        return String(String(index).map { digits[Int(String($0))!] })
    }

    /// The fields of a response the bench reads, and the response itself for error messages.
    private struct Reply: CustomStringConvertible {
        let id: String?
        let status: String?
        /// Kept as received; formatted only when a failed step prints it.
        let response: LoopbackHTTPConnection.Response

        /// Reads the top-level `"id"` and `"status"` strings by scanning the bytes: the bench's
        /// clients share the 2 cores with the server they measure, and `JSONDecoder` for every
        /// reply was 2% of the process. Rong's bodies are flat JSON with `"key":"value"` members
        /// (no spaces), which is all this reads; anything else reads as absent and fails the step.
        init(_ response: LoopbackHTTPConnection.Response) {
            self.response = response
            id = Reply.stringMember("\"id\":\"", in: response.body)
            status = Reply.stringMember("\"status\":\"", in: response.body)
        }

        static func stringMember(_ opening: StaticString, in body: ByteBuffer) -> String? {
            body.withUnsafeReadableBytes { bytes -> String? in
                let key = UnsafeRawBufferPointer(start: opening.utf8Start, count: opening.utf8CodeUnitCount)
                guard let member = bytes.firstRange(of: key), let end = bytes[member.upperBound...].firstIndex(of: UInt8(ascii: "\"")) else { return nil }
                return String(decoding: bytes[member.upperBound..<end], as: UTF8.self)
            }
        }

        var description: String { "HTTP \(response.status.code): \(String(buffer: response.body))" }
    }

    private static func pay(_ connection: inout LoopbackHTTPConnection, apiKey: String, payer: Payer, index: Int, codes: CapturedCodes) async throws -> Sample {
        let t0 = ContinuousClock.now
        let order = try await post(&connection, "/v1/pay/orders", #"{"order_number":"B\#(index)","amount_fen":1288,"description":"压测订单"}"#,
                                   authorization: "Bearer \(apiKey)")
        guard let orderID = order.id else { throw ValidationError("order: \(order)") }
        let t1 = ContinuousClock.now
        let challenge = try await post(&connection, "/v1/pay/checkout/\(orderID)/otp", #"{"mobile":"\#(payer.mobile)","account_last6":"\#(payer.last6)"}"#)
        guard let challengeID = challenge.id, let code = codes.code(for: payer.mobile) else { throw ValidationError("code: \(challenge)") }
        let t2 = ContinuousClock.now
        let paid = try await post(&connection, "/v1/pay/checkout/\(orderID)/confirm", #"{"otp_challenge_id":"\#(challengeID)","otp_code":"\#(code)"}"#)
        let t3 = ContinuousClock.now
        func ms(_ d: Duration) -> Double { Double(d.components.seconds) * 1000 + Double(d.components.attoseconds) / 1e15 }
        return Sample(paid: paid.status == "paid", createMs: ms(t1 - t0), codeMs: ms(t2 - t1), confirmMs: ms(t3 - t2))
    }

    private static func post(_ connection: inout LoopbackHTTPConnection, _ path: String, _ body: String, authorization: String? = nil) async throws -> Reply {
        Reply(try await connection.request(.POST, path, json: body, authorization: authorization))
    }

    /// Polls GET /healthz until the server answers 200 (at most 10 s).
    private func waitUntilUp(port: Int) async throws {
        for _ in 0..<100 {
            let up = try? await LoopbackHTTPConnection.with(port: port) { connection in
                try await connection.request(.GET, "/healthz").status == .ok
            }
            if up == true { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw ValidationError("the server did not start on port \(port)")
    }
}

/// Keeps the newest code sent to each mobile (the bench plays the payer's phone).
final class CapturedCodes: SMSSink {
    private let codes = Mutex<[String: String]>([:])

    func deliver(_ message: SMSMessage) async throws {
        guard let code = OTPService.code(inMessage: message.body) else { return }
        codes.withLock { $0[message.mobile] = code }
    }

    func code(for mobile: String) -> String? { codes.withLock { $0[mobile] } }
}
