extension RongID {
    /// A stable id derived from parts, for idempotent batch work: the same parts always give
    /// the same id, so a step re-run after a crash submits transfers the ledger recognises.
    ///
    /// Two 64-bit FNV-1a hashes with different offset bases, the second with extra mixing (not
    /// cryptographic; the inputs are Rong's own keys). Version nibble 8 (RFC 9562 "custom")
    /// tells these ids apart from generated v7 ids.
    public static func derived(_ parts: any CustomStringConvertible...) -> RongID {
        let text = parts.map(\.description).joined(separator: "\u{1F}")
        var a = FNV1a()
        var b = FNV1a(offsetBasis: 0x6c62_272e_07bb_0142)
        for byte in text.utf8 {
            a.combine(byte)
            b.combine(byte)
            b = FNV1a(offsetBasis: b.value &+ (b.value << 7))
        }
        let high = (a.value & 0xFFFF_FFFF_FFFF_0FFF) | 0x8000
        let low = (b.value & 0x3FFF_FFFF_FFFF_FFFF) | 0x8000_0000_0000_0000
        return RongID(high: high, low: low)
    }
}
