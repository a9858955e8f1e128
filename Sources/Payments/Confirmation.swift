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
                    "UPDATE payments_orders SET status = 'confirming' WHERE id = ? AND status = 'created' AND challenge_id = ? AND expires_at > ?",
                    [.id(orderID), .id(challengeID), .time(now)])
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
        do {
            return try await capture(order, customer: customer, account: account, merchant: merchant, reservedOn: date, address: address)
        } catch {
            _ = try? await database.execute("UPDATE payments_orders SET status = 'created' WHERE id = ? AND status = 'confirming'", [.id(orderID)])
            throw error
        }
    }

    private struct ClaimLost: Error {}

    private func capture(_ order: PaymentOrder, customer: Customer, account: EAccount, merchant: Merchant, reservedOn date: BusinessDate,
                         address: String) async throws -> PaymentOrder {
        let orderID = order.id
        let holdID = RongID.derived("payments.hold", orderID.description)
        let captureID = RongID.derived("payments.capture", orderID.description)
        // The hold and its capture go to the ledger in one submission (one commit); a refusal
        // gives the class and e-Pay limits back together.
        let captured = try await accounts.holdReservedSpending(
            account, amountFen: order.amountFen, payeeAccountID: merchant.settlementAccountID, holdID: holdID,
            timeoutSeconds: PaymentsService.holdTimeoutSeconds, memo: "e支付 \(merchant.name) \(order.orderNumber)", on: date, captureID: captureID,
            undoInTransaction: { tx in try await self.releaseEPay(tx, customer: customer, amountFen: order.amountFen, on: date) })
        // A repeat after a crash (the hold was already there) captures here, idempotently.
        if !captured { try await accounts.captureSpending(holdID: holdID, captureID: captureID) }
        let paidAt = clock.now()
        let paid = order.paid(at: paidAt)
        try await database.batchedTransaction { [self] tx in
            let changed = try await tx.execute(
                """
                UPDATE payments_orders SET status = 'paid', captured_fen = amount_fen, hold_transfer_id = ?, capture_transfer_id = ?, paid_at = ?
                WHERE id = ? AND status = 'confirming'
                """, [.id(holdID), .id(captureID), .time(paidAt), .id(orderID)])
            // The claim made this the order's only writer, so it is now `paid` as `paid` describes.
            if changed == 1 { try await enqueueEvent(tx, order: paid, type: "order.paid") }
            try await identity.audit.record(tx, actor: "customer:\(customer.id)", action: "epay.pay", target: "order:\(orderID)", address: address,
                                            detail: "amount=\(order.amountFen) merchant=\(merchant.id)")
            let alert = "您尾号\(account.accountNumber.suffix(4))的账户e支付消费\(Money.fen(order.amountFen).formatted)，商户：\(merchant.name.prefix(30))。"
            try await identity.notifications.record(tx, userID: customer.userID, kind: "alert.transaction", title: "动账提醒", body: alert, smsText: alert)
        }
        await notifyPurchase(paid, customer: customer, account: account, merchant: merchant)
        return paid
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
