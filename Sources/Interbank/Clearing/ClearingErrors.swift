import BankKit

extension ErrorCode {
    /// The clearing house is switched off (`ClearingHouse.setUnavailable(true)`): nothing was
    /// processed, so the same message may be sent again.
    public static let clearingUnavailable: ErrorCode = "clearing_unavailable"
    /// No reply came back (`ClearingHouse.dropReplies`): the message may or may not have been
    /// processed. Ask with a status request (pacs.028) before anything is retried.
    public static let clearingTimeout: ErrorCode = "clearing_timeout"
    /// A member bank's answer or return the clearing house cannot apply (see the detail).
    public static let clearingRefused: ErrorCode = "clearing_refused"
}

/// The codes the clearing house writes in `StsRsnInf` besides ISO's external codes.
///
/// Proprietary codes travel in `Rsn/Prtry`, never in `Rsn/Cd`, so they cannot be mistaken for
/// an ISO external status reason.
public enum ClearingReasonCode {
    /// `RJCT` + `Prtry NOTFOUND`: no message with that id is known to the clearing house (for
    /// this asking bank). Nothing moved; `ISO20022ClearingNetwork` maps it to `.unknown`, and
    /// a transfer may be sent again with the same `MsgId`.
    public static let notFound = "NOTFOUND"
    /// `ACSC` + `Prtry RETURNED`, followed by an `StsRsnInf` with the return's ISO reason in
    /// `Rsn/Cd`: the transfer settled and was later sent back (pacs.004).
    public static let returned = "RETURNED"
    /// `RJCT` + `Prtry ANSWERED`: the incoming credit was already answered the other way
    /// (credited, then a return; or returned, then a credit).
    public static let answered = "ANSWERED"
    /// `RJCT` + `Prtry NOTSETTLED`: a return names a transfer that is queued or was rejected.
    public static let notSettled = "NOTSETTLED"
    /// ISO `AM09`: a return's amount differs from the transfer's (only full returns are accepted).
    public static let wrongAmount = "AM09"
}
