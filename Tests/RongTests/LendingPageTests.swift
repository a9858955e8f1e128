import Accounts
import BankKit
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Identity
import Lending
import Payments
import RongServer
import Testing

/// 逸贷 through the pages: the portal's line, offer (schedule, total cost and APR before the
/// accept button), acceptance and repayment; the console's loan book, delinquency report,
/// dossier and write-off; the merchant dashboard's credit page and the console's lines.
@Suite struct LendingPageTests: PageSuite {
    static let password = "Rong2026pass"

    /// `13.80%`: an APR as the pages show it (hundredths of a percent, half up).
    static func percent(_ rate: Rate) -> String {
        let basisPoints = rate.basisPointsRounded
        return "\(basisPoints / 100).\(basisPoints % 100 < 10 ? "0" : "")\(basisPoints % 100)%"
    }

    /// A scenario customer with a ¥1,200.00 offer, signed in to the portal.
    func customerWithOffer(_ client: some TestClientProtocol, _ t: TestPlatform) async throws -> (LendingScenario, LoanOffer, String) {
        let s = try await LendingScenario.make(t)
        let offer = try await s.offer(for: try await s.purchase(1_200_00, number: "E-PAGE-1"))
        let cookie = sessionCookie(try await post(client, "/bank/sign-in", [("mobile", s.mobile), ("password", LendingPageTests.password)]))
        return (s, offer, cookie)
    }

    func staff(_ client: some TestClientProtocol, _ t: TestPlatform, _ role: Role, mobile: String) async throws -> String {
        _ = try await t.identity.createStaff(by: nil, role: role, mobile: mobile, displayName: role.rawValue, password: "Staff2026pw", address: "test")
        return sessionCookie(try await post(client, "/console/sign-in", [("mobile", mobile), ("password", "Staff2026pw")]))
    }

    @Test func offerPageShowsTheScheduleAndAPRAndAcceptingDisburses() async throws {
        try await withApp { client, t in
            let (s, offer, cookie) = try await customerWithOffer(client, t)
            let loans = PageTests.html(try await get(client, "/bank/loans", cookie: cookie))
            #expect(loans.contains(#"id="nav-loans" href="/bank/loans""#))
            #expect(loans.contains(#"id="credit-limit""#) && loans.contains("上海南京路百货"))
            #expect(loans.contains(#"href="/bank/loans/offers/\#(offer.id)""#))

            // The default preview: 12 instalments with the monthly fee, 0.60% × 12 on ¥1,200 = ¥86.40, ¥107.20 a month.
            let page = try await get(client, "/bank/loans/offers/\(offer.id)", cookie: cookie)
            #expect(page.status == .ok)
            let html = PageTests.html(page)
            let quote = try s.lending.quote(offer, termMonths: 12, pricing: .flatFee)
            #expect(html.contains(#"id="preview-apr">\#(LendingPageTests.percent(quote.apr.effectiveAnnual))<"#))
            #expect(html.contains(#"id="preview-total-cost">¥86.40<"#) && html.contains(#"id="preview-first">¥107.20<"#))
            #expect(html.components(separatedBy: #"class="schedule-line""#).count - 1 == 12)
            #expect(html.contains("年化利率(APR)") && html.contains(#"id="accept-form""#))
            // Another choice previews its own schedule; a term not offered shows why, with no accept button.
            let six = PageTests.html(try await get(client, "/bank/loans/offers/\(offer.id)?term_months=6&pricing=equal_instalment", cookie: cookie))
            #expect(six.contains(#"data-term="6" data-pricing="equal_instalment""#))
            #expect(six.components(separatedBy: #"class="schedule-line""#).count - 1 == 6)
            let five = PageTests.html(try await get(client, "/bank/loans/offers/\(offer.id)?term_months=5", cookie: cookie))
            #expect(five.contains(#"data-code="term_not_offered""#) && five.contains("3、6、9、12、18、24") && !five.contains("accept-form"))
            let english = PageTests.html(try await get(client, "/bank/loans/offers/\(offer.id)?lang=en", cookie: cookie))
            #expect(english.contains(">APR<") && english.contains("Total cost"))

            let before = try await s.balance()
            let fields = [("term_months", "12"), ("pricing", "flat_fee")]
            let accepted = try await post(client, "/bank/loans/offers/\(offer.id)/accept", fields, cookie: cookie)
            #expect(accepted.status == .seeOther)
            let location = try #require(accepted.headers[.location])
            #expect(location.hasPrefix("/bank/loans/") && location.hasSuffix("?notice=loanAccepted"))
            #expect(try await s.balance() == before + 1_200_00, "the amount is back in the paying account at once")
            // The same form again is the same loan; other terms are refused with the code shown.
            #expect(try await post(client, "/bank/loans/offers/\(offer.id)/accept", fields, cookie: cookie).headers[.location] == location)
            let other = try await post(client, "/bank/loans/offers/\(offer.id)/accept", [("term_months", "6"), ("pricing", "flat_fee")], cookie: cookie)
            #expect(other.status == .unprocessableContent)
            #expect(PageTests.html(other).contains(#"data-code="offer_already_accepted""#))
            #expect(try await s.balance() == before + 1_200_00)

            let loan = PageTests.html(try await get(client, location, cookie: cookie))
            #expect(loan.contains("分期成功") && loan.contains(#"id="loan-outstanding">¥1,200.00<"#))
            #expect(loan.components(separatedBy: #"data-state="future""#).count - 1 == 12)
            #expect(loan.contains(#"id="loan-bucket" data-bucket="current""#) && loan.contains(#"data-kind="disburse""#))
            let after = PageTests.html(try await get(client, "/bank/loans", cookie: cookie))
            #expect(after.contains(#"id="credit-used">¥1,200.00<"#) && after.contains(#"class="loan-link""#))
        }
    }

    @Test func aNewCustomerSeesWhyThereIsNoLine() async throws {
        try await withApp { client, t in
            // Registered today: no tenure, no history, so the scorecard declines and the page says why.
            _ = try await t.customerWithEAccount(.classII, name: "李雷", idNumber: ResidentIDs.make(birth: "19900101", sequence: 611),
                                                 mobile: "13911113333", cardNumber: Cards.ccb(611))
            let cookie = sessionCookie(try await post(client, "/bank/sign-in", [("mobile", "13911113333"), ("password", LendingPageTests.password)]))
            let html = PageTests.html(try await get(client, "/bank/loans", cookie: cookie))
            #expect(html.contains(#"id="credit-declined""#) && !html.contains(#"id="credit-limit""#))
            #expect(html.contains(#"<li class="reason" data-code="short_tenure">成为本行客户未满 3 个月"#))
            #expect(html.contains(#"id="no-offers""#) && html.contains(#"id="no-loans""#))
            let english = PageTests.html(try await get(client, "/bank/loans?lang=en", cookie: cookie))
            #expect(english.contains("A customer for less than 3 months"))
        }
    }

    @Test func loanPageQuotesThenRepaysOnceAndPaysOff() async throws {
        try await withApp { client, t in
            let (s, offer, cookie) = try await customerWithOffer(client, t)
            let loan = try await s.lending.accept(s.principal, offerID: offer.id, termMonths: 12, pricing: .equalInstalment, address: "test")
            let id = loan.loan.id

            // Nothing is due yet: the form says so, with its code.
            let nothing = try await post(client, "/bank/loans/\(id)/repay/quote", [("mode", "due")], cookie: cookie)
            #expect(nothing.status == .unprocessableContent)
            #expect(PageTests.html(nothing).contains(#"data-code="nothing_due""#))
            let bad = try await post(client, "/bank/loans/\(id)/repay/quote", [("mode", "prepay"), ("principal", "12.345")], cookie: cookie)
            #expect(PageTests.html(bad).contains(#"value="12.345" class="invalid""#))
            let tooMuch = try await post(client, "/bank/loans/\(id)/repay/quote", [("mode", "prepay"), ("principal", "1300")], cookie: cookie)
            #expect(PageTests.html(tooMuch).contains(#"data-code="repayment_exceeds_outstanding""#) && PageTests.html(tooMuch).contains("¥1,200.00"))

            // ¥200 of principal early: the quote first, then the confirmation (sent twice, repaid once).
            let quoted = try await post(client, "/bank/loans/\(id)/repay/quote", [("mode", "prepay"), ("principal", "200")], cookie: cookie)
            #expect(quoted.status == .ok)
            let quoteHTML = PageTests.html(quoted)
            let expected = try await s.lending.repaymentQuote(s.principal, loanID: id, prepayPrincipalFen: 200_00, full: false)
            #expect(quoteHTML.contains(#"id="quote-prepaid-principal">¥200.00<"#))
            #expect(quoteHTML.contains(#"id="quote-total">\#(Money.fen(expected.totalFen).formatted)<"#))
            #expect(quoteHTML.contains(#"id="quote-principal-after">¥1,000.00<"#))
            let key = try hidden(quoteHTML, "idempotency_key")
            let before = try await s.balance()
            let confirm = [("mode", "prepay"), ("principal", "200"), ("idempotency_key", key)]
            let repaid = try await post(client, "/bank/loans/\(id)/repay", confirm, cookie: cookie)
            #expect(repaid.status == .seeOther && repaid.headers[.location] == "/bank/loans/\(id)?notice=repaid")
            #expect(try await post(client, "/bank/loans/\(id)/repay", confirm, cookie: cookie).status == .seeOther)
            #expect(try await s.balance() == before - expected.totalFen, "the same confirmation twice repays once")
            let page = PageTests.html(try await get(client, "/bank/loans/\(id)?notice=repaid", cookie: cookie))
            #expect(page.contains("还款成功") && page.contains(#"id="loan-outstanding">¥1,000.00<"#) && page.contains(#"data-kind="repay""#))

            // Pay off in full: the loan closes and the form goes.
            let full = PageTests.html(try await post(client, "/bank/loans/\(id)/repay/quote", [("mode", "full")], cookie: cookie))
            #expect(full.contains(#"id="quote-principal-after">¥0.00<"#))
            let done = try await post(client, "/bank/loans/\(id)/repay", [("mode", "full"), ("idempotency_key", try hidden(full, "idempotency_key"))],
                                      cookie: cookie)
            #expect(done.status == .seeOther)
            let closed = PageTests.html(try await get(client, "/bank/loans/\(id)", cookie: cookie))
            #expect(closed.contains(#"id="loan-status">已结清<"#) && !closed.contains("repay-form"))
            try await s.checkLoanBooks(id)
        }
    }

    @Test func consoleBookDelinquencyDossierAndWriteOff() async throws {
        try await withApp { client, t in
            let (s, offer, _) = try await customerWithOffer(client, t)
            let loan = try await s.lending.accept(s.principal, offerID: offer.id, termMonths: 6, pricing: .flatFee, address: "test")
            let id = loan.loan.id
            let manager = try await staff(client, t, .accountManager, mobile: "13800003000")
            let managerHome = PageTests.html(try await get(client, "/console/rates", cookie: manager))
            #expect(!managerHome.contains("nav-loans"), "the loan book is for operators")
            #expect(try await get(client, "/console/loans", cookie: manager).status == .forbidden)
            let operatorCookie = try await staff(client, t, .operator, mobile: "13800003001")

            let book = PageTests.html(try await get(client, "/console/loans", cookie: operatorCookie))
            #expect(book.contains(#"id="nav-loans" href="/console/loans""#) && book.contains(#"id="nav-lines""#))
            #expect(book.contains(#"<tr class="bucket" data-bucket="current"><td><a href="/console/loans?bucket=current">正常</a></td><td class="amount bucket-loans">1</td><td class="amount bucket-outstanding">¥1,200.00</td>"#))
            #expect(book.contains(#"data-bucket="dpd_90_plus""#) && book.contains(#"id="total-loans">1<"#))
            #expect(book.contains(#"<tr class="loan" data-id="\#(id)" data-bucket="current">"#) && book.contains("韩梅梅"))
            let filtered = PageTests.html(try await get(client, "/console/loans?bucket=dpd_90_plus", cookie: operatorCookie))
            #expect(filtered.contains(#"id="no-loans""#))

            let dossier = PageTests.html(try await get(client, "/console/loans/\(id)", cookie: operatorCookie))
            #expect(dossier.contains(#"id="decision-outcome">批准<"#) && dossier.contains(#"data-key="tenure_months""#))
            #expect(dossier.contains(#"data-key="history""#) && dossier.components(separatedBy: #"class="instalment"#).count - 1 == 6)

            // A current loan is not written off: the refusal says why, with its code; a reason is required.
            let noReason = try await post(client, "/console/loans/\(id)/write-off", [("reason", "")], cookie: operatorCookie)
            #expect(noReason.status == .unprocessableContent && PageTests.html(noReason).contains("请填写核销原因"))
            let refused = try await post(client, "/console/loans/\(id)/write-off", [("reason", "客户失联，催收无果")], cookie: operatorCookie)
            #expect(refused.status == .unprocessableContent)
            let refusedHTML = PageTests.html(refused)
            #expect(refusedHTML.contains(#"data-code="write_off_not_allowed""#) && refusedHTML.contains("逾期 0 天"))
            #expect(refusedHTML.contains(#"value="客户失联，催收无果""#), "the reason is kept")
            #expect(try await post(client, "/console/loans/\(id)/write-off", [("reason", "客户失联，催收无果")], cookie: manager).status == .forbidden)

            // Four months on with nothing paid (no end of day ran), the first instalment is 92 days past due.
            t.clock.advance(seconds: 123 * 86_400)
            let later = try await staff(client, t, .operator, mobile: "13800003002")
            let late = PageTests.html(try await get(client, "/console/loans", cookie: later))
            #expect(late.contains(#"<tr class="loan" data-id="\#(id)" data-bucket="dpd_90_plus">"#))
            let written = try await post(client, "/console/loans/\(id)/write-off", [("reason", "客户失联，催收无果")], cookie: later)
            #expect(written.status == .seeOther && written.headers[.location] == "/console/loans/\(id)?notice=writtenOff")
            let after = PageTests.html(try await get(client, "/console/loans/\(id)?notice=writtenOff", cookie: later))
            #expect(after.contains("贷款已核销") && after.contains(#"id="loan-status">已核销<"#) && !after.contains("write-off-form"))
            #expect(after.contains(#"id="write-off-reason">客户失联，催收无果<"#))
        }
    }

    @Test func merchantCreditDeclinedWithoutTurnoverThenSignsDrawsAndRepaysARevolvingLine() async throws {
        try await withApp { client, t in
            let first17 = "91330100MA2000077"
            let credentials = try await t.payments.onboardMerchant(
                by: t.operatorPrincipal, name: "杭州新茶铺", licenceNumber: first17 + String(CreditCode.checkCharacter(for: first17)!),
                notifyURL: "https://tea.example.com/notify", contactMobile: "13900000071", contactPassword: "Shop2026pass", address: "test")
            let merchant = credentials.merchant
            let cookie = sessionCookie(try await post(client, "/merchant/sign-in", [("mobile", "13900000071"), ("password", "Shop2026pass")]))
            let empty = PageTests.html(try await get(client, "/merchant/credit", cookie: cookie))
            #expect(empty.contains(#"id="nav-credit""#) && empty.contains(#"id="no-merchant-line""#) && empty.contains(#"id="no-revolving""#))

            // No e-Pay turnover: declined, the reason on the page with its code.
            let declined = try await post(client, "/merchant/credit/apply", [], cookie: cookie)
            #expect(declined.status == .unprocessableContent)
            let declinedHTML = PageTests.html(declined)
            #expect(declinedHTML.contains(#"data-code="credit_declined""#))
            #expect(declinedHTML.contains(#"<li class="reason" data-code="insufficient_turnover">"#) && declinedHTML.contains("结算流水不足"))
            #expect(PageTests.html(try await get(client, "/merchant/credit", cookie: cookie)).contains(#"id="decision-declined""#), "the decision stays shown")

            // An operator offers a 网贷通 contract on the console's lines page.
            let operatorCookie = try await staff(client, t, .operator, mobile: "13800003101")
            let badRate = try await post(client, "/console/lines", [("merchant_id", merchant.id.description), ("limit", "100000"), ("annual_rate", "30"),
                                                                    ("valid_months", "12")], cookie: operatorCookie)
            #expect(badRate.status == .unprocessableContent && PageTests.html(badRate).contains(#"value="30" class="invalid""#))
            let offered = try await post(client, "/console/lines", [("merchant_id", merchant.id.description), ("limit", "100000"),
                                                                    ("annual_rate", "4.785"), ("valid_months", "12")], cookie: operatorCookie)
            #expect(offered.status == .seeOther && offered.headers[.location] == "/console/lines?notice=lineOffered")
            let lines = PageTests.html(try await get(client, "/console/lines", cookie: operatorCookie))
            #expect(lines.contains("杭州新茶铺") && lines.contains("¥100,000.00") && lines.contains("4.785%") && lines.contains("待签约"))
            let again = try await post(client, "/console/lines", [("merchant_id", merchant.id.description), ("limit", "100000"), ("valid_months", "12")],
                                       cookie: operatorCookie)
            #expect(PageTests.html(again).contains(#"data-code="line_already_exists""#))

            // The merchant signs, draws (once, though sent twice), is refused past the limit, and repays.
            let offer = PageTests.html(try await get(client, "/merchant/credit", cookie: cookie))
            let lineID = try #require(try await t.platform.lending.allLines().first { $0.line.merchantID == merchant.id }?.line.id)
            #expect(offer.contains(#"action="/merchant/credit/lines/\#(lineID)/sign""#))
            #expect(try await post(client, "/merchant/credit/lines/\(lineID)/sign", [], cookie: cookie).headers[.location] == "/merchant/credit?notice=lineSigned")
            let active = PageTests.html(try await get(client, "/merchant/credit", cookie: cookie))
            let key = try hidden(active, "idempotency_key")
            let draw = [("amount", "5000.00"), ("idempotency_key", key)]
            #expect(try await post(client, "/merchant/credit/lines/\(lineID)/draw", draw, cookie: cookie).headers[.location] == "/merchant/credit?notice=drawn")
            #expect(try await post(client, "/merchant/credit/lines/\(lineID)/draw", draw, cookie: cookie).status == .seeOther)
            let settlement = try await t.ledger.account(merchant.settlementAccountID)!.balance.postedCreditBalance
            #expect(settlement == 5_000_00, "the same draw twice pays out once")
            let over = try await post(client, "/merchant/credit/lines/\(lineID)/draw", [("amount", "96000"), ("idempotency_key", "draw-over-1")], cookie: cookie)
            #expect(over.status == .unprocessableContent)
            #expect(PageTests.html(over).contains(#"data-code="credit_limit_exceeded""#) && PageTests.html(over).contains("¥95,000.00"))
            let repaid = try await post(client, "/merchant/credit/lines/\(lineID)/repay", [("amount", "1000"), ("idempotency_key", "repay-1")], cookie: cookie)
            #expect(repaid.headers[.location] == "/merchant/credit?notice=lineRepaid")
            let page = PageTests.html(try await get(client, "/merchant/credit?notice=lineRepaid", cookie: cookie))
            #expect(page.contains(#"<span class="value line-drawn">¥4,000.00</span>"#) && page.contains(#"<span class="value line-available">¥96,000.00</span>"#))
            #expect(page.contains(#"data-kind="draw""#) && page.contains(#"data-kind="repay""#))
        }
    }
}
