import Accounts
import BankKit
import Hummingbird
import Identity

/// Registration, sign-in, tokens, passwords and step-up codes (`/v1/registrations`, `/v1/auth`).
struct IdentityRoutes {
    let platform: RongPlatform
    let auth: Authenticator

    struct MobileInput: Decodable { let mobile: String }
    struct RegistrationInput: Decodable {
        let mobile: String
        let otpChallengeId: String
        let otpCode: String
        let name: String
        let idNumber: String
        let password: String
        let termsAccepted: Bool
    }
    struct SignInInput: Decodable {
        let mobile: String
        let password: String
        /// `retail` (default), `staff`, `merchant` or `biller`.
        let realm: String?
    }
    struct RefreshInput: Decodable { let refreshToken: String }
    struct ResetCodeInput: Decodable { let mobile: String; let realm: String? }
    struct ResetInput: Decodable {
        let mobile: String
        let realm: String?
        let otpChallengeId: String
        let otpCode: String
        let newPassword: String
    }
    struct PasswordChangeInput: Decodable {
        let oldPassword: String
        let newPassword: String
        let otpChallengeId: String
        let otpCode: String
    }

    static func role(forRealm realm: String?) throws(DomainError) -> Role {
        switch realm ?? "retail" {
        case "retail": .customer
        case "staff": .admin
        case "merchant": .merchant
        case "biller": .biller
        default: throw DomainError(.invalidRequest, "realm is retail, staff, merchant or biller.", status: 422, extensions: ["field": .string("realm")])
        }
    }

    func register(on router: Router<RongRequestContext>) {
        let identity = platform.identity
        router.post("v1/registrations/otp") { request, context -> ChallengeBody in
            let input = try await request.decodeJSON(as: MobileInput.self, context: context)
            return ChallengeBody(try await platform.accounts.requestRegistrationCode(mobile: input.mobile, address: context.clientAddress))
        }
        router.post("v1/registrations") { request, context -> RegistrationBody in
            let input = try await request.decodeJSON(as: RegistrationInput.self, context: context)
            let (customer, tokens) = try await platform.accounts.register(
                RegistrationRequest(mobile: input.mobile, otpChallengeID: try RongID(input.otpChallengeId), otpCode: input.otpCode, name: input.name,
                                    idNumber: input.idNumber, password: input.password, termsAccepted: input.termsAccepted),
                address: context.clientAddress)
            return RegistrationBody(customer: CustomerBody(customer), session: SessionBody(tokens))
        }
        router.post("v1/auth/sessions") { request, context -> SessionBody in
            let input = try await request.decodeJSON(as: SignInInput.self, context: context)
            let mobile = try MobileNumber.validate(input.mobile)
            guard input.password.count <= PasswordPolicy.maxLength else { throw DomainError(.invalidCredentials, "The mobile number or password is wrong.", status: 401) }
            return SessionBody(try await identity.signIn(role: try IdentityRoutes.role(forRealm: input.realm), mobile: mobile, password: input.password,
                                                         address: context.clientAddress))
        }
        router.post("v1/auth/refresh") { request, context -> SessionBody in
            let input = try await request.decodeJSON(as: RefreshInput.self, context: context)
            return SessionBody(try await identity.refresh(input.refreshToken, address: context.clientAddress))
        }
        router.delete("v1/auth/sessions/current") { request, context -> NoContent in
            let principal = try await auth.require(request, .signedIn)
            try await identity.logout(principal, address: context.clientAddress)
            return NoContent()
        }
        router.get("v1/auth/me") { request, _ -> PrincipalBody in
            PrincipalBody(try await auth.require(request, .signedIn))
        }
        router.post("v1/auth/password-resets/otp") { request, context -> ChallengeBody in
            let input = try await request.decodeJSON(as: ResetCodeInput.self, context: context)
            let mobile = try MobileNumber.validate(input.mobile)
            return ChallengeBody(try await identity.requestPasswordReset(role: try IdentityRoutes.role(forRealm: input.realm), mobile: mobile,
                                                                         address: context.clientAddress))
        }
        router.post("v1/auth/password-resets") { request, context -> NoContent in
            let input = try await request.decodeJSON(as: ResetInput.self, context: context)
            let mobile = try MobileNumber.validate(input.mobile)
            try await identity.resetPassword(role: try IdentityRoutes.role(forRealm: input.realm), mobile: mobile,
                                             challengeID: try RongID(input.otpChallengeId), code: input.otpCode, newPassword: input.newPassword,
                                             address: context.clientAddress)
            return NoContent()
        }
        router.post("v1/auth/password/otp") { request, _ -> ChallengeBody in
            let principal = try await auth.require(request, .signedIn)
            return ChallengeBody(try await identity.requestStepUp(principal, purpose: .changePassword))
        }
        router.post("v1/auth/password") { request, context -> NoContent in
            let principal = try await auth.require(request, .signedIn)
            let input = try await request.decodeJSON(as: PasswordChangeInput.self, context: context)
            try await identity.changePassword(principal, oldPassword: input.oldPassword, newPassword: input.newPassword,
                                              otpChallengeID: try RongID(input.otpChallengeId), otpCode: input.otpCode, address: context.clientAddress)
            return NoContent()
        }
    }
}
