extension InterbankSimulator {
    /// The network's participants in the simulator: the big four, Bank of Communications and
    /// China Merchants Bank, by their CNAPS participant codes.
    public static let directoryParticipants: [Participant] = [
        Participant(bankCode: "102", name: "中国工商银行", nameEnglish: "Industrial and Commercial Bank of China"),
        Participant(bankCode: "103", name: "中国农业银行", nameEnglish: "Agricultural Bank of China"),
        Participant(bankCode: "104", name: "中国银行", nameEnglish: "Bank of China"),
        Participant(bankCode: "105", name: "中国建设银行", nameEnglish: "China Construction Bank"),
        Participant(bankCode: "301", name: "交通银行", nameEnglish: "Bank of Communications"),
        Participant(bankCode: "308", name: "招商银行", nameEnglish: "China Merchants Bank"),
    ]

    /// 张伟's China Construction Bank debit card: the demo customer's account to bind and top up from.
    public static let demoZhangWei = SimulatedAccount(
        bankCode: "105", accountNumber: "6217000010012345677", holderName: "张伟",
        idNumber: "110101199003074514", mobile: "13800138000", balanceFen: 500_000_00)
    /// 王芳's China Merchants Bank card (16 digits, as CMB's 622588 cards are).
    public static let demoWangFang = SimulatedAccount(
        bankCode: "308", accountNumber: "6225880123456783", holderName: "王芳",
        idNumber: "31010419850715232X", mobile: "13912345678", balanceFen: 200_000_00)
    /// 赵敏's Agricultural Bank of China card, reserved for the browser test.
    public static let browserTestZhaoMin = SimulatedAccount(
        bankCode: "103", accountNumber: "6228480012345678903", holderName: "赵敏",
        idNumber: "440306199506120024", mobile: "13700000001", balanceFen: 100_000_00)

    /// The accounts the demo seed and the browser test rely on; their numbers never change.
    ///
    /// | holder | bank | account | ID number | mobile | balance |
    /// | --- | --- | --- | --- | --- | --- |
    /// | 张伟 | 105 CCB | 6217000010012345677 | 110101199003074514 | 13800138000 | ¥500,000.00 |
    /// | 王芳 | 308 CMB | 6225880123456783 | 31010419850715232X | 13912345678 | ¥200,000.00 |
    /// | 赵敏 | 103 ABC | 6228480012345678903 | 440306199506120024 | 13700000001 | ¥100,000.00 |
    ///
    /// Card numbers end with a Luhn check digit; ID numbers with their GB 11643 check character.
    public static let demoAccounts: [SimulatedAccount] = [demoZhangWei, demoWangFang, browserTestZhaoMin]

    /// Everything `seedDirectory()` inserts: the demo accounts and other holders at every
    /// participant, including a closed account (黄磊), a frozen one (周杰) and a nearly empty one (吴霞).
    public static let directoryAccounts: [SimulatedAccount] = demoAccounts + [
        SimulatedAccount(bankCode: "102", accountNumber: "6222021001098765438", holderName: "张伟",
                         idNumber: "110101199003074514", mobile: "13800138000", balanceFen: 50_000_00),
        SimulatedAccount(bankCode: "102", accountNumber: "6222020200112233446", holderName: "李娜",
                         idNumber: "330106199204183023", mobile: "13588001122", balanceFen: 50_000_00),
        SimulatedAccount(bankCode: "104", accountNumber: "6217866000012345671", holderName: "刘洋",
                         idNumber: "510107198811230413", mobile: "15008123456", balanceFen: 80_000_00),
        SimulatedAccount(bankCode: "301", accountNumber: "6222620110012345675", holderName: "陈静",
                         idNumber: "320102199306215121", mobile: "18625001234", balanceFen: 50_000_00),
        SimulatedAccount(bankCode: "105", accountNumber: "6217001230000456786", holderName: "杨帆",
                         idNumber: "420106198702144518", mobile: "17612345678", balanceFen: 12_345_67),
        SimulatedAccount(bankCode: "102", accountNumber: "6222021000345678907", holderName: "黄磊",
                         idNumber: "440305198012010019", mobile: "13622334455", status: .closed, balanceFen: 0),
        SimulatedAccount(bankCode: "104", accountNumber: "6217861000987654326", holderName: "周杰",
                         idNumber: "370102199108087711", mobile: "15966778899", status: .frozen, balanceFen: 30_000_00),
        SimulatedAccount(bankCode: "103", accountNumber: "6228480123000456129", holderName: "吴霞",
                         idNumber: "610113199512123525", mobile: "18991234567", balanceFen: 88_00),
        SimulatedAccount(bankCode: "308", accountNumber: "6225880212345673", holderName: "孙强",
                         idNumber: "210102198409093315", mobile: "13940001234", balanceFen: 50_000_00),
    ]
}
