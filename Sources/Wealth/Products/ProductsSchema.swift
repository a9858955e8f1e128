import Storage

/// The tables of wealth products, their NAVs, customers' orders and risk profiles.
///
/// No balances: a customer's units are the ledger account of the product's asset (`WP_<CODE>`),
/// the money is in the product's custody account. `sold_fen` is the quota counter reserved by a
/// conditional UPDATE in the transaction that writes the order.
public enum WealthProductsSchema {
    public static let migrations: [Migration] = [
        Migration(module: "wealth_products", version: 1, name: "products, NAVs, orders, risk profiles") { d in
            [
                """
                CREATE TABLE wealth_products (
                    id \(d.blob) NOT NULL PRIMARY KEY,
                    code TEXT NOT NULL UNIQUE,
                    name TEXT NOT NULL,
                    name_en TEXT NOT NULL,
                    kind TEXT NOT NULL,
                    risk \(d.bigint) NOT NULL,
                    minimum_fen \(d.bigint) NOT NULL,
                    quota_fen \(d.bigint) NOT NULL,
                    sold_fen \(d.bigint) NOT NULL,
                    window_start TEXT,
                    window_end TEXT,
                    value_date TEXT,
                    maturity_date TEXT,
                    term_days \(d.bigint),
                    yield_micros \(d.bigint),
                    status TEXT NOT NULL,
                    created_by TEXT NOT NULL,
                    created_at \(d.bigint) NOT NULL,
                    closed_at \(d.bigint))
                """,
                "CREATE INDEX wealth_products_value_date ON wealth_products (status, value_date)",
                """
                CREATE TABLE wealth_product_navs (
                    product_id \(d.blob) NOT NULL,
                    nav_date TEXT NOT NULL,
                    nav_e4 \(d.bigint) NOT NULL,
                    published_by TEXT NOT NULL,
                    published_at \(d.bigint) NOT NULL,
                    PRIMARY KEY (product_id, nav_date))
                """,
                // One row per subscription or redemption, keyed by (customer, Idempotency-Key).
                // `amount_fen`: paid in (subscription) or paid out once confirmed (redemption);
                // `units`: asked (redemption) or issued once confirmed (subscription), in 0.01 unit.
                """
                CREATE TABLE wealth_orders (
                    id \(d.blob) NOT NULL PRIMARY KEY,
                    customer_id \(d.blob) NOT NULL,
                    product_id \(d.blob) NOT NULL,
                    kind TEXT NOT NULL,
                    account_id \(d.blob) NOT NULL,
                    amount_fen \(d.bigint),
                    units \(d.bigint),
                    trade_date TEXT NOT NULL,
                    confirm_date TEXT NOT NULL,
                    nav_e4 \(d.bigint),
                    cost_fen \(d.bigint),
                    payout_fen \(d.bigint),
                    interest_fen \(d.bigint),
                    status TEXT NOT NULL,
                    failure_code TEXT,
                    idempotency_key TEXT NOT NULL,
                    request_hash \(d.blob) NOT NULL,
                    created_at \(d.bigint) NOT NULL,
                    completed_at \(d.bigint),
                    UNIQUE (customer_id, idempotency_key))
                """,
                "CREATE INDEX wealth_orders_customer ON wealth_orders (customer_id, created_at)",
                "CREATE INDEX wealth_orders_due ON wealth_orders (status, confirm_date)",
                "CREATE INDEX wealth_orders_product ON wealth_orders (product_id, status)",
                """
                CREATE TABLE wealth_risk_profiles (
                    id \(d.blob) NOT NULL PRIMARY KEY,
                    customer_id \(d.blob) NOT NULL,
                    level \(d.bigint) NOT NULL,
                    score \(d.bigint) NOT NULL,
                    answers TEXT NOT NULL,
                    assessed_on TEXT NOT NULL,
                    expires_on TEXT NOT NULL,
                    created_at \(d.bigint) NOT NULL)
                """,
                "CREATE INDEX wealth_risk_profiles_customer ON wealth_risk_profiles (customer_id, created_at)",
            ]
        },
    ]
}
