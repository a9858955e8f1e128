import Storage

/// Tables of the Payments module: merchants and their API keys, e-Pay orders and refunds,
/// per-customer e-Pay limits, and the webhook outbox with every delivery attempt.
public enum PaymentsSchema {
    public static let migrations: [Migration] = [
        Migration(module: "payments", version: 1, name: "merchants, keys, orders, refunds, e-Pay limits, webhook outbox") { d in
            [
                """
                CREATE TABLE payments_merchants (
                    id \(d.blob) PRIMARY KEY, name TEXT NOT NULL, licence_number TEXT NOT NULL UNIQUE,
                    settlement_account_id \(d.blob) NOT NULL, notify_url TEXT NOT NULL, signing_secret TEXT NOT NULL,
                    status TEXT NOT NULL, created_at \(d.bigint) NOT NULL, created_by TEXT NOT NULL)
                """,
                """
                CREATE TABLE payments_merchant_keys (
                    key_id TEXT PRIMARY KEY, merchant_id \(d.blob) NOT NULL REFERENCES payments_merchants(id),
                    secret_hash \(d.blob) NOT NULL, created_at \(d.bigint) NOT NULL, revoked_at \(d.bigint))
                """,
                """
                CREATE TABLE payments_orders (
                    id \(d.blob) PRIMARY KEY, merchant_id \(d.blob) NOT NULL REFERENCES payments_merchants(id),
                    order_number TEXT NOT NULL, request_hash \(d.blob) NOT NULL, amount_fen \(d.bigint) NOT NULL,
                    description TEXT NOT NULL, status TEXT NOT NULL, expires_at \(d.bigint) NOT NULL,
                    customer_id \(d.blob), e_account_id \(d.blob), challenge_id \(d.blob),
                    hold_transfer_id \(d.blob), capture_transfer_id \(d.blob),
                    captured_fen \(d.bigint) NOT NULL DEFAULT 0, refunded_fen \(d.bigint) NOT NULL DEFAULT 0,
                    created_at \(d.bigint) NOT NULL, paid_at \(d.bigint), closed_at \(d.bigint),
                    UNIQUE (merchant_id, order_number))
                """,
                "CREATE INDEX payments_orders_status ON payments_orders(status, expires_at)",
                "CREATE INDEX payments_orders_customer ON payments_orders(customer_id, created_at)",
                """
                CREATE TABLE payments_refunds (
                    id \(d.blob) PRIMARY KEY, order_id \(d.blob) NOT NULL REFERENCES payments_orders(id),
                    refund_number TEXT NOT NULL, amount_fen \(d.bigint) NOT NULL, reason TEXT NOT NULL,
                    status TEXT NOT NULL, transfer_id \(d.blob), failure_code TEXT,
                    created_at \(d.bigint) NOT NULL, completed_at \(d.bigint), UNIQUE (order_id, refund_number))
                """,
                """
                CREATE TABLE payments_limit_usage (
                    customer_id \(d.blob) NOT NULL, rule TEXT NOT NULL, period TEXT NOT NULL, used_fen \(d.bigint) NOT NULL,
                    PRIMARY KEY (customer_id, rule, period))
                """,
                """
                CREATE TABLE payments_customer_limits (
                    customer_id \(d.blob) PRIMARY KEY, per_transaction_fen \(d.bigint) NOT NULL, per_day_fen \(d.bigint) NOT NULL,
                    changed_at \(d.bigint) NOT NULL)
                """,
                """
                CREATE TABLE payments_webhooks (
                    id \(d.blob) PRIMARY KEY, merchant_id \(d.blob) NOT NULL REFERENCES payments_merchants(id),
                    event_type TEXT NOT NULL, payload TEXT NOT NULL, status TEXT NOT NULL,
                    attempts \(d.bigint) NOT NULL DEFAULT 0, next_attempt_at \(d.bigint) NOT NULL,
                    created_at \(d.bigint) NOT NULL, delivered_at \(d.bigint), last_status_code \(d.bigint), last_error TEXT)
                """,
                "CREATE INDEX payments_webhooks_due ON payments_webhooks(status, next_attempt_at)",
                "CREATE INDEX payments_webhooks_merchant ON payments_webhooks(merchant_id, created_at)",
                """
                CREATE TABLE payments_webhook_attempts (
                    id \(d.blob) PRIMARY KEY, webhook_id \(d.blob) NOT NULL REFERENCES payments_webhooks(id),
                    attempted_at \(d.bigint) NOT NULL, status_code \(d.bigint), error TEXT, duration_ms \(d.bigint) NOT NULL)
                """,
                "CREATE INDEX payments_webhook_attempts_webhook ON payments_webhook_attempts(webhook_id, attempted_at)",
            ]
        },
        Migration(module: "payments", version: 2, name: "merchant users (dashboard sign-in)") { d in
            [
                """
                CREATE TABLE payments_merchant_users (
                    user_id \(d.blob) PRIMARY KEY, merchant_id \(d.blob) NOT NULL REFERENCES payments_merchants(id), created_at \(d.bigint) NOT NULL)
                """,
            ]
        },
        Migration(module: "payments", version: 3, name: "interbank transfers, saved payees, incoming credits, reconciliation breaks") { d in
            [
                """
                CREATE TABLE payments_transfers (
                    id \(d.blob) PRIMARY KEY, customer_id \(d.blob) NOT NULL, e_account_id \(d.blob) NOT NULL, request_hash \(d.blob) NOT NULL,
                    amount_fen \(d.bigint) NOT NULL, creditor_name TEXT NOT NULL, creditor_account TEXT NOT NULL, creditor_bank_code TEXT NOT NULL,
                    memo TEXT NOT NULL, timing TEXT NOT NULL, status TEXT NOT NULL, release_at \(d.bigint) NOT NULL, clearing_path TEXT,
                    failure_code TEXT, failure_detail TEXT, reserved_on TEXT NOT NULL, created_at \(d.bigint) NOT NULL,
                    sent_at \(d.bigint), settled_at \(d.bigint), completed_at \(d.bigint), checked_at \(d.bigint))
                """,
                "CREATE INDEX payments_transfers_status ON payments_transfers(status, release_at)",
                "CREATE INDEX payments_transfers_account ON payments_transfers(e_account_id, created_at)",
                """
                CREATE TABLE payments_payees (
                    id \(d.blob) PRIMARY KEY, customer_id \(d.blob) NOT NULL, name TEXT NOT NULL, account_number TEXT NOT NULL,
                    bank_code TEXT NOT NULL, created_at \(d.bigint) NOT NULL, UNIQUE (customer_id, bank_code, account_number))
                """,
                """
                CREATE TABLE payments_incoming (
                    message_id \(d.blob) PRIMARY KEY, amount_fen \(d.bigint) NOT NULL, creditor_account TEXT NOT NULL,
                    debtor_name TEXT NOT NULL, debtor_account TEXT NOT NULL, debtor_bank_code TEXT NOT NULL,
                    outcome TEXT NOT NULL, reason_code TEXT, received_at \(d.bigint) NOT NULL, processed_at \(d.bigint) NOT NULL,
                    business_date TEXT NOT NULL)
                """,
                """
                CREATE TABLE payments_recon_breaks (
                    id \(d.blob) PRIMARY KEY, business_date TEXT NOT NULL, kind TEXT NOT NULL, message_id TEXT NOT NULL,
                    rong_amount_fen \(d.bigint), clearing_amount_fen \(d.bigint), detail TEXT NOT NULL, status TEXT NOT NULL,
                    resolution TEXT, resolved_by TEXT, resolved_at \(d.bigint), UNIQUE (business_date, kind, message_id))
                """,
            ]
        },
        // Rotating a webhook signing secret keeps the old one valid for a day: deliveries carry both signatures.
        Migration(module: "payments", version: 4, name: "webhook signing secret rotation") { d in
            [
                "ALTER TABLE payments_merchants ADD COLUMN previous_signing_secret TEXT",
                "ALTER TABLE payments_merchants ADD COLUMN previous_secret_until \(d.bigint)",
            ]
        },
        Migration(module: "payments", version: 5, name: "orders by merchant and payment time (acquiring turnover)") { _ in
            ["CREATE INDEX payments_orders_merchant_paid ON payments_orders(merchant_id, paid_at)"]
        },
        // When an order was claimed for confirmation: a confirmation left half-way by a crash is
        // finished (or undone) from the ledger's record once it is a minute old.
        Migration(module: "payments", version: 6, name: "e-Pay confirmation claim time (resuming interrupted confirmations)") { d in
            ["ALTER TABLE payments_orders ADD COLUMN confirming_at \(d.bigint)"]
        },
    ]
}
