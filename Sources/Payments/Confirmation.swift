import Accounts
import BankKit
import Identity
import Storage

/// The payer's side of an order: identify with the reserved mobile and the last six digits of
/// an account, receive a code bound to this order's amount and payee, confirm with it.
extension PaymentsService {
    /// Seconds a confirmed payment's hold may live before voiding itself (it is captured at once).
    static let holdTimeoutSeconds: Int64 = 600

    /// Sends the payment code. Identification failures all answer `payer_verification_failed`,
    /// so the page reveals nothing about which part was wrong.
    public func requestPaymentCode(orderID: RongID, mobile: String, accountLast6: String, address: String) async throws -> OTPChallenge {
        let order = try await payableOrder(orderID)
        let mobile = try MobileNumber.validate(mobile)
        guard let (customer, account) = try await accounts.payer(mobile: mobile, accountEndingWith: accountLast6) else {
            try await identity.audit.record(actor: "anonymous", action: "epay.identify", target: "order:\(order.id)",
                                            outcome: ErrorCode.payerVerificationFailed.rawValue, address: address)
            throw DomainError(.payerVerificationFailed, "The mobile number and account digits do not identify an account at this bank.", status: 422)
        }
        guard let merchant = try await merchant(id: order.merchantID) else { throw DomainError.notFound("Merchant") }
        let orderID = order.id
        let customerID = customer.id
        let accountID = account.id
        // The order learns its payer in the transaction that records the code and its text message.
        return try await identity.otp.issue(
            purpose: .payment, mobile: mobile, context: PaymentsService.codeContext(order, account: account),
            smsText: "向\(merchant.name)支付\(Money.fen(order.amountFen).formatted)") { tx, challengeID in
                try await tx.execute("UPDATE payments_orders SET customer_id = ?, e_account_id = ?, challenge_id = ? WHERE id = ? AND status = 'created'",
                                     [.id(customerID), .id(accountID), .id(challengeID), .id(orderID)])
            }
    }

    /// The code is bound to the order, its amount, its payee and the paying account.
    static func codeContext(_ order: PaymentOrder, account: EAccount) -> String {
        "epay:\(order.id):\(order.amountFen):\(order.merchantID):\(account.id)"
    }

    /// Confirms with the code: the amount is held on the customer's account, then captured into
    /// the merchant's settlement account. Two confirmations at once capture once: the order moves
    /// `created → confirming` in the transaction that spends the code, and only the winner proceeds.
    /// Three commits on the way: code + claim + e-Pay and class limits; the ledger's hold and
    /// capture; final state + webhook. A limit refusal rolls the first back whole (the code stays
    /// unspent); a ledger refusal gives the limits back and returns the order to `created`.
    public func confirm(orderID: RongID, challengeID: RongID, code: String, address: String) async throws -> PaymentOrder {
        let order = try await payableOrder(orderID, allowPaid: true)
        switch order.status {
        case .paid, .partiallyRefunded, .refunded: return order
        case .confirming: throw DomainError(.orderBeingConfirmed, "This order is being confirmed already.", status: 409)
        case .created, .closed, .expired: break
        }
        guard let customerID = order.customerID, let accountID = order.eAccountID,
              let (customer, account) = try await accounts.payer(customerID: customerID, accountID: accountID),
              let merchant = try await merchant(id: order.merchantID) else {
            throw DomainError(.payerVerificationFailed, "Request a payment code first.", status: 422)
        }
        let now = clock.now()
        let date = clock.businessDate()
        do {
            try await identity.otp.verify(challengeID: challengeID, code: code, purpose: .payment, mobile: customer.mobile,
                                          context: PaymentsService.codeContext(order, account: account)) { [self] tx in
                let claimed = try await tx.execute(
                    "UPDATE payments_orders SET status = 'confirming', confirming_at = ? WHERE id = ? AND status = 'created' AND challenge_id = ? AND expires_at > ?",
                    [.time(now), .id(orderID), .id(challengeID), .time(now)])
                guard claimed == 1 else { throw ClaimLost() }
                try await accounts.reserveSpending(tx, account, amountFen: order.amountFen, on: date)
                // The limits are read where they are enforced: a change committed before this
                // transaction applies, and the writer's pages are warm.
                let limits = try await PaymentsService.limits(tx, customerID: customerID)
                try await reserveEPay(tx, customer: customer, amountFen: order.amountFen, limits: limits, on: date)
            }
        } catch is ClaimLost {
            // Another confirmation got there first, or the order changed under us; the code stays unspent.
            let current = try await self.order(id: orderID)!
            switch current.status {
            case .paid, .partiallyRefunded, .refunded: return current
            case .confirming: throw DomainError(.orderBeingConfirmed, "This order is being confirmed already.", status: 409)
            case .created:
                throw DomainError(.otpInvalid, "The verification code was not issued for this order.", status: 422, extensions: ["field": .string("otp_code")])
            case .closed, .expired: throw PaymentsService.notPayable(current)
            }
        }
        let holdID = PaymentsService.holdID(of: orderID), captureID = PaymentsService.captureID(of: orderID)
        do {
            // The hold and its capture go to the ledger in one submission (one commit); a refusal
            // gives the class and e-Pay limits back together.
            let captured = try await accounts.holdReservedSpending(
                account, amountFen: order.amountFen, payeeAccountID: merchant.settlementAccountID, holdID: holdID,
                timeoutSeconds: PaymentsService.holdTimeoutSeconds, memo: "e支付 \(merchant.name) \(order.orderNumber)", on: date, captureID: captureID,
                undoInTransaction: { tx in try await self.releaseEPay(tx, customer: customer, amountFen: order.amountFen, on: date) })
            // A repeat after a crash (the hold was already there) captures here, idempotently.
            if !captured { try await accounts.captureSpending(holdID: holdID, captureID: captureID) }
        } catch let refusal as DomainError where refusal.code != .unavailable {
            // The ledger refused (funds, a closed account) and the limits were given back: no
            // money moved, so the order is payable again. (`unavailable`: the ledger's write
            // failed, not refused — whether it took the money is not known here.)
            _ = try? await database.execute("UPDATE payments_orders SET status = 'created' WHERE id = ? AND status = 'confirming'", [.id(orderID)])
            throw refusal
        }
        // Any other failure (the ledger or the database unreachable, a crash) leaves the order
        // `confirming`: whether money moved is the ledger's to say, and `resumeConfirmations`
        // asks it — paid, or limits given back and payable again.
        return try await markPaid(order, customer: customer, account: account, merchant: merchant, address: address)
    }

    private struct ClaimLost: Error {}

    /// The ledger transfers of an order's payment, derived from its id: a repeat finds them.
    static func holdID(of orderID: RongID) -> RongID { RongID.derived("payments.hold", orderID.description) }
    static func captureID(of orderID: RongID) -> RongID { RongID.derived("payments.capture", orderID.description) }

    /// The order's final state once the ledger captured its money: paid, its webhook, the audit
    /// record and the customer's transaction alert, in one transaction.
    private func markPaid(_ order: PaymentOrder, customer: Customer, account: EAccount, merchant: Merchant, address: String) async throws -> PaymentOrder {
        let orderID = order.id
        let holdID = PaymentsService.holdID(of: orderID), captureID = PaymentsService.captureID(of: orderID)
        let paidAt = clock.now()
        let paid = order.paid(at: paidAt)
        try await database.batchedTransaction { [self] tx in
            let changed = try await tx.execute(
                """
                UPDATE payments_orders SET status = 'paid', captured_fen = amount_fen, hold_transfer_id = ?, capture_transfer_id = ?, paid_at = ?
                WHERE id = ? AND status IN ('confirming', 'created')
                """, [.id(holdID), .id(captureID), .time(paidAt), .id(orderID)])
            // The claim made this the order's only writer, so it is now `paid` as `paid` describes.
            // (`created`: `resumeConfirmations` found no ledger record a minute after the claim and
            // gave the order back — the money moved after all, so it is paid.)
            if changed == 1 { try await enqueueEvent(tx, order: paid, type: "order.paid") }
            try await identity.audit.record(tx, actor: "customer:\(customer.id)", action: "epay.pay", target: "order:\(orderID)", address: address,
                                            detail: "amount=\(order.amountFen) merchant=\(merchant.id)")
            let alert = "您尾号\(account.accountNumber.suffix(4))的账户e支付消费\(Money.fen(order.amountFen).formatted)，商户：\(merchant.name.prefix(30))。"
            try await identity.notifications.record(tx, userID: customer.userID, kind: "alert.transaction", title: "动账提醒", body: alert, smsText: alert)
        }
        await notifyPurchase(paid, customer: customer, account: account, merchant: merchant)
        return paid
    }

    /// How old a `confirming` claim must be before `resumeConfirmations` takes it over: a
    /// confirmation takes milliseconds, so one still claimed after this was interrupted.
    public static let confirmationResumeSeconds: Int64 = 60

    /// Finishes e-Pay confirmations that a crash or a failed final write left half-way: orders
    /// still `confirming` `confirmationResumeSeconds` after their claim. The ledger's record decides
    /// (its transfer ids derive from the order):
    /// - captured: the customer's money moved, so the order is marked paid — webhook, audit and alert
    ///   as a normal payment;
    /// - held, not captured: the customer confirmed, so the hold is captured, then as above;
    /// - nothing there (or the hold expired or was voided): no money moved; the class and e-Pay
    ///   limits reserved at the claim are given back and the order is payable again (its code
    ///   stays spent: the customer asks for a new one).
    /// Run every second by the payments worker. Bounded per call; returns how many were resumed.
    public func resumeConfirmations(limit: Int = 100) async throws -> Int {
        let cutoff = clock.now().adding(seconds: -PaymentsService.confirmationResumeSeconds)
        let rows = try await database.query(
            "SELECT \(PaymentsService.orderColumns), confirming_at FROM payments_orders WHERE status = 'confirming' AND confirming_at <= ? ORDER BY confirming_at LIMIT ?",
            [.time(cutoff), .int(Int64(limit))])
        var resumed = 0
        for row in rows {
            let order = PaymentsService.order(row)
            guard let customerID = order.customerID, let accountID = order.eAccountID,
                  let (customer, account) = try await accounts.payer(customerID: customerID, accountID: accountID),
                  let merchant = try await merchant(id: order.merchantID) else { continue }
            if try await capturedInLedger(order.id) {
                _ = try await markPaid(order, customer: customer, account: account, merchant: merchant, address: "system:resume")
            } else {
                let date = BusinessDate(at: row.time("confirming_at"))
                try await database.transaction { [self] tx in
                    guard try await tx.execute("UPDATE payments_orders SET status = 'created', confirming_at = NULL WHERE id = ? AND status = 'confirming'",
                                               [.id(order.id)]) == 1 else { return }
                    try await accounts.releaseReservedSpending(tx, account, amountFen: order.amountFen, reservedOn: date)
                    try await releaseEPay(tx, customer: customer, amountFen: order.amountFen, on: date)
                    try await identity.audit.record(tx, actor: "system", action: "epay.confirmation-undone", target: "order:\(order.id)", address: "system:resume",
                                                    detail: "no ledger record \(PaymentsService.confirmationResumeSeconds) s after the claim; limits given back")
                }
            }
            resumed += 1
        }
        return resumed
    }

    /// Whether an order's money reached the merchant: its capture is in the ledger, or its hold
    /// still is and is captured now (the customer confirmed). False when neither is there, or the
    /// hold expired or was voided (the money went back to the customer).
    private func capturedInLedger(_ orderID: RongID) async throws -> Bool {
        let holdID = PaymentsService.holdID(of: orderID), captureID = PaymentsService.captureID(of: orderID)
        if try await ledger.transfer(captureID) != nil { return true }
        guard try await ledger.transfer(holdID) != nil else { return false }
        do {
            try await accounts.captureSpending(holdID: holdID, captureID: captureID)
            return true
        } catch is DomainError {
            return false
        }
    }

    /// An order that can still be paid (or, with `allowPaid`, one already paid).
    func payableOrder(_ id: RongID, allowPaid: Bool = false) async throws -> PaymentOrder {
        guard let order = try await order(id: id) else { throw DomainError.notFound("Order") }
        switch order.status {
        case .created where order.expiresAt <= clock.now():
            throw DomainError(.orderExpired, "This order has expired.", status: 422)
        case .created: return order
        case .confirming, .paid, .partiallyRefunded, .refunded:
            if allowPaid { return order }
            throw PaymentsService.notPayable(order)
        case .closed, .expired: throw PaymentsService.notPayable(order)
        }
    }

    static func notPayable(_ order: PaymentOrder) -> DomainError {
        order.status == .expired
            ? DomainError(.orderExpired, "This order has expired.", status: 422)
            : DomainError(.orderNotPayable, "This order cannot be paid (it is \(order.status.rawValue)).", status: 422)
    }
}
