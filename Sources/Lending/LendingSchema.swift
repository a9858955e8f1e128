import Storage

/// The Lending module's tables. Balances are never here: a loan's or line's principal and
/// receivable are ledger accounts. These tables hold decisions, offers, terms, the instalment
/// plan with what was paid against each instalment, sub-fen accruals, and the history.
public enum LendingSchema {
    public static let migrations: [Migration] = [
        Migration(module: "lending", version: 1, name: "decisions, offers, loans, instalments, lines, events") { d in
            [
                """
                CREATE TABLE lending_decisions (
                    id \(d.blob) NOT NULL PRIMARY KEY, subject_ref TEXT NOT NULL, product TEXT NOT NULL,
                    inputs TEXT NOT NULL, approved \(d.bigint) NOT NULL, limit_fen \(d.bigint) NOT NULL,
                    score \(d.bigint) NOT NULL, points TEXT NOT NULL, reasons TEXT NOT NULL, decided_at \(d.bigint) NOT NULL)
                """,
                "CREATE INDEX lending_decisions_subject ON lending_decisions (subject_ref, product, decided_at)",
                """
                CREATE TABLE lending_offers (
                    id \(d.blob) NOT NULL PRIMARY KEY, customer_id \(d.blob) NOT NULL, decision_id \(d.blob) NOT NULL,
                    purchase_ref TEXT NOT NULL UNIQUE, merchant_name TEXT NOT NULL, purchase_fen \(d.bigint) NOT NULL,
                    amount_fen \(d.bigint) NOT NULL, account_id \(d.blob) NOT NULL, status TEXT NOT NULL,
                    expires_at \(d.bigint) NOT NULL, created_at \(d.bigint) NOT NULL, loan_id \(d.blob))
                """,
                "CREATE INDEX lending_offers_customer ON lending_offers (customer_id, created_at)",
                """
                CREATE TABLE lending_loans (
                    id \(d.blob) NOT NULL PRIMARY KEY, customer_id \(d.blob) NOT NULL, offer_id \(d.blob) NOT NULL UNIQUE,
                    account_id \(d.blob) NOT NULL, pricing TEXT NOT NULL, rate_micros \(d.bigint) NOT NULL,
                    penalty_rate_micros \(d.bigint) NOT NULL, term_months \(d.bigint) NOT NULL, principal_fen \(d.bigint) NOT NULL,
                    start_date TEXT NOT NULL, status TEXT NOT NULL, request_hash \(d.blob) NOT NULL,
                    penalty_micros \(d.bigint) NOT NULL DEFAULT 0, penalty_through TEXT,
                    penalty_accrued_fen \(d.bigint) NOT NULL DEFAULT 0, penalty_paid_fen \(d.bigint) NOT NULL DEFAULT 0,
                    prepayments TEXT NOT NULL DEFAULT '[]',
                    created_at \(d.bigint) NOT NULL, closed_on TEXT, write_off_reason TEXT)
                """,
                "CREATE INDEX lending_loans_customer ON lending_loans (customer_id, created_at)",
                "CREATE INDEX lending_loans_status ON lending_loans (status)",
                """
                CREATE TABLE lending_instalments (
                    loan_id \(d.blob) NOT NULL, period \(d.bigint) NOT NULL, due_date TEXT NOT NULL,
                    principal_fen \(d.bigint) NOT NULL, interest_fen \(d.bigint) NOT NULL, fee_fen \(d.bigint) NOT NULL,
                    paid_principal_fen \(d.bigint) NOT NULL DEFAULT 0, paid_interest_fen \(d.bigint) NOT NULL DEFAULT 0,
                    paid_fee_fen \(d.bigint) NOT NULL DEFAULT 0, billed \(d.bigint) NOT NULL DEFAULT 0, paid_on TEXT,
                    PRIMARY KEY (loan_id, period))
                """,
                "CREATE INDEX lending_instalments_due ON lending_instalments (billed, due_date)",
                // A repayment or charge is written here first (`posting`), then to the ledger under
                // the event's id, then applied: a crash in between is finished or dropped by
                // `resolvePostingEvents`, so nothing is paid twice or lost.
                """
                CREATE TABLE lending_events (
                    id \(d.blob) NOT NULL PRIMARY KEY, owner_id \(d.blob) NOT NULL, kind TEXT NOT NULL, on_date TEXT NOT NULL,
                    principal_fen \(d.bigint) NOT NULL, interest_fen \(d.bigint) NOT NULL, fee_fen \(d.bigint) NOT NULL,
                    penalty_fen \(d.bigint) NOT NULL, allocation TEXT, status TEXT NOT NULL, detail TEXT NOT NULL,
                    idempotency_key TEXT, request_hash \(d.blob), created_at \(d.bigint) NOT NULL,
                    UNIQUE (owner_id, idempotency_key))
                """,
                "CREATE INDEX lending_events_owner ON lending_events (owner_id, created_at)",
                "CREATE INDEX lending_events_status ON lending_events (status, created_at)",
                """
                CREATE TABLE lending_lines (
                    id \(d.blob) NOT NULL PRIMARY KEY, kind TEXT NOT NULL, merchant_id \(d.blob) NOT NULL, account_id \(d.blob) NOT NULL,
                    limit_fen \(d.bigint) NOT NULL, rate_micros \(d.bigint) NOT NULL, penalty_rate_micros \(d.bigint) NOT NULL,
                    valid_from TEXT NOT NULL, valid_until TEXT NOT NULL, status TEXT NOT NULL, decision_id \(d.blob),
                    arrears_fen \(d.bigint) NOT NULL DEFAULT 0, accrued_micros \(d.bigint) NOT NULL DEFAULT 0,
                    accrued_through TEXT, created_by TEXT NOT NULL, created_at \(d.bigint) NOT NULL, signed_at \(d.bigint),
                    UNIQUE (merchant_id, kind))
                """,
            ]
        },
    ]
}
