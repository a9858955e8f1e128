import Storage

/// Tables of the Accounts module. Balances are not here: every e-account is a ledger account.
public enum AccountsSchema {
    public static let migrations: [Migration] = [
        Migration(module: "accounts", version: 1, name: "customers, bound accounts, e-accounts, freezes, limit usage, movements") { d in
            [
                """
                CREATE TABLE accounts_customers (
                    id \(d.blob) PRIMARY KEY, user_id \(d.blob) NOT NULL UNIQUE, name TEXT NOT NULL, id_number TEXT NOT NULL UNIQUE,
                    mobile TEXT NOT NULL, birth_date TEXT NOT NULL, branch_code TEXT NOT NULL, status TEXT NOT NULL,
                    terms_version TEXT NOT NULL, created_at \(d.bigint) NOT NULL)
                """,
                "CREATE INDEX accounts_customers_mobile ON accounts_customers(mobile)",
                "CREATE INDEX accounts_customers_name ON accounts_customers(name)",
                """
                CREATE TABLE accounts_e_accounts (
                    id \(d.blob) PRIMARY KEY, customer_id \(d.blob) NOT NULL REFERENCES accounts_customers(id),
                    account_class TEXT NOT NULL, account_number TEXT NOT NULL UNIQUE, bound_account_id \(d.blob),
                    status TEXT NOT NULL, opened_at \(d.bigint) NOT NULL, opened_channel TEXT NOT NULL)
                """,
                "CREATE INDEX accounts_e_accounts_customer ON accounts_e_accounts(customer_id)",
                """
                CREATE TABLE accounts_bound_accounts (
                    id \(d.blob) PRIMARY KEY, customer_id \(d.blob) NOT NULL REFERENCES accounts_customers(id),
                    bank_code TEXT NOT NULL, bank_name TEXT NOT NULL, account_number TEXT NOT NULL,
                    status TEXT NOT NULL, bound_at \(d.bigint) NOT NULL, UNIQUE (customer_id, bank_code, account_number))
                """,
                """
                CREATE TABLE accounts_freezes (
                    id \(d.blob) PRIMARY KEY, e_account_id \(d.blob) NOT NULL REFERENCES accounts_e_accounts(id),
                    kind TEXT NOT NULL, reason TEXT NOT NULL, frozen_by TEXT NOT NULL, frozen_at \(d.bigint) NOT NULL,
                    released_by TEXT, released_at \(d.bigint), release_reason TEXT)
                """,
                "CREATE INDEX accounts_freezes_account ON accounts_freezes(e_account_id)",
                """
                CREATE TABLE accounts_limit_usage (
                    e_account_id \(d.blob) NOT NULL, rule TEXT NOT NULL, period TEXT NOT NULL, used_fen \(d.bigint) NOT NULL,
                    PRIMARY KEY (e_account_id, rule, period))
                """,
                """
                CREATE TABLE accounts_movements (
                    id \(d.blob) PRIMARY KEY, e_account_id \(d.blob) NOT NULL REFERENCES accounts_e_accounts(id),
                    kind TEXT NOT NULL, request_hash \(d.blob) NOT NULL, amount_fen \(d.bigint) NOT NULL,
                    counterparty_account TEXT NOT NULL, counterparty_name TEXT NOT NULL, counterparty_bank TEXT NOT NULL,
                    status TEXT NOT NULL, failure_code TEXT, failure_detail TEXT, ledger_transfer_id \(d.blob),
                    created_at \(d.bigint) NOT NULL, completed_at \(d.bigint))
                """,
                "CREATE INDEX accounts_movements_account ON accounts_movements(e_account_id, created_at)",
            ]
        },
        Migration(module: "accounts", version: 2, name: "movements by status (recovery of interrupted ones)") { _ in
            ["CREATE INDEX accounts_movements_status ON accounts_movements(status, created_at)"]
        },
    ]
}
