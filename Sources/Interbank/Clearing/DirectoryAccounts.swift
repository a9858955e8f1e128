import BankKit
import Storage

/// Reads and writes of the simulator's directory of other banks' accounts, shared by the simulated banks and the clearing house
/// (`interbank_sim_accounts`), always inside the transaction that records the movement.
enum DirectoryAccounts {
    /// The account row, locked for the transaction on PostgreSQL (SQLite's writer is already exclusive).
    static func locked(_ bankCode: String, _ accountNumber: String, _ tx: any SQLSession) async throws -> SimulatedAccount? {
        let lock = tx.dialect == .postgres ? " FOR UPDATE" : ""
        guard let row = try await tx.first("""
            SELECT bank_code, account_number, holder_name, id_number, mobile, status, balance_fen
            FROM interbank_sim_accounts WHERE bank_code = ? AND account_number = ?\(lock)
            """, [.text(bankCode), .text(accountNumber)]) else { return nil }
        guard let status = SimulatedAccount.Status(rawValue: row.text("status")) else {
            preconditionFailure("interbank_sim_accounts.status is constrained to open/closed/frozen")
        }
        return SimulatedAccount(bankCode: row.text("bank_code"), accountNumber: row.text("account_number"),
                                holderName: row.text("holder_name"), idNumber: row.text("id_number"), mobile: row.text("mobile"),
                                status: status, balanceFen: row.int("balance_fen"))
    }

    /// Adds `deltaFen` (negative to debit) to the party's balance. The caller checked the account;
    /// the table's `CHECK (balance_fen >= 0)` is the last guard against an overdraft.
    static func add(_ deltaFen: Int64, to party: ClearingParty, _ tx: any SQLSession) async throws {
        let changed = try await tx.execute(
            "UPDATE interbank_sim_accounts SET balance_fen = balance_fen + ? WHERE bank_code = ? AND account_number = ?",
            [.int(deltaFen), .text(party.bankCode), .text(party.accountNumber)])
        precondition(changed == 1, "a checked directory account exists")
    }
}
