import Storage

/// Tables of the e-Link (融e联) messaging module. Other modules never read them; they call
/// `MessagingService`, or write bank notifications into Identity's outbox for e-Link to deliver.
public enum MessagingSchema {
    public static let migrations: [Migration] = [
        Migration(module: "messaging", version: 1, name: "conversations, members, sequenced messages, blobs, presence") { d in
            [
                // `last_seq` is the per-conversation sequence: a send raises it with
                // `UPDATE … SET last_seq = last_seq + 1 … RETURNING` in the transaction that inserts the
                // message, so sequences are gap-free on both databases (the row lock or the one
                // SQLite writer orders concurrent sends). `pair_key` makes 1:1 conversations unique.
                """
                CREATE TABLE messaging_conversations (
                    id \(d.blob) PRIMARY KEY, kind TEXT NOT NULL, title TEXT NOT NULL, status TEXT NOT NULL,
                    pair_key TEXT UNIQUE, official_account_id \(d.blob), last_seq \(d.bigint) NOT NULL DEFAULT 0,
                    created_by \(d.blob), created_at \(d.bigint) NOT NULL, updated_at \(d.bigint) NOT NULL)
                """,
                // `visible_from_seq`: a member reads messages after it (a group member added later
                // does not read what was said before). `left_at` set: no longer a member.
                """
                CREATE TABLE messaging_members (
                    conversation_id \(d.blob) NOT NULL REFERENCES messaging_conversations(id), user_id \(d.blob) NOT NULL,
                    role TEXT NOT NULL, joined_at \(d.bigint) NOT NULL, visible_from_seq \(d.bigint) NOT NULL DEFAULT 0,
                    read_seq \(d.bigint) NOT NULL DEFAULT 0, left_at \(d.bigint),
                    PRIMARY KEY (conversation_id, user_id))
                """,
                "CREATE INDEX messaging_members_user ON messaging_members(user_id, conversation_id)",
                // One row per message, clustered by (conversation, seq): a resync is one range scan.
                // (sender, client_id) makes sends idempotent: a resend returns the original.
                """
                CREATE TABLE messaging_messages (
                    conversation_id \(d.blob) NOT NULL REFERENCES messaging_conversations(id), seq \(d.bigint) NOT NULL,
                    id \(d.blob) NOT NULL UNIQUE, sender_id \(d.blob) NOT NULL, client_id TEXT, kind TEXT NOT NULL,
                    body TEXT NOT NULL, blob_id \(d.blob), refers_to \(d.blob), created_at \(d.bigint) NOT NULL,
                    recalled_at \(d.bigint),
                    PRIMARY KEY (conversation_id, seq))\(d.withoutRowID)
                """,
                "CREATE UNIQUE INDEX messaging_messages_client ON messaging_messages(sender_id, client_id)",
                """
                CREATE TABLE messaging_blobs (
                    id \(d.blob) PRIMARY KEY, owner_id \(d.blob) NOT NULL, kind TEXT NOT NULL, content_type TEXT NOT NULL,
                    size_bytes \(d.bigint) NOT NULL, created_at \(d.bigint) NOT NULL)
                """,
                // When a user was last connected (any node): the SMS fallback of bank notifications.
                "CREATE TABLE messaging_presence (user_id \(d.blob) PRIMARY KEY, last_seen_at \(d.bigint) NOT NULL)",
            ]
        },
        Migration(module: "messaging", version: 2, name: "contacts") { d in
            [
                // One row per request, requester → addressee; accepted rows are contacts both ways.
                """
                CREATE TABLE messaging_contacts (
                    requester_id \(d.blob) NOT NULL, addressee_id \(d.blob) NOT NULL, status TEXT NOT NULL,
                    note TEXT NOT NULL, created_at \(d.bigint) NOT NULL, decided_at \(d.bigint),
                    PRIMARY KEY (requester_id, addressee_id))
                """,
                "CREATE INDEX messaging_contacts_addressee ON messaging_contacts(addressee_id, status)",
            ]
        },
        Migration(module: "messaging", version: 3, name: "customer-service queue") { d in
            [
                // The queue is this table: a waiting chat is a row, so it survives restarts. Agents
                // claim with `UPDATE … WHERE status = 'waiting'`: one of two racing agents wins.
                """
                CREATE TABLE messaging_service_chats (
                    conversation_id \(d.blob) PRIMARY KEY REFERENCES messaging_conversations(id), customer_id \(d.blob) NOT NULL,
                    topic TEXT NOT NULL, status TEXT NOT NULL, agent_id \(d.blob), queued_at \(d.bigint) NOT NULL,
                    claimed_at \(d.bigint), closed_at \(d.bigint), closed_by \(d.blob), transfers \(d.bigint) NOT NULL DEFAULT 0,
                    rating \(d.bigint), rating_comment TEXT, rated_at \(d.bigint))
                """,
                "CREATE INDEX messaging_service_chats_queue ON messaging_service_chats(status, queued_at)",
                "CREATE INDEX messaging_service_chats_customer ON messaging_service_chats(customer_id, status)",
            ]
        },
        Migration(module: "messaging", version: 4, name: "official accounts, followers, articles") { d in
            [
                // Head-office (branch_code NULL) and branch accounts. `auto_follow`: every customer
                // follows it from their first e-Link use and cannot unfollow (bank notices come from it).
                """
                CREATE TABLE messaging_official_accounts (
                    id \(d.blob) PRIMARY KEY, name TEXT NOT NULL UNIQUE, kind TEXT NOT NULL, branch_code TEXT,
                    description TEXT NOT NULL, auto_follow \(d.bigint) NOT NULL, channel_id \(d.blob) NOT NULL,
                    created_by TEXT NOT NULL, created_at \(d.bigint) NOT NULL)
                """,
                """
                CREATE TABLE messaging_articles (
                    id \(d.blob) PRIMARY KEY, account_id \(d.blob) NOT NULL REFERENCES messaging_official_accounts(id),
                    title TEXT NOT NULL, summary TEXT NOT NULL, body TEXT NOT NULL, published_by TEXT NOT NULL,
                    published_at \(d.bigint) NOT NULL)
                """,
                "CREATE INDEX messaging_articles_account ON messaging_articles(account_id, published_at)",
            ]
        },
        Migration(module: "messaging", version: 5, name: "account managers") { d in
            [
                // Which managers serve which branch (operators maintain it); new customers of a
                // branch go to its manager with the fewest customers.
                """
                CREATE TABLE messaging_manager_branches (
                    manager_id \(d.blob) NOT NULL, branch_code TEXT NOT NULL, added_by TEXT NOT NULL, added_at \(d.bigint) NOT NULL,
                    PRIMARY KEY (branch_code, manager_id))
                """,
                """
                CREATE TABLE messaging_manager_assignments (
                    customer_user_id \(d.blob) PRIMARY KEY, customer_id \(d.blob) NOT NULL, customer_name TEXT NOT NULL, manager_id \(d.blob),
                    branch_code TEXT NOT NULL, conversation_id \(d.blob), assigned_by TEXT NOT NULL, assigned_at \(d.bigint) NOT NULL)
                """,
                "CREATE INDEX messaging_manager_assignments_manager ON messaging_manager_assignments(manager_id)",
            ]
        },
    ]
}
