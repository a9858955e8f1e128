import BankKit
import Identity
import Interbank
import Storage

extension AccountsService {
    /// Binds an own-name Class I account or card after a step-up code, checked by four elements
    /// (name, ID number, mobile, account number): here against this bank's Class I accounts,
    /// elsewhere through the interbank network (ibps.309).
    public func bindAccount(_ principal: Principal, bankCode: String, accountNumber: String, otpChallengeID: RongID, otpCode: String,
                            address: String) async throws -> BoundAccount {
        let customer = try await customer(of: principal)
        guard bankCode.count == 3, bankCode.allSatisfy({ $0.isASCII && $0.isNumber }) else {
            throw DomainError(.unknownBank, "The bank code is 3 digits (e.g. 105).", status: 422, extensions: ["field": .string("bank_code")])
        }
        guard (12...19).contains(accountNumber.count), accountNumber.allSatisfy({ $0.isASCII && $0.isNumber }) else {
            throw DomainError(.invalidRequest, "The account number is 12–19 digits.", status: 422, extensions: ["field": .string("account_number")])
        }
        let existing = try await boundAccounts(of: customer)
        if existing.contains(where: { $0.bankCode == bankCode && $0.accountNumber == accountNumber }) {
            throw DomainError(.alreadyBound, "This account is already bound.", status: 409, extensions: ["field": .string("account_number")])
        }
        guard existing.count < AccountsService.boundAccountsMax else {
            throw DomainError(.boundAccountsMax, "At most \(AccountsService.boundAccountsMax) bound accounts.", status: 422)
        }
        try await identity.verifyStepUp(principal, purpose: .bindCard, challengeID: otpChallengeID, code: otpCode,
                                        context: "bind:\(bankCode):\(accountNumber)")
        return try await bindVerified(customer, actor: principal.actorRef, bankCode: bankCode, accountNumber: accountNumber, address: address)
    }

    /// The four-element check and the binding itself, once the step-up code has been checked
    /// (or for the demo seed, which has no phone to answer it).
    package func bindVerified(_ customer: Customer, actor: String, bankCode: String, accountNumber: String, address: String) async throws -> BoundAccount {
        let bankName: String
        if bankCode == ThisBank.bankCode {
            guard let account = try await eAccount(number: accountNumber), account.accountClass == .classI,
                  let holder = try await self.customer(id: account.customerID) else {
                try await auditBind(actor, bankCode, accountNumber, outcome: ErrorCode.boundAccountNotFound.rawValue, address)
                throw DomainError(.boundAccountNotFound, "No Class I account with this number at this bank.", status: 422,
                                  extensions: ["field": .string("account_number")])
            }
            var mismatched: [String] = []
            if holder.name != customer.name { mismatched.append("name") }
            if holder.idNumber != customer.idNumber { mismatched.append("id_number") }
            if holder.mobile != customer.mobile { mismatched.append("mobile") }
            if !mismatched.isEmpty { throw try await mismatch(actor, bankCode, accountNumber, mismatched, address) }
            guard account.status != "closed" else {
                throw DomainError(.boundAccountUnavailable, "That account is closed.", status: 422, extensions: ["field": .string("account_number")])
            }
            bankName = ThisBank.name
        } else {
            let participants = try await interbank.participants()
            guard let participant = participants.first(where: { $0.bankCode == bankCode }) else {
                throw DomainError(.unknownBank, "No bank with code \(bankCode) on the network.", status: 422, extensions: ["field": .string("bank_code")])
            }
            let outcome = try await interbank.verifyAccount(FourElements(bankCode: bankCode, accountNumber: accountNumber, holderName: customer.name,
                                                                         idNumber: customer.idNumber, mobile: customer.mobile))
            switch outcome {
            case .matched: break
            case .mismatched(let fields): throw try await mismatch(actor, bankCode, accountNumber, fields, address)
            case .accountNotFound:
                try await auditBind(actor, bankCode, accountNumber, outcome: ErrorCode.boundAccountNotFound.rawValue, address)
                throw DomainError(.boundAccountNotFound, "\(participant.name) has no account with this number.", status: 422,
                                  extensions: ["field": .string("account_number")])
            case .accountUnavailable:
                throw DomainError(.boundAccountUnavailable, "That account is closed or frozen at \(participant.name).", status: 422,
                                  extensions: ["field": .string("account_number")])
            case .unknownBank:
                throw DomainError(.unknownBank, "No bank with code \(bankCode) on the network.", status: 422, extensions: ["field": .string("bank_code")])
            }
            bankName = participant.name
        }
        let id = ids.next()
        try await database.transaction { tx in
            try await tx.execute(
                "INSERT INTO accounts_bound_accounts (id, customer_id, bank_code, bank_name, account_number, status, bound_at) VALUES (?, ?, ?, ?, ?, 'active', ?)",
                [.id(id), .id(customer.id), .text(bankCode), .text(bankName), .text(accountNumber), .time(clock.now())])
            try await identity.audit.record(tx, actor: actor, action: "account.bind", target: "bound_account:\(id)",
                                            address: address, detail: "bank=\(bankCode) account=\(AccountNumberFormat.masked(accountNumber))")
        }
        return try await boundAccount(id: id)!
    }

    /// Sends the step-up code for binding this account (the code is bound to bank and number).
    public func requestBindCode(_ principal: Principal, bankCode: String, accountNumber: String) async throws -> OTPChallenge {
        _ = try await customer(of: principal)
        return try await identity.requestStepUp(principal, purpose: .bindCard, context: "bind:\(bankCode):\(accountNumber)")
    }

    public func boundAccounts(of customer: Customer) async throws -> [BoundAccount] {
        try await database.query("SELECT \(AccountsService.boundColumns) FROM accounts_bound_accounts WHERE customer_id = ? ORDER BY bound_at LIMIT 50",
                                 [.id(customer.id)]).map(AccountsService.bound)
    }

    private func mismatch(_ actor: String, _ bankCode: String, _ accountNumber: String, _ fields: [String], _ address: String) async throws -> DomainError {
        try await auditBind(actor, bankCode, accountNumber, outcome: ErrorCode.fourElementsMismatch.rawValue, address)
        return DomainError(.fourElementsMismatch, "The account holder's details do not match yours (\(fields.joined(separator: ", "))).",
                           status: 422, extensions: ["fields": .string(fields.joined(separator: ","))])
    }

    private func auditBind(_ actor: String, _ bankCode: String, _ accountNumber: String, outcome: String, _ address: String) async throws {
        try await identity.audit.record(actor: actor, action: "account.bind", target: "account:\(bankCode):\(AccountNumberFormat.masked(accountNumber))",
                                        outcome: outcome, address: address)
    }
}
