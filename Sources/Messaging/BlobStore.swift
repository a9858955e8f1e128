import BankKit
import Foundation
import Identity
import Storage

/// Where uploaded images and voice notes live: one file per blob in a directory on disk,
/// written to a temporary name and renamed, so a reader never sees half a file. The rows in
/// `messaging_blobs` say who uploaded what; the bytes stay out of the database.
public struct BlobStore: Sendable {
    public let directory: String

    /// Creates the directory when missing.
    public init(directory: String) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        self.directory = directory
    }

    func path(_ id: RongID) -> String { (directory as NSString).appendingPathComponent("\(id).blob") }

    func write(_ id: RongID, _ bytes: [UInt8]) throws {
        let temporary = path(id) + ".part"
        guard FileManager.default.createFile(atPath: temporary, contents: Data(bytes)) else {
            throw DomainError(.unavailable, "The upload could not be stored.", status: 503)
        }
        do { try FileManager.default.moveItem(atPath: temporary, toPath: path(id)) } catch {
            try? FileManager.default.removeItem(atPath: temporary)
            throw DomainError(.unavailable, "The upload could not be stored.", status: 503)
        }
    }

    func read(_ id: RongID) throws -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path(id)) else { throw DomainError(.blobNotFound, "No such file.", status: 404) }
        return Array(data)
    }

    func remove(_ id: RongID) { try? FileManager.default.removeItem(atPath: path(id)) }
}

/// An uploaded image or voice note.
public struct BlobRecord: Sendable, Hashable, Codable {
    /// `image` or `voice`.
    public let kind: String
    public let id: RongID
    public let contentType: String
    public let sizeBytes: Int64
    public let createdAt: Timestamp
}

/// Uploads: content types on an allow-list, sizes under a limit per kind, and the first bytes
/// must match the declared type (a renamed executable is not an image).
extension MessagingService {
    /// Content types accepted per kind, with the magic bytes each must start with.
    static let allowedTypes: [String: (kind: MessageKind, matches: @Sendable ([UInt8]) -> Bool)] = [
        "image/jpeg": (.image, { $0.starts(with: [0xFF, 0xD8, 0xFF]) }),
        "image/png": (.image, { $0.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) }),
        "image/gif": (.image, { $0.starts(with: Array("GIF8".utf8)) }),
        "image/webp": (.image, { $0.starts(with: Array("RIFF".utf8)) && $0.count >= 12 && Array($0[8..<12]) == Array("WEBP".utf8) }),
        "audio/amr": (.voice, { $0.starts(with: Array("#!AMR".utf8)) }),
        "audio/ogg": (.voice, { $0.starts(with: Array("OggS".utf8)) }),
        "audio/webm": (.voice, { $0.starts(with: [0x1A, 0x45, 0xDF, 0xA3]) }),
        "audio/mp4": (.voice, { $0.count >= 8 && Array($0[4..<8]) == Array("ftyp".utf8) }),
        "audio/mpeg": (.voice, { $0.starts(with: Array("ID3".utf8)) || ($0.count >= 2 && $0[0] == 0xFF && $0[1] & 0xE0 == 0xE0) }),
    ]

    /// The content types accepted for `kind`, sorted (pages check files against them before uploading).
    public static func contentTypes(of kind: MessageKind) -> [String] {
        allowedTypes.filter { $0.value.kind == kind }.keys.sorted()
    }

    /// Stores an upload of the caller's; refused whole (nothing stored) when too large, of a
    /// type not allowed, or not what it claims to be.
    public func upload(_ principal: Principal, contentType: String, bytes: [UInt8]) async throws -> BlobRecord {
        let principal = try await caller(principal)
        let type = contentType.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
        guard let allowed = MessagingService.allowedTypes[type] else {
            throw DomainError(.blobTypeNotAllowed, "Upload images (JPEG, PNG, GIF, WebP) or voice notes (AMR, Ogg, WebM, MP4, MP3).", status: 415,
                              extensions: ["content_type": .string(String(type.prefix(60)))])
        }
        let limit = allowed.kind == .image ? MessagingLimits.imageBytesMax : MessagingLimits.voiceBytesMax
        guard bytes.count <= limit else {
            throw DomainError(.blobTooLarge, "\(allowed.kind == .image ? "Images" : "Voice notes") are at most \(limit / 1_048_576) MiB.", status: 413,
                              extensions: ["limit_bytes": .int(Int64(limit))])
        }
        guard !bytes.isEmpty, allowed.matches(bytes) else {
            throw DomainError(.blobContentMismatch, "The file is not a \(type) file.", status: 422)
        }
        let record = BlobRecord(kind: allowed.kind.rawValue, id: ids.next(), contentType: type, sizeBytes: Int64(bytes.count), createdAt: clock.now())
        try blobs.write(record.id, bytes)
        do {
            try await database.execute(
                "INSERT INTO messaging_blobs (id, owner_id, kind, content_type, size_bytes, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                [.id(record.id), .id(principal.userID), .text(record.kind), .text(type), .int(record.sizeBytes), .time(record.createdAt)])
        } catch {
            blobs.remove(record.id)
            throw error
        }
        return record
    }

    /// A blob's bytes for its uploader, or for a member of a conversation it was sent in.
    public func download(_ principal: Principal, blobID: RongID) async throws -> (BlobRecord, [UInt8]) {
        guard let row = try await database.first(
            "SELECT id, owner_id, kind, content_type, size_bytes, created_at FROM messaging_blobs WHERE id = ?", [.id(blobID)]) else {
            throw DomainError(.blobNotFound, "No such file.", status: 404)
        }
        if row.id("owner_id") != principal.userID {
            let shared = try await database.first(
                """
                SELECT 1 AS one FROM messaging_messages msg JOIN messaging_members m ON m.conversation_id = msg.conversation_id
                WHERE msg.blob_id = ? AND msg.recalled_at IS NULL AND m.user_id = ? AND m.left_at IS NULL AND msg.seq > m.visible_from_seq LIMIT 1
                """, [.id(blobID), .id(principal.userID)])
            guard shared != nil || principal.role == .admin else { throw DomainError(.blobNotFound, "No such file.", status: 404) }
        }
        let record = BlobRecord(kind: row.text("kind"), id: blobID, contentType: row.text("content_type"), sizeBytes: row.int("size_bytes"),
                                createdAt: row.time("created_at"))
        return (record, try blobs.read(blobID))
    }

    func requireOwnBlob(_ tx: any SQLSession, blobID: RongID, ownerID: RongID, kind: MessageKind) async throws {
        guard let row = try await tx.first("SELECT owner_id, kind FROM messaging_blobs WHERE id = ?", [.id(blobID)]),
              row.id("owner_id") == ownerID else {
            throw DomainError(.blobNotFound, "Upload the file first; blob_id names one of your uploads.", status: 422,
                              extensions: ["field": .string("blob_id")])
        }
        guard row.text("kind") == kind.rawValue else {
            throw DomainError(.blobContentMismatch, "This upload is a \(row.text("kind")), not a \(kind.rawValue).", status: 422,
                              extensions: ["field": .string("blob_id")])
        }
    }
}
