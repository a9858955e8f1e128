import Identity

/// Operations of the user-facing API: registration and sign-in, the customer's own resources,
/// and the staff console's API. `access` is each route's declared audience; the
/// authorization matrix test checks the running routes agree with it.
extension OpenAPIDocument {
    static let moneyErrors = [400, 401, 403, 404, 409, 415, 422]

    static var userOperations: [Operation] {
        let id = [pathID("id")]
        let paging = [query("limit", "1–200, default 50"), query("starting_after", "Cursor from the previous page")]
        let idempotency: [String: Any] = ["name": "Idempotency-Key", "in": "header", "required": true,
                                          "description": "1–64 printable characters; the same key and body return the stored result",
                                          "schema": ["type": "string", "maxLength": 64]]
        return [
            // Registration and sign-in
            Operation(method: "post", path: "/v1/registrations/otp", summary: "Send a registration code by SMS (same answer whether or not the mobile is registered)",
                      tag: "identity", requestSchema: "MobileInput", responseSchema: "OTPChallenge", errors: [400, 415, 422, 429]),
            Operation(method: "post", path: "/v1/registrations", summary: "Register with mobile + code + real name + resident ID + password; signs in",
                      tag: "identity", requestSchema: "RegistrationInput", responseSchema: "Registration", errors: [400, 409, 415, 422]),
            Operation(method: "post", path: "/v1/auth/sessions", summary: "Sign in (realm retail|staff|merchant|biller); 5 wrong passwords lock for 15 minutes",
                      tag: "identity", requestSchema: "SignInInput", responseSchema: "Session", errors: [400, 401, 415, 422, 423]),
            Operation(method: "post", path: "/v1/auth/refresh", summary: "Rotate a refresh token; reusing a spent one ends the whole session",
                      tag: "identity", requestSchema: "RefreshInput", responseSchema: "Session", errors: [400, 401, 415]),
            Operation(method: "delete", path: "/v1/auth/sessions/current", summary: "Sign out: the session's tokens stop working", tag: "identity",
                      access: .signedIn, responseType: "none", errors: [401]),
            Operation(method: "get", path: "/v1/auth/me", summary: "The signed-in user", tag: "identity", access: .signedIn,
                      responseSchema: "Principal", errors: [401]),
            Operation(method: "post", path: "/v1/auth/password-resets/otp", summary: "Send a password-reset code (same answer for unknown mobiles)",
                      tag: "identity", requestSchema: "ResetCodeInput", responseSchema: "OTPChallenge", errors: [400, 415, 422, 429]),
            Operation(method: "post", path: "/v1/auth/password-resets", summary: "Reset the password with the code; ends every session and clears a lock",
                      tag: "identity", requestSchema: "ResetInput", responseType: "none", errors: [400, 415, 422]),
            Operation(method: "post", path: "/v1/auth/password/otp", summary: "Send the step-up code for a password change", tag: "identity",
                      access: .signedIn, responseSchema: "OTPChallenge", errors: [401, 429]),
            Operation(method: "post", path: "/v1/auth/password", summary: "Change the password (old password + step-up code); other sessions end",
                      tag: "identity", access: .signedIn, requestSchema: "PasswordChangeInput", responseType: "none", errors: [400, 401, 415, 422]),
            // The customer's own resources
            Operation(method: "get", path: "/v1/banks", summary: "Banks on the interbank network (for binding)", tag: "accounts", responseSchema: "BankList"),
            Operation(method: "get", path: "/v1/me", summary: "The signed-in customer's profile", tag: "accounts", access: .customer,
                      responseSchema: "Customer", errors: [401, 403, 404]),
            Operation(method: "get", path: "/v1/me/bound-accounts", summary: "Bound own-name Class I accounts and cards", tag: "accounts",
                      access: .customer, responseSchema: "BoundAccountList", errors: [401, 403]),
            Operation(method: "post", path: "/v1/me/bound-accounts/otp", summary: "Send the step-up code for binding this account", tag: "accounts",
                      access: .customer, requestSchema: "BindCodeInput", responseSchema: "OTPChallenge", errors: [400, 401, 403, 415, 429]),
            Operation(method: "post", path: "/v1/me/bound-accounts", summary: "Bind an own-name Class I account (four-element check; step-up code)",
                      tag: "accounts", access: .customer, requestSchema: "BindInput", responseSchema: "BoundAccount", errors: [400, 401, 403, 409, 415, 422]),
            Operation(method: "get", path: "/v1/me/accounts", summary: "The customer's accounts with balances", tag: "accounts", access: .customer,
                      responseSchema: "AccountList", errors: [401, 403]),
            Operation(method: "post", path: "/v1/me/accounts", summary: "Open a Class II or III e-account on a bound account (at most 5 of each)",
                      tag: "accounts", access: .customer, requestSchema: "OpenAccountInput", responseSchema: "Account", errors: [400, 401, 403, 415, 422]),
            Operation(method: "get", path: "/v1/me/accounts/{id}", summary: "One account with balance and remaining limits", tag: "accounts",
                      access: .customer, parameters: id, responseSchema: "Account", errors: [401, 403, 404, 422]),
            Operation(method: "get", path: "/v1/me/accounts/{id}/statement", summary: "Statement with running balance, newest first", tag: "accounts",
                      access: .customer, parameters: id + paging, responseSchema: "StatementLineList", errors: [401, 403, 404, 422]),
            Operation(method: "get", path: "/v1/me/accounts/{id}/movements", summary: "Fundings, withdrawals and transfers with their status", tag: "accounts",
                      access: .customer, parameters: id + [query("limit", "1–200, default 50")], responseSchema: "MovementList", errors: [401, 403, 404, 422]),
            Operation(method: "post", path: "/v1/me/accounts/{id}/fundings", summary: "Fund from the bound account (through the interbank network when elsewhere)",
                      tag: "accounts", access: .customer, parameters: id + [idempotency], requestSchema: "AmountInput", responseSchema: "Movement",
                      errors: moneyErrors),
            Operation(method: "post", path: "/v1/me/accounts/{id}/withdrawals", summary: "Withdraw to the bound account", tag: "accounts",
                      access: .customer, parameters: id + [idempotency], requestSchema: "AmountInput", responseSchema: "Movement", errors: moneyErrors),
            Operation(method: "post", path: "/v1/me/accounts/{id}/transfers", summary: "Pay another account of this bank by number and name (new payee: step-up code)",
                      tag: "accounts", access: .customer, parameters: id + [idempotency], requestSchema: "TransferInput", responseSchema: "Movement",
                      errors: moneyErrors),
            Operation(method: "post", path: "/v1/me/payees/otp", summary: "Send the step-up code for a new payee", tag: "accounts", access: .customer,
                      requestSchema: "PayeeCodeInput", responseSchema: "OTPChallenge", errors: [400, 401, 403, 415, 429]),
            // Staff console
            Operation(method: "get", path: "/v1/staff/customers", summary: "Search customers by name, mobile, ID number or account number (audited)",
                      tag: "staff", access: .staff, parameters: [query("q", "1–40 characters")], responseSchema: "CustomerList", errors: [401, 403, 422]),
            Operation(method: "post", path: "/v1/staff/customers", summary: "Enrol a customer at the counter (ID checked face to face)", tag: "staff",
                      access: .operators, requestSchema: "EnrolInput", responseSchema: "Customer", errors: [400, 401, 403, 409, 415, 422]),
            Operation(method: "get", path: "/v1/staff/customers/{id}", summary: "A customer with accounts, bound accounts and freezes (audited)",
                      tag: "staff", access: .staff, parameters: id, responseSchema: "CustomerDetail", errors: [401, 403, 404, 422]),
            Operation(method: "post", path: "/v1/staff/customers/{id}/class-i-accounts", summary: "Open a Class I account at the counter, with an optional cash deposit",
                      tag: "staff", access: .operators, parameters: id, requestSchema: "ClassIInput", responseSchema: "Account", errors: [400, 401, 403, 404, 415, 422]),
            Operation(method: "get", path: "/v1/staff/accounts/{id}", summary: "An account with its balance", tag: "staff", access: .staff,
                      parameters: id, responseSchema: "Account", errors: [401, 403, 404, 422]),
            Operation(method: "post", path: "/v1/staff/accounts/{id}/freeze", summary: "Freeze an account (judicial or fraud) with a reason: it can receive, not send",
                      tag: "staff", access: .operators, parameters: id, requestSchema: "FreezeInput", responseSchema: "Freeze", errors: [400, 401, 403, 404, 409, 415, 422]),
            Operation(method: "post", path: "/v1/staff/accounts/{id}/unfreeze", summary: "Release a freeze with a reason", tag: "staff",
                      access: .operators, parameters: id, requestSchema: "ReasonInput", responseSchema: "Account", errors: [400, 401, 403, 404, 409, 415, 422]),
            Operation(method: "get", path: "/v1/staff/audit", summary: "The append-only audit log, newest first", tag: "staff", access: .admin,
                      parameters: [query("actor", "e.g. operator:0190…"), query("target", "e.g. e_account:0190…"), query("action", "e.g. account.freeze"),
                                   query("before", "Sequence cursor"), query("limit", "1–200")], responseSchema: "AuditEventList", errors: [401, 403, 422]),
            Operation(method: "get", path: "/v1/staff/users", summary: "Staff users", tag: "staff", access: .admin, responseSchema: "UserList", errors: [401, 403]),
            Operation(method: "post", path: "/v1/staff/users", summary: "Create a staff user (account manager, service agent, operator, admin)",
                      tag: "staff", access: .admin, requestSchema: "StaffInput", responseSchema: "User", errors: [400, 401, 403, 409, 415, 422]),
            Operation(method: "get", path: "/v1/staff/ledger/accounts/{id}", summary: "Read-only: a ledger account", tag: "staff", access: .operators,
                      parameters: id, responseSchema: "LedgerAccount", errors: [401, 403, 404, 422]),
            Operation(method: "get", path: "/v1/staff/ledger/accounts/{id}/statement", summary: "Read-only: a ledger statement", tag: "staff",
                      access: .operators, parameters: id + [query("limit", "1–500"), query("starting_after", "Cursor")], responseSchema: "StatementList",
                      errors: [401, 403, 404, 422]),
            Operation(method: "get", path: "/v1/staff/ledger/transfers/{id}", summary: "Read-only: a ledger transfer", tag: "staff", access: .operators,
                      parameters: id, responseSchema: "LedgerTransfer", errors: [401, 403, 404, 422]),
        ]
    }

    static var userSchemas: [String: Any] {
        let time: [String: Any] = ["type": "string", "format": "date-time"]
        let fen: [String: Any] = ["type": "integer", "format": "int64", "minimum": 1, "maximum": 100_000_000, "description": "Amount in fen"]
        let otp: [String: Any] = ["otp_challenge_id": uuid, "otp_code": ["type": "string", "pattern": "^[0-9]{6}$"]]
        let account = object(["object": ["const": "account"], "id": uuid, "customer_id": uuid, "account_class": ["enum": ["I", "II", "III"]],
                              "account_number": ["type": "string", "pattern": "^[0-9]{19}$"], "bound_account_id": ["type": ["string", "null"]],
                              "status": ["enum": ["active", "frozen", "closed"]], "opened_at": time, "opened_channel": ["enum": ["online", "counter"]],
                              "currency": ["const": "CNY"], "balance_fen": int64, "available_fen": int64, "balance_formatted": string,
                              "limits": ["type": "array", "items": object(["limit": string, "direction": ["enum": ["in", "out"]], "period": ["enum": ["day", "year"]],
                                                                          "limit_fen": int64, "used_fen": int64, "remaining_fen": int64])]])
        let customer = object(["object": ["const": "customer"], "id": uuid, "name": string, "id_number_masked": string, "mobile_masked": string,
                               "birth_date": ["type": "string", "format": "date"], "branch_code": string, "status": string, "created_at": time])
        let bound = object(["object": ["const": "bound_account"], "id": uuid, "bank_code": string, "bank_name": string,
                            "account_number_masked": string, "status": string, "bound_at": time])
        let movement = object(["object": ["const": "movement"], "id": uuid, "account_id": uuid, "kind": ["enum": ["funding", "withdrawal", "transfer_out"]],
                               "amount_fen": int64, "currency": ["const": "CNY"], "counterparty_account_masked": string, "counterparty_name": string,
                               "counterparty_bank": string, "status": ["enum": ["pending", "completed", "failed"]], "failure_code": ["type": ["string", "null"]],
                               "ledger_transfer_id": ["type": ["string", "null"]], "created_at": time, "completed_at": ["type": ["string", "null"]]])
        let freeze = object(["object": ["const": "freeze"], "id": uuid, "account_id": uuid, "kind": ["enum": ["judicial", "fraud"]], "reason": string,
                             "frozen_by": string, "frozen_at": time, "released_by": ["type": ["string", "null"]], "released_at": ["type": ["string", "null"]]])
        let session = object(["object": ["const": "session"], "user_id": uuid, "role": ["enum": Role.allCases.map(\.rawValue)], "display_name": string,
                              "access_token": string, "access_token_expires_at": time, "refresh_token": string, "refresh_token_expires_at": time,
                              "token_type": ["const": "Bearer"]])
        let user = object(["object": ["const": "user"], "id": uuid, "role": ["enum": Role.allCases.map(\.rawValue)], "mobile_masked": string,
                           "display_name": string, "status": string, "created_at": time])
        let audit = object(["object": ["const": "audit_event"], "seq": int64, "id": uuid, "at": time, "actor": string, "action": string,
                            "target": string, "outcome": string, "address": string, "detail": string])
        let mobile: [String: Any] = ["type": "string", "pattern": "^1[3-9][0-9]{9}$"]
        let password: [String: Any] = ["type": "string", "minLength": 8, "maxLength": 64]
        return [
            "MobileInput": object(["mobile": mobile], required: ["mobile"]),
            "OTPChallenge": object(["object": ["const": "otp_challenge"], "id": uuid, "purpose": string, "mobile_masked": string, "expires_at": time]),
            "RegistrationInput": object(["mobile": mobile, "name": ["type": "string", "minLength": 2, "maxLength": 30],
                                         "id_number": ["type": "string", "pattern": "^[0-9]{17}[0-9Xx]$"], "password": password,
                                         "terms_accepted": ["const": true]].merging(otp) { $1 },
                                        required: ["mobile", "otp_challenge_id", "otp_code", "name", "id_number", "password", "terms_accepted"]),
            "Registration": object(["object": ["const": "registration"], "customer": ref("Customer"), "session": ref("Session")]),
            "SignInInput": object(["mobile": mobile, "password": string, "realm": ["enum": ["retail", "staff", "merchant", "biller"]]],
                                  required: ["mobile", "password"]),
            "RefreshInput": object(["refresh_token": string], required: ["refresh_token"]),
            "ResetCodeInput": object(["mobile": mobile, "realm": ["enum": ["retail", "staff", "merchant", "biller"]]], required: ["mobile"]),
            "ResetInput": object(["mobile": mobile, "realm": string, "new_password": password].merging(otp) { $1 },
                                 required: ["mobile", "otp_challenge_id", "otp_code", "new_password"]),
            "PasswordChangeInput": object(["old_password": string, "new_password": password].merging(otp) { $1 },
                                          required: ["old_password", "new_password", "otp_challenge_id", "otp_code"]),
            "Session": session,
            "Principal": object(["object": ["const": "principal"], "user_id": uuid, "role": string, "display_name": string, "session_id": uuid]),
            "Bank": object(["bank_code": ["type": "string", "pattern": "^[0-9]{3}$"], "name": string, "name_english": string]),
            "BankList": list("Bank"),
            "Customer": customer,
            "CustomerList": list("Customer"),
            "BoundAccount": bound,
            "BoundAccountList": list("BoundAccount"),
            "BindCodeInput": object(["bank_code": string, "account_number": string], required: ["bank_code", "account_number"]),
            "BindInput": object(["bank_code": string, "account_number": ["type": "string", "pattern": "^[0-9]{12,19}$"]].merging(otp) { $1 },
                                required: ["bank_code", "account_number", "otp_challenge_id", "otp_code"]),
            "Account": account,
            "AccountList": list("Account"),
            "OpenAccountInput": object(["account_class": ["enum": ["II", "III"]], "bound_account_id": uuid], required: ["account_class", "bound_account_id"]),
            "StatementLine": object(["transfer_id": uuid, "at": time, "amount_fen": int64, "amount_formatted": string, "balance_after_fen": int64,
                                     "balance_after_formatted": string, "memo": string, "code": ["type": "integer"], "cursor": string]),
            "StatementLineList": list("StatementLine"),
            "AmountInput": object(["amount_fen": fen], required: ["amount_fen"]),
            "TransferInput": object(["payee_account_number": string, "payee_name": string, "amount_fen": fen,
                                     "memo": ["type": "string", "maxLength": 60]].merging(otp) { $1 },
                                    required: ["payee_account_number", "payee_name", "amount_fen"]),
            "PayeeCodeInput": object(["payee_account_number": string], required: ["payee_account_number"]),
            "Movement": movement,
            "MovementList": list("Movement"),
            "Freeze": freeze,
            "CustomerDetail": object(["object": ["const": "customer_detail"], "customer": ref("Customer"),
                                      "accounts": ["type": "array", "items": ref("Account")], "bound_accounts": ["type": "array", "items": ref("BoundAccount")],
                                      "freezes": ["type": "array", "items": ref("Freeze")]]),
            "EnrolInput": object(["name": string, "id_number": string, "mobile": mobile, "password": password],
                                 required: ["name", "id_number", "mobile", "password"]),
            "ClassIInput": object(["cash_deposit_fen": ["type": "integer", "format": "int64", "minimum": 0, "maximum": 100_000_000]]),
            "FreezeInput": object(["kind": ["enum": ["judicial", "fraud"]], "reason": ["type": "string", "maxLength": 200]], required: ["kind", "reason"]),
            "ReasonInput": object(["reason": ["type": "string", "maxLength": 200]], required: ["reason"]),
            "AuditEvent": audit,
            "AuditEventList": list("AuditEvent"),
            "User": user,
            "UserList": list("User"),
            "StaffInput": object(["role": ["enum": Role.staff.map(\.rawValue)], "mobile": mobile, "name": string, "password": password],
                                 required: ["role", "mobile", "name", "password"]),
        ]
    }
}
