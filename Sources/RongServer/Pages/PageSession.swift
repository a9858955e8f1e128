import BankKit
import Foundation
import Hummingbird
import Identity

/// A browser's sign-in, kept in two cookies: `rong_at` (the 15-minute access token, which
/// `Authenticator` also reads) and `rong_rt` (the refresh token). Both are HttpOnly,
/// SameSite=Strict (so another site cannot post a form with them: the pages' CSRF defence)
/// and session cookies (gone when the browser closes).
struct PageSession: Sendable {
    let identity: IdentityService

    /// The signed-in caller, and the new tokens when the access cookie had to be renewed.
    struct Resolved: Sendable {
        let principal: Principal
        let renewed: SessionTokens?
    }

    /// The caller of a page: from a valid access cookie, else by spending the refresh cookie
    /// (refresh tokens rotate, so the caller must set the renewed cookies). Nil when neither works.
    func resolve(_ request: Request, address: String) async throws -> Resolved? {
        if let access = request.cookies[Authenticator.accessCookie]?.value, !access.isEmpty {
            do { return Resolved(principal: try await identity.authenticate(access), renewed: nil) } catch is DomainError {}
        }
        guard let refresh = request.cookies[Authenticator.refreshCookie]?.value, !refresh.isEmpty else { return nil }
        do {
            let tokens = try await identity.refresh(refresh, address: address)
            return Resolved(principal: tokens.principal, renewed: tokens)
        } catch is DomainError {
            return nil
        }
    }

    /// Cookies carrying a new session (after sign-in, registration or a refresh).
    static func cookies(_ tokens: SessionTokens, secure: Bool) -> [Cookie] {
        [
            Cookie(name: Authenticator.accessCookie, value: tokens.accessToken, path: "/", secure: secure, httpOnly: true, sameSite: .strict),
            Cookie(name: Authenticator.refreshCookie, value: tokens.refreshToken, path: "/", secure: secure, httpOnly: true, sameSite: .strict),
        ]
    }

    /// Cookies that remove the session from the browser.
    static func clearedCookies(secure: Bool) -> [Cookie] {
        [Authenticator.accessCookie, Authenticator.refreshCookie].map {
            Cookie(name: $0, value: "", expires: Date(timeIntervalSince1970: 0), maxAge: 0, path: "/", secure: secure, httpOnly: true,
                   sameSite: .strict)
        }
    }

    /// Behind a TLS-terminating proxy the cookies are marked Secure.
    static func isSecure(_ request: Request) -> Bool {
        request.headers[.init("X-Forwarded-Proto")!]?.lowercased() == "https"
    }
}

extension Response {
    mutating func setCookies(_ cookies: [Cookie]) {
        for cookie in cookies { setCookie(cookie) }
    }
}

extension PageCall {
    /// The sign-in form of an area: mobile + password in `role`'s realm (every staff role signs in
    /// to the staff realm with `.admin`; the token carries the member's own role), session cookies,
    /// then the area's home. A wrong password marks the password field, never the mobile.
    func signIn(role: Role, home: String, template: String, title: String, path: String) async throws -> Response {
        let form = self.form ?? FormData()
        do {
            let mobile = try MobileNumber.validate(form.text("mobile"))
            let password = form["password"] ?? ""
            guard password.count <= PasswordPolicy.maxLength else { throw DomainError(.invalidCredentials, "The mobile number or password is wrong.", status: 401) }
            let tokens = try await platform.identity.signIn(role: role, mobile: mobile, password: password, address: address)
            var response = PageResponse.redirect(home)
            response.setCookies(PageSession.cookies(tokens, secure: isSecure))
            return response
        } catch let error as DomainError {
            var state = formError(error)
            if error.code == .invalidCredentials { state.field = "password" }
            return render(template, title: title, state.context, status: .unprocessableContent, getPath: path)
        }
    }
}
