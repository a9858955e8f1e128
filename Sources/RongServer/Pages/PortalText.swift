/// The customer portal's strings (`{{t.key}}` in the `bank-*` templates).
enum PortalText {
    static let chinese: [String: String] = [
        // Sign-in and registration
        "signInTitle": "登录融e行", "noAccount": "还没有账户？", "registerLink": "在线注册", "haveAccount": "已有账户？", "signInLink": "登录",
        "registerTitle": "注册融e行", "registerStep1": "第一步：输入您的手机号码，我们将发送短信验证码。", "sendCode": "获取验证码",
        "codeSentTo": "验证码已发送至", "code": "短信验证码", "realName": "真实姓名（与身份证一致）", "newPassword": "设置登录密码",
        "passwordRule": "8–64 位，须同时包含字母和数字，不得包含手机号。",
        "acceptTerms": "我已阅读并同意《融e行电子账户服务协议》和《个人信息保护政策》", "registerButton": "注册并登录", "resendCode": "重新获取验证码",
        // Overview
        "overviewTitle": "我的账户", "overviewHint": "您在融银行的电子账户与绑定的银行卡。", "myAccounts": "电子账户", "details": "查看",
        "openLink": "开立电子账户", "bindLink": "绑定银行卡",
        // Bind
        "bindTitle": "绑定银行卡", "bindHint": "绑定一张本人名下的Ⅰ类账户或借记卡，系统将核验户名、身份证号、预留手机号和卡号。",
        "chooseBank": "请选择开户银行", "cardNumber": "卡号 / 账号", "bindCodeSent": "验证码已发送至您的手机。", "bindButton": "确认绑定",
        "startOver": "重新填写",
        // Open
        "openTitle": "开立电子账户", "openHint": "线上开立Ⅱ类或Ⅲ类电子账户，资金通过绑定账户转入转出。", "boundAccount": "绑定账户",
        "classRules": "Ⅱ类户：与非绑定账户之间日累计转入、转出各 ¥10,000，年累计各 ¥200,000。Ⅲ类户：余额不超过 ¥2,000，日累计转出 ¥2,000。",
        "openButton": "立即开户", "bindFirst": "开户前请先绑定一张本人名下的银行卡。",
        // Account
        "fundTitle": "转入", "fundHint": "从绑定账户转入本账户。", "amountYuan": "金额（元）", "fundButton": "确认转入",
        "withdrawTitle": "转出", "withdrawHint": "从本账户转出至绑定账户。", "withdrawButton": "确认转出",
        "limitsTitle": "限额", "limit": "限额项目", "limitAmount": "限额", "used": "已用", "remaining": "剩余",
        "limitsHint": "与本人绑定账户之间的转入转出不占用限额。",
        "limit_day_in": "日累计转入（非绑定账户）", "limit_day_out": "日累计转出（非绑定账户及消费）",
        "limit_year_in": "年累计转入（非绑定账户）", "limit_year_out": "年累计转出（非绑定账户及消费）",
        "statementTitle": "交易明细", "memo": "摘要", "amount": "金额", "balanceAfter": "余额", "noLines": "暂无交易。", "moreLines": "更多明细",
        "backToOverview": "返回我的账户",
        // Password
        "passwordTitle": "修改登录密码", "passwordStep1": "为保障账户安全，修改密码需要短信验证码。", "oldPassword": "当前登录密码",
        "passwordButton": "确认修改",
        // Notices after a redirect
        "notice_registered": "注册成功，欢迎使用融e行。", "notice_bound": "银行卡绑定成功。", "notice_opened": "电子账户开立成功。",
        "closeTitle": "销户", "closeHint": "销户时活期利息计至销户前一日并入账，余额全部转回绑定账户。请先支取以本账户办理的存款。",
        "closeButton": "确认销户", "notice_closed": "账户已销户，余额和利息已转回绑定账户。",
        "notice_funded": "转入成功。", "notice_withdrawn": "转出成功。", "notice_password": "登录密码已修改，其他设备上的登录已失效。",
    ]

    static let english: [String: String] = [
        "signInTitle": "Sign in to e-Bank", "noAccount": "No account yet?", "registerLink": "Register online", "haveAccount": "Already registered?",
        "signInLink": "Sign in",
        "registerTitle": "Register for e-Bank", "registerStep1": "Step 1: enter your mobile number and we will text you a code.", "sendCode": "Send code",
        "codeSentTo": "Code sent to", "code": "SMS code", "realName": "Legal name (as on your ID card)", "newPassword": "Choose a password",
        "passwordRule": "8–64 characters with letters and digits, not containing your mobile number.",
        "acceptTerms": "I have read and accept the e-Account Service Agreement and the Privacy Policy", "registerButton": "Register and sign in",
        "resendCode": "Send a new code",
        "overviewTitle": "My accounts", "overviewHint": "Your e-accounts at Rong Bank and your bound cards.", "myAccounts": "E-accounts", "details": "View",
        "openLink": "Open an e-account", "bindLink": "Bind a card",
        "bindTitle": "Bind a card", "bindHint": "Bind a Class I account or debit card in your own name: the holder name, ID number, registered mobile and card number are verified.",
        "chooseBank": "Choose the bank", "cardNumber": "Card / account number", "bindCodeSent": "A code has been sent to your mobile.", "bindButton": "Bind",
        "startOver": "Start over",
        "openTitle": "Open an e-account", "openHint": "Open a Class II or III e-account online; money moves in and out through a bound account.",
        "boundAccount": "Bound account",
        "classRules": "Class II: ¥10,000 a day and ¥200,000 a year in and out with non-bound accounts. Class III: balance up to ¥2,000, ¥2,000 a day out.",
        "openButton": "Open account", "bindFirst": "Bind a card in your own name before opening an e-account.",
        "fundTitle": "Add money", "fundHint": "From your bound account into this account.", "amountYuan": "Amount (yuan)", "fundButton": "Add money",
        "withdrawTitle": "Withdraw", "withdrawHint": "From this account to your bound account.", "withdrawButton": "Withdraw",
        "limitsTitle": "Limits", "limit": "Limit", "limitAmount": "Limit", "used": "Used", "remaining": "Remaining",
        "limitsHint": "Money moved with your own bound account does not count against these limits.",
        "limit_day_in": "Daily in (non-bound accounts)", "limit_day_out": "Daily out (non-bound accounts and spending)",
        "limit_year_in": "Yearly in (non-bound accounts)", "limit_year_out": "Yearly out (non-bound accounts and spending)",
        "statementTitle": "Statement", "memo": "Description", "amount": "Amount", "balanceAfter": "Balance", "noLines": "No transactions yet.",
        "moreLines": "More", "backToOverview": "Back to my accounts",
        "passwordTitle": "Change password", "passwordStep1": "To keep your account safe, changing the password needs an SMS code.",
        "oldPassword": "Current password", "passwordButton": "Change password",
        "notice_registered": "Welcome to e-Bank: you are registered.", "notice_bound": "Card bound.", "notice_opened": "E-account opened.",
        "closeTitle": "Close the account", "closeHint": "Closing pays demand interest to the day before and sends the whole balance to the bound account. Withdraw deposits made from this account first.",
        "closeButton": "Close account", "notice_closed": "Account closed; the balance and interest went to the bound account.",
        "notice_funded": "Money added.", "notice_withdrawn": "Withdrawal sent.", "notice_password": "Password changed; sign-ins on other devices have ended.",
    ]
}
