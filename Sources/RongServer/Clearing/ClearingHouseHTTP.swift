import BankKit
import Foundation
import Hummingbird
import Interbank
import Logging
import ServiceLifecycle

/// The clearing house simulator over HTTP (`rong clearing-house --port N`), for a live
/// `ClearingNetwork` adapter or a person with `curl` (docs/clearing-house.md):
///
/// | route | body | answer |
/// | --- | --- | --- |
/// | `POST /iso20022` | one ISO 20022 document (pacs.008, pacs.028, pacs.002, pacs.004) | its pacs.002, `application/xml` |
/// | `GET /recon/{date}?bank=999` | – | the day's reconciliation file, `text/csv` |
/// | `GET /inbound/{bank}?limit=N` | – | `{"documents": ["<?xml …pacs.008…", …]}` waiting for that member |
/// | `GET /health` | – | `ok` |
///
/// Errors are problem documents (`interbank_message_invalid` 422, `clearing_unavailable` 503, …).
public enum ClearingHouseHTTP {
    /// Largest request body: the strict parser's own document limit.
    public static let documentBytesMax = 65_536
    /// How often the server settles the large-value queue (it settles only inside the window).
    public static let queueInterval: Duration = .seconds(30)

    /// The routes, on a router of their own.
    public static func router(_ clearingHouse: ClearingHouse) -> Router<RongRequestContext> {
        let router = Router(context: RongRequestContext.self)
        router.add(middleware: ProblemMiddleware())
        router.get("/health") { _, _ in "ok" }
        router.post("/iso20022") { request, _ -> Response in
            let body = try await request.body.collect(upTo: documentBytesMax)
            guard let xml = body.getString(at: body.readerIndex, length: body.readableBytes, encoding: .utf8) else {
                throw DomainError(.interbankMessageInvalid, "The body is not UTF-8 text.", status: 422)
            }
            let reply = try await clearingHouse.handle(xml)
            return Response(status: .ok, headers: [.contentType: "application/xml; charset=utf-8"],
                            body: .init(byteBuffer: ByteBuffer(string: reply)))
        }
        router.get("/recon/:date") { request, context -> Response in
            let date = try BusinessDate(iso: context.parameters.get("date") ?? "")
            let bank = request.uri.queryParameters.get("bank") ?? SimulatedInterbankNetwork.defaultOwnBankCode
            let file = try await clearingHouse.reconciliationFile(bankCode: bank, date: date)
            return Response(status: .ok, headers: [.contentType: "text/csv; charset=utf-8"],
                            body: .init(byteBuffer: ByteBuffer(string: file)))
        }
        router.get("/inbound/:bank") { request, context -> Response in
            let bank = context.parameters.get("bank") ?? ""
            let limit = request.uri.queryParameters.get("limit").flatMap { Int($0) } ?? 100
            let documents = try await clearingHouse.inbound(bankCode: bank, limit: limit)
            let data = try JSONSerialization.data(withJSONObject: ["documents": documents], options: [.sortedKeys, .withoutEscapingSlashes])
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(data: data)))
        }
        return router
    }

    /// The application: the routes plus a service settling the large-value queue every
    /// `queueInterval` (it does nothing outside the window).
    public static func buildApplication(clearingHouse: ClearingHouse, host: String, port: Int,
                                        logger: Logger) -> some ApplicationProtocol {
        var app = Application(router: router(clearingHouse),
                              configuration: .init(address: .hostname(host, port: port), serverName: "rong-clearing-house"),
                              logger: logger)
        app.addServices(QueueSettler(clearingHouse: clearingHouse, logger: logger))
        return app
    }
}

/// Calls `processQueue()` every `ClearingHouseHTTP.queueInterval` until shutdown.
struct QueueSettler: Service {
    let clearingHouse: ClearingHouse
    let logger: Logger

    func run() async throws {
        let clearingHouse = clearingHouse
        let logger = logger
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    let decided = try await clearingHouse.processQueue()
                    if decided > 0 { logger.info("large-value queue settled", metadata: ["decided": "\(decided)"]) }
                } catch {
                    logger.error("large-value queue failed", metadata: ["error": "\(error)"])
                }
                try? await Task.sleep(for: ClearingHouseHTTP.queueInterval)
            }
        }
    }
}
