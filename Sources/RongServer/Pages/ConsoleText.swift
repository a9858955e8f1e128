/// The staff console's strings (`{{t.key}}` in the `console-*` templates).
enum ConsoleText {
    static let chinese: [String: String] = [
        "consoleSignInTitle": "员工登录", "consoleSignInHint": "客户经理、客服坐席、运营人员和管理员在此登录融银行管理台。",
        "searchTitle": "客户查询", "searchLabel": "姓名、手机号码、身份证号码或账号", "searchButton": "查询", "results": "查询结果",
        "noResults": "没有找到客户。", "name": "姓名", "since": "注册时间",
        "customerTitle": "客户信息", "branch": "所属网点", "accounts": "账户", "opened": "开户时间",
        "freezeKind": "冻结类型", "reason": "原因", "freezeButton": "冻结账户", "unfreezeReason": "解冻原因", "unfreezeButton": "解除冻结",
        "freezes": "冻结记录", "noFreezes": "无冻结记录。", "frozenBy": "操作人", "frozenAt": "冻结时间", "releasedAt": "解冻时间",
        "kind_judicial": "司法冻结", "kind_fraud": "涉嫌欺诈", "backToSearch": "返回客户查询",
        "auditTitle": "审计日志", "auditHint": "只可追加、不可修改的安全与操作记录，最新在前。", "noEvents": "暂无记录。",
        "actor": "操作人", "action": "操作", "target": "对象", "outcome": "结果", "address": "地址", "detail": "详情",
        "newest": "最新", "older": "更早的记录",
        "notice_frozen": "账户已冻结。", "notice_unfrozen": "账户已解冻。",
    ]

    static let english: [String: String] = [
        "consoleSignInTitle": "Staff sign-in", "consoleSignInHint": "Account managers, service agents, operators and admins sign in to the Rong Bank console here.",
        "searchTitle": "Customers", "searchLabel": "Name, mobile, ID number or account number", "searchButton": "Search", "results": "Results",
        "noResults": "No customer found.", "name": "Name", "since": "Registered",
        "customerTitle": "Customer", "branch": "Branch", "accounts": "Accounts", "opened": "Opened",
        "freezeKind": "Freeze type", "reason": "Reason", "freezeButton": "Freeze", "unfreezeReason": "Reason for release", "unfreezeButton": "Unfreeze",
        "freezes": "Freezes", "noFreezes": "No freezes.", "frozenBy": "By", "frozenAt": "Frozen", "releasedAt": "Released",
        "kind_judicial": "Judicial", "kind_fraud": "Suspected fraud", "backToSearch": "Back to customers",
        "auditTitle": "Audit log", "auditHint": "Append-only record of security events and staff actions, newest first.", "noEvents": "No events.",
        "actor": "Actor", "action": "Action", "target": "Target", "outcome": "Outcome", "address": "Address", "detail": "Detail",
        "newest": "Newest", "older": "Older",
        "notice_frozen": "Account frozen.", "notice_unfrozen": "Account unfrozen.",
    ]
}
