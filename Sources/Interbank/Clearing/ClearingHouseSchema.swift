import Storage

extension ClearingHouse {
    /// The clearing house's own tables (module `clearing_house`), beside the simulator's
    /// directory (`InterbankSimulator.migrations`), whose accounts it debits and credits:
    ///
    /// - `clearing_house_transfers`: every pacs.008 received, keyed by `MsgId`, with its
    ///   business fingerprint (for idempotency), path, state and the times it changed.
    /// - `clearing_house_inbound`: transfers settled for a member bank (Rong), waiting for its
    ///   answer: credited (pacs.002 `ACSC`) or returned (pacs.004).
    /// - `clearing_house_returns`: every pacs.004 applied, keyed by its own `MsgId`.
    public static let migrations: [Migration] = [
        Migration(module: "clearing_house", version: 1, name: "transfers, inbound deliveries, returns") { d in
            [
                """
                CREATE TABLE clearing_house_transfers (
                    msg_id \(d.blob) NOT NULL PRIMARY KEY,
                    fingerprint TEXT NOT NULL,
                    end_to_end_id TEXT NOT NULL,
                    tx_id TEXT NOT NULL,
                    debtor_bank TEXT NOT NULL,
                    debtor_account TEXT NOT NULL,
                    debtor_name TEXT NOT NULL,
                    creditor_bank TEXT NOT NULL,
                    creditor_account TEXT NOT NULL,
                    creditor_name TEXT NOT NULL,
                    amount_fen \(d.bigint) NOT NULL CHECK (amount_fen > 0),
                    remittance TEXT NOT NULL,
                    path TEXT NOT NULL CHECK (path IN ('real_time', 'large_value')),
                    state TEXT NOT NULL CHECK (state IN ('queued', 'settled', 'rejected', 'returned')),
                    reason_code TEXT,
                    reason TEXT,
                    received_at \(d.bigint) NOT NULL,
                    status_at \(d.bigint) NOT NULL,
                    settled_at \(d.bigint),
                    returned_at \(d.bigint),
                    return_msg_id \(d.blob))\(d.withoutRowID)
                """,
                "CREATE INDEX clearing_house_transfers_queue ON clearing_house_transfers (state, received_at)",
                "CREATE INDEX clearing_house_transfers_settled ON clearing_house_transfers (settled_at)",
                "CREATE INDEX clearing_house_transfers_returned ON clearing_house_transfers (returned_at)",
                """
                CREATE TABLE clearing_house_inbound (
                    msg_id \(d.blob) NOT NULL PRIMARY KEY REFERENCES clearing_house_transfers (msg_id),
                    bank_code TEXT NOT NULL,
                    state TEXT NOT NULL CHECK (state IN ('waiting', 'credited', 'returned')),
                    queued_at \(d.bigint) NOT NULL,
                    answered_at \(d.bigint),
                    answer_msg_id \(d.blob))\(d.withoutRowID)
                """,
                "CREATE INDEX clearing_house_inbound_waiting ON clearing_house_inbound (bank_code, state, queued_at)",
                """
                CREATE TABLE clearing_house_returns (
                    return_msg_id \(d.blob) NOT NULL PRIMARY KEY,
                    original_msg_id \(d.blob) NOT NULL UNIQUE REFERENCES clearing_house_transfers (msg_id),
                    fingerprint TEXT NOT NULL,
                    returning_bank TEXT NOT NULL,
                    amount_fen \(d.bigint) NOT NULL,
                    reason_code TEXT NOT NULL,
                    reason TEXT NOT NULL,
                    returned_at \(d.bigint) NOT NULL)\(d.withoutRowID)
                """,
            ]
        },
    ]
}
