import BankKit
import Storage

/// The Wealth module's tables. Balances are never here: a deposit's principal, a sweep fund
/// holding and a product holding are ledger accounts. These tables hold terms, rates, accruals
/// in micro-fen (below the ledger's fen) and the history customers see.
public enum WealthSchema {
    public static let migrations: [Migration] = [
        Migration(module: "wealth", version: 1, name: "rates, demand accruals, deposits, sweeps") { d in
            [
                """
                CREATE TABLE wealth_rates (
                    product TEXT NOT NULL, effective_from TEXT NOT NULL, rate_micros \(d.bigint) NOT NULL,
                    published_by TEXT NOT NULL, published_at \(d.bigint) NOT NULL,
                    PRIMARY KEY (product, effective_from))
                """,
                "CREATE TABLE wealth_settings (name TEXT NOT NULL PRIMARY KEY, value TEXT NOT NULL, updated_at \(d.bigint) NOT NULL)",
                // One row per demand account (chart 2011), keyed by the ledger's account number so the
                // daily accrual is one pass joining on integer keys. Days are days since 1970-01-01.
                """
                CREATE TABLE wealth_demand (
                    account_num \(d.bigint) NOT NULL PRIMARY KEY,
                    account_id \(d.blob) NOT NULL,
                    accrued_micros \(d.bigint) NOT NULL,
                    accrued_through \(d.bigint) NOT NULL,
                    settled_through \(d.bigint) NOT NULL)
                """,
                // Scratch of one accrual run: net posted movements after the day's cut-off, by account.
                "CREATE TABLE wealth_balance_adjust (account_num \(d.bigint) NOT NULL PRIMARY KEY, delta \(d.bigint) NOT NULL)",
                """
                CREATE TABLE wealth_deposits (
                    id \(d.blob) NOT NULL PRIMARY KEY,
                    customer_id \(d.blob) NOT NULL,
                    kind TEXT NOT NULL,
                    source_account_id \(d.blob) NOT NULL,
                    principal_fen \(d.bigint) NOT NULL,
                    term_months \(d.bigint),
                    rate_micros \(d.bigint),
                    tiers TEXT,
                    opened_on TEXT NOT NULL,
                    term_start TEXT NOT NULL,
                    matures_on TEXT,
                    on_maturity TEXT NOT NULL,
                    partial_withdrawn \(d.bigint) NOT NULL,
                    status TEXT NOT NULL,
                    closed_on TEXT,
                    idempotency_key TEXT NOT NULL,
                    request_hash \(d.blob) NOT NULL,
                    created_at \(d.bigint) NOT NULL,
                    UNIQUE (customer_id, idempotency_key))
                """,
                "CREATE INDEX wealth_deposits_customer ON wealth_deposits (customer_id, created_at)",
                "CREATE INDEX wealth_deposits_maturity ON wealth_deposits (status, matures_on)",
                """
                CREATE TABLE wealth_deposit_events (
                    id \(d.blob) NOT NULL PRIMARY KEY,
                    deposit_id \(d.blob) NOT NULL,
                    kind TEXT NOT NULL,
                    on_date TEXT NOT NULL,
                    principal_fen \(d.bigint) NOT NULL,
                    interest_fen \(d.bigint) NOT NULL,
                    rate_micros \(d.bigint) NOT NULL,
                    days \(d.bigint) NOT NULL,
                    detail TEXT NOT NULL,
                    created_at \(d.bigint) NOT NULL)
                """,
                "CREATE INDEX wealth_deposit_events_deposit ON wealth_deposit_events (deposit_id, created_at)",
                """
                CREATE TABLE wealth_sweeps (
                    account_id \(d.blob) NOT NULL PRIMARY KEY,
                    customer_id \(d.blob) NOT NULL,
                    fund_account_id \(d.blob) NOT NULL,
                    threshold_fen \(d.bigint) NOT NULL,
                    daily_redeem_max_fen \(d.bigint) NOT NULL,
                    active \(d.bigint) NOT NULL,
                    income_micros \(d.bigint) NOT NULL,
                    income_through \(d.bigint) NOT NULL,
                    updated_at \(d.bigint) NOT NULL)
                """,
                "CREATE INDEX wealth_sweeps_customer ON wealth_sweeps (customer_id)",
                """
                CREATE TABLE wealth_usage (
                    account_id \(d.blob) NOT NULL, rule TEXT NOT NULL, period TEXT NOT NULL, used_fen \(d.bigint) NOT NULL,
                    PRIMARY KEY (account_id, rule, period))
                """,
            ]
        },
    ]

    /// The PBoC benchmark deposit rates effective 2015-10-24 (DOMAIN.md §4). The PBoC publishes
    /// no 5-year rate; Rong seeds the 3-year rate for it, as many banks posted. The sweep fund's
    /// yield is the bank's own quote.
    public static let seedRates: [(RateProduct, Int64)] = [
        (.demand, 3_500), (.time3m, 11_000), (.time6m, 13_000), (.time1y, 15_000), (.time2y, 21_000),
        (.time3y, 27_500), (.time5y, 27_500), (.notice1d, 8_000), (.notice7d, 13_500), (.sweepFund, 25_000),
    ]
    public static let seedDate = "2015-10-24"
}
