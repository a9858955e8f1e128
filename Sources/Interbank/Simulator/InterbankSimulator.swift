import BankKit
import Logging
import Storage

/// The other banks of the network, in-process: takes a CNAPS2 request as XML and returns the
/// reply as XML, exactly what a front-end processor (前置机) would exchange with CNAPS.
///
/// It keeps its own tables (see `migrations`): a directory of participants and of accounts
/// held at them, with the outside world's balances, and every debit and credit it processed,
/// keyed by `MsgId` with the reply sent. Repeating a `MsgId` returns the stored reply and moves
/// money once; reusing it for a different instruction is refused with `AM05`.
public struct InterbankSimulator: Sendable {
    let database: Database
    let clock: BankClock
    let logger: Logger

    /// How often a debit or credit is retried after losing a race to record the same `MsgId`
    /// (PostgreSQL, several nodes): the second attempt finds the winner's reply.
    static let recordAttemptsMax = 3

    public init(database: Database, clock: BankClock, logger: Logger = Logger(label: "rong.interbank.simulator")) {
        self.database = database
        self.clock = clock
        self.logger = logger
    }

    /// Answers one request (ibps.309, ibps.101 or ibps.103) with its reply (ibps.310, 102 or 104).
    ///
    /// Throws `interbank_message_invalid` for anything the codec refuses and
    /// `interbank_message_unexpected` for an answer or receipt sent as a request.
    public func handle(_ requestXML: String) async throws -> String {
        let request = try InterbankCodec.decode(requestXML)
        let reply: InterbankMessage
        switch request.message {
        case .accountQuery(let query):
            reply = .accountQueryAnswer(try await answer(query))
        case .onlineDebit(let debit):
            return try await settle(debit, from: request)
        case .onlineCredit(let credit):
            return try await settle(credit, from: request)
        case .accountQueryAnswer, .onlineCreditReceipt, .onlineDebitReceipt:
            throw DomainError(.interbankMessageUnexpected, "\(request.type.rawValue) is an answer, not a request.", status: 422)
        }
        return try InterbankCodec.encode(replyEnvelope(to: request, reply))
    }

    /// The reply travels back from the bank asked to the bank that asked.
    func replyEnvelope(to request: InterbankEnvelope, _ message: InterbankMessage) -> InterbankEnvelope {
        InterbankEnvelope(senderBankCode: request.receiverBankCode, receiverBankCode: request.senderBankCode, message: message)
    }

    /// ibps.309 → ibps.310: compares the four elements with the directory. Changes nothing.
    func answer(_ query: AccountQuery) async throws -> AccountQueryAnswer {
        let elements = query.elements
        let outcome: VerificationOutcome
        if try await participant(elements.bankCode, in: database) == nil {
            outcome = .unknownBank
        } else if let row = try await database.first(
            "SELECT holder_name, id_number, mobile, status FROM interbank_sim_accounts WHERE bank_code = ? AND account_number = ?",
            [.text(elements.bankCode), .text(elements.accountNumber)]) {
            if row.text("status") != SimulatedAccount.Status.open.rawValue {
                outcome = .accountUnavailable
            } else {
                var mismatched: [String] = []
                if row.text("holder_name") != elements.holderName { mismatched.append("name") }
                // The check character may be typed as x or X.
                if row.text("id_number").uppercased() != elements.idNumber.uppercased() { mismatched.append("id_number") }
                if row.text("mobile") != elements.mobile { mismatched.append("mobile") }
                outcome = mismatched.isEmpty ? .matched : .mismatched(fields: mismatched)
            }
        } else {
            outcome = .accountNotFound
        }
        logger.debug("account query", metadata: ["msg_id": "\(query.messageID)", "bank": "\(elements.bankCode)", "outcome": "\(outcome)"])
        return AccountQueryAnswer(messageID: RongID.derived("interbank_sim.answer", query.messageID),
                                  createdAt: clock.now(), originalMessageID: query.messageID, outcome: outcome)
    }

    // MARK: Directory

    /// Inserts the participants and `directoryAccounts`; what is already there is left alone
    /// (balances included), so running it again changes nothing.
    public func seedDirectory() async throws {
        try await database.transaction { tx in
            for participant in Self.directoryParticipants {
                try await Self.insert(participant, in: tx)
            }
            for account in Self.directoryAccounts {
                try await Self.insert(account, in: tx)
            }
        }
    }

    /// Adds (or renames) a participant bank.
    public func addParticipant(_ participant: Participant) async throws {
        try MessageFields.checkBankCode(participant.bankCode)
        try await database.transaction { tx in
            try await Self.insert(participant, in: tx)
            try await tx.execute("UPDATE interbank_sim_participants SET name = ?, name_english = ? WHERE bank_code = ?",
                                 [.text(participant.name), .text(participant.nameEnglish), .text(participant.bankCode)])
        }
    }

    /// Adds an account for a test. The bank must be a participant; an account number already in
    /// the directory is refused with `conflict`.
    public func addTestAccount(_ account: SimulatedAccount) async throws {
        try MessageFields.checkBankCode(account.bankCode)
        try MessageFields.checkAccountNumber(account.accountNumber)
        try MessageFields.checkText(account.holderName, field: "holder name")
        try MessageFields.checkIDNumber(account.idNumber)
        try MessageFields.checkMobile(account.mobile)
        guard account.balanceFen >= 0 else { throw DomainError.invalid("A balance cannot be negative.", code: .invalidAmount) }
        try await database.transaction { tx in
            guard try await participant(account.bankCode, in: tx) != nil else {
                throw DomainError.notFound("Participant bank \(account.bankCode)")
            }
            guard try await Self.insert(account, in: tx) else {
                throw DomainError(.conflict, "Account \(account.accountNumber) at bank \(account.bankCode) already exists.", status: 409)
            }
        }
    }

    /// Adds an account for a test from its parts (see `addTestAccount(_:)`).
    public func addTestAccount(bankCode: String, accountNumber: String, holderName: String, idNumber: String, mobile: String,
                               status: SimulatedAccount.Status = .open, balanceFen: Int64) async throws {
        try await addTestAccount(SimulatedAccount(bankCode: bankCode, accountNumber: accountNumber, holderName: holderName,
                                                  idNumber: idNumber, mobile: mobile, status: status, balanceFen: balanceFen))
    }

    /// Opens, closes or freezes an account; false when there is no such account.
    @discardableResult
    public func setStatus(_ status: SimulatedAccount.Status, bankCode: String, accountNumber: String) async throws -> Bool {
        try await database.execute("UPDATE interbank_sim_accounts SET status = ? WHERE bank_code = ? AND account_number = ?",
                                   [.text(status.rawValue), .text(bankCode), .text(accountNumber)]) == 1
    }

    /// The other bank's balance of an account, in fen; nil when there is no such account.
    public func balance(bankCode: String, accountNumber: String) async throws -> Int64? {
        try await database.first("SELECT balance_fen FROM interbank_sim_accounts WHERE bank_code = ? AND account_number = ?",
                                 [.text(bankCode), .text(accountNumber)])?.int("balance_fen")
    }

    /// The participant banks, by code.
    public func participants() async throws -> [Participant] {
        try await database.query("SELECT bank_code, name, name_english FROM interbank_sim_participants ORDER BY bank_code").map {
            Participant(bankCode: $0.text("bank_code"), name: $0.text("name"), nameEnglish: $0.text("name_english"))
        }
    }

    func participant(_ bankCode: String, in session: any SQLSession) async throws -> Participant? {
        try await session.first("SELECT bank_code, name, name_english FROM interbank_sim_participants WHERE bank_code = ?",
                                [.text(bankCode)]).map {
            Participant(bankCode: $0.text("bank_code"), name: $0.text("name"), nameEnglish: $0.text("name_english"))
        }
    }

    private static func insert(_ participant: Participant, in tx: any SQLSession) async throws {
        try await tx.execute("""
            INSERT INTO interbank_sim_participants (bank_code, name, name_english) VALUES (?, ?, ?)
            ON CONFLICT (bank_code) DO NOTHING
            """, [.text(participant.bankCode), .text(participant.name), .text(participant.nameEnglish)])
    }

    /// True when the row was inserted, false when the account already existed.
    @discardableResult
    private static func insert(_ account: SimulatedAccount, in tx: any SQLSession) async throws -> Bool {
        try await tx.execute("""
            INSERT INTO interbank_sim_accounts (bank_code, account_number, holder_name, id_number, mobile, status, balance_fen)
            VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (bank_code, account_number) DO NOTHING
            """, [.text(account.bankCode), .text(account.accountNumber), .text(account.holderName), .text(account.idNumber),
                  .text(account.mobile), .text(account.status.rawValue), .int(account.balanceFen)]) == 1
    }
}
