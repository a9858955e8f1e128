import Storage

/// Tables of the Identity module. Other modules never read them; they call `IdentityService`.
public enum IdentitySchema {
    public static let migrations: [Migration] = [
        Migration(module: "identity", version: 1, name: "users, sessions, refresh tokens, otp, sms outbox, audit") { d in
            var statements = [
                """
                CREATE TABLE identity_users (
                    id \(d.blob) PRIMARY KEY, realm TEXT NOT NULL, role TEXT NOT NULL, mobile TEXT NOT NULL,
                    display_name TEXT NOT NULL, password_hash TEXT NOT NULL, status TEXT NOT NULL,
                    failed_signins \(d.bigint) NOT NULL DEFAULT 0, locked_until \(d.bigint) NOT NULL DEFAULT 0,
                    password_changed_at \(d.bigint) NOT NULL, created_at \(d.bigint) NOT NULL, created_by TEXT NOT NULL,
                    UNIQUE (realm, mobile))
                """,
                """
                CREATE TABLE identity_sessions (
                    id \(d.blob) PRIMARY KEY, user_id \(d.blob) NOT NULL REFERENCES identity_users(id),
                    created_at \(d.bigint) NOT NULL, address TEXT NOT NULL,
                    revoked_at \(d.bigint), revoked_reason TEXT)
                """,
                "CREATE INDEX identity_sessions_user ON identity_sessions(user_id)",
                """
                CREATE TABLE identity_refresh_tokens (
                    token_hash \(d.blob) PRIMARY KEY, session_id \(d.blob) NOT NULL REFERENCES identity_sessions(id),
                    issued_at \(d.bigint) NOT NULL, expires_at \(d.bigint) NOT NULL, spent_at \(d.bigint))
                """,
                "CREATE INDEX identity_refresh_tokens_session ON identity_refresh_tokens(session_id)",
                """
                CREATE TABLE identity_otps (
                    id \(d.blob) PRIMARY KEY, purpose TEXT NOT NULL, mobile TEXT NOT NULL, context_hash \(d.blob) NOT NULL,
                    code_hash \(d.blob) NOT NULL, created_at \(d.bigint) NOT NULL, expires_at \(d.bigint) NOT NULL,
                    attempts \(d.bigint) NOT NULL DEFAULT 0, consumed_at \(d.bigint))
                """,
                "CREATE INDEX identity_otps_mobile ON identity_otps(mobile, created_at)",
                """
                CREATE TABLE identity_sms_outbox (
                    id \(d.blob) PRIMARY KEY, mobile TEXT NOT NULL, purpose TEXT NOT NULL, body TEXT NOT NULL,
                    created_at \(d.bigint) NOT NULL, delivered_at \(d.bigint), attempts \(d.bigint) NOT NULL DEFAULT 0,
                    last_error TEXT)
                """,
                "CREATE INDEX identity_sms_outbox_created ON identity_sms_outbox(created_at)",
                """
                CREATE TABLE identity_audit (
                    seq \(d.autoIncrementKey), id \(d.blob) NOT NULL UNIQUE, at \(d.bigint) NOT NULL,
                    actor TEXT NOT NULL, action TEXT NOT NULL, target TEXT NOT NULL, outcome TEXT NOT NULL,
                    address TEXT NOT NULL, detail TEXT NOT NULL)
                """,
                "CREATE INDEX identity_audit_actor ON identity_audit(actor, seq)",
                "CREATE INDEX identity_audit_target ON identity_audit(target, seq)",
            ]
            // The audit log is append-only: the database itself refuses changes and deletions.
            switch d {
            case .sqlite:
                statements += [
                    "CREATE TRIGGER identity_audit_no_update BEFORE UPDATE ON identity_audit BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END",
                    "CREATE TRIGGER identity_audit_no_delete BEFORE DELETE ON identity_audit BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END",
                ]
            case .postgres:
                statements += [
                    """
                    CREATE FUNCTION identity_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
                    BEGIN RAISE EXCEPTION 'audit log is append-only'; END $$
                    """,
                    "CREATE TRIGGER identity_audit_no_change BEFORE UPDATE OR DELETE ON identity_audit FOR EACH ROW EXECUTE FUNCTION identity_audit_append_only()",
                ]
            }
            return statements
        },
        Migration(module: "identity", version: 2, name: "bank notification outbox") { d in
            [
                // Bank-to-customer notifications (transaction alerts, loan offers, security alerts)
                // that modules write in their own transactions; e-Link delivers them as messages
                // from the bank's service account, with an SMS fallback.
                """
                CREATE TABLE identity_notifications (
                    seq \(d.autoIncrementKey), id \(d.blob) NOT NULL UNIQUE, user_id \(d.blob) NOT NULL,
                    kind TEXT NOT NULL, title TEXT NOT NULL, body TEXT NOT NULL, card TEXT,
                    sms_text TEXT, created_at \(d.bigint) NOT NULL, delivered_at \(d.bigint), sms_sent_at \(d.bigint))
                """,
                "CREATE INDEX identity_notifications_user ON identity_notifications(user_id, seq)",
                "CREATE INDEX identity_notifications_pending ON identity_notifications(delivered_at, seq)",
            ]
        },
    ]
}
