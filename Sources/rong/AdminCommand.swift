import ArgumentParser
import BankKit
import Foundation
import Identity
import RongServer
import Storage

/// `rong admin create`: the first admin (later staff are created by an admin in the console).
struct AdminCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "admin", abstract: "Manage staff users.",
                                                    subcommands: [Create.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a staff user (default role admin). The password is read from $RONG_ADMIN_PASSWORD or the first line of standard input.")
        @Option(help: "Mobile number (11 digits), the sign-in name") var mobile: String
        @Option(help: "Display name, e.g. 系统管理员") var name: String
        @Option(help: "admin, operator, account_manager or service_agent") var role: String = "admin"
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            let logger = RongLogging.bootstrap(level: .warning)
            let role = try Role.parse(role)
            guard let password = ProcessInfo.processInfo.environment["RONG_ADMIN_PASSWORD"] ?? readLine(strippingNewline: true), !password.isEmpty else {
                throw ValidationError("Give the password in RONG_ADMIN_PASSWORD or on standard input.")
            }
            let platform = try await RongPlatform.start(databaseURL: database.url ?? Database.defaultURL(), logger: logger)
            do {
                let user = try await platform.identity.createStaff(by: nil, role: role, mobile: mobile, displayName: name, password: password,
                                                                   address: "cli")
                print("Created \(user.role.rawValue) \(user.displayName) (\(MobileNumber.masked(user.mobile))), id \(user.id).")
            } catch let error as DomainError {
                await platform.shutdown()
                throw ValidationError("\(error.code.rawValue): \(error.detail)")
            }
            await platform.shutdown()
        }
    }
}
