import BankKit
import Messaging

/// Strings of the e-Link pages: the chat (`elink-chat`, with image and voice uploads), official
/// accounts (`elink-official`, `elink-article`), the account manager's customers
/// (`console-elink-customers`, `console-elink-customer`), the service queue with transfers
/// (`console-elink-queue`) and the operators' publishing pages (`console-elink-official`,
/// `console-elink-official-account`).
enum ElinkText {
    static let imageMiB = MessagingLimits.imageBytesMax / 1_048_576
    static let voiceMiB = MessagingLimits.voiceBytesMax / 1_048_576

    static let sharedChinese: [String: String] = [
        "navElink": "融e联", "elinkTitle": "融e联", "conversations": "会话", "noConversations": "还没有会话。",
        "chooseConversation": "请选择左侧的会话。", "messagePlaceholder": "输入消息", "send": "发送", "connecting": "正在连接…",
        "connected": "已连接", "disconnected": "连接已断开，正在重连…", "kind_direct": "好友", "kind_manager": "客户经理",
        "kind_group": "群聊", "kind_service": "在线客服", "kind_notice": "服务通知", "kind_channel": "公众号", "unread": "未读",
        "recalledNote": "此消息已撤回", "openCard": "查看", "officialTitle": "公众号", "follow": "关注", "unfollow": "取消关注",
        "following": "已关注", "autoFollow": "默认关注", "articles": "文章", "noArticles": "暂无文章。", "articleTitle": "文章",
        "serviceChat": "联系在线客服", "serviceTopic": "咨询主题", "closeChat": "结束会话",
        "mediaImage": "发送图片", "mediaVoiceFile": "发送语音文件", "mediaRecord": "录制语音", "mediaStop": "停止并发送",
        "mediaRecording": "正在录音（最长 \(MessagingLimits.voiceSecondsMax) 秒）…", "mediaUploading": "正在上传…", "mediaImageAlt": "图片消息",
        "mediaVoiceLabel": "语音消息",
        "mediaTooLarge": "文件过大：图片不超过 \(imageMiB) MB，语音不超过 \(voiceMiB) MB。",
        "mediaTypeNotAllowed": "不支持该文件类型：图片可发 JPEG、PNG、GIF、WebP，语音可发 AMR、Ogg、WebM、MP4（M4A）、MP3。",
        "mediaMismatch": "文件内容与其类型不符，请换一个文件。", "mediaVoiceTooLong": "语音最长 \(MessagingLimits.voiceSecondsMax) 秒。",
        "mediaVoiceDuration": "无法读取该语音文件的时长，请换一个文件。", "mediaNoMicrophone": "无法使用麦克风，请改为选择语音文件。",
        "mediaSignedOut": "登录已过期，请刷新页面后重试。", "mediaFailed": "发送失败，请重试。",
    ]
    static let sharedEnglish: [String: String] = [
        "navElink": "e-Link", "elinkTitle": "e-Link", "conversations": "Conversations", "noConversations": "No conversations yet.",
        "chooseConversation": "Choose a conversation on the left.", "messagePlaceholder": "Type a message", "send": "Send",
        "connecting": "Connecting…", "connected": "Connected", "disconnected": "Disconnected; reconnecting…", "kind_direct": "Contact",
        "kind_manager": "Account manager", "kind_group": "Group", "kind_service": "Customer service", "kind_notice": "Notices",
        "kind_channel": "Official account", "unread": "unread", "recalledNote": "This message was recalled", "openCard": "Open",
        "officialTitle": "Official accounts", "follow": "Follow", "unfollow": "Unfollow", "following": "Following",
        "autoFollow": "Followed by default", "articles": "Articles", "noArticles": "No articles yet.", "articleTitle": "Article",
        "serviceChat": "Chat with customer service", "serviceTopic": "Topic", "closeChat": "End the chat",
        "mediaImage": "Send an image", "mediaVoiceFile": "Send a voice file", "mediaRecord": "Record a voice note", "mediaStop": "Stop and send",
        "mediaRecording": "Recording (at most \(MessagingLimits.voiceSecondsMax) seconds)…", "mediaUploading": "Uploading…",
        "mediaImageAlt": "Image message", "mediaVoiceLabel": "Voice message",
        "mediaTooLarge": "The file is too large: images up to \(imageMiB) MiB, voice notes up to \(voiceMiB) MiB.",
        "mediaTypeNotAllowed": "This kind of file cannot be sent: images JPEG, PNG, GIF, WebP; voice AMR, Ogg, WebM, MP4 (M4A), MP3.",
        "mediaMismatch": "The file's content does not match its type; choose another file.",
        "mediaVoiceTooLong": "Voice notes last at most \(MessagingLimits.voiceSecondsMax) seconds.",
        "mediaVoiceDuration": "The length of this voice file cannot be read; choose another file.",
        "mediaNoMicrophone": "The microphone is not available; choose a voice file instead.",
        "mediaSignedOut": "Your sign-in has expired; reload the page and try again.", "mediaFailed": "Sending failed; try again.",
    ]
    static let consoleChinese: [String: String] = sharedChinese.merging([
        "navElinkCustomers": "我的客户", "navElinkQueue": "客服队列", "customersTitle": "我的客户", "noCustomers": "暂无分配给您的客户。",
        "customerName": "客户", "branch": "网点", "assignedAt": "分配时间", "chat": "聊天", "summary": "资产概览",
        "queueTitle": "客服队列", "waiting": "排队中的会话", "noWaiting": "暂无排队的会话。", "queuedAt": "排队时间", "topic": "主题",
        "claim": "接入", "claimNext": "接入下一位", "myChats": "我正在服务的会话", "noMyChats": "暂无进行中的会话。",
        "accountsTitle": "账户与余额（只读）", "accountNumber": "账号", "accountClass": "类别", "balance": "余额", "available": "可用",
        "total": "合计", "pushCard": "推送产品卡片", "cardTitle": "卡片标题", "cardURL": "链接（站内路径）", "push": "推送",
        "transferTo": "转接给", "chooseAgent": "请选择客服", "transferButton": "转接", "noOtherAgents": "暂无其他在岗客服可转接。",
        "notice_chatTransferred": "会话已转接。",
        "navElinkOfficial": "公众号管理", "officialAdminTitle": "公众号管理", "noOfficialAccounts": "暂无公众号。",
        "officialName": "名称", "officialKind": "类型", "officialBranch": "所属", "officialBranchCode": "网点代码（可选）", "articleSummaryColumn": "摘要", "officialDescription": "简介", "headOffice": "总行",
        "officialKind_service": "服务号", "officialKind_subscription": "订阅号", "officialManage": "发布",
        "officialCreate": "开设公众号", "officialNameHint": "1–\(MessagingLimits.officialNameCharactersMax) 个字符，不可与已有公众号重名。",
        "officialBranchHint": "4 位数字；总行公众号请留空。", "officialAutoFollow": "所有客户默认关注（服务号适用，不能取消关注）",
        "officialCreateButton": "开设", "officialBack": "返回公众号列表",
        "publishArticle": "发布文章", "articleTitleLabel": "标题", "articleSummary": "摘要（可选）", "articleBody": "正文",
        "articleBodyHint": "每段一行；最多 \(MessagingLimits.articleBodyBytesMax) 字节。关注者会收到文章卡片。", "articlePublishButton": "发布",
        "broadcastTitle": "群发消息", "broadcastText": "消息内容", "broadcastHint": "以文字消息发给全部关注者。", "broadcastButton": "群发",
        "articlePublishedAt": "发布时间",
        "notice_officialCreated": "公众号已开设。", "notice_articlePublished": "文章已发布，关注者已收到。", "notice_broadcastSent": "消息已群发。",
    ]) { _, new in new }
    static let consoleEnglish: [String: String] = sharedEnglish.merging([
        "navElinkCustomers": "My customers", "navElinkQueue": "Service queue", "customersTitle": "My customers",
        "noCustomers": "No customers are assigned to you.", "customerName": "Customer", "branch": "Branch", "assignedAt": "Assigned",
        "chat": "Chat", "summary": "Summary", "queueTitle": "Service queue", "waiting": "Waiting chats", "noWaiting": "Nobody is waiting.",
        "queuedAt": "Queued", "topic": "Topic", "claim": "Claim", "claimNext": "Claim the next", "myChats": "Chats I am serving",
        "noMyChats": "No chats in progress.", "accountsTitle": "Accounts and balances (read-only)", "accountNumber": "Account",
        "accountClass": "Class", "balance": "Balance", "available": "Available", "total": "Total", "pushCard": "Push a product card",
        "cardTitle": "Card title", "cardURL": "Link (a path on this site)", "push": "Push",
        "transferTo": "Transfer to", "chooseAgent": "Choose an agent", "transferButton": "Transfer",
        "noOtherAgents": "No other active agent to transfer to.", "notice_chatTransferred": "The chat was transferred.",
        "navElinkOfficial": "Official accounts", "officialAdminTitle": "Official accounts", "noOfficialAccounts": "No official accounts yet.",
        "officialName": "Name", "officialKind": "Kind", "officialBranch": "Of", "officialBranchCode": "Branch code (optional)", "articleSummaryColumn": "Summary", "officialDescription": "Description", "headOffice": "Head office",
        "officialKind_service": "Service account", "officialKind_subscription": "Subscription account", "officialManage": "Publish",
        "officialCreate": "Open an official account",
        "officialNameHint": "1–\(MessagingLimits.officialNameCharactersMax) characters, not the name of another account.",
        "officialBranchHint": "4 digits; leave empty for a head-office account.",
        "officialAutoFollow": "Every customer follows it (service accounts; cannot be unfollowed)", "officialCreateButton": "Open",
        "officialBack": "Back to the official accounts",
        "publishArticle": "Publish an article", "articleTitleLabel": "Title", "articleSummary": "Summary (optional)", "articleBody": "Body",
        "articleBodyHint": "One paragraph a line; at most \(MessagingLimits.articleBodyBytesMax) bytes. Followers get an article card.",
        "articlePublishButton": "Publish", "broadcastTitle": "Broadcast", "broadcastText": "Message", "broadcastHint": "Sent as a text message to every follower.",
        "broadcastButton": "Broadcast", "articlePublishedAt": "Published",
        "notice_officialCreated": "The official account is open.", "notice_articlePublished": "The article is published; followers have it.",
        "notice_broadcastSent": "The message was broadcast.",
    ]) { _, new in new }

    // MARK: Refusals

    /// An e-Link refusal in the page's language: Chinese for the codes the console's forms meet,
    /// the shared table (then the service's English detail) otherwise.
    static func message(for error: DomainError, lang: PageLanguage) -> String {
        if !lang.isEnglish {
            var field = ""
            if case .string(let name)? = error.extensions["field"] { field = name }
            switch error.code {
            case .invalidRequest: if let text = invalidFieldChinese[field] { return text }
            case .conflict where field == "name": return "已有同名公众号，请换一个名称。"
            case .agentNotFound: return "请选择另一位在岗的客服。"
            case .serviceChatNotActive: return "该会话已不由您服务（已结束或已转接），不能转接。"
            case .officialAccountNotFound: return "未找到该公众号。"
            case .messageEmpty: return "请填写消息内容。"
            case .messageTooLong: return "消息最多 \(MessagingLimits.textBytesMax) 字节（约 \(MessagingLimits.textBytesMax / 3) 个汉字）。"
            default: break
            }
        }
        return PageText.message(for: error, lang: lang)
    }

    static let invalidFieldChinese: [String: String] = [
        "name": "名称为 1–\(MessagingLimits.officialNameCharactersMax) 个字符，不能包含控制字符。",
        "description": "简介最多 \(MessagingLimits.officialDescriptionCharactersMax) 个字符，不能包含控制字符。",
        "branch_code": "网点代码为 4 位数字；总行公众号请留空。", "kind": "请选择服务号或订阅号。",
        "title": "标题为 1–\(MessagingLimits.articleTitleCharactersMax) 个字符，不能包含控制字符。",
        "summary": "摘要最多 \(MessagingLimits.articleSummaryCharactersMax) 个字符，不能包含控制字符。",
        "body": "正文不能为空，最多 \(MessagingLimits.articleBodyBytesMax) 字节。", "text": "消息内容不能包含控制字符。",
        "client_id": "该表单已失效，请刷新页面后重试。", "agent_id": "请选择另一位在岗的客服。",
    ]

    /// A failed form shown again: the message in the page's language, the field to mark.
    static func formError(_ error: DomainError, _ call: PageCall, fieldNames: [String: String] = [:]) -> FormState {
        call.formError(error, fieldNames: fieldNames, messages: message)
    }
}
