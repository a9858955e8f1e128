/// Strings of the e-Link pages: the chat (`elink-chat`), official accounts (`elink-official`,
/// `elink-article`), the account manager's customers (`console-elink-customers`,
/// `console-elink-customer`) and the service queue (`console-elink-queue`).
enum ElinkText {
    static let sharedChinese: [String: String] = [
        "navElink": "融e联", "elinkTitle": "融e联", "conversations": "会话", "noConversations": "还没有会话。",
        "chooseConversation": "请选择左侧的会话。", "messagePlaceholder": "输入消息", "send": "发送", "connecting": "正在连接…",
        "connected": "已连接", "disconnected": "连接已断开，正在重连…", "kind_direct": "好友", "kind_manager": "客户经理",
        "kind_group": "群聊", "kind_service": "在线客服", "kind_notice": "服务通知", "kind_channel": "公众号", "unread": "未读",
        "recalledNote": "此消息已撤回", "openCard": "查看", "officialTitle": "公众号", "follow": "关注", "unfollow": "取消关注",
        "following": "已关注", "autoFollow": "默认关注", "articles": "文章", "noArticles": "暂无文章。", "articleTitle": "文章",
        "serviceChat": "联系在线客服", "serviceTopic": "咨询主题", "closeChat": "结束会话",
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
    ]
    static let consoleChinese: [String: String] = sharedChinese.merging([
        "navElinkCustomers": "我的客户", "navElinkQueue": "客服队列", "customersTitle": "我的客户", "noCustomers": "暂无分配给您的客户。",
        "customerName": "客户", "branch": "网点", "assignedAt": "分配时间", "chat": "聊天", "summary": "资产概览",
        "queueTitle": "客服队列", "waiting": "排队中的会话", "noWaiting": "暂无排队的会话。", "queuedAt": "排队时间", "topic": "主题",
        "claim": "接入", "claimNext": "接入下一位", "myChats": "我正在服务的会话", "noMyChats": "暂无进行中的会话。",
        "accountsTitle": "账户与余额（只读）", "accountNumber": "账号", "accountClass": "类别", "balance": "余额", "available": "可用",
        "total": "合计", "pushCard": "推送产品卡片", "cardTitle": "卡片标题", "cardURL": "链接（站内路径）", "push": "推送",
    ]) { _, new in new }
    static let consoleEnglish: [String: String] = sharedEnglish.merging([
        "navElinkCustomers": "My customers", "navElinkQueue": "Service queue", "customersTitle": "My customers",
        "noCustomers": "No customers are assigned to you.", "customerName": "Customer", "branch": "Branch", "assignedAt": "Assigned",
        "chat": "Chat", "summary": "Summary", "queueTitle": "Service queue", "waiting": "Waiting chats", "noWaiting": "Nobody is waiting.",
        "queuedAt": "Queued", "topic": "Topic", "claim": "Claim", "claimNext": "Claim the next", "myChats": "Chats I am serving",
        "noMyChats": "No chats in progress.", "accountsTitle": "Accounts and balances (read-only)", "accountNumber": "Account",
        "accountClass": "Class", "balance": "Balance", "available": "Available", "total": "Total", "pushCard": "Push a product card",
        "cardTitle": "Card title", "cardURL": "Link (a path on this site)", "push": "Push",
    ]) { _, new in new }
}
