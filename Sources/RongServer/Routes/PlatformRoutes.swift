import Foundation
import HTTPTypes
import Hummingbird
import Prometheus

/// `/healthz`, `/readyz`, `/metrics`, `/openapi.json`: the operational surface.
struct PlatformRoutes {
    let platform: RongPlatform

    func register(on router: Router<RongRequestContext>) {
        router.get("/healthz") { _, _ in
            Health(status: "ok")
        }
        router.get("/readyz") { _, _ -> Response in
            let reachable = await platform.database.isReachable()
            let body = try JSONEncoder().encode(Health(status: reachable ? "ready" : "database_unreachable"))
            var headers = HTTPFields()
            headers[.contentType] = "application/json"
            return Response(status: reachable ? .ok : .serviceUnavailable, headers: headers, body: .init(byteBuffer: ByteBuffer(data: body)))
        }
        router.get("/metrics") { _, _ -> Response in
            var headers = HTTPFields()
            headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: platform.metricsRegistry.emitToBuffer())))
        }
        router.get("/openapi.json") { _, _ -> Response in
            var headers = HTTPFields()
            headers[.contentType] = "application/json"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(data: OpenAPIDocument.json)))
        }
    }
}

struct Health: ResponseEncodable {
    let status: String
}
