import Logging
import RongServer

enum RongLogging {
    /// JSON lines on standard error, once per process.
    static func bootstrap(level: Logger.Level) -> Logger {
        LoggingSystem.bootstrap { label in JSONLogHandler(label: label, level: level) }
        var logger = Logger(label: "rong")
        logger.logLevel = level
        return logger
    }
}
