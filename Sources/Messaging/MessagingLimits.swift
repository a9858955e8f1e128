/// The named limits of e-Link: every size, count and rate the module enforces, in one place.
public enum MessagingLimits {
    /// The most UTF-8 bytes in a text message.
    public static let textBytesMax = 4_000
    /// The most members of a group, owner included.
    public static let groupMembersMax = 500
    /// The most members added in one request.
    public static let groupAddMax = 100
    /// Group and conversation titles.
    public static let titleCharactersMax = 40
    /// A sender may recall their own message for this long.
    public static let recallWindowSeconds: Int64 = 120
    /// Messages returned by one sync page.
    public static let syncPageMax = 200
    /// Conversations listed at once.
    public static let conversationListMax = 500
    /// Messages in one page of a compliance archive.
    public static let archivePageMax = 5_000
    /// A client message id: 1–64 printable ASCII characters.
    public static let clientIDCharactersMax = 64
    /// Contact requests a user may have waiting for an answer.
    public static let pendingContactRequestsMax = 50
    /// The note sent with a contact request.
    public static let contactNoteCharactersMax = 60
    /// Card titles and field values.
    public static let cardTitleCharactersMax = 60
    public static let cardFieldsMax = 8
    public static let cardFieldCharactersMax = 60
    public static let cardURLCharactersMax = 200
    /// Service chats: the topic, the rating comment, and how many waiting chats one queue page shows.
    public static let serviceTopicCharactersMax = 60
    public static let ratingCommentCharactersMax = 200
    public static let queuePageMax = 100
    /// Agents offered as transfer targets at once (Identity lists at most 500 staff a call).
    public static let transferTargetsMax = 500
    /// Claiming the next waiting chat tries at most this many candidates (others may claim them first).
    public static let claimAttemptsMax = 20
    /// Official accounts and their articles.
    public static let officialNameCharactersMax = 30
    public static let officialDescriptionCharactersMax = 200
    public static let articleTitleCharactersMax = 64
    public static let articleSummaryCharactersMax = 120
    public static let articleBodyBytesMax = 20_000
    public static let articlesPageMax = 50
    /// Bank notifications delivered in one pass of the deliverer.
    public static let notificationBatchMax = 200
    /// A customer who has not been connected for this long gets the SMS fallback text.
    public static let smsFallbackOfflineSeconds: Int64 = 24 * 3_600
    /// Presence is written at most this often per connection while it stays open.
    public static let presenceRefreshSeconds: Int64 = 60
    /// Customers listed for an account manager at once.
    public static let managerCustomersPageMax = 500
    /// Blobs: images and voice notes uploaded over HTTP.
    public static let imageBytesMax = 5 * 1_024 * 1_024
    public static let voiceBytesMax = 2 * 1_024 * 1_024
    /// Voice notes, like WeChat's, last at most a minute.
    public static let voiceSecondsMax = 60
}
