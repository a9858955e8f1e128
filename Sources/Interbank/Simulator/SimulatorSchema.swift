import Storage

extension InterbankSimulator {
    /// The simulator's own tables (module `interbank_sim`): the participant directory, the test
    /// accounts held at other banks, and every debit and credit processed, keyed by `MsgId`.
    public static let migrations: [Migration] = [
        Migration(module: "interbank_sim", version: 1, name: "participants, accounts, processed messages") { d in
            [
                """
                CREATE TABLE interbank_sim_participants (
                    bank_code TEXT NOT NULL PRIMARY KEY,
                    name TEXT NOT NULL,
                    name_english TEXT NOT NULL)
                """,
                """
                CREATE TABLE interbank_sim_accounts (
                    bank_code TEXT NOT NULL REFERENCES interbank_sim_participants (bank_code),
                    account_number TEXT NOT NULL,
                    holder_name TEXT NOT NULL,
                    id_number TEXT NOT NULL,
                    mobile TEXT NOT NULL,
                    status TEXT NOT NULL CHECK (status IN ('open', 'closed', 'frozen')),
                    balance_fen \(d.bigint) NOT NULL CHECK (balance_fen >= 0),
                    PRIMARY KEY (bank_code, account_number))\(d.withoutRowID)
                """,
                // `fingerprint` is the instruction's business content (not its timestamps), so a
                // retry of the same MsgId is recognised and a reuse with another body is not.
                """
                CREATE TABLE interbank_sim_messages (
                    msg_id \(d.blob) NOT NULL PRIMARY KEY,
                    msg_type TEXT NOT NULL,
                    fingerprint TEXT NOT NULL,
                    reply_xml TEXT NOT NULL,
                    processed_at \(d.bigint) NOT NULL)\(d.withoutRowID)
                """,
            ]
        },
    ]
}
