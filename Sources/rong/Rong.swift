import ArgumentParser

/// `rong`: the one executable. Serve the platform, migrate, run end-of-day, benchmark.
@main
struct Rong: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rong",
        abstract: "融 Rong — an internet-finance platform for a bank.",
        subcommands: [Serve.self, Migrate.self, AdminCommand.self, EndOfDayCommand.self, Bench.self, LedgerCommand.self, ClearingHouseCommand.self])
}

/// Options every command that touches the database shares.
struct DatabaseOptions: ParsableArguments {
    @Option(name: .customLong("database"), help: "sqlite:PATH or postgres://… (default: $DATABASE_URL, else sqlite:data/rong.sqlite)")
    var url: String?
}
