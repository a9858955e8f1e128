import ArgumentParser
import BankKit
import Foundation
import Identity
import Logging
import Messaging
import NIOPosix
import RongServer
import Storage
import Synchronization

/// `rong bench im`: N WebSocket clients on loopback against an in-process server; measures
/// delivered messages per second for 1:1 chats and group fan-out (as fast as the clients may
/// send), then p50/p99 delivery latency of 1:1 messages paced at `--rate`.
///
/// Users, sessions and conversations are set up directly in the database (registration with
/// SMS codes would dominate the run); every message then takes the real path: a `send` frame,
/// the sequenced insert, the hub, the receiving connection's `message` frame.
struct ElinkBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "im", abstract: "Benchmark e-Link WebSocket delivery (1:1 and group fan-out).")

    @Option(help: "WebSocket clients (users), an even number") var connections = 10_000
    @Option(help: "Members per group in the fan-out phase") var groupSize = 100
    @Option(help: "1:1 messages in the throughput phase") var directMessages = 20_000
    @Option(help: "Group messages in the fan-out phase (each reaches group-size − 1 members)") var groupMessages = 500
    @Option(help: "1:1 messages a second in the latency phase") var rate = 10_000
    @Option(help: "Seconds of each paced phase") var seconds = 5
    @Option(help: "Group deliveries a second in the paced fan-out phase (0 skips it)") var groupRate = 10_000
    @Option(help: "Loopback port for the server") var port = 18_766
    @Flag(help: "Run the server as a child `rong serve` process (automatic when one process cannot hold both ends of every connection)")
    var serverProcess = false
    @Option(help: "The rong executable the child server runs (default: this one), to compare server builds under one client")
    var serverExecutable: String?
    @Option(name: .customLong("database"), help: "postgres://… to bench PostgreSQL (default: $DATABASE_URL, else a fresh SQLite file in data/bench/)")
    var url: String?

    static let phaseTimeoutSeconds = 60.0
    /// Connections being opened at once.
    static let connectingMax = 256

    func validate() throws {
        guard connections >= 4, connections <= 50_000, connections % 2 == 0 else { throw ValidationError("--connections must be an even 4…50,000") }
        guard groupSize >= 2, groupSize <= MessagingLimits.groupMembersMax, groupSize <= connections else {
            throw ValidationError("--group-size must be 2…500 and at most --connections")
        }
        guard directMessages >= 1, directMessages <= 10_000_000 else { throw ValidationError("--direct-messages must be 1…10,000,000") }
        guard groupMessages >= 0, groupMessages <= 1_000_000 else { throw ValidationError("--group-messages must be 0…1,000,000") }
        guard rate >= 1, rate <= 1_000_000 else { throw ValidationError("--rate must be 1…1,000,000") }
        guard groupRate >= 0, groupRate <= 1_000_000 else { throw ValidationError("--group-rate must be 0…1,000,000") }
        guard seconds >= 1, seconds <= 600 else { throw ValidationError("--seconds must be 1…600") }
    }

    func run() async throws {
        // In one process each connection is two sockets (client and server side); with the server
        // in a child process (`--server-process`, or when one process cannot hold both) it is one each.
        var limit = rlimit()
        getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        let separate = serverProcess || serverExecutable != nil || rlim_t(connections) * 2 + 512 > limit.rlim_max
        let needed = rlim_t(connections) * (separate ? 1 : 2) + 512
        if limit.rlim_cur < needed && limit.rlim_max >= needed { limit.rlim_cur = needed; setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) }
        getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        guard limit.rlim_cur >= needed else {
            throw ValidationError("\(connections) connections need \(needed) file descriptors in each process; "
                                  + "the limit is \(limit.rlim_cur) (hard \(limit.rlim_max)). Lower --connections or raise `ulimit -n`.")
        }
        var logger = Logger(label: "rong.bench")
        logger.logLevel = .warning
        let scratch = try await ScratchDatabase.create(serverURL: url ?? ProcessInfo.processInfo.environment["DATABASE_URL"], sqliteParent: "data/bench",
                                                       prefix: "rong_imbench", logger: logger)
        // One signing secret for the sessions made here and the server that checks them.
        let secret = (0..<48).map { _ in String(UInt8.random(in: 0...255), radix: 16) }.joined()
        let platform = try await RongPlatform.start(database: scratch.database, clock: .live, ids: .live,
                                                    security: RongPlatform.Security(signingSecret: Array(secret.utf8), bcryptCost: 4), logger: logger)
        print("rong bench im: \(connections) connections, groups of \(groupSize); \(ProcessInfo.processInfo.activeProcessorCount) cores, \(Allocator.name), "
              + "\(scratch.database.dialect.rawValue); server \(separate ? "in a child process (`rong serve`)" : "in this process")")
        let setupStarted = ContinuousClock.now
        let users = try await makeUsers(platform)
        var direct: [RongID] = []
        for pair in 0..<(connections / 2) {
            direct.append(try await platform.messaging.seedConversation(kind: .direct, title: "", members: [users[2 * pair].id, users[2 * pair + 1].id]))
        }
        var groups: [RongID] = []
        for start in stride(from: 0, to: connections - groupSize + 1, by: groupSize) {
            groups.append(try await platform.messaging.seedConversation(kind: .group, title: "bench", members: users[start..<(start + groupSize)].map(\.id)))
        }
        print("setup: \(users.count) users, \(direct.count) 1:1 chats, \(groups.count) groups in \(seconds(since: setupStarted)) s")

        let hub: (any MessageHub)?
        var serverPID: Int32?
        let stopServer: @Sendable () async -> Void
        if separate {
            await platform.shutdown()
            let child = try ElinkBench.startServer(databaseURL: scratch.url, port: port, secret: secret, executable: serverExecutable)
            try await ElinkBench.waitUntilListening(port: port, child: child)
            serverPID = child.processIdentifier
            hub = nil
            stopServer = {
                child.terminate()
                child.waitUntilExit()
            }
        } else {
            let server = try await BenchServer.start(platform, port: port)
            try await Task.sleep(for: .milliseconds(500))
            hub = platform.messaging.hub
            stopServer = {
                server.cancel()
                await platform.shutdown()
            }
        }

        // Connect everyone, a few hundred at a time.
        let state = BenchState(clients: connections, serverPID: serverPID)
        let connectStarted = ContinuousClock.now
        let port = self.port
        let group = MultiThreadedEventLoopGroup.singleton
        try await withThrowingTaskGroup(of: BenchConnection.self) { tasks in
            var next = 0
            func connectNext() {
                let index = next
                next += 1
                tasks.addTask { try await BenchConnection.open(port: port, token: users[index].token, socket: BenchSocket(index: index, state: state), group: group) }
            }
            while next < min(ElinkBench.connectingMax, connections) { connectNext() }
            while let connection = try await tasks.next() {
                state.register(connection)
                if next < connections { connectNext() }
            }
        }
        try await state.waitFor(\.connected, connections, timeoutSeconds: 120) { false }
        guard state.connected.value == connections else { throw ValidationError("only \(state.connected.value) of \(connections) clients got hello") }
        print("connected \(connections) WebSocket clients in \(seconds(since: connectStarted)) s" + (hub.map { " (\($0.connectionCount) on the hub)" } ?? ""))

        // Phase 1: 1:1 as fast as the clients may send (each within its rate limit).
        let perSender = max(1, directMessages / (connections / 2))
        let directPlan = (0..<(connections / 2)).map { pair in
            SendPlan(sender: 2 * pair, conversation: direct[pair], count: perSender, intervalNanos: 1_000_000_000 / UInt64(ElinkConnection.framesPerSecond))
        }
        let oneToOne = try await state.phase("1:1", plans: directPlan, expected: perSender * (connections / 2))
        // Phase 2: group fan-out, one sender per group.
        if groupMessages > 0 {
            let perGroup = max(1, groupMessages / groups.count)
            let plans = groups.enumerated().map { SendPlan(sender: $0.offset * groupSize, conversation: $0.element, count: perGroup,
                                                           intervalNanos: 1_000_000_000 / UInt64(ElinkConnection.framesPerSecond)) }
            _ = try await state.phase("group fan-out", plans: plans, expected: perGroup * groups.count * (groupSize - 1))
        }
        // Phase 3: 1:1 paced at --rate.
        let paced = ElinkBench.pacedPlans(perSecond: rate, seconds: seconds, senders: (0..<(connections / 2)).map { (2 * $0, direct[$0]) })
        let latency = try await state.phase("1:1 paced at \(rate)/s", plans: paced, expected: paced.reduce(0) { $0 + $1.count })
        var summary = String(format: "summary: 1:1 %.0f delivered/s; paced %d/s: p50 %.1f ms, p99 %.1f ms", oneToOne.perSecond, rate, latency.p50Ms, latency.p99Ms)
        // Phase 4: group fan-out paced at --group-rate deliveries a second.
        if groupRate > 0 {
            let messagesPerSecond = max(1, groupRate / (groupSize - 1))
            let plans = ElinkBench.pacedPlans(perSecond: messagesPerSecond, seconds: seconds,
                                              senders: groups.enumerated().map { ($0.offset * groupSize, $0.element) })
            let sent = plans.reduce(0) { $0 + $1.count }
            let fanOut = try await state.phase("group fan-out paced at \(messagesPerSecond * (groupSize - 1)) deliveries/s", plans: plans,
                                               expected: sent * (groupSize - 1))
            summary += String(format: "; group fan-out paced at %d/s: p50 %.1f ms, p99 %.1f ms", messagesPerSecond * (groupSize - 1), fanOut.p50Ms, fanOut.p99Ms)
        }
        print(summary)

        await state.finish()
        await stopServer()
        await scratch.drop()
    }

    struct BenchUser: Sendable { let id: RongID; let token: String }

    /// `perSecond × seconds` messages shared by as many of `senders` as keep each within its
    /// rate limit, evenly spaced, the senders' starts staggered across one interval (so the rate
    /// is even rather than a burst of every sender at once).
    static func pacedPlans(perSecond: Int, seconds: Int, senders: [(index: Int, conversation: RongID)]) -> [SendPlan] {
        let total = perSecond * seconds
        let each = max(1, (total + senders.count - 1) / senders.count)
        let count = max(1, min(senders.count, total / each))
        let intervalNanos = UInt64(seconds) * 1_000_000_000 / UInt64(each)
        return (0..<count).map {
            SendPlan(sender: senders[$0].index, conversation: senders[$0].conversation, count: each, intervalNanos: intervalNanos,
                     offsetNanos: intervalNanos * UInt64($0) / UInt64(count))
        }
    }

    /// `rong serve` on the bench's database in a child process (its log goes to a file beside the database).
    static func startServer(databaseURL: String, port: Int, secret: String, executable: String? = nil) throws -> Process {
        let child = Process()
        child.executableURL = executable.map { URL(fileURLWithPath: $0) } ?? URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        child.arguments = ["serve", "--database", databaseURL, "--port", String(port), "--no-end-of-day"]
        var environment = ProcessInfo.processInfo.environment
        environment["RONG_SIGNING_SECRET"] = secret
        environment["RONG_LOG_LEVEL"] = "warning"
        environment["RONG_LEDGER_API_KEY"] = BenchServer.ledgerAPIKey
        child.environment = environment
        let logPath = "data/bench/im-server.log"
        try FileManager.default.createDirectory(atPath: "data/bench", withIntermediateDirectories: true)
        guard FileManager.default.createFile(atPath: logPath, contents: nil) else { throw ValidationError("cannot create \(logPath)") }
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        child.standardOutput = log
        child.standardError = log
        try child.run()
        return child
    }

    /// Polls the child's port until it accepts connections (at most 60 s).
    static func waitUntilListening(port: Int, child: Process) async throws {
        for _ in 0..<600 {
            guard child.isRunning else { throw ValidationError("the server process exited; see data/bench/im-server.log") }
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = in_port_t(UInt16(port).bigEndian)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            close(fd)
            if connected == 0 { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        child.terminate()
        throw ValidationError("the server process did not listen on port \(port) within 60 s; see data/bench/im-server.log")
    }

    /// Customers-to-be (users with no customer record), each with a session, 500 per transaction.
    func makeUsers(_ platform: RongPlatform) async throws -> [BenchUser] {
        var users: [BenchUser] = []
        for chunk in stride(from: 0, to: connections, by: 500) {
            let made: [BenchUser] = try await platform.database.transaction { tx in
                var out: [BenchUser] = []
                for index in chunk..<min(chunk + 500, connections) {
                    let id = platform.ids.next()
                    try await platform.identity.insertUser(tx, id: id, role: .customer, mobile: "19" + String(format: "%09d", index), displayName: "用户\(index)",
                                                           passwordHash: "bench-no-password", createdBy: "bench")
                    let tokens = try await platform.identity.openSession(tx, principal: Principal(userID: id, role: .customer, sessionID: platform.ids.next(),
                                                                                                  displayName: "用户\(index)"), address: "bench")
                    out.append(BenchUser(id: id, token: tokens.accessToken))
                }
                return out
            }
            users += made
        }
        return users
    }

    func seconds(since start: ContinuousClock.Instant) -> String {
        String(format: "%.1f", Double((ContinuousClock.now - start).components.attoseconds) / 1e18 + Double((ContinuousClock.now - start).components.seconds))
    }
}

/// One sender's share of a phase.
struct SendPlan: Sendable {
    let sender: Int
    let conversation: RongID
    let count: Int
    let intervalNanos: UInt64
    /// When this sender's first message is due, after the phase starts.
    var offsetNanos: UInt64 = 0
}

/// What the clients share: counters, the current phase's plans and its start signal, latencies.
final class BenchState: Sendable {
    struct PhaseResult { let perSecond: Double; let p50Ms: Double; let p99Ms: Double }
    final class Counter: Sendable {
        let atomic = Atomic<Int>(0)
        var value: Int { atomic.load(ordering: .relaxed) }
        func add(_ amount: Int) { atomic.add(amount, ordering: .relaxed) }
    }
    let connected = Counter()
    let delivered = Counter()
    private let connections: Mutex<[Int: BenchConnection]> = Mutex([:])
    private let latencies: Mutex<[UInt64]> = Mutex([])
    let clients: Int
    /// The child `rong serve`, whose CPU time each phase reports beside this process's.
    let serverPID: Int32?

    init(clients: Int, serverPID: Int32?) {
        self.clients = clients
        self.serverPID = serverPID
    }

    /// CPU seconds used so far (user + system): this process, and the child server (nil in one process).
    func cpuSeconds() -> (own: Double, server: Double?) {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        let own = Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
        guard let serverPID, let stat = try? String(contentsOfFile: "/proc/\(serverPID)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return (own, nil) }
        // Fields after the command's closing parenthesis: state is field 3, utime 14 and stime 15 (clock ticks).
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return (own, nil) }
        return (own, (user + system) / Double(sysconf(Int32(_SC_CLK_TCK))))
    }

    func register(_ connection: BenchConnection) { connections.withLock { $0[connection.socket.index] = connection } }

    func record(_ nanos: UInt64) { latencies.withLock { $0.append(nanos) } }

    /// Resets the counters and starts every plan's sender, all from the same instant.
    func start(_ plans: [SendPlan]) {
        latencies.withLock { $0.removeAll(keepingCapacity: true) }
        delivered.atomic.store(0, ordering: .relaxed)
        let begin = DispatchTime.now().uptimeNanoseconds
        let senders = connections.withLock { all in plans.compactMap { plan in all[plan.sender].map { ($0, plan) } } }
        for (connection, plan) in senders { connection.start(plan, at: begin) }
    }

    /// Closes every connection and waits until they are closed.
    func finish() async {
        let all = connections.withLock { all in let out = Array(all.values); all.removeAll(); return out }
        for connection in all { connection.stop() }
        for connection in all { try? await connection.channel.closeFuture.get() }
    }

    /// Runs a phase: hands out the plans, waits for the expected deliveries, prints the result.
    func phase(_ name: String, plans: [SendPlan], expected: Int) async throws -> PhaseResult {
        try await Task.sleep(for: .milliseconds(300))
        let started = ContinuousClock.now
        let cpuBefore = cpuSeconds()
        start(plans)
        try await waitFor(\.delivered, expected, timeoutSeconds: ElinkBench.phaseTimeoutSeconds) { false }
        let elapsed = ContinuousClock.now - started
        let cpuAfter = cpuSeconds()
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let sorted = latencies.withLock { $0.sorted() }
        func percentile(_ p: Double) -> Double { sorted.isEmpty ? 0 : Double(sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))]) / 1e6 }
        let got = delivered.value
        let result = PhaseResult(perSecond: Double(got) / seconds, p50Ms: percentile(0.5), p99Ms: percentile(0.99))
        print(String(format: "%@: %d messages sent, %d of %d delivered in %.2f s = %.0f delivered/s; latency p50 %.1f ms, p99 %.1f ms",
                     name, plans.reduce(0) { $0 + $1.count }, got, expected, seconds, result.perSecond, result.p50Ms, result.p99Ms))
        // CPU per delivered message: steadier than the rate on a machine whose speed drifts.
        let perMessage = { (cpu: Double) in cpu * 1e6 / Double(max(got, 1)) }
        if let before = cpuBefore.server, let after = cpuAfter.server {
            print(String(format: "  CPU per delivered message: server %.1f µs, clients %.1f µs (%.2f of %d cores busy)",
                         perMessage(after - before), perMessage(cpuAfter.own - cpuBefore.own),
                         (after - before + cpuAfter.own - cpuBefore.own) / seconds, ProcessInfo.processInfo.activeProcessorCount))
        } else {
            print(String(format: "  CPU per delivered message: %.1f µs (server and clients in this process)", perMessage(cpuAfter.own - cpuBefore.own)))
        }
        return result
    }

    func waitFor(_ counter: KeyPath<BenchState, Counter>, _ target: Int, timeoutSeconds: Double, orFail: () -> Bool) async throws {
        let deadline = ContinuousClock.now + .milliseconds(Int64(timeoutSeconds * 1000))
        while self[keyPath: counter].value < target && ContinuousClock.now < deadline && !orFail() {
            try await Task.sleep(for: .milliseconds(20))
        }
    }
}

/// What a bench client reads in the frames it receives.
enum BenchClient {
    static let messageType = Array(#""type":"message""#.utf8)
    static let textStart = Array(#""text":"b|"#.utf8)

    /// The sender and send time of a bench message in a pushed `message` frame (its text is
    /// `b|<sender>|<uptime ns>`); nil for any other frame. Scans the UTF-8 bytes:
    /// Foundation's `String.range(of:)` had been a fifth of the clients' CPU, which the server
    /// shares.
    static func benchMessage(in bytes: UnsafeBufferPointer<UInt8>) -> (sender: Int, sentNanos: UInt64)? {
        guard find(messageType, in: bytes) != nil, var i = find(textStart, in: bytes) else { return nil }
        i += textStart.count
        func number(_ i: inout Int) -> UInt64? {
            let start = i
            var value: UInt64 = 0
            while i < bytes.count, bytes[i] >= UInt8(ascii: "0"), bytes[i] <= UInt8(ascii: "9"), i - start < 19 {
                value = value * 10 + UInt64(bytes[i] - UInt8(ascii: "0"))
                i += 1
            }
            return i > start ? value : nil
        }
        guard let sender = number(&i), i < bytes.count, bytes[i] == UInt8(ascii: "|") else { return nil }
        i += 1
        guard let sent = number(&i), i < bytes.count, bytes[i] == UInt8(ascii: "\"") else { return nil }
        return (Int(sender), sent)
    }

    private static func find(_ needle: [UInt8], in bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        guard !needle.isEmpty, bytes.count >= needle.count else { return nil }
        let first = needle[0]
        var i = 0
        while i <= bytes.count - needle.count {
            if bytes[i] == first {
                var k = 1
                while k < needle.count && bytes[i + k] == needle[k] { k += 1 }
                if k == needle.count { return i }
            }
            i += 1
        }
        return nil
    }
}
