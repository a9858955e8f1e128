/// A non-negative integer of any size: just enough arithmetic for exact annuity and IRR sums,
/// where (1 + r)ⁿ over a common denominator needs thousands of bits (n = 360) and Int128 would
/// overflow from n ≈ 6. Little-endian 64-bit limbs, no leading zero limbs.
struct WideUInt: Comparable, Sendable {
    private(set) var limbs: [UInt64]

    init(_ value: UInt64) { limbs = value == 0 ? [] : [value] }

    /// `base` to the power `exponent`.
    static func power(_ base: UInt64, _ exponent: Int) -> WideUInt {
        precondition(exponent >= 0)
        var result = WideUInt(1)
        for _ in 0..<exponent { result.multiply(by: base) }
        return result
    }

    mutating func multiply(by factor: UInt64) {
        guard factor != 0 else { limbs = []; return }
        var carry: UInt64 = 0
        for index in limbs.indices {
            let (high, low) = limbs[index].multipliedFullWidth(by: factor)
            let (sum, overflow) = low.addingReportingOverflow(carry)
            limbs[index] = sum
            carry = high &+ (overflow ? 1 : 0)  // high ≤ 2⁶⁴ − 2, so this cannot wrap
        }
        if carry != 0 { limbs.append(carry) }
    }

    func multiplied(by factor: UInt64) -> WideUInt {
        var copy = self
        copy.multiply(by: factor)
        return copy
    }

    mutating func add(_ other: WideUInt) {
        if other.limbs.count > limbs.count { limbs += Array(repeating: 0, count: other.limbs.count - limbs.count) }
        var carry = false
        for index in limbs.indices {
            let addend = index < other.limbs.count ? other.limbs[index] : 0
            let (sum1, overflow1) = limbs[index].addingReportingOverflow(addend)
            let (sum2, overflow2) = sum1.addingReportingOverflow(carry ? 1 : 0)
            limbs[index] = sum2
            carry = overflow1 || overflow2
        }
        if carry { limbs.append(1) }
    }

    static func + (lhs: WideUInt, rhs: WideUInt) -> WideUInt {
        var sum = lhs
        sum.add(rhs)
        return sum
    }

    /// `lhs − rhs`; `rhs` must not exceed `lhs`.
    static func - (lhs: WideUInt, rhs: WideUInt) -> WideUInt {
        precondition(rhs <= lhs, "WideUInt subtraction underflow")
        var result = lhs
        var borrow = false
        for index in result.limbs.indices {
            let subtrahend = index < rhs.limbs.count ? rhs.limbs[index] : 0
            let (difference1, underflow1) = result.limbs[index].subtractingReportingOverflow(subtrahend)
            let (difference2, underflow2) = difference1.subtractingReportingOverflow(borrow ? 1 : 0)
            result.limbs[index] = difference2
            borrow = underflow1 || underflow2
        }
        while result.limbs.last == 0 { result.limbs.removeLast() }
        return result
    }

    static func < (lhs: WideUInt, rhs: WideUInt) -> Bool {
        if lhs.limbs.count != rhs.limbs.count { return lhs.limbs.count < rhs.limbs.count }
        for index in lhs.limbs.indices.reversed() where lhs.limbs[index] != rhs.limbs[index] {
            return lhs.limbs[index] < rhs.limbs[index]
        }
        return false
    }

    /// ⌊self ÷ divisor⌋, which the caller knows is below 2⁶²: a binary search on the quotient,
    /// so only multiplication by a word is needed.
    func quotient(dividingBy divisor: WideUInt) -> Int64 {
        precondition(!divisor.limbs.isEmpty, "division by zero")
        var low: UInt64 = 0                 // divisor × low ≤ self
        var high: UInt64 = 1 << 62          // divisor × high > self (asserted below)
        precondition(self < divisor.multiplied(by: high), "quotient out of range")
        while high - low > 1 {
            let middle = low + (high - low) / 2
            if divisor.multiplied(by: middle) <= self { low = middle } else { high = middle }
        }
        return Int64(low)
    }

    /// self ÷ divisor rounded half up.
    func roundedQuotient(dividingBy divisor: WideUInt) -> Int64 {
        (multiplied(by: 2) + divisor).quotient(dividingBy: divisor.multiplied(by: 2))
    }
}
