import BankKit
import Foundation
import Logging
import Messaging
import Storage

/// How `RongPlatform` builds e-Link's effects: the fan-out hub and the blob directory.
struct MessagingSetup {
    let hub: any MessageHub
    let blobs: BlobStore

    init(database: Database, security: RongPlatform.Security, ids: IDGenerator, logger: Logger) throws {
        if let hub = security.messageHub {
            self.hub = hub
        } else if database.postgres != nil {
            self.hub = PostgresMessageHub(database: database, nodeID: ids.next().description, logger: logger)
        } else {
            self.hub = LocalMessageHub()
        }
        let directory = security.blobDirectory
            ?? database.sqlitePath.map { (($0 as NSString).deletingLastPathComponent as NSString).appendingPathComponent("blobs") }
            ?? "data/blobs"
        self.blobs = try BlobStore(directory: directory.isEmpty ? "blobs" : directory)
    }
}
