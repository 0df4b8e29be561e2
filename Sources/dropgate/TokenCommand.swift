import ArgumentParser
import Foundation
import Gateway
import Ledger

/// `dropgate token create|list|revoke`: bearer tokens of the console and API, kept hashed in the ledger.
struct TokenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token",
        abstract: "Create, list or revoke the console's and API's bearer tokens (kept hashed in the ledger).",
        subcommands: [Create.self, List.self, Revoke.self])

    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a token; it is printed once, as the last word of the output.")
        @OptionGroup var options: ConfigOptions
        @Option(help: "viewer (reads) or operator (also retries, enables and disables channels).")
        var role: TokenRole
        @Option(help: "A name for the audit trail (who acted).")
        var name: String?

        func run() throws {
            let config = try options.load()
            let ledger = try Ledger(path: config.ledgerPath)
            let name = self.name ?? "\(role.rawValue)-\(Int(Date().timeIntervalSince1970))"
            let (token, secret) = try ledger.createToken(name: name, role: role)
            print("created \(token.role.rawValue) token \"\(token.name)\" (id \(token.id)); it is shown only now: \(secret)")
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the tokens (never their secrets).")
        @OptionGroup var options: ConfigOptions
        func run() throws {
            let ledger = try Ledger(path: try options.load().ledgerPath)
            for t in try ledger.tokens() {
                print("\(t.id)\t\(t.role.rawValue)\t\(t.name)\tcreated \(t.createdAt)\(t.revokedAt.map { "\trevoked \($0)" } ?? "")")
            }
        }
    }

    struct Revoke: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a token by its id.")
        @OptionGroup var options: ConfigOptions
        @Argument var id: Int64
        func run() throws {
            let ledger = try Ledger(path: try options.load().ledgerPath)
            guard try ledger.revokeToken(id: id) else { printErr("no live token with id \(id)"); throw ExitCode.failure }
            print("revoked token \(id)")
        }
    }
}

extension TokenRole: ExpressibleByArgument {}
