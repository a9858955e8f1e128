import Storage

/// The ledger's tables. Accounts have an internal integer `num` so the transfer table and its
/// indexes stay narrow; the 128-bit `id` is what the API shows.
public enum LedgerSchema {
    public static let migrations: [Migration] = [
        Migration(module: "ledger", version: 1, name: "accounts, transfers, pending holds") { d in
            [
                """
                CREATE TABLE ledger_accounts (
                    num \(d.autoIncrementKey),
                    id \(d.blob) NOT NULL UNIQUE,
                    asset TEXT NOT NULL,
                    chart_code TEXT NOT NULL,
                    owner_ref TEXT NOT NULL,
                    flags \(d.bigint) NOT NULL,
                    debits_pending \(d.bigint) NOT NULL DEFAULT 0,
                    debits_posted \(d.bigint) NOT NULL DEFAULT 0,
                    credits_pending \(d.bigint) NOT NULL DEFAULT 0,
                    credits_posted \(d.bigint) NOT NULL DEFAULT 0,
                    created_at \(d.bigint) NOT NULL)
                """,
                "CREATE INDEX ledger_accounts_owner ON ledger_accounts (owner_ref)",
                """
                CREATE TABLE ledger_transfers (
                    id \(d.blob) NOT NULL PRIMARY KEY,
                    ts \(d.bigint) NOT NULL,
                    debit_num \(d.bigint) NOT NULL,
                    credit_num \(d.bigint) NOT NULL,
                    amount \(d.bigint) NOT NULL,
                    asset TEXT NOT NULL,
                    code \(d.bigint) NOT NULL,
                    flags \(d.bigint) NOT NULL,
                    pending_id \(d.blob),
                    timeout_seconds \(d.bigint) NOT NULL,
                    metadata TEXT,
                    debit_balance_after \(d.bigint) NOT NULL,
                    credit_balance_after \(d.bigint) NOT NULL)\(d.withoutRowID)
                """,
                "CREATE INDEX ledger_transfers_debit ON ledger_transfers (debit_num, ts)",
                "CREATE INDEX ledger_transfers_credit ON ledger_transfers (credit_num, ts)",
                """
                CREATE TABLE ledger_pending (
                    id \(d.blob) NOT NULL PRIMARY KEY,
                    debit_id \(d.blob) NOT NULL,
                    credit_id \(d.blob) NOT NULL,
                    debit_num \(d.bigint) NOT NULL,
                    credit_num \(d.bigint) NOT NULL,
                    asset TEXT NOT NULL,
                    amount \(d.bigint) NOT NULL,
                    state \(d.bigint) NOT NULL,
                    expires_at \(d.bigint) NOT NULL)\(d.withoutRowID)
                """,
                "CREATE INDEX ledger_pending_expiry ON ledger_pending (expires_at) WHERE state = 0 AND expires_at > 0",
            ]
        },
        // The per-account indexes of v1 took a random insert per side per transfer, dirtying a page
        // per touched account per batch: 3.4× the cost of everything else on SQLite. Statements
        // now read `ledger_entries`, clustered by account, which the writer fills in large sorted
        // catch-ups (SQLite) or in the batch's own transaction (PostgreSQL, `indexed_upto` = max).
        Migration(module: "ledger", version: 2, name: "statement entries clustered by account") { d in
            [
                "DROP INDEX ledger_transfers_debit",
                "DROP INDEX ledger_transfers_credit",
                "CREATE INDEX ledger_transfers_ts ON ledger_transfers (ts)",
                """
                CREATE TABLE ledger_entries (
                    account_num \(d.bigint) NOT NULL,
                    ts \(d.bigint) NOT NULL,
                    transfer_id \(d.blob) NOT NULL,
                    is_debit \(d.bigint) NOT NULL,
                    PRIMARY KEY (account_num, ts, transfer_id))\(d.withoutRowID)
                """,
                "CREATE TABLE ledger_index_state (id \(d.bigint) NOT NULL PRIMARY KEY, indexed_upto \(d.bigint) NOT NULL)",
                "INSERT INTO ledger_index_state (id, indexed_upto) VALUES (1, 0)",
                // Entries for what v1 already stored, sorted by account; SQLite's writer then
                // continued from here (v4 replaced these entries with runs).
                """
                INSERT INTO ledger_entries (account_num, ts, transfer_id, is_debit)
                SELECT account_num, ts, transfer_id, is_debit FROM (
                    SELECT debit_num AS account_num, ts, id AS transfer_id, 1 AS is_debit FROM ledger_transfers
                    WHERE ts > (SELECT indexed_upto FROM ledger_index_state WHERE id = 1)
                    UNION ALL
                    SELECT credit_num, ts, id, 0 FROM ledger_transfers
                    WHERE ts > (SELECT indexed_upto FROM ledger_index_state WHERE id = 1)
                ) AS pending_entries ORDER BY account_num, ts, transfer_id
                """,
                d == .postgres ? "UPDATE ledger_index_state SET indexed_upto = 9223372036854775807 WHERE id = 1"
                    : "UPDATE ledger_index_state SET indexed_upto = (SELECT COALESCE(MAX(ts), 0) FROM ledger_transfers) WHERE id = 1",
            ]
        },
        // SQLite: each ledger writer stamps its commits here, so a writer can tell another
        // ledger's commit (drop its cached balances) from another module's (keep them).
        Migration(module: "ledger", version: 3, name: "ledger writer stamp") { d in
            [
                "CREATE TABLE ledger_writer_state (id \(d.bigint) NOT NULL PRIMARY KEY, writer TEXT NOT NULL, commits \(d.bigint) NOT NULL)",
                "INSERT INTO ledger_writer_state (id, writer, commits) VALUES (1, '', 0)",
            ]
        },
        // Statement entries in runs (`StatementRun`): a catch-up appends one row per account
        // instead of rewriting a page per account. PostgreSQL turns each old entry into a run of
        // one (its runs stay complete: `indexed_upto` is at its maximum); SQLite's writer
        // rebuilds its runs from the transfers, starting again from `indexed_upto` 0.
        Migration(module: "ledger", version: 4, name: "statement entries in runs") { d in
            [
                "CREATE TABLE ledger_entry_runs (run \(d.autoIncrementKey), account_num \(d.bigint) NOT NULL, last_ts \(d.bigint) NOT NULL, entries \(d.blob) NOT NULL)",
                "CREATE INDEX ledger_entry_runs_account ON ledger_entry_runs (account_num, last_ts)",
            ] + (d == .postgres ? [
                """
                INSERT INTO ledger_entry_runs (account_num, last_ts, entries)
                SELECT account_num, ts, int8send(ts) || transfer_id || CASE WHEN is_debit = 1 THEN '\\x01'::bytea ELSE '\\x00'::bytea END
                FROM ledger_entries ORDER BY account_num, ts, transfer_id
                """,
                "DROP TABLE ledger_entries",
            ] : [
                "DROP TABLE ledger_entries",
                "UPDATE ledger_index_state SET indexed_upto = 0 WHERE id = 1",
            ])
        },
    ]

    static let transferColumns = "t.id, t.ts, t.amount, t.asset, t.code, t.flags, t.pending_id, t.timeout_seconds, t.metadata, t.debit_balance_after, t.credit_balance_after, t.debit_num, t.credit_num, d.id AS debit_id, c.id AS credit_id"
    static let transferFrom = "ledger_transfers t JOIN ledger_accounts d ON d.num = t.debit_num JOIN ledger_accounts c ON c.num = t.credit_num"
    static let accountColumns = "num, id, asset, chart_code, owner_ref, flags, debits_pending, debits_posted, credits_pending, credits_posted, created_at"

    static func transfer(_ row: SQLRow) -> StoredTransfer {
        StoredTransfer(
            id: row.id("id"), debitAccountID: row.id("debit_id"), creditAccountID: row.id("credit_id"),
            amount: row.int("amount"), asset: row.text("asset"), code: Int(row.int("code")),
            flags: TransferFlags(rawValue: row.int("flags")), pendingID: row.optionalID("pending_id"),
            timeoutSeconds: row.int("timeout_seconds"), metadata: row.optionalText("metadata"),
            timestamp: row.time("ts"), debitBalanceAfter: row.int("debit_balance_after"),
            creditBalanceAfter: row.int("credit_balance_after"))
    }

    static func accountState(_ row: SQLRow) -> AccountState {
        AccountState(num: row.int("num"), id: row.id("id"), asset: row.text("asset"),
                     flags: AccountFlags(rawValue: row.int("flags")), balance: balance(row))
    }

    static func account(_ row: SQLRow) -> LedgerAccount {
        LedgerAccount(id: row.id("id"), asset: row.text("asset"), chartCode: row.text("chart_code"),
                      ownerRef: row.text("owner_ref"), flags: AccountFlags(rawValue: row.int("flags")),
                      balance: balance(row), createdAt: row.time("created_at"))
    }

    static func balance(_ row: SQLRow) -> AccountBalance {
        AccountBalance(debitsPending: row.int("debits_pending"), debitsPosted: row.int("debits_posted"),
                       creditsPending: row.int("credits_pending"), creditsPosted: row.int("credits_posted"))
    }

    static func pending(_ row: SQLRow) -> PendingRecord {
        PendingRecord(id: row.id("id"), debitID: row.id("debit_id"), creditID: row.id("credit_id"),
                      debitNum: row.int("debit_num"), creditNum: row.int("credit_num"), asset: row.text("asset"),
                      amount: row.int("amount"), status: PendingStatus(rawValue: row.int("state")) ?? .pending,
                      expiresAt: row.int("expires_at"))
    }
}
