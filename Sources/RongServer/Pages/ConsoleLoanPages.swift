import Accounts
import BankKit
import Hummingbird
import Identity
import Lending
import Payments

/// Lending in the console, for operators and admins: the loan book with a bucket filter and the
/// delinquency report by bucket (`/console/loans`); a loan's dossier — the customer, the
/// scorecard decision with its inputs, points and reasons, the schedule and history — with the
/// write-off form (`/console/loans/{id}`); every merchant line and the form to offer a 网贷通
/// contract (`/console/lines`).
struct ConsoleLoanPages {
    let site: PageSite
    static let loansShown = 200

    func register(on router: Router<RongRequestContext>) {
        let operators = Role.operators
        router.get("console/loans") { request, context in
            try await site.page(request, context, area: .console, access: operators) { call in try await bookPage(call) }
        }
        router.get("console/loans/:id") { request, context in
            try await site.page(request, context, area: .console, access: operators) { call in try await dossierPage(call, id: try context.id("id")) }
        }
        router.post("console/loans/:id/write-off") { request, context in
            try await site.page(request, context, area: .console, access: operators) { call in try await writeOff(call, id: try context.id("id")) }
        }
        router.get("console/lines") { request, context in
            try await site.page(request, context, area: .console, access: operators) { call in try await linesPage(call) }
        }
        router.post("console/lines") { request, context in
            try await site.page(request, context, area: .console, access: operators) { call in try await offerLine(call) }
        }
    }

    // MARK: The book

    func bookPage(_ call: PageCall) async throws -> Response {
        let lending = call.platform.lending
        let t = call.text
        let query = call.request.uri.queryParameters
        let bucket = query.get("bucket").flatMap { DelinquencyBucket(rawValue: String($0)) }
        let includeClosed = query.get("closed") == "1"
        let report = try await lending.delinquencyReport(by: call.signedIn)
        let entries = try await lending.loanBook(by: call.signedIn, bucket: bucket, includeClosed: includeClosed, limit: ConsoleLoanPages.loansShown)
        let values: [String: Any] = [
            "asOf": report.date.iso, "totalLoans": report.totalLoans, "totalOutstanding": PageFormat.money(report.totalOutstandingFen),
            "totalOverdue": PageFormat.money(report.rows.reduce(0) { $0 + $1.overdueFen }),
            "report": report.rows.map { row -> [String: Any] in
                ["bucket": t["bucket_\(row.bucket.rawValue)"] ?? row.bucket.rawValue, "bucketCode": row.bucket.rawValue, "loans": row.loans,
                 "outstanding": PageFormat.money(row.outstandingPrincipalFen), "overdue": PageFormat.money(row.overdueFen),
                 "href": PageResponse.path("/console/loans", [("bucket", row.bucket.rawValue)])]
            },
            "buckets": DelinquencyBucket.allCases.map { choice -> [String: Any] in
                ["value": choice.rawValue, "label": t["bucket_\(choice.rawValue)"] ?? choice.rawValue, "selected": choice == bucket]
            },
            "includeClosed": includeClosed,
            "loans": entries.map { entry -> [String: Any] in
                let loan = entry.loan
                return ["id": loan.id.description, "href": "/console/loans/\(loan.id)", "customer": entry.customerName,
                        "principal": PageFormat.money(loan.terms.principalFen), "termLabel": LoanText.instalments(loan.terms.termMonths, t),
                        "pricingLabel": LoanText.pricingLabel(loan.pricing, lang: call.lang), "createdOn": loan.terms.startDate.iso,
                        "outstanding": PageFormat.money(entry.outstandingPrincipalFen), "overdue": PageFormat.money(entry.overdueFen),
                        "daysPastDue": entry.daysPastDue, "bucket": t["bucket_\(entry.bucket.rawValue)"] ?? entry.bucket.rawValue,
                        "bucketCode": entry.bucket.rawValue, "status": t["loanStatus_\(loan.status.rawValue)"] ?? loan.status.rawValue,
                        "statusClass": loan.status.rawValue]
            },
            "hasLoans": !entries.isEmpty, "wide": true,
        ]
        return call.render("console-loans", title: "loanBookTitle", values)
    }

    // MARK: One loan

    func dossierPage(_ call: PageCall, id: RongID, failed: FormState? = nil) async throws -> Response {
        let t = call.text
        let today = call.platform.clock.businessDate()
        let dossier = try await call.platform.lending.dossier(by: call.signedIn, loanID: id)
        let view = dossier.view
        var values = PortalLoanPages.loanValues(view, call: call, today: today)
        values["schedule"] = PortalLoanPages.scheduleRows(view, t: t, today: today)
        values["events"] = LoanText.events(view.events, t)
        values["hasEvents"] = !view.events.isEmpty
        values["customerName"] = dossier.customer.name
        values["customerHref"] = "/console/customers/\(dossier.customer.id)"
        values["customerMobile"] = dossier.customer.mobileMasked
        values["customerID"] = dossier.customer.idNumberMasked
        if let decision = dossier.decision {
            let shown: [String: Any] = [
                "approved": decision.approved, "outcome": decision.approved ? t["decisionApproved"] ?? "" : t["decisionDeclined"] ?? "",
                "outcomeClass": decision.approved ? "ok" : "no", "score": decision.score, "limit": PageFormat.money(decision.limitFen),
                "decidedAt": PageFormat.shanghai(decision.decidedAt), "inputs": LoanText.inputs(decision.inputs, t),
                "points": decision.points.keys.sorted().map { key -> [String: Any] in
                    ["key": key, "label": t["points_\(key)"] ?? key, "points": decision.points[key] ?? 0]
                },
                "reasons": decision.reasons.map { LoanText.reason($0, t) }, "hasReasons": !decision.reasons.isEmpty,
            ]
            values["decision"] = shown
        }
        values["canWriteOff"] = view.loan.status == .active
        values["form"] = (failed ?? FormState()).context
        values["wide"] = true
        return call.render("console-loan", title: "dossierTitle", values, status: failed == nil ? .ok : .unprocessableContent,
                           getPath: "/console/loans/\(id)")
    }

    func writeOff(_ call: PageCall, id: RongID) async throws -> Response {
        do {
            _ = try await call.platform.lending.writeOff(by: call.signedIn, loanID: id, reason: call.form?.text("reason") ?? "", address: call.address)
            return PageResponse.redirect("/console/loans/\(id)?notice=writtenOff")
        } catch let error as DomainError where error.status != 403 && error.status != 404 {
            return try await dossierPage(call, id: id, failed: call.loanFormError(error))
        }
    }

    // MARK: Lines

    func linesPage(_ call: PageCall, failed: FormState? = nil) async throws -> Response {
        let t = call.text
        let merchants = try await call.platform.payments.merchants()
        let names = Dictionary(merchants.map { ($0.id, $0.name) }, uniquingKeysWith: { first, _ in first })
        let lines = try await call.platform.lending.allLines().map { view -> [String: Any] in
            let line = view.line
            return ["id": line.id.description, "merchant": names[line.merchantID] ?? line.merchantID.description,
                    "kind": t["lineKind_\(line.kind.rawValue)"] ?? line.kind.rawValue, "kindCode": line.kind.rawValue,
                    "limit": PageFormat.money(line.limitFen), "drawn": PageFormat.money(view.drawnFen), "available": PageFormat.money(view.availableFen),
                    "interestOwed": PageFormat.money(view.interestOwedFen), "arrears": PageFormat.money(line.arrearsFen), "rate": line.annualRate.description,
                    "validFrom": line.validFrom.iso, "validUntil": line.validUntil.iso, "createdBy": line.createdBy,
                    "status": t["lineStatus_\(line.status.rawValue)"] ?? line.status.rawValue, "statusClass": line.status.rawValue]
        }
        var form = (failed ?? FormState(values: ["valid_months": String(LendingProducts.revolvingValidMonthsMax)])).context
        let chosen = failed?.values["merchant_id"]
        form["merchants"] = merchants.map { merchant -> [String: Any] in
            ["id": merchant.id.description, "name": merchant.name, "selected": merchant.id.description == chosen]
        }
        let values: [String: Any] = ["lines": lines, "hasLines": !lines.isEmpty, "form": form, "hasMerchants": !merchants.isEmpty, "wide": true]
        return call.render("console-lines", title: "linesTitle", values, status: failed == nil ? .ok : .unprocessableContent, getPath: "/console/lines")
    }

    func offerLine(_ call: PageCall) async throws -> Response {
        let form = call.form ?? FormData()
        do {
            guard let merchantID = try? RongID(form.text("merchant_id")) else {
                throw DomainError(.invalidRequest, "Choose a merchant.", status: 422, extensions: ["field": .string("merchant_id")])
            }
            let limit: Int64
            do { limit = try PageFormat.amountFen(form.text("limit")) } catch {
                throw DomainError(error.code, error.detail, status: error.status, extensions: ["field": .string("limit")])
            }
            let rateText = form.text("annual_rate")
            var rate: Rate?
            if !rateText.isEmpty {
                do { rate = try Rate.parsePercent(rateText) } catch {
                    throw DomainError(.invalidRate, error.detail, status: 422, extensions: ["field": .string("annual_rate")])
                }
            }
            guard let months = Int(form.text("valid_months")) else {
                throw DomainError(.invalidRequest, "The validity is 1 to \(LendingProducts.revolvingValidMonthsMax) months.", status: 422,
                                  extensions: ["field": .string("valid_months")])
            }
            _ = try await call.platform.lending.offerRevolvingLine(by: call.signedIn, merchantID: merchantID, limitFen: limit, annualRate: rate,
                                                                   validMonths: months, address: call.address)
            return PageResponse.redirect("/console/lines?notice=lineOffered")
        } catch let error as DomainError where error.status != 403 {
            var state = call.loanFormError(error)
            if error.status == 404 { state.field = "merchant_id" }
            if error.code == .lineAlreadyExists { state.field = "merchant_id" }
            return try await linesPage(call, failed: state)
        }
    }
}
