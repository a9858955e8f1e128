/// The merchant dashboard's strings (`{{t.key}}` in the `merchant-*` templates).
enum MerchantText {
    static let chinese: [String: String] = [
        "navOrders": "订单", "navWebhooks": "通知记录",
        "merchantSignInTitle": "商户登录", "merchantSignInHint": "入驻融银行 e支付的商户使用联系人手机号码和登录密码登录商户管理台。",
        // Orders
        "ordersTitle": "订单", "settlement": "结算账户余额", "orderNumber": "订单号", "amount": "金额", "status": "状态", "created": "创建时间",
        "paid": "支付时间", "noOrders": "暂无订单。", "details": "查看",
        "newOrderTitle": "创建测试订单", "newOrderHint": "无需调用接口即可创建订单并打开收银台链接体验 e支付（有效期 30 分钟）。",
        "amountYuan": "金额（元）", "description": "商品描述", "createButton": "创建订单",
        // One order
        "orderTitle": "订单详情", "payLink": "收银台链接", "payLinkHint": "将此链接发给付款人，在浏览器中打开即可支付。",
        "expires": "过期时间", "captured": "实收金额", "refunded": "已退款", "refundable": "可退金额",
        "closeButton": "关闭订单", "refundsTitle": "退款", "noRefunds": "暂无退款。", "refundNumber": "退款单号", "reason": "退款原因",
        "refundStatus": "退款状态", "completed": "完成时间", "refundTitle": "发起退款",
        "refundHint": "退款原路退回付款账户，可多次部分退款，合计不超过实收金额。退款单号用于防止重复提交。", "refundButton": "确认退款",
        "refund_pending": "处理中", "refund_succeeded": "退款成功", "refund_failed": "退款失败", "backToOrders": "返回订单列表",
        // Webhooks
        "signingSecretTitle": "签名密钥", "signingSecretHint": "更换后新密钥只显示一次；24 小时内每条通知同时带新旧两个签名，便于您切换验签。",
        "signingSecretButton": "更换签名密钥", "signingSecretNew": "新的签名密钥（只显示这一次，请妥善保存）：", "signingSecretOldUntil": "旧密钥的签名保留至",
        "webhooksTitle": "通知记录", "webhooksHint": "订单和退款状态变化时向您的通知地址发送的签名回调（最新在前）。失败会按计划重试。",
        "event": "事件", "attempts": "尝试次数", "lastStatus": "最近响应", "nextAttempt": "下次尝试", "replayButton": "重新发送",
        "noWebhooks": "暂无通知。", "older": "更早的记录", "newest": "最新",
        "webhook_pending": "待发送", "webhook_delivered": "已送达", "webhook_failed": "发送失败",
        "webhookTitle": "通知详情", "payload": "通知内容", "attemptsTitle": "发送记录", "attemptedAt": "发送时间", "duration": "耗时（毫秒）",
        "error": "错误", "noAttempts": "尚未发送。", "backToWebhooks": "返回通知记录",
        // Notices
        "notice_order_created": "订单已创建，可打开收银台链接付款。", "notice_refunded": "退款成功。", "notice_refund_failed": "退款失败。",
        "notice_closed": "订单已关闭。", "notice_replayed": "已安排重新发送。",
    ]

    static let english: [String: String] = [
        "navOrders": "Orders", "navWebhooks": "Webhooks",
        "merchantSignInTitle": "Merchant sign-in", "merchantSignInHint": "Merchants on Rong Bank e-Pay sign in with the contact's mobile number and password.",
        "ordersTitle": "Orders", "settlement": "Settlement balance", "orderNumber": "Order number", "amount": "Amount", "status": "Status",
        "created": "Created", "paid": "Paid", "noOrders": "No orders yet.", "details": "View",
        "newOrderTitle": "Create a test order", "newOrderHint": "Create an order without the API and open its pay link to try e-Pay (it expires in 30 minutes).",
        "amountYuan": "Amount (yuan)", "description": "Description", "createButton": "Create order",
        "orderTitle": "Order", "payLink": "Pay link", "payLinkHint": "Send this link to the payer; they pay in any browser.",
        "expires": "Expires", "captured": "Captured", "refunded": "Refunded", "refundable": "Refundable",
        "closeButton": "Close order", "refundsTitle": "Refunds", "noRefunds": "No refunds.", "refundNumber": "Refund number", "reason": "Reason",
        "refundStatus": "Refund status", "completed": "Completed", "refundTitle": "Refund",
        "refundHint": "Refunds go back to the paying account; several partial refunds may total up to the captured amount. The refund number stops a double submission.",
        "refundButton": "Refund", "refund_pending": "Pending", "refund_succeeded": "Succeeded", "refund_failed": "Failed", "backToOrders": "Back to orders",
        "signingSecretTitle": "Signing secret", "signingSecretHint": "The new secret is shown once; for 24 hours every webhook carries a signature with each secret, so you can switch your verifier.",
        "signingSecretButton": "Rotate the signing secret", "signingSecretNew": "New signing secret (shown only now; keep it safe):", "signingSecretOldUntil": "The old secret also signs until",
        "webhooksTitle": "Webhooks", "webhooksHint": "Signed callbacks sent to your notify URL when an order or refund changes (newest first). Failures are retried on a schedule.",
        "event": "Event", "attempts": "Attempts", "lastStatus": "Last response", "nextAttempt": "Next attempt", "replayButton": "Send again",
        "noWebhooks": "No webhooks yet.", "older": "Older", "newest": "Newest",
        "webhook_pending": "Pending", "webhook_delivered": "Delivered", "webhook_failed": "Failed",
        "webhookTitle": "Webhook", "payload": "Payload", "attemptsTitle": "Attempts", "attemptedAt": "Sent", "duration": "Duration (ms)",
        "error": "Error", "noAttempts": "Not sent yet.", "backToWebhooks": "Back to webhooks",
        "notice_order_created": "Order created: open its pay link to pay.", "notice_refunded": "Refund succeeded.", "notice_refund_failed": "Refund failed.",
        "notice_closed": "Order closed.", "notice_replayed": "Scheduled to be sent again.",
    ]
}

/// The console's merchant pages and the portal's e-Pay limits page (`{{t.key}}` in
/// `console-merchants`, `console-merchant-created` and `bank-limits`).
enum EPayAreaText {
    static let consoleChinese: [String: String] = [
        "merchantsTitle": "商户", "merchantsHint": "已入驻 e支付的商户，最新在前。", "merchantName": "商户名称", "licence": "统一社会信用代码",
        "notifyURL": "通知地址", "created": "入驻时间", "noMerchants": "暂无商户。",
        "onboardTitle": "商户入驻", "onboardHint": "运营人员和管理员可办理。统一社会信用代码须为 18 位且校验位正确。",
        "contactMobile": "联系人手机号码（商户管理台登录）", "contactPassword": "联系人初始登录密码",
        "contactPasswordRule": "8–64 位，须同时包含字母和数字，不得包含手机号。", "onboardButton": "办理入驻",
        "createdTitle": "商户已入驻", "credentialsWarning": "API 密钥和通知签名密钥只显示这一次，融银行不保存明文。请立即复制并安全交给商户；遗失后只能重新签发。",
        "apiKey": "API 密钥", "signingSecret": "通知签名密钥", "dashboardSignIn": "商户管理台登录地址", "backToMerchants": "返回商户列表",
    ]

    static let consoleEnglish: [String: String] = [
        "merchantsTitle": "Merchants", "merchantsHint": "Merchants on e-Pay, newest first.", "merchantName": "Merchant name", "licence": "Unified social credit code",
        "notifyURL": "Notify URL", "created": "Onboarded", "noMerchants": "No merchants yet.",
        "onboardTitle": "Onboard a merchant", "onboardHint": "Operators and admins. The credit code is 18 characters with a valid check character.",
        "contactMobile": "Contact mobile (merchant dashboard sign-in)", "contactPassword": "Contact's initial password",
        "contactPasswordRule": "8–64 characters with letters and digits, not containing the mobile number.", "onboardButton": "Onboard",
        "createdTitle": "Merchant onboarded", "credentialsWarning": "The API key and the webhook signing secret are shown only this once; Rong Bank does not keep them in clear. Copy them now and hand them to the merchant securely; lost keys can only be reissued.",
        "apiKey": "API key", "signingSecret": "Webhook signing secret", "dashboardSignIn": "Merchant dashboard sign-in", "backToMerchants": "Back to merchants",
    ]

    static let portalChinese: [String: String] = [
        "limitsPageTitle": "e支付限额", "limitsPageHint": "e支付（快捷支付）按客户设定限额，与电子账户的类别限额分别计算。单笔和日累计限额最高 ¥10,000.00，更高需携带U盾到柜台办理。",
        "perTransaction": "单笔限额", "perDay": "日累计限额", "perMonth": "月累计限额", "current": "当前限额", "perMonthFixed": "月累计限额固定，不可自助调整。",
        "changeTitle": "调整限额", "newPerTransaction": "新的单笔限额（元）", "newPerDay": "新的日累计限额（元）", "limitsCodeButton": "获取验证码",
        "limitsCodeSent": "验证码已发送至您的预留手机号。", "limitsConfirm": "确认调整", "startOver": "重新填写", "notice_limits": "e支付限额已调整。",
    ]

    static let portalEnglish: [String: String] = [
        "limitsPageTitle": "e-Pay limits", "limitsPageHint": "e-Pay (quick pay) limits are yours to set and count apart from the e-account class limits. Per payment and per day go up to ¥10,000.00; higher needs a U-Shield at a branch.",
        "perTransaction": "Per payment", "perDay": "Per day", "perMonth": "Per month", "current": "Current limits", "perMonthFixed": "The monthly limit is fixed.",
        "changeTitle": "Change limits", "newPerTransaction": "New per-payment limit (yuan)", "newPerDay": "New daily limit (yuan)", "limitsCodeButton": "Send code",
        "limitsCodeSent": "A code has been sent to your registered mobile.", "limitsConfirm": "Change limits", "startOver": "Start over",
        "notice_limits": "e-Pay limits changed.",
    ]
}
